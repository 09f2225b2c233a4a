import type { Page } from 'playwright-core';
import { identityToken } from '../helpers/flows.js';
import { StreamClient, type TestServer } from '../helpers/server.js';

// Shared by the console's browser tests: logging in through the form, customers driven through the
// customer API (with a live stream, so their side of typing, receipts and messages can be checked), and
// the console's own confirm() dialogs answered "yes" while anything else a page opens is recorded (an
// unexpected dialog means injected script ran).

export async function loginConsole(page: Page, baseUrl: string, email: string, password = 'password123'): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('me-name').waitFor();
}

/** Accepts the console's own confirmations (end a chat, revoke a key…); records every other dialog. */
export function answerConfirms(page: Page): string[] {
  const unexpected: string[] = [];
  page.on('dialog', (d) => {
    if (d.type() === 'confirm' && /^(End the chat|Revoke|Delete)/.test(d.message())) void d.accept();
    else {
      unexpected.push(d.message());
      void d.dismiss();
    }
  });
  return unexpected;
}

export interface Customer {
  token: string;
  contactId: string;
  conversationId: string;
  stream: StreamClient;
  say(text: string): Promise<any>;
  typing(typing: boolean): Promise<void>;
  read(seq: number): Promise<void>;
  /** The next message event from an agent matching `pred`, on the customer's stream. */
  fromAgent(pred: (e: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

let n = 0;

/**
 * A customer who opens a conversation (in `queue`, with bot `context`) and writes `first`. With `sub` the
 * customer is verified (an identity token from the business's backend); otherwise anonymous, with `name`
 * set on their profile.
 */
export async function customer(ts: TestServer, opts: { first: string; queue?: string; name?: string; email?: string; sub?: string; context?: Record<string, unknown> }): Promise<Customer> {
  const idToken = opts.sub ? await identityToken(opts.sub, { ...(opts.name ? { name: opts.name } : {}), ...(opts.email ? { email: opts.email } : {}) }) : undefined;
  const { token, contactId } = await ts.api.customer(idToken);
  if (!opts.sub && (opts.name || opts.email)) {
    await ts.api.req('PATCH', '/v1/me', { token, body: { ...(opts.name ? { name: opts.name } : {}), ...(opts.email ? { email: opts.email } : {}) } });
  }
  const stream = await StreamClient.open(ts.url, token);
  const open = await ts.api.post('/v1/conversations', { ...(opts.queue ? { queue: opts.queue } : {}), ...(opts.context ? { context: opts.context } : {}) }, token);
  if (open.status !== 201) throw new Error(`open: ${open.status} ${JSON.stringify(open.body)}`);
  const conversationId = open.body.conversation.id as string;
  const c: Customer = {
    token,
    contactId,
    conversationId,
    stream,
    async say(text) {
      const r = await ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: `cust-${++n}`, text }, token);
      if (r.status >= 300) throw new Error(`say: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.event;
    },
    async typing(typing) {
      await ts.api.post(`/v1/conversations/${conversationId}/typing`, { typing }, token);
    },
    async read(seq) {
      await ts.api.post(`/v1/conversations/${conversationId}/read`, { seq }, token);
    },
    async fromAgent(pred, timeoutMs = 8000) {
      const f = await stream.next((x) => x.type === 'event' && x.event.kind === 'message' && x.event.author.role === 'agent' && x.event.conversationId === conversationId && pred(x.event), timeoutMs);
      return f.event;
    },
    close: () => stream.close(),
  };
  await c.say(opts.first);
  return c;
}

/** The text of every part of a message, for matching. */
export const partsOf = (e: any): any[] => e.parts ?? [];
