import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runCli, startCli } from '../helpers/process.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'parley-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** JSON over HTTP to one of the demo's servers (their control APIs): the status and the parsed body. */
async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/**
 * Polls until `probe` gives something, or fails at the deadline with what the running `demo` printed (no
 * fixed sleeps: the machine may be slow).
 */
function untilDemo(demo: { output(): string }) {
  return async <T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${demo.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
}

describe('the parley command', () => {
  it('every command has --help', async () => {
    for (const args of [['--help'], ['start', '--help'], ['migrate', '--help'], ['agent', 'add', '--help'], ['doctor', '--help'], ['demo', '--help']]) {
      const r = await runCli(args, {});
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: parley/);
    }
  });

  it('migrate, agent add and doctor work on a fresh data folder', async () => {
    const dir = tmp();
    const env = { PARLEY_DATA_DIR: dir };
    const m = await runCli(['migrate'], env);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/Applied: 001_init/);
    expect((await runCli(['migrate'], env)).stdout).toMatch(/Up to date/);
    const add = await runCli(['agent', 'add', '--email', 'Ann@Example.com', '--name', 'Ann', '--admin'], { ...env, PARLEY_AGENT_PASSWORD: 'password123' });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Created admin Ann <ann@example.com>/);
    const dup = await runCli(['agent', 'add', '--email', 'ann@example.com', '--name', 'Ann'], { ...env, PARLEY_AGENT_PASSWORD: 'password123' });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/exists/);
    const noPw = await runCli(['agent', 'add', '--email', 'bob@example.com', '--name', 'Bob'], env);
    expect(noPw.code).toBe(1);
    expect(noPw.stderr).toMatch(/PARLEY_AGENT_PASSWORD/);
    const doc = await runCli(['doctor'], env);
    expect(doc.code, doc.stdout).toBe(0);
    expect(doc.stdout).toMatch(/ok +database reachable: sqlite/);
    // The generated signing key is kept private.
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('a bad setting stops start-up with a message naming it', async () => {
    const dir = tmp();
    const env = await runCli(['start'], { PARLEY_DATA_DIR: dir, PORT: 'eighty' });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/PORT/);
    writeFileSync(join(dir, 'parley.config.json'), JSON.stringify({ deliveryMaxAttempts: 0 }));
    const file = await runCli(['start'], { PARLEY_DATA_DIR: dir }, dir);
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/deliveryMaxAttempts/);
    const doc = await runCli(['doctor'], { PARLEY_DATA_DIR: dir }, dir);
    expect(doc.code).toBe(1);
    expect(doc.stdout).toMatch(/FAIL .*deliveryMaxAttempts/);
  });

  it('the first start prints the URLs and a one-time setup code that creates the first admin once', async () => {
    const dir = tmp();
    const port = await freePort();
    const srv = await startCli({ PARLEY_DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'warn' }, 'No accounts yet');
    try {
      await new Promise((r) => setTimeout(r, 200));
      const out = srv.output();
      expect(out).toContain(`http://localhost:${port}/docs`);
      const code = /setup\?code=([A-Za-z0-9_-]+)/.exec(out)?.[1];
      expect(code).toBeTruthy();
      const body = { code, email: 'first@example.com', name: 'First', password: 'password123' };
      const post = (b: unknown) => fetch(`http://127.0.0.1:${port}/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
      const first = await post(body);
      expect(first.status).toBe(201);
      expect(((await first.json()) as { agent: { role: string } }).agent.role).toBe('admin');
      const again = await post({ ...body, email: 'second@example.com' });
      expect(again.status).toBe(409);
      const login = await fetch(`http://127.0.0.1:${port}/v1/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'first@example.com', password: 'password123' }) });
      expect(login.status).toBe(200);
    } finally {
      srv.child.kill('SIGTERM');
      expect(await srv.exited).toBe(0);
    }
  });

  it('SIGTERM lets an in-flight request finish before the process exits', async () => {
    const dir = tmp();
    const port = await freePort();
    const srv = await startCli({ PARLEY_DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'warn', PARLEY_PRINT_SETUP: 'true' });
    const session = (await (await fetch(`http://127.0.0.1:${port}/v1/sessions`, { method: 'POST' })).json()) as { token: string };
    // A slow upload: headers and half the body now, SIGTERM, the rest 300 ms later.
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4000, 1)]);
    const status = new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/media', headers: { authorization: `Bearer ${session.token}`, 'content-type': 'image/png', 'content-length': png.length } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(png.subarray(0, 2000));
      setTimeout(() => srv.child.kill('SIGTERM'), 100);
      setTimeout(() => req.end(png.subarray(2000)), 400);
    });
    expect(await status).toBe(201);
    expect(await srv.exited).toBe(0);
  });

  it('emulate runs an emulator and passes its own options through (twilio --auth-token)', async () => {
    const port = await freePort();
    const emu = await startCli({}, 'Auth Token', 20_000, ['emulate', 'twilio', '--port', String(port), '--auth-token', 'a-token-of-my-own-0123456789abcdef']);
    try {
      expect(emu.output()).toContain('a-token-of-my-own-0123456789abcdef');
      expect((await fetch(`http://127.0.0.1:${port}/__control`)).status).toBe(200);
    } finally {
      emu.child.kill('SIGINT');
    }
    expect(await emu.exited).toBe(0);
  });

  it('demo starts the Genesys emulator and Parley wired to it, prints the shop and the agent page, and Ctrl-C stops both', async () => {
    const port = await freePort();
    const emulatorPort = await freePort();
    const demo = await startCli({}, 'Ctrl-C stops both', 30_000, ['demo', '--port', String(port), '--emulator-port', String(emulatorPort)]);
    const out = demo.output();
    const dataDir = /Data in (\S+)/.exec(out)?.[1] ?? '';
    try {
      const shop = /Customer +(\S+)/.exec(out)?.[1];
      const agentPage = /Agent +(\S+)/.exec(out)?.[1];
      const webChat = /^ {2}Web chat +(\S+)/m.exec(out)?.[1];
      expect(shop).toBe(`http://127.0.0.1:${port}/demo/?entryPoint=demo-genesys`);
      expect(agentPage).toBe(`http://127.0.0.1:${emulatorPort}/agent`);
      expect(webChat).toBe(`http://127.0.0.1:${port}/webchat/?entryPoint=demo-genesys`);
      for (const url of [shop!, agentPage!, webChat!]) expect((await fetch(url)).status, url).toBe(200);
      expect(existsSync(dataDir)).toBe(true);

      // A customer of the demo shop (what its widget does): the entry point routes the chat to the emulated Genesys.
      const parley = `http://127.0.0.1:${port}`;
      const post = async (path: string, token: string | undefined, body: unknown) => {
        const res = await fetch(parley + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
        expect(res.status, path).toBeLessThan(300);
        return (await res.json()) as any;
      };
      const { token } = await post('/v1/sessions', undefined, {});
      const { conversation } = await post('/v1/conversations', token, { entryPoint: 'demo-genesys' });
      expect(conversation.desk).toBe('genesys');
      await post(`/v1/conversations/${conversation.id}/messages`, token, { clientMessageId: 'c1', text: 'Hello from the demo shop' });
      const texts = async () => {
        const r = (await (await fetch(`http://127.0.0.1:${emulatorPort}/__control/genesys/conversations`)).json()) as { conversations: { messages: { text?: string }[] }[] };
        return r.conversations.flatMap((c) => c.messages.map((m) => m.text));
      };
      await expect.poll(texts, { timeout: 10_000 }).toContain('Hello from the demo shop');
    } finally {
      demo.child.kill('SIGINT');
    }
    // With what the demo printed, so a failure says why it did not exit cleanly.
    expect(await demo.exited, demo.output()).toBe(0);
    // Both servers are gone, and so is the temporary data folder.
    for (const p of [port, emulatorPort]) await expect(fetch(`http://127.0.0.1:${p}/`)).rejects.toThrow();
    expect(existsSync(dataDir)).toBe(false);
  });

  it('demo --sms adds a phone on the Twilio emulator answered on the Amazon Connect emulator: a text reaches the Connect agent, the reply reaches the phone, and Ctrl-C stops them all', async () => {
    const [port, emulatorPort, twilioPort, connectPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const demo = await startCli({}, 'Ctrl-C stops them all', 30_000, [
      'demo',
      '--sms',
      '--port',
      String(port),
      '--emulator-port',
      String(emulatorPort),
      '--twilio-port',
      String(twilioPort),
      '--connect-port',
      String(connectPort),
    ]);
    const out = demo.output();
    const dataDir = /Data in (\S+)/.exec(out)?.[1] ?? '';
    const twilio = `http://127.0.0.1:${twilioPort}`;
    const connect = `http://127.0.0.1:${connectPort}`;
    const until = untilDemo(demo);
    try {
      // The Genesys part is still there, and the banner names the phone and the Connect agent pages.
      expect(/Customer +(\S+)/.exec(out)?.[1]).toBe(`http://127.0.0.1:${port}/demo/?entryPoint=demo-genesys`);
      expect(/Agent +(\S+)/.exec(out)?.[1]).toBe(`http://127.0.0.1:${emulatorPort}/agent`);
      const phonePage = /^ {2}Phone +(\S+)/m.exec(out)?.[1];
      const agentPage = /^ {2}Connect +(\S+)/m.exec(out)?.[1];
      expect(phonePage).toBe(`${twilio}/phone`);
      expect(agentPage).toBe(`${connect}/agent`);
      for (const url of [phonePage!, agentPage!]) {
        const page = await fetch(url);
        expect(page.status, url).toBe(200);
        expect(page.headers.get('content-type')).toMatch(/text\/html/);
        await page.arrayBuffer();
      }
      // Parley confirmed its subscription to the Connect emulator's streaming topic at start-up.
      const topics = (await call('GET', `${connect}/__control/connect/topics`)).body.topics as { confirmed: string[] }[];
      expect(topics[0]!.confirmed).toContain(`http://127.0.0.1:${port}/webhooks/connect/connect`);

      // The phone texts the number (what the phone page does): a Connect chat starts with the text.
      const phone = '+15551230001';
      const texted = await call('POST', `${twilio}/__control/twilio/phones/${encodeURIComponent(phone)}/messages`, { body: 'Hello from my phone' });
      expect(texted.status).toBe(201);
      const contact = await until(async () => {
        const list = (await call('GET', `${connect}/__control/connect/contacts`)).body.contacts as any[];
        return list.find((c) => c.attributes?.parleyChannel === 'sms' && c.items.some((i: any) => i.ParticipantRole === 'CUSTOMER' && i.Content === 'Hello from my phone'));
      }, 'the text at the Connect agent');
      expect(contact.state).toBe('queued');
      // Streaming to Parley has started (the agent page's human is never quicker than that; a test is).
      await until(async () => ((await call('GET', `${connect}/__control/connect/contacts/${contact.initialContactId}`)).body.streams as any[]).find((s) => s.active), 'the chat streaming');

      // The Connect agent (what the agent page does) accepts and replies; the phone receives the reply.
      expect((await call('POST', `${connect}/__control/connect/contacts/${contact.initialContactId}/accept`, {})).status).toBe(200);
      expect((await call('POST', `${connect}/__control/connect/contacts/${contact.initialContactId}/reply`, { text: 'Hi! Connect agent here.' })).status).toBe(201);
      const received = await until(async () => {
        const got = (await call('GET', `${twilio}/__control/twilio/phones/${encodeURIComponent(phone)}/messages`)).body.received as any[];
        return got.find((m) => m.body === 'Hi! Connect agent here.');
      }, 'the reply at the phone');
      expect(received.from).toBe((await call('GET', `${twilio}/__control`)).body.number);
    } finally {
      demo.child.kill('SIGINT');
    }
    expect(await demo.exited, demo.output()).toBe(0);
    for (const p of [port, emulatorPort, twilioPort, connectPort]) await expect(fetch(`http://127.0.0.1:${p}/`)).rejects.toThrow();
    expect(existsSync(dataDir)).toBe(false);
  });

  it('demo --meta adds Messenger and WhatsApp on the Meta emulator answered in Genesys: webhooks subscribed through the handshake, a WhatsApp card number masked before the agent sees it, replies back on both apps', async () => {
    const [port, emulatorPort, metaPort] = [await freePort(), await freePort(), await freePort()];
    const demo = await startCli({}, 'Ctrl-C stops them all', 30_000, ['demo', '--meta', '--port', String(port), '--emulator-port', String(emulatorPort), '--meta-port', String(metaPort)]);
    const out = demo.output();
    const dataDir = /Data in (\S+)/.exec(out)?.[1] ?? '';
    const meta = `http://127.0.0.1:${metaPort}`;
    const genesys = `http://127.0.0.1:${emulatorPort}`;
    const until = untilDemo(demo);
    const atGenesys = (text: string) =>
      until(async () => ((await call('GET', `${genesys}/__control/genesys/conversations`)).body.conversations as any[]).find((c) => c.messages.some((m: any) => m.text === text)), `"${text}" at the Genesys agent`);
    try {
      expect(/^ {2}Phone +(\S+)/m.exec(out)?.[1]).toBe(`${meta}/phone`);
      expect((await fetch(`${meta}/phone`)).status).toBe(200);
      // Parley passed both handshakes at start-up: both apps are subscribed.
      const subs = (await call('GET', `${meta}/__control/meta/settings`)).body.subscriptions;
      expect(subs).toMatchObject({ messenger: `http://127.0.0.1:${port}/webhooks/messenger/messenger`, whatsapp: `http://127.0.0.1:${port}/webhooks/whatsapp/whatsapp` });

      // A WhatsApp user writes a card number: the Genesys agent sees it masked, and answers.
      const wa = (await call('POST', `${meta}/__control/meta/whatsapp/users`, { name: 'Ada' })).body;
      expect((await call('POST', `${meta}/__control/meta/whatsapp/users/${wa.waId}/messages`, { text: 'My card 4111 1111 1111 1111 was charged twice' })).status).toBe(201);
      const waChat = await atGenesys('My card [card ••••1111] was charged twice');
      expect(JSON.stringify(waChat)).not.toContain('4111 1111 1111 1111');
      expect((await call('POST', `${genesys}/__control/genesys/conversations/${waChat.id}/accept`, {})).status).toBeLessThan(300);
      expect((await call('POST', `${genesys}/__control/genesys/conversations/${waChat.id}/reply`, { text: 'Refund on its way.' })).status).toBeLessThan(300);
      await until(async () => ((await call('GET', `${meta}/__control/meta/whatsapp/users/${wa.waId}`)).body.received as any[]).find((m) => m.text === 'Refund on its way.'), 'the reply on WhatsApp');

      // A Messenger user too.
      const fb = (await call('POST', `${meta}/__control/meta/messenger/users`, { name: 'Bob' })).body;
      expect((await call('POST', `${meta}/__control/meta/messenger/users/${fb.psid}/messages`, { text: 'Hello from Messenger' })).status).toBe(201);
      const fbChat = await atGenesys('Hello from Messenger');
      expect((await call('POST', `${genesys}/__control/genesys/conversations/${fbChat.id}/accept`, {})).status).toBeLessThan(300);
      expect((await call('POST', `${genesys}/__control/genesys/conversations/${fbChat.id}/reply`, { text: 'Hi Bob!' })).status).toBeLessThan(300);
      await until(async () => ((await call('GET', `${meta}/__control/meta/messenger/users/${fb.psid}`)).body.received as any[]).find((m) => m.text === 'Hi Bob!'), 'the reply on Messenger');
    } finally {
      demo.child.kill('SIGINT');
    }
    expect(await demo.exited, demo.output()).toBe(0);
    for (const p of [port, emulatorPort, metaPort]) await expect(fetch(`http://127.0.0.1:${p}/`)).rejects.toThrow();
    expect(existsSync(dataDir)).toBe(false);
  });

  it('demo --liveperson adds a LivePerson agent: the app webhooks point at Parley, a chat opened with its entry point reaches the LivePerson agent, and the reply comes back', async () => {
    const [port, emulatorPort, lpPort] = [await freePort(), await freePort(), await freePort()];
    const demo = await startCli({}, 'Ctrl-C stops them all', 30_000, ['demo', '--liveperson', '--port', String(port), '--emulator-port', String(emulatorPort), '--liveperson-port', String(lpPort)]);
    const out = demo.output();
    const dataDir = /Data in (\S+)/.exec(out)?.[1] ?? '';
    const lp = `http://127.0.0.1:${lpPort}`;
    const parley = `http://127.0.0.1:${port}`;
    const until = untilDemo(demo);
    try {
      expect(/^ {2}Shop \(LP\) +(\S+)/m.exec(out)?.[1]).toBe(`${parley}/demo/?entryPoint=demo-liveperson`);
      expect(/^ {2}Chat \(LP\) +(\S+)/m.exec(out)?.[1]).toBe(`${parley}/webchat/?entryPoint=demo-liveperson`);
      expect(/^ {2}LP agent +(\S+)/m.exec(out)?.[1]).toBe(`${lp}/agent`);
      expect((await fetch(`${lp}/agent`)).status).toBe(200);
      expect(JSON.stringify((await call('GET', `${lp}/__control/liveperson/settings`)).body)).toContain(`${parley}/webhooks/liveperson/liveperson`);

      // A customer of the shop with the LivePerson entry point (what its widget does).
      const session = (await call('POST', `${parley}/v1/sessions`, {})).body;
      const post = async (path: string, body: unknown) => {
        const r = await fetch(parley + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` }, body: JSON.stringify(body) });
        expect(r.status, path).toBeLessThan(300);
        return (await r.json()) as any;
      };
      const { conversation } = await post('/v1/conversations', { entryPoint: 'demo-liveperson' });
      expect(conversation.desk).toBe('liveperson');
      await post(`/v1/conversations/${conversation.id}/messages`, { clientMessageId: 'lp1', text: 'Hello LivePerson' });
      const lpc = await until(async () => ((await call('GET', `${lp}/__control/liveperson/conversations`)).body.conversations as any[]).find((c) => c.messages.some((m: any) => m.message === 'Hello LivePerson')), 'the chat at LivePerson');
      expect((await call('POST', `${lp}/__control/liveperson/conversations/${lpc.id}/accept`, {})).status).toBe(200);
      expect((await call('POST', `${lp}/__control/liveperson/conversations/${lpc.id}/reply`, { text: 'Hi from LivePerson' })).status).toBe(201);
      await until(async () => {
        const r = await fetch(`${parley}/v1/conversations/${conversation.id}/events`, { headers: { authorization: `Bearer ${session.token}` } });
        const events = ((await r.json()) as any).events as any[];
        return events.find((e) => e.kind === 'message' && e.origin === 'desk' && e.parts[0]?.text === 'Hi from LivePerson');
      }, 'the reply in Parley');
    } finally {
      demo.child.kill('SIGINT');
    }
    expect(await demo.exited, demo.output()).toBe(0);
    for (const p of [port, emulatorPort, lpPort]) await expect(fetch(`http://127.0.0.1:${p}/`)).rejects.toThrow();
    expect(existsSync(dataDir)).toBe(false);
  });
});
