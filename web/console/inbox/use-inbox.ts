import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Conversation, ParleyEvent } from '../../../sdk/src/index.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { beep, setTitleCount } from '../notify.js';

// The agent's two lists — chats waiting in my queues, and chats assigned to me — kept live: any change the
// stream reports (a chat queued, taken, transferred, ended) refetches both, because the server decides
// who sees what. A chat the agent has not opened yet is "new": it rings once (unless muted) and counts
// in the tab title until opened.

const LIFECYCLE = new Set(['conversation.queued', 'participant.joined', 'participant.left', 'transfer.started', 'conversation.ended']);
const REFRESH_DEBOUNCE_MS = 120;

export interface InboxState {
  queued: Conversation[];
  mine: Conversation[];
  loaded: boolean;
  error: string | null;
  /** Chats that appeared and were not opened yet. */
  unseen: ReadonlySet<string>;
  /** Customer messages that arrived in chats other than the open one. */
  unread: ReadonlyMap<string, number>;
  /** Bumped on every stream event, so previews re-render. */
  version: number;
  /** A one-line confirmation shown above the lists' neighbour ("Transferred … to …"). */
  notice: string | null;
  say(notice: string | null): void;
  open(id: string | undefined): void;
  refresh(): void;
  setMuted(muted: boolean): void;
}

export function useInbox(): InboxState {
  const { client } = useConsole();
  const [queued, setQueued] = useState<Conversation[]>([]);
  const [mine, setMine] = useState<Conversation[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [unseen, setUnseen] = useState<Set<string>>(new Set());
  const [unread, setUnread] = useState<Map<string, number>>(new Map());
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const known = useRef<Set<string> | undefined>(undefined);
  const openId = useRef<string | undefined>(undefined);
  const muted = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inFlight = useRef(0);

  const load = async () => {
    const ticket = ++inFlight.current;
    try {
      const [q, m] = await Promise.all([client.conversations('queued'), client.conversations('mine')]);
      // Two refreshes can overlap; only the latest may write, or an older answer could resurrect a taken chat.
      if (ticket !== inFlight.current) return;
      setQueued(q);
      setMine(m);
      setError(null);
      setLoaded(true);
      const ids = new Set([...q, ...m].map((c) => c.id));
      const first = known.current === undefined;
      const fresh = [...ids].filter((id) => !known.current?.has(id) && id !== openId.current);
      known.current = ids;
      setUnseen((prev) => {
        const next = new Set([...prev].filter((id) => ids.has(id)));
        for (const id of fresh) next.add(id);
        return next;
      });
      // Chats already waiting at login count as new but do not ring: the agent did not just miss them.
      if (!first && fresh.length > 0 && !muted.current) beep();
    } catch (e) {
      if (ticket === inFlight.current) setError(errorText(e));
    }
  };

  const refresh = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), REFRESH_DEBOUNCE_MS);
  };

  useEffect(() => {
    void load();
    const offConv = client.on('conversation', refresh);
    const offEvent = client.on('event', (e: ParleyEvent) => {
      setVersion((v) => v + 1);
      if (LIFECYCLE.has(e.kind)) refresh();
      if (e.kind === 'message' && e.author.role === 'customer' && e.conversationId !== openId.current) {
        setUnread((prev) => new Map(prev).set(e.conversationId, (prev.get(e.conversationId) ?? 0) + 1));
      }
    });
    // Reconnected after a drop: what changed meanwhile arrives as replayed events, but a chat that was
    // taken by someone else while we were away sends us nothing — refetch to drop it.
    const offConn = client.on('connection', (s) => s === 'open' && refresh());
    return () => {
      offConv();
      offEvent();
      offConn();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [client]);

  useEffect(() => setTitleCount(unseen.size), [unseen]);
  useEffect(() => () => setTitleCount(0), []);

  return useMemo(
    () => ({
      queued,
      mine,
      loaded,
      error,
      unseen,
      unread,
      version,
      notice,
      say: setNotice,
      open(id: string | undefined) {
        openId.current = id;
        if (!id) return;
        setUnseen((prev) => {
          if (!prev.has(id)) return prev;
          const next = new Set(prev);
          next.delete(id);
          return next;
        });
        setUnread((prev) => {
          if (!prev.has(id)) return prev;
          const next = new Map(prev);
          next.delete(id);
          return next;
        });
      },
      refresh,
      setMuted(m: boolean) {
        muted.current = m;
      },
    }),
    [queued, mine, loaded, error, unseen, unread, version, notice],
  );
}
