import { describe, expect, it } from 'vitest';
import type { RedactionPolicy } from '../../src/core/redaction.js';
import { MAX_BODY_CHARS, MAX_MASKED_BYTES } from '../../src/vendor/traffic-mask.js';
import { VendorTraffic, type RawExchange } from '../../src/vendor/traffic.js';
import { noteOutbound, noteTouched, traceConversation, traceWebhook, WebhookTrace } from '../../src/vendor/traffic-trace.js';

// The event inspector's vendor traffic: what is masked before a record is kept (credentials always, the
// customer's PII under the route's policy), how records are attributed to conversations, and the bounds.

const R = '[redacted]';
const SECRET = 'instance-secret-value-0123456789';
const CARD_POLICY: RedactionPolicy = { rules: { kinds: ['card', 'email'], nationalIds: [] }, original: 'drop' };
const conv = (id: string, channel = 'sms') => ({ id, channel, context: {} });

function exchange(over: Partial<RawExchange> = {}): RawExchange {
  return {
    direction: 'out',
    startedAt: Date.now(),
    adapter: 'genesys:gc',
    method: 'POST',
    url: 'https://api.example.com/x',
    durationMs: 5,
    request: { headers: {} },
    ...over,
  };
}

function kept(traffic: VendorTraffic, id: string, raw: RawExchange) {
  traffic.keep(conv(id), traffic.hold(raw));
  return traffic.recent(id)[0]!;
}

describe('masking vendor traffic', () => {
  const traffic = () => new VendorTraffic({ secrets: [SECRET] });

  it('masks credential headers: Authorization, signatures, cookies, x-amz-*, x-lp-on-behalf; other headers stay', () => {
    const r = kept(
      traffic(),
      'c1',
      exchange({
        request: {
          headers: {
            Authorization: 'Bearer abc.def.ghi',
            'X-Hub-Signature-256': 'sha256=00ff',
            'X-Twilio-Signature': 'abc=',
            Cookie: 'session=1',
            'X-Amz-Date': '20250101T000000Z',
            'X-Amz-Security-Token': 'FwoGZX',
            'x-amz-bearer': 'connection-token',
            'X-LP-ON-BEHALF': 'agent-bearer',
            'Content-Type': 'application/json',
            'X-Custom': `carries ${SECRET} inside`,
          },
        },
        response: { headers: new Headers({ 'set-cookie': 'a=b', 'x-request-id': 'r-1' }) },
      }),
    );
    expect(r.request.headers).toEqual({
      authorization: R,
      'x-hub-signature-256': R,
      'x-twilio-signature': R,
      cookie: R,
      'x-amz-date': R,
      'x-amz-security-token': R,
      'x-amz-bearer': R,
      'x-lp-on-behalf': R,
      'content-type': 'application/json',
      'x-custom': `carries ${R} inside`,
    });
    expect(r.response!.headers).toEqual({ 'set-cookie': R, 'x-request-id': 'r-1' });
  });

  it('masks credential-named JSON fields at any depth, URL-valued strings and query parameters, and scrubs secret values anywhere', () => {
    const body = JSON.stringify({
      ConnectionToken: 'ct',
      nested: { deeper: [{ ParticipantToken: 'pt', access_token: 'at', text: `echo ${SECRET}` }] },
      client_secret: 'cs',
      appsecret_proof: 'proof',
      SubscribeURL: 'https://sns.example.com/?Action=ConfirmSubscription&Token=sns-token',
      keep: 'visible',
    });
    const r = kept(
      traffic(),
      'c2',
      exchange({
        url: `https://graph.example.com/v1/me?access_token=tok&hub.verify_token=vt&appsecret_proof=p&fields=name&x=${SECRET}`,
        request: { headers: { 'content-type': 'application/json' }, body },
        response: { headers: { 'content-type': 'application/json' }, body: '{"access_token":"fresh","expires_in":3600}' },
        secrets: ['dynamic-bearer-token-xyz'],
      }),
    );
    const parsed = JSON.parse(r.request.body!);
    expect(parsed).toEqual({
      ConnectionToken: R,
      nested: { deeper: [{ ParticipantToken: R, access_token: R, text: `echo ${R}` }] },
      client_secret: R,
      appsecret_proof: R,
      SubscribeURL: `https://sns.example.com/?Action=ConfirmSubscription&Token=${R}`,
      keep: 'visible',
    });
    expect(r.url).toBe(`https://graph.example.com/v1/me?access_token=${R}&hub.verify_token=${R}&appsecret_proof=${R}&fields=name&x=${R}`);
    expect(JSON.parse(r.response!.body!)).toEqual({ access_token: R, expires_in: 3600 });
  });

  it('masks form fields by name and free text by pattern, and scrubs the secrets the call used', () => {
    const t = traffic();
    const form = kept(t, 'c3', exchange({ request: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_secret=cs-123&scope=x' } }));
    expect(new URLSearchParams(form.request.body)).toEqual(new URLSearchParams({ grant_type: 'client_credentials', client_secret: R, scope: 'x' }));
    const text = kept(t, 'c3', exchange({ request: { headers: { 'content-type': 'text/plain' }, body: 'Bearer sekrit.tok and password=hunter2 and dynamic-bearer-token-xyz' }, secrets: ['dynamic-bearer-token-xyz'] }));
    expect(text.request.body).toBe(`Bearer ${R} and password=${R} and ${R}`);
  });

  it("applies the conversation's PII policy to every string of a body and to query values; without a policy the text stays", () => {
    const withPolicy = new VendorTraffic({ redactionFor: () => CARD_POLICY });
    const twilio = kept(
      withPolicy,
      'c4',
      exchange({
        direction: 'in',
        url: '/webhooks/twilio-sms/sms?note=4111%201111%201111%201111',
        request: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'From=%2B15550001111&Body=card+4111+1111+1111+1111+mail+a%40b.example' },
      }),
    );
    const digits = JSON.stringify(twilio).replace(/\D/g, '');
    expect(digits).not.toContain('4111111111111111');
    expect(new URLSearchParams(twilio.request.body).get('Body')).toBe('card [card ••••1111] mail [email]');
    expect(new URLSearchParams(twilio.request.body).get('From')).toBe('+15550001111'); // phone is not in this policy
    const json = kept(withPolicy, 'c4', exchange({ request: { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ entry: [{ message: { text: 'pay with 4111-1111-1111-1111' } }] }) } }));
    expect(JSON.parse(json.request.body!).entry[0].message.text).toBe('pay with [card ••••1111]');

    const none = kept(new VendorTraffic(), 'c5', exchange({ request: { headers: { 'content-type': 'application/json' }, body: '{"text":"4111-1111-1111-1111"}' } }));
    expect(none.request.body).toBe('{"text":"4111-1111-1111-1111"}');
  });

  it('keeps no binary or oversized body, and cuts long ones to the excerpt', () => {
    const t = traffic();
    const png = kept(t, 'c6', exchange({ request: { headers: { 'content-type': 'image/png' }, body: Buffer.alloc(100) } }));
    expect(png.request).toMatchObject({ bytes: 100, omitted: '100 bytes of image/png' });
    expect(png.request.body).toBeUndefined();
    const huge = kept(t, 'c6', exchange({ request: { headers: { 'content-type': 'application/json' }, body: `{"a":"${'x'.repeat(MAX_MASKED_BYTES)}"}` } }));
    expect(huge.request.body).toBeUndefined();
    expect(huge.request.omitted).toMatch(/too large/);
    const long = kept(t, 'c6', exchange({ request: { headers: {}, body: JSON.stringify({ a: 'y'.repeat(MAX_BODY_CHARS * 2) }) } }));
    expect(long.request.body!.length).toBe(MAX_BODY_CHARS);
    expect(long.request.truncated).toBe(true);
  });
});

