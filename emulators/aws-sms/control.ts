// The AWS SMS control API, /__control/aws-sms/…: play the handset (text the number, read what it received),
// subscribe Parley's endpoint to the topics (as `aws sns subscribe` would), redeliver a published message (an
// SNS retry), and make a handset unreachable.
import { z } from 'zod';
import { controlBody, controlNotFound, json, type ControlDoc, type Route, type SnsTopic } from '../kit/index.js';
import type { Carrier } from './carrier.js';
import type { Store } from './state.js';

export const AWS_SMS_CONTROL_DOCS: ControlDoc[] = [
  { method: 'POST', path: '/__control/aws-sms/phones/:number/texts', does: 'the handset :number (E.164) texts the emulated number {body}; published to the two-way topic' },
  { method: 'GET', path: '/__control/aws-sms/phones/:number/texts', does: 'texts the handset received (SendTextMessage calls), oldest first' },
  { method: 'PATCH', path: '/__control/aws-sms/phones/:number', does: '{unreachable?: boolean, optedOut?: boolean}' },
  { method: 'POST', path: '/__control/aws-sms/subscriptions', does: 'subscribe {endpoint, topic?: "two-way"|"events"|"both"} (default both); resolves after the confirmation POST' },
  { method: 'GET', path: '/__control/aws-sms/subscriptions', does: 'confirmed endpoints per topic' },
  { method: 'POST', path: '/__control/aws-sms/redeliver', does: 'deliver a published SNS message again {snsMessageId} (as an SNS retry does)' },
  { method: 'GET', path: '/__control/aws-sms/state', does: 'the number, the topics, texts sent and received, opt-outs' },
];

const E164 = z.string().regex(/^\+[1-9]\d{1,14}$/, 'an E.164 number');
const Text = z.object({ body: z.string().min(1).max(1600) });
const Patch = z.object({ unreachable: z.boolean().optional(), optedOut: z.boolean().optional() });
const Subscribe = z.object({ endpoint: z.url(), topic: z.enum(['two-way', 'events', 'both']).default('both') });
const Redeliver = z.object({ snsMessageId: z.string().min(1) });

function phone(raw: string | undefined): string {
  const parsed = E164.safeParse(raw);
  if (!parsed.success) throw controlNotFound(`phone ${raw ?? ''}`);
  return parsed.data;
}

export function awsSmsControlRoutes(deps: { store: Store; carrier: Carrier; twoWay: SnsTopic; events: SnsTopic }): Route[] {
  const { store, carrier, twoWay, events } = deps;
  return [
    {
      method: 'POST',
      path: '/__control/aws-sms/phones/:number/texts',
      internal: true,
      handler: async (ctx) => json(200, await carrier.inbound(phone(ctx.params.number), controlBody(ctx, Text).body)),
    },
    {
      method: 'GET',
      path: '/__control/aws-sms/phones/:number/texts',
      internal: true,
      handler: (ctx) => {
        const number = phone(ctx.params.number);
        return json(200, { texts: store.received.filter((r) => r.to === number) });
      },
    },
    {
      method: 'PATCH',
      path: '/__control/aws-sms/phones/:number',
      internal: true,
      handler: (ctx) => {
        const number = phone(ctx.params.number);
        const p = controlBody(ctx, Patch);
        if (p.unreachable !== undefined) (p.unreachable ? store.unreachable.add(number) : store.unreachable.delete(number));
        if (p.optedOut !== undefined) (p.optedOut ? store.optedOut.add(number) : store.optedOut.delete(number));
        return json(200, { number, unreachable: store.unreachable.has(number), optedOut: store.optedOut.has(number) });
      },
    },
    {
      method: 'POST',
      path: '/__control/aws-sms/subscriptions',
      internal: true,
      handler: async (ctx) => {
        const { endpoint, topic } = controlBody(ctx, Subscribe);
        if (topic !== 'events') await twoWay.subscribe(endpoint);
        if (topic !== 'two-way') await events.subscribe(endpoint);
        return json(200, { twoWay: twoWay.confirmed(), events: events.confirmed() });
      },
    },
    { method: 'GET', path: '/__control/aws-sms/subscriptions', internal: true, handler: () => json(200, { twoWay: twoWay.confirmed(), events: events.confirmed() }) },
    {
      method: 'POST',
      path: '/__control/aws-sms/redeliver',
      internal: true,
      handler: (ctx) => {
        const { snsMessageId } = controlBody(ctx, Redeliver);
        twoWay.redeliver(snsMessageId);
        events.redeliver(snsMessageId);
        return json(202, {});
      },
    },
    {
      method: 'GET',
      path: '/__control/aws-sms/state',
      internal: true,
      handler: () =>
        json(200, {
          number: store.number,
          topics: { twoWay: twoWay.topicArn, events: events.topicArn },
          received: store.received,
          sent: store.sent,
          optedOut: [...store.optedOut],
          unreachable: [...store.unreachable],
        }),
    },
  ];
}
