import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AgentRef, Conversation, CustomerClient, Part } from '../../sdk/src/index.js';
import { toChatItems } from '../shared/chat-items.js';
import type { ChatItem, LogEvent, MessageItem } from '../shared/types.js';
import { friendlyError } from './errors.js';
import type { WaitingFigures } from './waiting.js';

// Everything about the customer's current conversation that the screens draw: the log as chat items (with
// the outbox's unsent messages after it), who the agent is, what the desk says about the wait (queue
// position, estimated wait, agents on queue), whether the agent is typing, how many agent messages are
// unread. The SDK owns the data; this hook re-reads it whenever the SDK
// says something changed, so there is one source of truth.

const TYPING_TIMEOUT_MS = 8000;

export interface ConversationState {
  conversation: Conversation | null;
  items: ChatItem[];
  agent: AgentRef | null;
  /** While the conversation waits for an agent: what its desk knows about the wait; null otherwise. */
  waiting: WaitingFigures | null;
  typing: string | null;
  unread: number;
  ended: boolean;
  /** Something the customer did failed (send, upload, end); cleared by the next action. */
  error: string | null;
  loading: boolean;
  send(text: string, parts?: Part[]): Promise<void>;
  /** Absent once the chat ended: sending again could only fail the same way. */
  retry: ((key: string) => void) | undefined;
  discard(key: string): void;
  typingChanged(typing: boolean): void;
  end(): Promise<void>;
  startNew(): Promise<void>;
  setError(message: string | null): void;
  /** Local previews of images this customer just sent, until the server's signed URL arrives. */
  previewOf(mediaId: string): string | undefined;
  rememberPreview(mediaId: string, url: string): void;
}

export interface ConversationOptions {
  /** Inbox queue for a new conversation. */
  queue?: string | undefined;
  /** Entry point for a new conversation: the hub's route table picks its desk and queue. */
  entryPoint?: string | undefined;
  visible: boolean;
}

/**
 * The position a conversation row carries (inbox queues only), kept with the desk's latest live figures;
 * once it stops waiting they are dropped, so a later wait (a transfer to a queue) starts from fresh ones.
 */
const withPosition = (c: Conversation) => (cur: WaitingFigures | null): WaitingFigures | null => {
  if (c.phase !== 'queued' && c.phase !== 'transferring') return null;
  const { position: _old, ...rest } = cur ?? {};
  return c.queuePosition ? { ...rest, position: c.queuePosition } : rest;
};

