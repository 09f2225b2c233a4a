import { KIND } from '../../src/desks/connect/sessions.js';
import { deskReports } from '../../src/hub/desk-reports.js';
import { connectScene, type ConnectScene } from '../desks/connect/helpers.js';
import type { Chat } from '../helpers/flows.js';
import { until } from '../helpers/server.js';
import type { AgentSide, DeskAgent, DeskDriver } from './desk-contract.js';
import { emulatorFaults, faultRule, sceneOf } from './kit.js';

// The desk driver of the `connect` desk for the desk contract, against the Amazon Connect emulator, whose
// control API plays the agents: Casey takes the chat from BasicQueue and transfers it to Billing, where Devon
// takes it. Everything the agent side does reaches Parley as SNS notifications of the chat stream. Faults
// are armed on SendMessage, the path customer messages take once the chat exists.

const SEND = '/participant/message';

export function connectDriver(): DeskDriver {
  const scene = sceneOf<ConnectScene>('connect');
  const s = scene.get;
  const driver: DeskDriver = {
    name: 'connect (emulator)',
    desk: 'cc',
    // Connect agents' clients send read receipts, and the customer's side can send delivered and read events.
    capabilities: { vendorFaults: true, customerMessageStatus: 'read', agentMessageStatus: 'read' },
    get ts() {
      return s().ts;
    },
    async start() {
      scene.set(await connectScene());
    },
    restart: () => s().restart(),
    async stop() {
      await scene.current()?.stop();
    },
    ...emulatorFaults(() => s().control, (f) => faultRule(f, SEND)),
    externalIdOf: (conversationId) => deskReports(s().ts.server.services.hub, 'cc').externalOf(KIND.contact, conversationId),
    async arrived(chat: Chat): Promise<AgentSide> {
      const first = await until(() => s().contactOf(chat.conversationId), 5000, 'the Connect chat');
      const path = `/connect/contacts/${first.initialContactId}`;
      const act = async (what: string, body?: unknown) => {
        const r = await s().control('POST', `${path}/${what}`, body ?? {});
        if (r.status >= 300) throw new Error(`emulator ${what} failed: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
      };
      const summary = async () => (await s().control('GET', path)).body;
      const agents = s().emu.desk.config.agents;
      // Connect names the agent on every item (ParticipantId, DisplayName): joins, messages and typing agree.
      const who = (participantId: string, name: string): DeskAgent => ({ participant: { id: `cc:${participantId}`, name }, author: { id: `cc:${participantId}`, name } });
      const agentItem = async (text: string) => ((await summary()).items as any[]).find((i) => i.ParticipantRole === 'AGENT' && i.Type === 'MESSAGE' && i.Content === text);
      return {
        externalId: first.initialContactId,
        async customerTexts() {
          return ((await summary()).items as any[]).filter((i) => i.ParticipantRole === 'CUSTOMER' && i.Type === 'MESSAGE').map((i) => i.Content);
        },
        async accept(which = 'first') {
          const a = agents[which === 'first' ? 0 : 1]!;
          const c = await act('accept', { agentId: a.id });
          return who(c.agent.participantId, a.name);
        },
        send: async (text) => void (await act('reply', { text })),
        typing: async () => void (await act('typing')),
        async seesCustomerTyping() {
          return (await summary()).customerTyping === true;
        },
        async statusOf(text) {
          const item = await agentItem(text);
          if (!item) return undefined;
          return item.receipts?.read ? 'read' : item.receipts?.delivered ? 'delivered' : 'sent';
        },
        read: async () => void (await act('read')),
        transfer: async () => void (await act('transfer')),
        end: async () => void (await act('end')),
        async seesEnded() {
          const c = await summary();
          return c.state === 'ended' && !!c.customer.leftAt;
        },
      };
    },
  };
  return driver;
}
