import type { VendorMessage, VendorRecord } from '../api.js';
import { Badge, when } from '../ui.js';
import { compactJson } from './json-compact.js';

// One vendor exchange in the event inspector: a request Parley sent to a vendor API (→) or a webhook a vendor
// sent to Parley (←), as the LivePerson demo's request and notification consoles showed them. Headers and
// bodies come masked from the server; they open on demand, since most of the time the line says enough.

const tone = (r: VendorRecord): 'good' | 'warn' | 'bad' => (r.status === undefined ? 'bad' : r.status < 300 ? 'good' : r.status === 429 || r.status >= 500 ? 'warn' : 'bad');

export function VendorRecordView({ record: r }: { record: VendorRecord }) {
  const sent = r.direction === 'out';
  return (
    <li class="pc-entry pc-entry-vendor" data-testid="inspector-vendor" data-direction={r.direction} data-adapter={r.adapter}>
      <div class="pc-entry-head">
        <span class={`pc-tag pc-vendor-${r.direction}`}>{sent ? '→ sent' : '← received'}</span>
        <span class="pc-mono pc-small">{r.adapter}</span>
        <span class="pc-mono pc-small pc-vendor-url" data-testid="inspector-vendor-url">
          {r.method} {r.url}
        </span>
        <span class="pc-spacer" />
        <Badge tone={tone(r)} testid="inspector-vendor-status">
          {r.status ?? r.failure ?? '—'}
        </Badge>
        <span class="pc-muted pc-small">
          {r.durationMs} ms{r.attempt && r.attempt > 1 ? ` · attempt ${r.attempt}` : ''}
          {r.error ? ` · ${r.error}` : ''} · {when(r.at)}
        </span>
      </div>
      <details class="pc-vendor-details">
        <summary>{sent ? 'Request and response' : 'Notification and answer'} (masked)</summary>
        <Half title={sent ? 'Request' : 'Received'} m={r.request} />
        {r.response ? <Half title={sent ? 'Response' : 'Answered'} m={r.response} /> : null}
      </details>
    </li>
  );
}

function Half({ title, m }: { title: string; m: VendorMessage }) {
  return (
    <div class="pc-vendor-half">
      <h4 class="pc-small">
        {title} <span class="pc-muted">· {m.bytes} bytes{m.truncated ? ' · cut' : ''}</span>
      </h4>
      <pre class="pc-json" tabIndex={0} role="region" aria-label={`${title} headers`}>
        {compactJson(m.headers)}
      </pre>
      {m.body !== undefined ? (
        <pre class="pc-json" tabIndex={0} role="region" aria-label={`${title} body`} data-testid="inspector-vendor-body">
          {pretty(m.body)}
        </pre>
      ) : m.omitted ? (
        <p class="pc-muted pc-small">Body not kept: {m.omitted}</p>
      ) : null}
    </div>
  );
}

function pretty(body: string): string {
  try {
    return compactJson(JSON.parse(body));
  } catch {
    return body;
  }
}