export function useConversation(client: CustomerClient | null, opts: ConversationOptions): ConversationState {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [version, setVersion] = useState(0);
  const changed = useCallback(() => setVersion((v) => v + 1), []);
  const [typing, setTyping] = useState<string | null>(null);
  const [figures, setFigures] = useState<WaitingFigures | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [readSeq, setReadSeq] = useState(0);
  const previews = useRef(new Map<string, string>());
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const convId = conversation?.id;

  /** Fetch a conversation's row again; `adopt` makes it the current one (a chat the business started). */
  const refresh = useCallback(
    async (id: string, adopt = false) => {
      if (!client) return;
      try {
        const c = await client.conversation(id);
        if (adopt) await client.loadHistory(id);
        setConversation((cur) => (cur && cur.id !== id && !adopt ? cur : c));
        setFigures(withPosition(c));
        setReadSeq((r) => Math.max(r, c.receipts.customer.read));
      } catch {
        // A failed refresh leaves the last known state; the next event tries again.
      }
    },
    [client],
  );

  // On connect: the conversation the customer had (after a reload too), and its whole history.
  useEffect(() => {
    if (!client) return;
    let live = true;
    setLoading(true);
    (async () => {
      const current = await client.currentConversation();
      if (!live || !current) return;
      setConversation(current);
      setFigures(withPosition(current)(null));
      setReadSeq(current.receipts.customer.read);
      await client.loadHistory(current.id);
      if (live) {
        changed();
        void refresh(current.id);
      }
    })()
      .catch((e: unknown) => live && setError(friendlyError(e)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [client, refresh, changed]);

  useEffect(() => {
    if (!client) return;
    const offs = [
      client.on('event', (e) => {
        if (e.conversationId !== convId) {
          // A conversation this screen does not show yet while it shows none (or an ended one): the
          // business wrote first (proactive), or the customer opened it in another tab. Show it.
          if ((!convId || endedRef.current) && e.kind !== 'conversation.ended') void refresh(e.conversationId, true);
          return;
        }
        if (e.kind === 'message' && e.author.role !== 'customer') setTyping(null);
        changed();
      }),
      client.on('status', changed),
      client.on('outbox', changed),
      // The SDK says when a conversation's phase, agent or queue changed (joins, transfers, the end).
      client.on('conversation', (c) => c.conversationId === convId && void refresh(c.conversationId)),
      // Each signal is the desk's whole current picture: it replaces the last one.
      client.on('availability', ({ conversationId, position, waitSeconds, agentsOnQueue }) => {
        if (conversationId === convId) setFigures({ position, waitSeconds, agentsOnQueue });
      }),
      client.on('typing', (t) => {
        if (t.conversationId !== convId || t.author.role === 'customer') return;
        if (typingTimer.current) clearTimeout(typingTimer.current);
        if (!t.typing) return setTyping(null);
        setTyping(t.author.name ?? 'Agent');
        // A "stopped typing" that never arrives (the agent closed the tab) must not leave dots forever.
        typingTimer.current = setTimeout(() => setTyping(null), TYPING_TIMEOUT_MS);
      }),
      client.on('session', (s) => {
        if (s.renewed) setConversation(null);
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [client, convId, refresh]);

  useEffect(() => () => typingTimer.current && clearTimeout(typingTimer.current), []);

  const events: LogEvent[] = useMemo(() => (client && convId ? (client.history(convId) as LogEvent[]) : []), [client, convId, version]);

  const items = useMemo(() => {
    if (!client || !convId) return [];
    const list = toChatItems(events, { viewer: 'customer', isMine: (e) => e.author.role === 'customer', statusOf: (e) => client.statusOf(convId, e.seq) });
    const stored = new Set(events.map((e) => e.clientMessageId).filter(Boolean));
    for (const o of client.outbox(convId)) {
      if (stored.has(o.clientMessageId)) continue;
      const item: MessageItem = { type: 'message', key: `c:${o.clientMessageId}`, mine: true, author: { role: 'customer' }, parts: o.parts, createdAt: o.createdAt, status: o.status, local: true };
      if (o.error) item.error = friendlyError(o.error);
      list.push(item);
    }
    return list;
  }, [client, convId, events, version]);

  const lastTheirs = useMemo(() => {
    let seq = 0;
    for (const e of events) if (e.kind === 'message' && e.author.role !== 'customer') seq = Math.max(seq, e.seq);
    return seq;
  }, [events]);

  const unread = useMemo(() => events.filter((e) => e.kind === 'message' && e.author.role !== 'customer' && e.seq > readSeq).length, [events, readSeq]);

  // Read receipts: only when the customer can actually see the messages.
  useEffect(() => {
    if (!client || !convId || !opts.visible || lastTheirs <= readSeq) return;
    setReadSeq(lastTheirs);
    client.markRead(convId, lastTheirs).catch(() => undefined);
  }, [client, convId, opts.visible, lastTheirs, readSeq]);

  const agent = useMemo((): AgentRef | null => {
    if (conversation?.agent) return conversation.agent;
    // Before the conversation row is refetched, the latest join in the log names the agent.
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (e?.kind === 'participant.left') return null;
      if (e?.kind === 'participant.joined') return e.participant as AgentRef;
    }
    return null;
  }, [conversation, events]);

  const ended = conversation?.phase === 'ended' || events.some((e) => e.kind === 'conversation.ended');
  const endedRef = useRef(ended);
  endedRef.current = ended;

  const ensureConversation = async (): Promise<Conversation> => {
    if (!client) throw new Error('Not connected yet.');
    if (conversation && !ended) return conversation;
    const c = await client.openConversation({ ...(opts.queue ? { queue: opts.queue } : {}), ...(opts.entryPoint ? { entryPoint: opts.entryPoint } : {}) });
    setConversation(c);
    setFigures(withPosition(c)(null));
    setReadSeq(c.receipts.customer.read);
    await client.loadHistory(c.id).catch(() => undefined);
    changed();
    return c;
  };

  const send = async (text: string, parts?: Part[]) => {
    if (!client) return;
    setError(null);
    try {
      const c = await ensureConversation();
      const all: Part[] = [...(parts ?? []), ...(text ? [{ type: 'text' as const, text }] : [])];
      if (all.length === 0) return;
      client.send(c.id, { parts: all });
      changed();
    } catch (e) {
      setError(friendlyError(e));
    }
  };

  const retry = (key: string) => {
    if (!client || !convId) return;
    const id = key.startsWith('c:') ? key.slice(2) : undefined;
    // Refused by the hub before it was stored: send it again under the same id (stored at most once).
    if (id && client.outbox(convId).some((o) => o.clientMessageId === id && o.status === 'failed')) {
      client.retry(id);
      return;
    }
    // Stored, but the desk never got it (delivery.failed): send the same content as a new message.
    const item = items.find((i): i is MessageItem => i.type === 'message' && i.key === key);
    if (item) client.send(convId, { parts: item.parts as Part[] });
    changed();
  };

  const discard = (key: string) => {
    if (!client || !key.startsWith('c:')) return;
    client.discard(key.slice(2));
    changed();
  };

  const end = async () => {
    if (!client || !convId) return;
    setError(null);
    try {
      await client.end(convId);
      await refresh(convId);
    } catch (e) {
      setError(friendlyError(e));
    }
  };

  const startNew = async () => {
    setError(null);
    try {
      await ensureConversation();
    } catch (e) {
      setError(friendlyError(e));
    }
  };

  return {
    conversation,
    items,
    agent,
    waiting: conversation && (conversation.phase === 'queued' || conversation.phase === 'transferring') ? (figures ?? {}) : null,
    // The agent the customer sees in the header types under that name: a vendor desk may name someone else
    // (Genesys's typing events come from the integration, not the agent).
    typing: typing === null ? null : (agent?.name ?? typing),
    unread,
    ended,
    error,
    loading,
    send,
    retry: ended ? undefined : retry,
    discard,
    typingChanged: (t) => client && convId && !ended && client.typing(convId, t),
    end,
    startNew,
    setError,
    previewOf: (id) => previews.current.get(id),
    rememberPreview: (id, url) => previews.current.set(id, url),
  };
}
