import { ParleyError } from '../core/errors.js';
import { listening, type DemoPart, type PartContext } from './demo-parts.js';
import { loadEmulator } from './emulators.js';

// `parley demo --liveperson`: the demo shop's chat answered by a LivePerson agent, in the demo's Parley: the
// LivePerson emulator (its agent page plays the agent: accept, reply, transfer, close with a survey) and a
// `liveperson` desk `liveperson` on its account and app, to which web chats opened with the entry point
// `demo-liveperson` go. Wired as a user wires the real one: once Parley listens, the app installation's
// webhooks are pointed at Parley's /webhooks/liveperson/liveperson (what a LivePerson admin does in the app's
// manifest), signed with the app's client secret.

export const DEMO_LP_DESK = 'liveperson';
export const DEMO_LP_ENTRY_POINT = 'demo-liveperson';

/** What `--liveperson` uses of the LivePerson emulator: a structural view, because src/ may not import emulators/. */
export interface DemoLivePersonEmulator {
  url: string;
  credentials: { accountId: string; clientId: string; clientSecret: string; csdsUrl: string };
  close(): Promise<void>;
}
export type StartDemoLivePerson = (opts: { port: number; host: string }) => Promise<DemoLivePersonEmulator>;

/** The LivePerson part of a demo started with `liveperson`. */
export interface DemoLivePerson {
  liveperson: DemoLivePersonEmulator;
  /** The demo shop with the entry point that routes to the LivePerson desk: play the customer there. */
  shopUrl: string;
  /** The emulator's agent page: play the LivePerson agent there. */
  agentUrl: string;
}

const startBuiltLivePerson: StartDemoLivePerson = async ({ port, host }) => {
  const mod = await loadEmulator<{ startLivePersonEmulator(o: { port: number; host: string }): Promise<DemoLivePersonEmulator> }>('liveperson');
  return mod.startLivePersonEmulator({ port, host });
};

export async function livePersonPart(ctx: PartContext, opts: { port: number; startLivePerson?: StartDemoLivePerson | undefined }): Promise<DemoPart & { liveperson: DemoLivePerson }> {
  const lp = await listening(() => (opts.startLivePerson ?? startBuiltLivePerson)({ port: opts.port, host: ctx.host }), opts.port, '--liveperson-port');
  const c = lp.credentials;
  const webhookUrl = `${ctx.local}/webhooks/liveperson/${DEMO_LP_DESK}`;
  const demo: DemoLivePerson = { liveperson: lp, shopUrl: `${ctx.local}/demo/?entryPoint=${DEMO_LP_ENTRY_POINT}`, agentUrl: `${lp.url}/agent` };
  return {
    liveperson: demo,
    channels: {},
    desks: { [DEMO_LP_DESK]: { type: 'liveperson', accountId: c.accountId, clientId: c.clientId, clientSecret: c.clientSecret, csdsUrl: new URL(c.csdsUrl).origin } },
    routes: [{ channel: 'web', entryPoint: DEMO_LP_ENTRY_POINT, desk: DEMO_LP_DESK }],
    async connected() {
      const res = await fetch(`${lp.url}/__control/liveperson/settings`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ webhookUrl }) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new ParleyError('CONFIG', `Could not point the LivePerson emulator's app webhooks at Parley (${res.status}).`);
    },
    links: [
      `  Shop (LP) ${demo.shopUrl}   chat here as a customer answered in LivePerson`,
      `  Chat (LP) ${ctx.local}/webchat/?entryPoint=${DEMO_LP_ENTRY_POINT}   the web chat assistant, handing over to LivePerson`,
      `  LP agent  ${demo.agentUrl}   play the LivePerson agent here`,
    ],
    about: [
      `    Web chats opened with the entry point "${DEMO_LP_ENTRY_POINT}" go to desk "${DEMO_LP_DESK}" (LivePerson, account ${c.accountId}).`,
      `  LivePerson emulator on ${lp.url}  (webhooks ${webhookUrl}; control API ${lp.url}/__control)`,
    ],
    close: () => lp.close(),
  };
}
