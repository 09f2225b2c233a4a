import { describe, expect, it } from 'vitest';
import { redactContext } from '../../src/core/redaction.js';

// A route's PII policy over a conversation's caller-given context (a bot transcript handed over by the
// watsonx service desk, form fields): test/e2e/redaction.test.ts covers it through the API.

describe('handover context under a route’s PII policy', () => {
  it('masks strings at any depth, even nested past the walk limit, and leaves other values alone', () => {
    const rules = { kinds: ['card', 'email'] as never, nationalIds: [] };
    let deep: unknown = { card: '4111 1111 1111 1111' };
    for (let i = 0; i < 30; i++) deep = { next: deep };
    const out = redactContext({ n: 5, ok: true, list: ['jane@example.com'], deep }, rules);
    expect(out.n).toBe(5);
    expect(out.ok).toBe(true);
    expect(out.list).toEqual(['[email]']);
    expect(JSON.stringify(out)).not.toContain('4111 1111 1111 1111');
  });
});
