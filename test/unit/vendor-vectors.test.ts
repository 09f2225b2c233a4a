import { describe, expect, it } from 'vitest';
import type { LivePersonDesk } from '../../src/desks/liveperson/adapter.js';
import { livePersonWebhook } from '../../src/desks/liveperson/webhook.js';
import type { WebhookRequest } from '../../src/switchboard/webhooks.js';
import { metaSigned } from '../../src/vendor/meta-webhook.js';

// The adapters' webhook checks against the vendors' own documented examples (vendor-protocols §5.2, §4.5), not
// against our emulators: an emulator and an adapter written side by side could agree on a mistake.

const req = (body: string, headers: Record<string, string>): WebhookRequest => ({ method: 'POST', headers, query: {}, rawBody: Buffer.from(body) });

describe("vendors' documented signature examples", () => {
  it('Meta: X-Hub-Signature-256 over the documented Messenger body with the documented secret', () => {
    const body =
      '{"object":"page","entry":[{"id":"PAGE_ID","time":1458692752478,"messaging":[{"sender":{"id":"PSID"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752478,"message":{"mid":"m_1","text":"hello, world!"}}]}]}';
    const sig = 'sha256=8eda79ca99a1342a0bbcc57ab39c941073e021d1f06e716e9bc48c24a167fa67';
    expect(metaSigned(['my-app-secret'], req(body, { 'x-hub-signature-256': sig }))).toBe(true);
    expect(metaSigned(['another-secret'], req(body, { 'x-hub-signature-256': sig }))).toBe(false);
    expect(metaSigned(['my-app-secret'], req(body.replace('hello', 'hullo'), { 'x-hub-signature-256': sig }))).toBe(false);
  });

  it('LivePerson: x-liveperson-signature (sha1, base64) over the documented notification with the documented secret', async () => {
    const body =
      '{"kind":"notification","body":{"changes":[{"sequence":0,"originatorId":"c1","originatorMetadata":{"id":"c1","role":"CONSUMER"},"serverTimestamp":1528371161893,"event":{"type":"ContentEvent","message":"Hi","contentType":"text/plain"},"dialogId":"d1"}]},"type":"ms.MessagingEventNotification"}';
    const desk = { settings: { accountId: '123', clientId: 'app-1', clientSecret: 'lp-client-secret' } } as unknown as LivePersonDesk;
    const hook = livePersonWebhook(desk);
    const headers = { 'x-liveperson-account-id': '123', 'x-liveperson-client-id': 'app-1', 'x-liveperson-signature': 'sha1=3CvyobJHAUl/yuViqd0IVoF78eI=' };
    expect(await hook.verify(req(body, headers))).toBe(true);
    expect(await hook.verify(req(body, { ...headers, 'x-liveperson-client-id': 'app-2' }))).toBe(false);
    expect(await hook.verify(req(body.replace('"Hi"', '"Ho"'), headers))).toBe(false);
  });
});
