// Fault injection: make a share of matching requests fail the way real vendors fail (a 500, a 429
// with Retry-After, a slow answer, no answer at all, a dropped connection), so adapters are tested
// against the bad days too. Rules are set at start or live through the control API.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export const FaultKind = z.enum(['error', 'rateLimit', 'delay', 'hang', 'reset']);
export type FaultKind = z.infer<typeof FaultKind>;

export const FaultRuleInput = z.object({
  /** `*` matches within one path segment, `**` across segments; `/…/` is a regular expression. */
  path: z.string().min(1).default('**'),
  method: z.string().optional(),
  kind: FaultKind,
  /** Share of matching requests that get the fault, 0..1. */
  share: z.number().min(0).max(1).default(1),
  /** Stop after injecting this many times (absent: no limit). */
  times: z.number().int().positive().optional(),
  /** `error`: the status to answer (default 500). */
  status: z.number().int().min(400).max(599).optional(),
  /** `rateLimit`: the Retry-After value in seconds (default 1). */
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** `delay`: how long to wait before handling normally. */
  delayMs: z.number().int().min(0).optional(),
  /** `hang`: drop the connection after this long (default: never; the client's timeout ends it). */
  hangMs: z.number().int().min(0).optional(),
});
export type FaultRuleInput = z.input<typeof FaultRuleInput>;

export interface FaultRule extends z.infer<typeof FaultRuleInput> {
  id: string;
  injected: number;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; rule: FaultRule; status: number }
  | { kind: 'rateLimit'; rule: FaultRule; retryAfterSeconds: number }
  | { kind: 'delay'; rule: FaultRule; delayMs: number }
  | { kind: 'hang'; rule: FaultRule; hangMs?: number }
  | { kind: 'reset'; rule: FaultRule };

function globToRegExp(glob: string): RegExp {
  if (glob.length > 2 && glob.startsWith('/') && glob.endsWith('/')) return new RegExp(glob.slice(1, -1));
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else out += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** A seeded generator so a test can ask for "30% of requests" and still get a repeatable run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private rules: { rule: FaultRule; re: RegExp }[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(input: FaultRuleInput): FaultRule {
    const parsed = FaultRuleInput.parse(input);
    const rule: FaultRule = { ...parsed, id: randomUUID(), injected: 0 };
    this.rules.push({ rule, re: globToRegExp(rule.path) });
    return rule;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule }));
  }

  decide(method: string, path: string): FaultDecision {
    for (const { rule, re } of this.rules) {
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (!re.test(path)) continue;
      if (rule.times !== undefined && rule.injected >= rule.times) continue;
      if (this.random() >= rule.share) continue;
      rule.injected++;
      switch (rule.kind) {
        case 'error':
          return { kind: 'error', rule, status: rule.status ?? 500 };
        case 'rateLimit':
          return { kind: 'rateLimit', rule, retryAfterSeconds: rule.retryAfterSeconds ?? 1 };
        case 'delay':
          return { kind: 'delay', rule, delayMs: rule.delayMs ?? 1000 };
        case 'hang':
          return rule.hangMs === undefined ? { kind: 'hang', rule } : { kind: 'hang', rule, hangMs: rule.hangMs };
        case 'reset':
          return { kind: 'reset', rule };
      }
    }
    return { kind: 'none' };
  }
}
