import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePng } from '../../../emulators/kit/png.js';
import { customerChat, Streams } from '../../helpers/flows.js';
import { until } from '../../helpers/server.js';
import { genesysScene, type GenesysScene } from './helpers.js';

// The two things a customer's side sends to or sees from Genesys that the main suite leaves out: a
// customer's image reaching the agent (as a short-lived signed Parley URL, never a public bucket), and queue
// availability (agents on queue, Genesys's estimated wait) shown while the customer waits.

const SUPPORT = '5f1c7c4e-3d7b-4c61-8f0e-2a9a0d1b7e01';

describe('genesys desk: customer media and queue availability', () => {
  let scene: GenesysScene;
  const streams = new Streams();
  beforeAll(async () => {
    scene = await genesysScene({ desk: { queueId: SUPPORT, queueName: 'Support', availabilityIntervalMs: 1000, endDetection: 'none' } });
  });
  afterAll(async () => {
    await streams.closeAll();
    await scene?.stop();
  });

  it("a customer's image reaches Genesys as an attachment whose signed URL serves the same bytes, and only signed", async () => {
    const chat = await customerChat(scene.ts, streams);
    const png = samplePng(24);
    const up = await scene.ts.api.req('POST', '/v1/media?name=photo.png', { token: chat.token, raw: png, contentType: 'image/png' });
    expect(up.status).toBe(201);
    const sent = await scene.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { clientMessageId: 'img-1', parts: [{ type: 'media', mediaId: up.body.media.id, caption: 'the broken part' }] }, chat.token);
    expect(sent.status).toBe(201);
    const gc = await until(() => scene.conversationOf(chat.contactId), 5000, 'the Genesys conversation');
    const inbound = await until(async () => ((await scene.control('GET', `/genesys/conversations/${gc.id}`)).body.messages as any[]).find((m) => m.direction === 'inbound' && m.content?.length), 5000, 'the attachment at Genesys');
    const attachment = inbound.content[0].attachment;
    expect(attachment).toMatchObject({ mediaType: 'Image', mime: 'image/png' });
    expect(attachment.url).toMatch(new RegExp(`^${scene.ts.url}/v1/media/.+[?&]exp=\\d+.*&sig=`));
    const got = await fetch(attachment.url);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(png)).toBe(true);
    // The same path without its signature, or with a forged one, serves nothing.
    const bare = attachment.url.split('?')[0];
    expect((await fetch(bare)).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(attachment.url.replace(/sig=[^&]+/, 'sig=forged'))).status).toBeGreaterThanOrEqual(400);
    // The caption travels as the attachment's text (OpenContentAttachment.text).
    expect(attachment.text).toBe('the broken part');
  });

  it("a waiting customer sees Genesys's estimated wait and the agents on queue, live; nobody on queue shows as 0", async () => {
    await scene.control('PATCH', `/genesys/queues/${SUPPORT}`, { estimatedWaitSeconds: 150 });
    const agents = (await scene.control('GET', '/genesys/agents')).body.agents as { id: string; queueIds: string[] }[];
    const onSupport = agents.filter((a) => a.queueIds.includes(SUPPORT));
    for (const a of agents) await scene.control('PATCH', `/genesys/agents/${a.id}`, { onQueue: true });
    const chat = await customerChat(scene.ts, streams);
    expect((await scene.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { clientMessageId: 'wait-1', text: 'anyone there?' }, chat.token)).status).toBe(201);
    const frame = await chat.stream.next((f: any) => f.type === 'availability' && f.conversationId === chat.conversationId && f.agentsOnQueue !== undefined, 5000);
    expect(frame).toMatchObject({ type: 'availability', queueId: 'Support', waitSeconds: 150, agentsOnQueue: onSupport.length });
    expect(frame.position).toBeUndefined();

    for (const a of agents) await scene.control('PATCH', `/genesys/agents/${a.id}`, { onQueue: false });
    const empty = await chat.stream.next((f: any) => f.type === 'availability' && f.conversationId === chat.conversationId && f.agentsOnQueue === 0, 5000);
    expect(empty.waitSeconds).toBe(150);
    // Signals are live only: nothing about availability is in the log.
    const events = (await scene.ts.api.get(`/v1/conversations/${chat.conversationId}/events`, chat.token)).body.events as { kind: string }[];
    expect(events.map((e) => e.kind)).not.toContain('availability');
  });
});
