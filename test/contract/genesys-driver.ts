import { deskReports } from '../../src/hub/desk-reports.js';
import { REF } from '../../src/desks/genesys/adapter.js';
import { genesysScene, type GenesysScene } from '../desks/genesys/helpers.js';
import type { Chat } from '../helpers/flows.js';
import { until } from '../helpers/server.js';
import type { AgentSide, DeskAgent, DeskDriver } from './desk-contract.js';
import { emulatorFaults, faultRule, sceneOf } from './kit.js';

// The desk driver of the `genesys` desk for the desk contract, against the Genesys Cloud emulator, whose
// control API plays the agents: Alex takes the chat from the default queue (Support) and transfers it to
// Sales, where Bea takes it. Joins, transfers and ends reach Parley over the Notifications API; messages,
// typing and receipts over the signed webhook. Faults are armed on the Open Messaging inbound endpoint, the
// path customer messages take.

/** The endpoint every customer text goes to (Parley → Genesys). */
const INBOUND = '/api/v2/conversations/messages/*/inbound/open/message';

export function genesysDriver(): DeskDriver {
  const scene = sceneOf<GenesysScene>('genesys');
  const s = scene.get;

  const driver: DeskDriver = {
    name: 'genesys (emulator)',
    desk: 'gc',
    // Genesys confirms a customer message with a Delivered receipt and takes only Delivered for agent
    // messages (it has no Read).
    capabilities: { vendorFaults: true, customerMessageStatus: 'delivered', agentMessageStatus: 'delivered' },
    get ts() {
      return s().ts;
    },
    async start() {
      // The scene's timings are short: webhooks retried 50 ms apart, a request to Genesys given up after a
      // second (the timeout case waits that long), retries backing off from 20 ms.
      scene.set(await genesysScene());
      await s().notificationsReady();
    },
    async restart() {
      await s().restart();
      await s().notificationsReady();
    },
    async stop() {
      await scene.current()?.stop();
    },
    ...emulatorFaults(() => s().control, (f) => faultRule(f, INBOUND)),
    externalIdOf: (conversationId) => deskReports(s().ts.server.services.hub, 'gc').externalOf(REF.conversation, conversationId),
    async arrived(chat: Chat): Promise<AgentSide> {
      const gc = await until(() => s().conversationOf(chat.contactId), 5000, 'the Genesys conversation');
      const path = `/genesys/conversations/${gc.id}`;
      const act = async (what: string, body?: unknown) => {
        const r = await s().control('POST', `${path}/${what}`, body ?? {});
        if (r.status >= 300) throw new Error(`emulator ${what} failed: ${r.status} ${JSON.stringify(r.body)}`);
      };
      const summary = async () => (await s().control('GET', path)).body;
      const store = s().emu.store;
      const agent = (name: string) => [...store.agents.values()].find((a) => a.name.startsWith(name))!;
      const sales = [...store.queues.values()].find((q) => q.name === 'Sales')!;
      // Joins come from the Notifications API, which names the agent. Open Messaging webhooks name only the
      // integration as the sender of agent messages and typing (channel.from); Parley credits them to the
      // agent who joined, so the customer sees one name throughout.
      const who = (a: { id: string; name: string }): DeskAgent => ({ participant: { id: `gc:${a.id}`, name: a.name }, author: { id: `gc:${a.id}`, name: a.name } });
      return {
        externalId: gc.id,
        async customerTexts() {
          return ((await summary()).messages as any[]).filter((m) => m.direction === 'inbound').map((m) => m.text);
        },
        async accept(which = 'first') {
          const a = agent(which === 'first' ? 'Alex' : 'Bea');
          await act('accept', { agentId: a.id });
          return who(a);
        },
        send: (text) => act('reply', { text }),
        typing: () => act('typing'),
        async seesCustomerTyping() {
          return (await summary()).customerTyping === true;
        },
        async statusOf(text) {
          return ((await summary()).messages as any[]).find((m) => m.direction === 'outbound' && m.text === text)?.status;
        },
        transfer: () => act('transfer', { queueId: sales.id }),
        end: () => act('end'),
        async seesEnded() {
          const c = await summary();
          return c.phase === 'ended' && (c.participants as any[]).some((p) => p.purpose === 'customer' && p.state === 'disconnected');
        },
      };
    },
  };
  return driver;
}

