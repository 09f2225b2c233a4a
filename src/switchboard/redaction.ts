import { z } from 'zod';
import { ParleyError } from '../core/errors.js';
import { compileNationalId, MAX_PATTERN_LENGTH, NATIONAL_ID_NAME, PII_KINDS, type NationalIdRule } from '../core/pii.js';
import type { RedactionPolicy } from '../core/redaction.js';

// A route's `redact` setting in parley.config.json: which kinds of personal data to mask in customer text
// before any desk sees it, and whether the unredacted original is kept (and for whom) or dropped.

export const RedactInput = z
  .object({
    /** Built-in kinds to mask; default all of them. */
    kinds: z.array(z.enum(PII_KINDS)).max(PII_KINDS.length).optional(),
    /** The operator's own national-id patterns (JavaScript regular expressions, `u` flag), masked as `[name]`. */
    nationalIds: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(NATIONAL_ID_NAME, 'must be lower-case letters, digits and "-", starting with a letter (at most 40)')
              .refine((n) => !(PII_KINDS as readonly string[]).includes(n), 'must not be the name of a built-in kind'),
            pattern: z.string().min(1).max(MAX_PATTERN_LENGTH),
          })
          .strict(),
      )
      .max(20)
      .optional(),
    /** `drop` (default): the unredacted text is written nowhere. `admins`: kept, readable by admins only. */
    original: z.enum(['drop', 'admins']).optional(),
  })
  .strict();
export type RedactInput = z.infer<typeof RedactInput>;

// Compiled once per config object: parseSwitchboard checks every policy at start-up, and the adapters'
// registry asks again for the same objects when a message comes in.
const compiled = new WeakMap<RedactInput, RedactionPolicy>();

/** The policy for a route's `redact` setting; a bad pattern is a CONFIG error naming its key (`key` is the setting's). */
export function compileRedaction(input: RedactInput, key: string): RedactionPolicy {
  const seen = compiled.get(input);
  if (seen) return seen;
  const nationalIds: NationalIdRule[] = (input.nationalIds ?? []).map((n, i) => {
    const regex = compileNationalId(n.pattern);
    const at = `${key}.nationalIds.${i}.pattern`;
    // The pattern is echoed: it is config, not a secret (unlike adapter settings).
    if (typeof regex === 'string') throw new ParleyError('CONFIG', `Invalid ${at}: the pattern ${regex}.`, { details: { key: at } });
    return { name: n.name, regex };
  });
  const names = nationalIds.map((n) => n.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new ParleyError('CONFIG', `Invalid ${key}.nationalIds: the name "${twice}" is used twice.`, { details: { key: `${key}.nationalIds` } });
  const policy: RedactionPolicy = { rules: { kinds: input.kinds ?? PII_KINDS, nationalIds }, original: input.original ?? 'drop' };
  compiled.set(input, policy);
  return policy;
}