describe('attributing and bounding vendor traffic', () => {
  it('a delivery context keeps its requests on its conversation; outside any context nothing is kept', () => {
    const t = new VendorTraffic();
    noteOutbound(exchange({ operation: 'nowhere' }));
    traceConversation(t, conv('a'), () => noteOutbound(exchange({ operation: 'send' })));
    expect(t.recent('a').map((r) => r.operation)).toEqual(['send']);
    expect(t.stats()).toMatchObject({ conversations: 1, unattributed: 0 });
  });

  it('a webhook is kept, with the requests made while handling it, on each conversation it touched — or unattributed, bodies dropped when a route has a policy', async () => {
    const published: string[] = [];
    const t = new VendorTraffic({ anyPolicy: true, publish: (id, r) => published.push(`${id}:${r.direction}`) });
    const hook = new WebhookTrace(t);
    await traceWebhook(hook, async () => {
      noteOutbound(exchange({ operation: 'lookup' }));
      await Promise.resolve();
      noteTouched(conv('b'));
      noteTouched(conv('c'));
    });
    hook.finish(exchange({ direction: 'in', method: 'POST', url: '/webhooks/x/y', request: { headers: {}, body: '{"text":"hi"}' } }));
    expect(t.recent('b').map((r) => r.direction).sort()).toEqual(['in', 'out']);
    expect(t.recent('c')).toHaveLength(2);
    expect(published.sort()).toEqual(['b:in', 'b:out', 'c:in', 'c:out']);

    const lonely = new WebhookTrace(t);
    await traceWebhook(lonely, async () => undefined);
    lonely.finish(exchange({ direction: 'in', request: { headers: {}, body: '{"text":"4111 1111 1111 1111"}' } }));
    const [u] = t.unattributed();
    expect(u!.request.body).toBeUndefined();
    expect(u!.request.omitted).toMatch(/PII policy/);
  });

  it('holds at most N records per conversation and M conversations, least recently used out first', () => {
    const t = new VendorTraffic({ perConversation: 3, maxConversations: 2 });
    for (let i = 0; i < 5; i++) t.keep(conv('x'), t.hold(exchange({ operation: `x${i}` })));
    expect(t.recent('x').map((r) => r.operation).sort()).toEqual(['x2', 'x3', 'x4']);
    t.keep(conv('y'), t.hold(exchange()));
    t.keep(conv('x'), t.hold(exchange()));
    t.keep(conv('z'), t.hold(exchange()));
    expect(t.recent('y')).toEqual([]);
    expect(t.recent('x')).toHaveLength(3);
    expect(t.stats().conversations).toBe(2);
  });
});
