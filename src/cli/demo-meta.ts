import { ParleyError } from '../core/errors.js';
import { control, listening, type DemoPart, type PartContext } from './demo-parts.js';
import { loadEmulator } from './emulators.js';

// `parley demo --meta`: Facebook Messenger and WhatsApp customers answered in Genesys Cloud, in the demo's
// Parley: the Meta emulator (its phone page plays a Messenger or WhatsApp user), a `messenger` channel on its
// Page and a `whatsapp` channel on its business number, both routed to the demo's `genesys` desk — WhatsApp
// with a PII redaction policy, so card numbers and e-mail addresses are masked before the Genesys agent sees
// them. Wired as a user wires the real ones: after Parley listens, each app's webhook is subscribed in the
// "dashboard" (the emulator's control API), and Meta's GET handshake with the verify token must pass first.

export const DEMO_MESSENGER_CHANNEL = 'messenger';
export const DEMO_WHATSAPP_CHANNEL = 'whatsapp';

/** What `--meta` uses of the Meta emulator: a structural view, because src/ may not import emulators/. */
export interface DemoMetaEmulator {
  url: string;
  credentials: { appId: string; appSecret: string; verifyToken: string; pageId: string; pageAccessToken: string; wabaId: string; phoneNumberId: string; displayPhoneNumber: string; whatsappToken: string };
  close(): Promise<void>;
}
export type StartDemoMeta = (opts: { port: number; host: string }) => Promise<DemoMetaEmulator>;

/** The Meta part of a demo started with `meta`. */
export interface DemoMeta {
  meta: DemoMetaEmulator;
  /** The emulator's phone page: play a Messenger or WhatsApp user there. */
  phoneUrl: string;
}

export interface MetaPartOptions {
  metaPort: number;
  /** The desk both channels go to (the demo's Genesys desk). */
  desk: string;
  startMeta?: StartDemoMeta | undefined;
}

const startBuiltMeta: StartDemoMeta = async ({ port, host }) => {
  const mod = await loadEmulator<{ startMetaEmulator(o: { port: number; host: string }): Promise<DemoMetaEmulator> }>('meta');
  return mod.startMetaEmulator({ port, host });
};

export async function metaPart(ctx: PartContext, opts: MetaPartOptions): Promise<DemoPart & { meta: DemoMeta }> {
  const meta = await listening(() => (opts.startMeta ?? startBuiltMeta)({ port: opts.metaPort, host: ctx.host }), opts.metaPort, '--meta-port');
  const c = meta.credentials;
  const app = { appSecret: c.appSecret, verifyToken: c.verifyToken, appId: c.appId, graphApiBaseUrl: meta.url };
  const hook = (type: string, instance: string) => `${ctx.local}/webhooks/${type}/${instance}`;
  const phoneUrl = `${meta.url}/phone`;
  return {
    meta: { meta, phoneUrl },
    channels: {
      [DEMO_MESSENGER_CHANNEL]: { type: 'messenger', pageId: c.pageId, pageAccessToken: c.pageAccessToken, ...app },
      [DEMO_WHATSAPP_CHANNEL]: {
        type: 'whatsapp',
        phoneNumberId: c.phoneNumberId,
        wabaId: c.wabaId,
        accessToken: c.whatsappToken,
        ...app,
        // The emulator's approved `follow_up` template carries a reply written after the 24-hour window.
        replyTemplate: { name: 'follow_up', language: 'en_US', parameters: ['agentText'] },
      },
    },
    desks: {},
    routes: [
      { channel: DEMO_MESSENGER_CHANNEL, desk: opts.desk },
      { channel: DEMO_WHATSAPP_CHANNEL, desk: opts.desk, redact: { kinds: ['card', 'email', 'phone', 'iban'], original: 'drop' } },
    ],
    async connected() {
      for (const [product, instance] of [
        ['messenger', DEMO_MESSENGER_CHANNEL],
        ['whatsapp', DEMO_WHATSAPP_CHANNEL],
      ] as const) {
        const r = await control(meta.url, '/meta/subscribe', { app: product, callbackUrl: hook(product, instance) });
        if (r.body.verified !== true) throw new ParleyError('CONFIG', `Parley failed the Meta emulator's ${product} webhook handshake (${r.status}).`);
      }
    },
    links: [`  Phone     ${phoneUrl}   write as a Messenger or WhatsApp user here`],
    about: [
      `    Messenger (Page ${c.pageId}) and WhatsApp (+${c.displayPhoneNumber}) arrive on channels "${DEMO_MESSENGER_CHANNEL}" and "${DEMO_WHATSAPP_CHANNEL}" and go to desk "${opts.desk}";`,
      `    WhatsApp messages have card numbers, e-mail addresses, phone numbers and IBANs masked before the agent sees them.`,
      `  Meta emulator on ${meta.url}  (webhooks ${hook('messenger', DEMO_MESSENGER_CHANNEL)}, ${hook('whatsapp', DEMO_WHATSAPP_CHANNEL)}; control API ${meta.url}/__control)`,
    ],
    close: () => meta.close(),
  };
}
