import { z } from 'zod';
import { MAX_PATTERN_LENGTH, PII_KINDS } from '../core/pii.js';
import type { AdapterType } from './types.js';

// The switchboard part of `parley config`: the shape of channels, desks and routes, each known type's
// settings (from its own zod schema, so the text cannot drift from what start-up checks), and an example.

const EXAMPLE = {
  channels: { web: { type: 'web' } },
  desks: {
    inbox: { type: 'inbox' },
    'genesys-eu': {
      type: 'genesys',
      region: 'eu_west_1',
      clientId: '0f3c…',
      clientSecret: { env: 'GENESYS_CLIENT_SECRET' },
      integrationId: '9b1d…',
      webhookSecret: { env: 'GENESYS_WEBHOOK_SECRET' },
      queueId: '5e7a…',
    },
  },
  routes: [
    { channel: 'web', entryPoint: 'sales', desk: 'inbox', queue: 'sales' },
    { channel: 'web', entryPoint: 'support', desk: 'genesys-eu', redact: { kinds: ['card', 'email', 'phone', 'iban'], nationalIds: [{ name: 'us-ssn', pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b' }], original: 'admins' } },
    { channel: 'web', desk: 'inbox', queue: 'default', redact: {} },
  ],
};

interface JsonProp {
  description?: string;
  type?: string;
  enum?: unknown[];
  default?: unknown;
  anyOf?: JsonProp[];
  items?: JsonProp;
}

/** `string`, `"a" | "b"`, `string | string[]`: what a setting takes, from its JSON Schema. */
function kindOf(p: JsonProp): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (p.anyOf) return p.anyOf.map(kindOf).join(' | ');
  if (p.type === 'array') return `${p.items ? kindOf(p.items) : 'value'}[]`;
  return p.type ?? 'value';
}

function settingsOf(t: AdapterType): string {
  const schema = z.toJSONSchema(t.settings, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonProp>; required?: string[] };
  const props = Object.entries(schema.properties ?? {});
  if (props.length === 0) return '  (no settings)';
  return props
    .map(([key, p]) => {
      const required = p.default !== undefined ? `default ${JSON.stringify(p.default)}` : schema.required?.includes(key) ? 'required' : 'optional';
      return `  - \`${key}\` (${kindOf(p)}, ${required})${p.description ? `: ${p.description}` : ''}`;
    })
    .join('\n');
}

export function switchboardDoc(types: AdapterType[]): string {
  const byType = types.map((t) => `- \`${t.type}\` (${t.side})\n${settingsOf(t)}`).join('\n');
  return `## Channels, desks and routes (parley.config.json only)

\`channels\` and \`desks\` name instances (lower-case letters, digits and "-"); each has a \`type\` and that type's
settings. Several instances of one type may coexist. Any string setting may be \`{ "env": "NAME" }\` to read a
secret from the environment. \`routes\` are tried in order: the first route for the conversation's channel
whose \`entryPoint\` matches wins, else the channel's route without one. With none of these keys, \`web\` goes to
\`inbox\`.

A route may carry \`redact\`: customer text in its conversations is masked before it is stored or delivered.
\`kinds\` (default all: ${PII_KINDS.map((k) => `\`${k}\``).join(', ')}), \`nationalIds\` (\`[{ name, pattern }]\`, JavaScript
regular expressions, trusted config, at most ${MAX_PATTERN_LENGTH} characters each), \`original\`: \`"drop"\` (default: the
unredacted text is written nowhere) or \`"admins"\` (kept; admins read it at
GET /v1/conversations/:id/events/:eventId/original). See the README's "PII redaction".

Types:
${byType}

Example:

\`\`\`json
${JSON.stringify(EXAMPLE, null, 2)}
\`\`\`
`;
}
