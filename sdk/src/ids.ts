// Client message ids. randomUUID exists in Node ≥ 19 and in browsers, but only on secure origins (a widget
// on a plain-http intranet page has none), so fall back to getRandomValues, which is always there.

export function newClientMessageId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c && typeof c.randomUUID === 'function') return `cm_${c.randomUUID()}`;
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `cm_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
