import type { DeskAdapter } from '../../core/adapter.js';
import type { Hub } from '../../hub/hub.js';
import type { AdapterLifecycle, AdapterRuntime } from '../../switchboard/types.js';

// The built-in `inbox` desk: Parley's own agents, over the agent API and stream. Like the web channel it
// reads the log directly; delivery marks the message sent, the agent's client receipts do the rest.
//
// Its one piece of state is the hub, given at start(): whether an agent is online (agentsOnline) is a
// question about agent rows and open streams. Each instance keeps its own, so two servers in one process
// (tests) never answer from each other's database.

export type InboxDesk = DeskAdapter & AdapterLifecycle;

/** An inbox desk instance named `id` (`inbox` unless the config names it otherwise). */
export function createInboxDesk(id = 'inbox'): InboxDesk {
  let hub: Hub | undefined;
  return {
    id,
    side: 'desk',
    capabilities: { typing: true, receipts: true, parts: ['text', 'media', 'quick_replies', 'buttons', 'qr', 'location'] },
    readsLog: true,
    wants: (event) => event.kind === 'message',
    deliver: () => Promise.resolve({ status: 'sent' }),
    start(runtime: AdapterRuntime) {
      hub = runtime.hub;
    },
    stop() {
      hub = undefined;
    },
    // Not started yet: unknown.
    agentsOnline: (queue) => (hub ? inboxAgentsOnline(hub, queue) : Promise.resolve(null)),
  };
}

/** The `inbox` instance the built-in registry starts with (new Adapters()); a configured one is createInboxDesk(name). */
export const inboxDesk: InboxDesk = createInboxDesk();

/**
 * True iff an agent who could be handed a conversation in `queue` now is there: a member of it (of any
 * queue when null), `available`, not disabled, with a live stream on this node. The same candidates
 * round-robin assignment picks from (Tx.roundRobinCandidates, Presence), capacity aside: a full agent is
 * still online, and the customer waits for them. A queue that does not exist has nobody.
 */
async function inboxAgentsOnline(hub: Hub, queue: string | null): Promise<boolean> {
  // Nobody has a stream open: no query needed (the common case of a page load out of hours).
  if (hub.presence.online().length === 0) return false;
  const queueIds = queue !== null ? undefined : (await hub.db.selectFrom('queues').select('id').execute()).map((q) => q.id);
  return hub.tx(async (tx) => {
    let ids = queueIds;
    if (!ids) {
      const q = await tx.getQueue(queue ?? '');
      if (!q) return false;
      ids = [q.id];
    }
    for (const id of ids) {
      const candidates = await tx.roundRobinCandidates(id);
      if (candidates.some((a) => !a.disabled && hub.presence.isOnline(a.id))) return true;
    }
    return false;
  });
}
