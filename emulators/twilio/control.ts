// The Twilio control API, /__control/twilio/…: play the phone (text or MMS the number, read what the
// phone received, opt out, make the next messages undeliverable), deliver a webhook again, inspect messages,
// and change the live settings. JSON in, JSON out.
import { z } from 'zod';
import { controlBody, controlNotFound, json, noContent, samplePng, vendorControlRoute, type ControlDoc, type Route } from '../kit/index.js';
import type { Carrier } from './carrier.js';
import type { Settings } from './config.js';
import { messageResource, type Message, type Store } from './state.js';

export const TWILIO_CONTROL_DOCS: ControlDoc[] = [
  { method: 'POST', path: '/__control/twilio/phones/:number/messages', does: 'the phone texts the number {body?, media?: [{contentType, base64}], image?: true} → {sid, delivery}' },
  { method: 'GET', path: '/__control/twilio/phones/:number/messages', does: 'what the phone received, in order (media as control URLs)' },
  { method: 'POST', path: '/__control/twilio/phones/:number/undeliverable', does: 'the next {times?} messages (absent: all) to the phone end {status?: undelivered|failed, errorCode?: 30003}' },
  { method: 'DELETE', path: '/__control/twilio/phones/:number/undeliverable', does: 'the phone is reachable again' },
  { method: 'PUT', path: '/__control/twilio/phones/:number/opt-out', does: '{optedOut: boolean}: change the opt-out list without a keyword' },
  { method: 'GET', path: '/__control/twilio/opt-outs', does: 'the opted-out phones' },
  { method: 'GET', path: '/__control/twilio/messages', does: 'every message, newest last' },
  { method: 'POST', path: '/__control/twilio/messages/:sid/redeliver', does: "post an inbound message's webhook again, byte for byte (a Twilio retry)" },
  { method: 'GET', path: '/__control/twilio/media/:messageSid/:mediaSid', does: 'the bytes of a media file, without auth' },
  { method: 'GET', path: '/__control/twilio/settings', does: 'live settings' },
  { method: 'PATCH', path: '/__control/twilio/settings', does: '{webhookUrl, mediaAuth, advancedOptOut, statusDelayMs, webhook:{timeoutMs,retries,delayMs}, authToken}' },
];

const E164 = z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number');
const Text = z.object({
  body: z.string().max(1600).optional(),
  media: z.array(z.object({ contentType: z.string().min(1), base64: z.string().min(1) })).max(10).optional(),
  image: z.literal(true).optional(),
});
const Refuse = z.object({ times: z.number().int().positive().optional(), status: z.enum(['undelivered', 'failed']).default('undelivered'), errorCode: z.number().int().default(30003) });
const OptOut = z.object({ optedOut: z.boolean() });
const SettingsPatch = z.object({
  webhookUrl: z.union([z.url(), z.literal('')]).optional(),
  mediaAuth: z.boolean().optional(),
  advancedOptOut: z.boolean().optional(),
  statusDelayMs: z.number().int().min(0).optional(),
  webhook: z.object({ timeoutMs: z.number().int().positive(), retries: z.number().int().min(0), delayMs: z.number().int().min(0) }).partial().optional(),
  authToken: z.string().min(1).optional(),
});

export function twilioControlRoutes(deps: { store: Store; settings: Settings; carrier: Carrier; baseUrl: () => string }): Route[] {
  const { store, settings, carrier } = deps;
  const r = vendorControlRoute('twilio');
  const number = (raw: string | undefined): string => {
    const n = E164.safeParse(raw);
    if (!n.success) throw controlNotFound(`phone ${raw ?? ''} (an E.164 number, + as %2B)`);
    return n.data;
  };
  const mediaView = (m: Message) => m.media.map((x) => ({ sid: x.sid, contentType: x.contentType, size: x.bytes.length, url: `${deps.baseUrl()}/__control/twilio/media/${m.sid}/${x.sid}` }));
  const view = (m: Message) => ({ ...messageResource(store, m), media: mediaView(m), keywordReply: m.keywordReply === true });

  return [
    r('POST', '/phones/:number/messages', (ctx) => {
      const from = number(ctx.params.number);
      const t = controlBody(ctx, Text);
      const media = [...(t.media ?? []).map((x) => ({ contentType: x.contentType, bytes: Buffer.from(x.base64, 'base64') })), ...(t.image ? [{ contentType: 'image/png', bytes: samplePng() }] : [])];
      if (!t.body && media.length === 0) return json(400, { error: 'give a body or media' });
      const { message, delivery } = carrier.receive({ from, ...(t.body !== undefined ? { body: t.body } : {}), media });
      return json(201, { sid: message.sid, delivery: delivery ?? null, webhookUrl: settings.webhookUrl || null });
    }),
    r('GET', '/phones/:number/messages', (ctx) => json(200, { received: (store.phones.get(number(ctx.params.number))?.received ?? []).map(view) })),
    r('POST', '/phones/:number/undeliverable', (ctx) => {
      const refuse = controlBody(ctx, Refuse);
      store.phone(number(ctx.params.number)).undeliverable = { status: refuse.status, errorCode: refuse.errorCode, ...(refuse.times ? { remaining: refuse.times } : {}) };
      return noContent();
    }),
    r('DELETE', '/phones/:number/undeliverable', (ctx) => {
      delete store.phone(number(ctx.params.number)).undeliverable;
      return noContent();
    }),
    r('PUT', '/phones/:number/opt-out', (ctx) => {
      const phone = number(ctx.params.number);
      if (controlBody(ctx, OptOut).optedOut) store.optedOut.add(phone);
      else store.optedOut.delete(phone);
      return noContent();
    }),
    r('GET', '/opt-outs', () => json(200, { optedOut: [...store.optedOut] })),
    r('GET', '/messages', () => json(200, { messages: [...store.messages.values()].map(view) })),
    r('POST', '/messages/:sid/redeliver', (ctx) => {
      const delivery = carrier.redeliver(ctx.params.sid!);
      if (!delivery) throw controlNotFound('inbound message with a webhook');
      return json(201, { delivery });
    }),
    r('GET', '/media/:messageSid/:mediaSid', (ctx) => {
      const media = store.mediaOf(ctx.params.messageSid!, ctx.params.mediaSid!);
      if (!media) throw controlNotFound('media');
      return { status: 200, body: media.bytes, contentType: media.contentType };
    }),
    r('GET', '/settings', () => json(200, settings)),
    r('PATCH', '/settings', (ctx) => {
      const patch = controlBody(ctx, SettingsPatch);
      const { webhook, authToken, ...rest } = patch;
      Object.assign(settings, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
      if (webhook) Object.assign(settings.webhook, Object.fromEntries(Object.entries(webhook).filter(([, v]) => v !== undefined)));
      if (authToken) store.authToken = authToken;
      return json(200, settings);
    }),
  ];
}
