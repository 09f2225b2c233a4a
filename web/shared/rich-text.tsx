import { safeHref } from './format.js';

// Message text as text: URLs become links (http/https only), everything else — including anything that
// looks like HTML — is a text node. Line breaks are kept by CSS (white-space: pre-wrap).

const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

export function RichText({ text }: { text: string }) {
  const out: (string | preact.JSX.Element)[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const href = safeHref(m[0]);
    if (!href) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(
      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
        {m[0]}
      </a>,
    );
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return <>{out}</>;
}
