import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Conversation, OutgoingMessage, ParleyEvent } from '../../../sdk/src/index.js';
import { toChatItems } from '../../shared/chat-items.js';
import type { ChatItem, MessageItem } from '../../shared/types.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { usePageVisible } from '../use-visible.js';

// One open conversation in the console: its details, its whole log (from the SDK's cache, then the server),
// my unsent messages, the customer's typing, and read receipts — everything up to the newest customer
// message is marked read while the conversation is on screen and mine.

const CHANGES_CONVERSATION = new Set(['conversation.queued', 'participant.joined', 'participant.left', 'transfer.started', 'conversation.ended']);
/** A typing signal that never got its "stopped" (the customer closed the tab) expires. */
const TYPING_TTL_MS = 8000;

export interface ConversationView {
  conversation: Conversation | null;
  items: ChatItem[];
  events: ParleyEvent[];
  typing: string | null;
  error: string | null;
  notFound: boolean;
  mineAndOpen: boolean;
  reload(): void;
  setConversation(c: Conversation): void;
}

export function useConversationView(id: string, customerLabel: (c: Conversation) => string): ConversationView {
  const { client, me } = useConsole();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [events, setEvents] = useState<ParleyEvent[]>(() => client.history(id));
  const [outbox, setOutbox] = useState<OutgoingMessage[]>(() => client.outbox(id));
  const [statusTick, setStatusTick] = useState(0);
  const [typing, setTyping] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const markedRead = useRef(0);
  const visible = usePageVisible();

  const loadConversation = () =>
    client
      .conversation(id)
      .then((c) => {
        setConversation(c);
        setNotFound(false);
      })
      .catch((e: { status?: number }) => {
        if (e.status === 404) setNotFound(true);
        else setError(errorText(e));
      });

  useEffect(() => {
    void loadConversation();
    client
      .loadHistory(id)
      .then(() => setEvents([...client.history(id)]))
      .catch((e: unknown) => setError(errorText(e)));
    const offs = [
      client.on('event', (e) => {
        if (e.conversationId !== id) return;
        setEvents([...client.history(id)]);
        if (e.kind === 'message' && e.author.role === 'customer') setTyping(false);
        if (CHANGES_CONVERSATION.has(e.kind)) void loadConversation();
      }),
      client.on('conversation', (c) => c.conversationId === id && void loadConversation()),
      client.on('outbox', (o) => o.conversationId === id && setOutbox(client.outbox(id))),
      client.on('status', (s) => s.conversationId === id && setStatusTick((n) => n + 1)),
      client.on('typing', (t) => {
        if (t.conversationId !== id || t.author.role !== 'customer') return;
        setTyping(t.typing);
        if (typingTimer.current) clearTimeout(typingTimer.current);
        if (t.typing) typingTimer.current = setTimeout(() => setTyping(false), TYPING_TTL_MS);
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      if (typingTimer.current) clearTimeout(typingTimer.current);
    };
  }, [client, id]);

  const mineAndOpen = Boolean(conversation && conversation.agentId === me.id && conversation.phase !== 'ended');

  // Read receipts: only the agent holding the chat reads for the desk, and only while it is on screen.
  useEffect(() => {
    if (!mineAndOpen || !visible) return;
    let newest = 0;
    for (const e of events) if (e.kind === 'message' && e.author.role === 'customer') newest = e.seq;
    if (newest <= markedRead.current) return;
    markedRead.current = newest;
    client.markRead(id, newest).catch(() => {
      // Retried with the next message or the next time the tab is shown.
      markedRead.current = 0;
    });
  }, [events, mineAndOpen, visible]);

  const items = useMemo(() => {
    // Customers' messages carry no name (their profile has it): show it rather than "Customer".
    const who = conversation ? customerLabel(conversation) : undefined;
    const named = who ? events.map((e) => (e.kind === 'message' && e.author.role === 'customer' && !e.author.name ? { ...e, author: { ...e.author, name: who } } : e)) : events;
    const log = toChatItems(named, {
      viewer: 'agent',
      isMine: (e) => e.author.role === 'agent' && e.author.id === me.id,
      statusOf: (e) => client.statusOf(id, e.seq),
    });
    // Messages still in the outbox (not yet stored, or refused) follow the log as pending / failed bubbles.
    const stored = new Set(events.map((e) => (e.kind === 'message' ? e.clientMessageId : undefined)).filter(Boolean));
    const waiting: MessageItem[] = outbox
      .filter((o) => !o.event && !stored.has(o.clientMessageId))
      .map((o) => ({
        type: 'message',
        key: `c:${o.clientMessageId}`,
        mine: true,
        author: { role: 'agent', id: me.id, name: me.name },
        parts: o.parts,
        createdAt: o.createdAt,
        status: o.status,
        error: o.error?.message,
      }));
    return [...log, ...waiting];
  }, [events, outbox, statusTick, me.id, conversation]);

  return {
    conversation,
    items,
    events,
    typing: typing && conversation ? customerLabel(conversation) : null,
    error,
    notFound,
    mineAndOpen,
    reload: () => void loadConversation(),
    setConversation,
  };
}
