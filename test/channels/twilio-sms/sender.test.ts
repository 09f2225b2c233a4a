import { afterAll, beforeAll, expect, it } from 'vitest';
import { fastAgent } from '../../helpers/flows.js';
import { until } from '../../helpers/server.js';
import { twilioScene, type TwilioScene } from './helpers.js';

// The other ways to configure the sender: a Messaging Service instead of one number, an API key for the
// Messages API, and two Auth Tokens while rotating (Twilio signs with the one now primary: here the second).

let scene: TwilioScene;

beforeAll(async () => {
  scene = await twilioScene({
    channel: {
      from: null,
      messagingServiceSid: 'MG00000000000000000000000000000001',
      apiKey: { sid: 'SK00000000000000000000000000000001', secret: { env: 'TEST_TWILIO_API_SECRET' } },
      authToken: ['the-previous-auth-token', { env: 'TEST_TWILIO_AUTH_TOKEN' }],
    },
    env: { PARLEY_DEFAULT_ASSIGNMENT: 'manual', TEST_TWILIO_API_SECRET: 'emulator-api-key-secret-000000001' },
  });
});
afterAll(async () => scene?.stop());

it('sends through the Messaging Service with the API key, and takes webhooks signed with the second Auth Token', async () => {
  expect(scene.emu.credentials.messagingServiceSid).toBe('MG00000000000000000000000000000001');
  const agent = await fastAgent(scene.ts, { name: 'Ann' });
  const phone = '+15554440001';
  const id = await scene.conversationOf(await scene.text(phone, 'Hi via the service'));
  expect((await scene.ts.api.post(`/v1/agent/conversations/${id}/accept`, {}, agent.token)).status).toBe(200);
  const sent = (await scene.ts.api.post(`/v1/agent/conversations/${id}/messages`, { text: 'Hello from the pool', clientMessageId: 'x1' }, agent.token)).body.event;
  await until(async () => (await scene.received(phone)).some((m) => m.body === 'Hello from the pool'), 8000, 'the text at the phone');
  const req = ((await scene.control('GET', '/requests?method=POST&path=Messages.json')).body.requests as any[]).at(-1);
  expect(Buffer.from(String(req.headers.authorization).replace('Basic ', ''), 'base64').toString()).toBe('SK00000000000000000000000000000001:emulator-api-key-secret-000000001');
  const form = new URLSearchParams(req.body as string);
  expect(form.get('MessagingServiceSid')).toBe('MG00000000000000000000000000000001');
  expect(form.get('From')).toBeNull();
  expect(form.get('StatusCallback')).toBe(`${scene.webhookUrl}?parleyEvent=${sent.id}`);
  // The status callbacks (signed with the second token too) moved it to delivered.
  await until(async () => ((await scene.ts.api.get(`/v1/agent/conversations/${id}/events`, agent.token)).body.events as any[]).find((e) => e.id === sent.id)?.status === 'delivered', 8000, 'delivered');
});
