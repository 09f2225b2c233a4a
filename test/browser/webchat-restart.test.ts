import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAgent } from '../helpers/flows.js';
import { freePort } from '../helpers/process.js';
import { startServer, StreamClient, type TestServer } from '../helpers/server.js';
import { chromiumAvailable, launchChromium, type Chromium } from './chromium.js';
import * as chat from './webchat-kit.js';

// Parley restarted in the middle of a web chat with an agent: web chat shows its "connection lost" status
// (setErrorStatus DISCONNECTED), lifts it when Parley is back (the bundle's stream resumes from the last seq it
// holds), what the agent wrote while web chat was away arrives, the chat goes on in the same conversation,
// and nothing either side sent is lost or doubled. Same port and data folder, as a real restart.

describe.skipIf(!chromiumAvailable())('watsonx web chat across a Parley restart', () => {
  let dataDir: string;
  let port: number;
  let ts: TestServer;
  let chrome: Chromium;
  let agent: { id: string; token: string };
  let stream: StreamClient;

  const start = async () => {
    ts = await startServer({ dataDir, port });
    stream = await StreamClient.open(ts.url, agent.token);
  };
  const agentSays = async (id: string, text: string, n: number) => {
    const r = await ts.api.post(`/v1/agent/conversations/${id}/messages`, { clientMessageId: `restart-${n}`, text }, agent.token);
    expect(r.status).toBe(201);
  };
  const messageFrom = (text: string) => stream.next((f) => f.type === 'event' && f.event.kind === 'message' && f.event.parts[0]?.text === text, 15_000);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-webchat-restart-'));
    port = await freePort();
    ts = await startServer({ dataDir, port });
    agent = await fastAgent(ts, { name: 'Ada Lovelace' });
    stream = await StreamClient.open(ts.url, agent.token);
    chrome = await launchChromium();
  });
  afterAll(async () => {
    await stream?.close();
    await chrome?.close();
    await ts?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the error status while Parley is down, recovers, and loses nothing', async () => {
    const ctx = await chrome.context();
    ctx.setDefaultTimeout(20_000);
    const page: Page = await ctx.newPage();
    await chat.traceWatson(page);
    await chat.openWebChat(page, ts.url);
    await chat.say(page, 'My train to Porto was cancelled');
    await chat.askForAgent(page);
    const handover = await stream.next((f) => f.type === 'event' && f.event.kind === 'message' && f.event.parts[0]?.text?.startsWith('Handed over by the assistant.'), 15_000);
    const id: string = handover.event.conversationId;
    await chat.waitForAgentJoined(page, 'Ada Lovelace');
    await chat.say(page, 'Before the restart');
    await messageFrom('Before the restart');

    // Parley goes away: web chat says the connection to the agent was lost (and disables its input).
    await stream.close();
    await ts.stop();
    await chat.waitForDisconnected(page);
    expect(await chat.inputDisabled(page)).toBe(true);

    // Back on the same port and data; the agent writes before web chat has reconnected.
    await start();
    await agentSays(id, 'Sorry, we were gone for a moment.', 1);
    await chat.waitForReconnected(page);
    await chat.waitForAgentMessage(page, 'Sorry, we were gone for a moment.');
    const calls = await chat.watsonCalls(page, 'setErrorStatus');
    expect(calls.map((c) => (c.args[0] as { isDisconnected: boolean }).isDisconnected)).toEqual([true, false]);

    await chat.say(page, 'After the restart');
    const after = await messageFrom('After the restart');
    expect(after.event.conversationId).toBe(id);

    // Nothing lost, nothing doubled: each message once, in the order it was written.
    const rows = await ts.server.database.db.selectFrom('events').select(['seq', 'kind', 'body']).where('conversation_id', '=', id).where('kind', '=', 'message').orderBy('seq').execute();
    const texts = rows.map((r) => (JSON.parse(r.body) as { parts: { text?: string }[] }).parts[0]?.text?.split('\n')[0]);
    expect(texts).toEqual(['Handed over by the assistant.', 'Before the restart', 'Sorry, we were gone for a moment.', 'After the restart']);
    await ctx.close();
  });
});
