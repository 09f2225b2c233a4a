import { livePersonScene, type LivePersonScene } from '../desks/liveperson/helpers.js';
import type { Chat } from '../helpers/flows.js';
import { until } from '../helpers/server.js';
import type { AgentSide, DeskAgent, DeskDriver } from './desk-contract.js';
import { emulatorFaults, faultRule, sceneOf } from './kit.js';

// The desk driver of the `liveperson` desk for the desk contract, against the LivePerson emulator, whose
// control API plays the agents: Alex takes the conversation from its skill and transfers it to Billing, where
// Blair takes it. Everything the agent side does reaches Parley as signed webhook notifications. Faults are
// armed on the SEND endpoint, the path customer messages take once the conversation exists. LivePerson's
// notifications name agents by id only, so Parley shows every LivePerson agent as "LivePerson agent".

const SEND = '/api/account/*/messaging/consumer/conversation/send';
const AGENT_NAME = 'LivePerson agent';

export function livePersonDriver(): DeskDriver {
  const scene = sceneOf<LivePersonScene>('liveperson');
  const s = scene.get;
  return {
    name: 'liveperson (emulator)',
    desk: 'lp',
    // LivePerson agents' workspaces send ACCEPT and READ; the consumer side can send both too.
    capabilities: { vendorFaults: true, customerMessageStatus: 'read', agentMessageStatus: 'read' },
    get ts() {
      return s().ts;
    },
    async start() {
      scene.set(await livePersonScene());
    },
    restart: () => s().restart(),
    async stop() {
      await scene.current()?.stop();
    },
    ...emulatorFaults(() => s().control, (f) => faultRule(f, SEND, 'POST')),
    externalIdOf: (conversationId) => s().ts.server.services.hub.tx((tx) => tx.externalOf('lp', 'conversation', conversationId)),
    async arrived(chat: Chat): Promise<AgentSide> {
      const first = await until(() => s().conversationOf(chat.conversationId), 5000, 'the LivePerson conversation');
      const path = `/liveperson/conversations/${first.id}`;
      const act = async (what: string, body?: unknown) => {
        const r = await s().control('POST', `${path}/${what}`, body ?? {});
        if (r.status >= 300) throw new Error(`emulator ${what} failed: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
      };
      const view = async () => {
        const r = await s().control('GET', path);
        return r.body.conversation ?? r.body;
      };
      const agents = (await s().control('GET', '/liveperson/agents')).body.agents as { id: string; name: string }[];
      const skills = (await s().control('GET', '/liveperson/skills')).body.skills as { id: string; name: string }[];
      const who = (id: string): DeskAgent => ({ participant: { id: `lp:${id}`, name: AGENT_NAME }, author: { id: `lp:${id}`, name: AGENT_NAME } });
      const main = (m: any) => m.dialogId === first.id;
      const agentMessage = async (text: string) => ((await view()).messages as any[]).find((m) => main(m) && m.originator?.role !== 'CONSUMER' && m.message === text);
      return {
        externalId: first.id,
        async customerTexts() {
          return ((await view()).messages as any[]).filter((m) => main(m) && m.originator?.role === 'CONSUMER' && m.contentType === 'text/plain').map((m) => m.message as string);
        },
        async accept(which = 'first') {
          const a = agents[which === 'first' ? 0 : 1]!;
          await act('accept', { agentId: a.id });
          return who(a.id);
        },
        send: async (text) => void (await act('reply', { text })),
        typing: async () => void (await act('typing', { chatState: 'COMPOSING' })),
        async seesCustomerTyping() {
          return (await view()).chatState?.consumer === 'COMPOSING';
        },
        async statusOf(text) {
          const m = await agentMessage(text);
          if (!m) return undefined;
          return m.status === 'READ' ? 'read' : m.status === 'ACCEPT' ? 'delivered' : 'sent';
        },
        read: async () => void (await act('read')),
        transfer: async () => void (await act('transfer', { skillId: skills[1]!.id })),
        end: async () => void (await act('close')),
        async seesEnded() {
          const c = await view();
          return c.state === 'CLOSE' && c.closeReason === 'CONSUMER';
        },
      };
    },
  };
}
