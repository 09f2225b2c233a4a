import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { endConversation, postMessage, type CommandResult, type PostMessageInput } from '../../src/core/commands.js';
import type { Conversation } from '../../src/core/model.js';
import { toConversation, toEvent } from '../../src/store/rows.js';
import { postgresAvailable } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';

// The message hot path on PostgreSQL (store/pg-hot.ts, store/pg-alone.ts): a message run alone is one
// statement, concurrent ones share statements, and what they answer and store is what the general path
// (one Kysely transaction per command) answers and stores — including where the conversation changed since
// the hot path last saw it, refusals, idempotent retries and races on one key.

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe.runIf(await postgresAvailable())('the message hot path (postgres)', () => {
  let ts: TestServer;
  beforeAll(async () => {
    // No dispatcher: its polls would be counted with the message's queries.
    ts = await startServer({ dialect: 'postgres', noDispatcher: true });
  });
  afterAll(async () => ts?.stop());

  const hub = () => ts.server.services.hub;
  const hot = () => ts.server.database.pgHot!;
  const db = () => ts.server.database.db;

  async function conversation(): Promise<{ contactId: string; token: string; id: string }> {
    const c = await ts.api.customer();
    const open = await ts.api.post('/v1/conversations', {}, c.token);
    return { ...c, id: open.body.conversation.id as string };
  }
  const message = (c: { contactId: string; id: string }, key: string, over: Partial<PostMessageInput> = {}): PostMessageInput => ({
    conversationId: c.id,
    author: { role: 'customer', id: c.contactId },
    origin: 'channel',
    parts: [{ type: 'text', text: `text ${key}` }],
    source: `web:${c.contactId}`,
    key,
    clientMessageId: key,
    allowed: (conv) => conv.contactId === c.contactId,
    ...over,
  });
  const alone = (input: PostMessageInput) => hub().run((ctx) => postMessage(ctx, input), { alone: true });
  const general = (input: PostMessageInput) => hub().run((ctx) => postMessage(ctx, input));
  const stored = async (id: string): Promise<Conversation> => toConversation(await db().selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  const events = async (id: string) => (await db().selectFrom('events').selectAll().where('conversation_id', '=', id).orderBy('seq').execute()).map(toEvent);

  it('a message is one statement (no BEGIN or COMMIT), and answers what the general path answers', async () => {
    const c = await conversation();
    await alone(message(c, 'warm')); // the hot path reads a conversation it has not seen yet once
    const before = await stored(c.id);
    await new Promise((r) => setTimeout(r, 100)); // the queue settling after the open is done
    const queries = vi.spyOn(pg.Client.prototype, 'query');
    let viaHot: CommandResult;
    try {
      viaHot = await alone(message(c, 'hot'));
      expect(queries).toHaveBeenCalledTimes(1);
    } finally {
      queries.mockRestore();
    }
    // The general path's answer: the conversation as locked, lastSeq the new event's; the event as stored.
    expect(viaHot.duplicate).toBeUndefined();
    expect(viaHot.conversation).toEqual({ ...before, lastSeq: viaHot.events[0]!.seq });
    expect(viaHot.events).toEqual([(await events(c.id)).at(-1)]);
    const after = await stored(c.id);
    const viaGeneral = await general(message(c, 'general'));
    expect(viaGeneral.conversation).toEqual({ ...after, lastSeq: viaGeneral.events[0]!.seq });
    expect(viaGeneral.events).toEqual([(await events(c.id)).at(-1)]);
    // Both wrote the same rows: one delivery each, to the desk, `sent` (the inbox reads the log).
    const deliveries = await db().selectFrom('deliveries').select(['event_id', 'seq', 'leg', 'adapter', 'status', 'attempts']).where('conversation_id', '=', c.id).orderBy('seq').execute();
    const [h, g] = [viaHot.events[0]!, viaGeneral.events[0]!];
    expect(deliveries.filter((d) => d.event_id === h.id || d.event_id === g.id)).toEqual([
      { event_id: h.id, seq: h.seq, leg: 'desk', adapter: 'inbox', status: 'sent', attempts: 0 },
      { event_id: g.id, seq: g.seq, leg: 'desk', adapter: 'inbox', status: 'sent', attempts: 0 },
    ]);
  });

  it('concurrent messages share statements; each log stays gap-free in arrival order, each answer as if one by one', async () => {
    const convs = await Promise.all(range(4).map(() => conversation()));
    for (const c of convs) await alone(message(c, 'warm'));
    const before = { ...hot().stats };
    const sends = convs.flatMap((c) => range(10).map((j) => ({ c, key: `m${j}` })));
    const results = await Promise.all(sends.map(({ c, key }) => alone(message(c, key))));
    expect(hot().stats.messages - before.messages).toBe(40);
    expect(hot().stats.statements - before.statements).toBeLessThan(40);
    for (const c of convs) {
      const log = await events(c.id);
      expect(log.map((e) => e.seq)).toEqual(range(log.length).map((i) => i + 1));
      const mine = results.filter((r) => r.conversation.id === c.id);
      // Sent in key order, stored in key order.
      expect(log.slice(-10).map((e) => (e as { clientMessageId?: string }).clientMessageId)).toEqual(range(10).map((j) => `m${j}`));
      expect(mine.map((r) => r.events[0]!.id)).toEqual(log.slice(-10).map((e) => e.id));
      // Each saw the row as the message before it left it.
      for (const [k, r] of mine.entries()) {
        expect(r.conversation.lastSeq).toBe(r.events[0]!.seq);
        if (k > 0) expect(r.conversation.updatedAt).toBe(mine[k - 1]!.events[0]!.createdAt);
      }
      expect((await stored(c.id)).lastSeq).toBe(log.length);
    }
  });

  it('a conversation changed behind the hot path is decided again on the locked row: ended, or queued by the message', async () => {
    const c = await conversation();
    await alone(message(c, 'seen-open'));
    await hub().run((ctx) => endConversation(ctx, { conversationId: c.id, by: { role: 'customer', id: c.contactId }, origin: 'channel' }));
    const count = (await events(c.id)).length;
    await expect(alone(message(c, 'after-end'))).rejects.toMatchObject({ code: 'PARLEY_E_CONVERSATION_ENDED' });
    expect(await events(c.id)).toHaveLength(count);

    // A business-started (bot) conversation: the customer's message queues it, which the general path does.
    const b = await conversation();
    await alone(message(b, 'seen-queued'));
    await hub().tx((tx) => tx.updateConversation(b.id, { phase: 'bot', queuedAt: null }));
    const r = await alone(message(b, 'answer'));
    expect(r.events.map((e) => e.kind)).toEqual(['message', 'conversation.queued']);
    expect((await stored(b.id)).phase).toBe('queued');
  });

  it('refuses as the general path does: someone else’s or no conversation, a key used on another conversation', async () => {
    const mine = await conversation();
    const theirs = await conversation();
    await alone(message(theirs, 'theirs'));
    await expect(alone(message(mine, 'x', { conversationId: theirs.id }))).rejects.toMatchObject({ code: 'PARLEY_E_CONVERSATION_NOT_FOUND' });
    await expect(alone(message(mine, 'y', { conversationId: 'cv_nope' }))).rejects.toMatchObject({ code: 'PARLEY_E_CONVERSATION_NOT_FOUND' });
    const other = await ts.api.post('/v1/conversations', {}, (await ts.api.customer()).token);
    await alone(message(mine, 'shared'));
    // The same source and key into another conversation (the contact's key scope is `web:<contact>`).
    await expect(alone(message(mine, 'shared', { conversationId: other.body.conversation.id as string, allowed: () => true }))).rejects.toMatchObject({ code: 'PARLEY_E_IDEMPOTENCY_MISMATCH' });
    expect((await events(theirs.id)).filter((e) => e.kind === 'message')).toHaveLength(1);
  });

  it('one key twice in one batch: one event, the retry gets it; the rest of the batch is stored', async () => {
    const c = await conversation();
    await alone(message(c, 'warm'));
    const results = await Promise.all([alone(message(c, 'twice')), alone(message(c, 'other-1')), alone(message(c, 'twice')), alone(message(c, 'other-2'))]);
    const twice = [results[0]!, results[2]!];
    expect(twice.filter((r) => r.duplicate === true)).toHaveLength(1);
    expect(twice[0]!.events[0]!.id).toBe(twice[1]!.events[0]!.id);
    const log = await events(c.id);
    expect(log.filter((e) => (e as { clientMessageId?: string }).clientMessageId === 'twice')).toHaveLength(1);
    expect(log.map((e) => e.seq)).toEqual(range(log.length).map((i) => i + 1));
    expect(results[1]!.duplicate).toBeUndefined();
    expect(results[3]!.duplicate).toBeUndefined();
    // A retry later is answered from the hot path with the first event and its conversation.
    const again = await alone(message(c, 'twice'));
    expect(again).toEqual({ conversation: await stored(c.id), events: [twice[0]!.events[0]], duplicate: true });
  });

  it('a key holding a lone surrogate is stored and found again as a bound parameter would be (U+FFFD)', async () => {
    const c = await conversation();
    const first = await alone(message(c, 'lone-\ud800'));
    const row = await db().selectFrom('events').select('idem_key').where('id', '=', first.events[0]!.id).executeTakeFirstOrThrow();
    expect(row.idem_key).toBe('lone-\ufffd');
    expect((await general(message(c, 'lone-\ud800'))).duplicate).toBe(true);
    // Any lone surrogate is U+FFFD there, so this is the same key on both paths.
    expect((await alone(message(c, 'lone-\udfff'))).duplicate).toBe(true);
  });

  it('a command run alone that needs more than the append runs in a transaction; one that keeps going after its commit fails loudly', async () => {
    const c = await conversation();
    // Not a message: refused by the alone Tx, run again in the general transaction.
    const ended = await hub().run((ctx) => endConversation(ctx, { conversationId: c.id, by: { role: 'customer', id: c.contactId }, origin: 'channel' }), { alone: true });
    expect(ended.events.map((e) => e.kind)).toEqual(['conversation.ended']);

    const d = await conversation();
    await expect(
      hub().run(
        async (ctx) => {
          const r = await postMessage(ctx, message(d, 'then-more'));
          await ctx.tx.getConversation(d.id); // breaks the promise `alone` made
          return r;
        },
        { alone: true },
      ),
    ).rejects.toThrow(/after its message was committed/);
  });
});
