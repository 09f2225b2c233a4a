import { z } from 'zod';
import type { AdapterType } from './types.js';

// The switchboard part of `parley config`: the shape of channels, desks and routes, each known type's
// settings (from its own zod schema, so the text cannot drift from what start-up checks), and an example.

const EXAMPLE = {
  channels: { web: { type: 'web' } },
  desks: {
    inbox: { type: 'inbox' },
  },
  routes: [
    { channel: 'web', entryPoint: 'sales', desk: 'inbox', queue: 'sales' },
    { channel: 'web', desk: 'inbox', queue: 'default' },
  ],
};

function settingsOf(t: AdapterType): string {
  const schema = z.toJSONSchema(t.settings, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { description?: string; type?: string; enum?: unknown[] }>; required?: string[] };
  const props = Object.entries(schema.properties ?? {});
  if (props.length === 0) return '  (no settings)';
  return props
    .map(([key, p]) => {
      const required = schema.required?.includes(key) ? 'required' : 'optional';
      const kind = p.enum ? p.enum.map((v) => JSON.stringify(v)).join(' | ') : (p.type ?? 'value');
      return `  - \`${key}\` (${kind}, ${required})${p.description ? `: ${p.description}` : ''}`;
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

Types:
${byType}

Example:

\`\`\`json
${JSON.stringify(EXAMPLE, null, 2)}
\`\`\`
`;
}
