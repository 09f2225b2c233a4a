// Pretty JSON that stays short: one key per line at the top, but small nested values (an author, a text
// part) on one line, so an event fits on screen and its body is not pushed out of view by its envelope.

const INLINE_MAX = 90;

function inline(v: unknown): string {
  if (Array.isArray(v)) return v.length ? `[ ${v.map(inline).join(', ')} ]` : '[]';
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length ? `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(v) ?? 'null';
}

export function compactJson(v: unknown, indent = ''): string {
  const one = inline(v);
  if (one.length + indent.length <= INLINE_MAX || v === null || typeof v !== 'object') return one;
  const inner = `${indent}  `;
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + compactJson(x, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${compactJson(x, inner)}`).join(',\n')}\n${indent}}`;
}
