import { useEffect, useRef, useState } from 'preact/hooks';
import type { Conversation, Delivery } from '../../../sdk/src/index.js';
import { deliveriesOf, vendorTrafficOf, type VendorRecord } from '../api.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { customerName } from '../inbox/labels.js';
import { href, navigate } from '../router.js';
import { Badge, Card, Dialog, Empty, ErrorNote, Page, when } from '../ui.js';
import { useLoad } from '../use-load.js';
import { deliveryTone } from './deliveries-page.js';
import { compactJson } from './json-compact.js';
import { watchConversation, type InspectorFrame, type WatchState } from './inspector-stream.js';
import { VendorRecordView } from './vendor-record.js';

// The event inspector (what the LivePerson connector demo's request and notification consoles gave
// developers): every event of one conversation as the raw JSON the stream carries, newest first, as it
// happens — with where it came from and, for each, its deliveries to the other legs and their status.
// Typing signals show too, marked as not stored. Interleaved with them, by time, the conversation's vendor
// traffic: each raw request Parley sent to a vendor API and each webhook a vendor sent, masked by the server
// (kept in its memory for a while; loaded once watching, then live as `vendor` frames).

interface Entry {
  key: string;
  frame: InspectorFrame;
  at: string;
}

const DELIVERY_POLL_MS = 2000;
const MAX_ENTRIES = 1000;
const MAX_VENDOR = 400;

/** A row of the list: an event or signal, or a vendor exchange, with the time it is sorted by. */
type Row = { kind: 'entry'; at: string; entry: Entry } | { kind: 'vendor'; at: string; record: VendorRecord };

const entryTime = (e: Entry): string => (e.frame.type === 'event' ? ((e.frame.event as { createdAt?: string }).createdAt ?? e.at) : e.at);

/** Records by id (REST and live frames overlap), newest first, bounded. */
function mergeRecords(list: VendorRecord[], more: VendorRecord[]): VendorRecord[] {
  const byId = new Map(list.map((r) => [r.id, r]));
  for (const r of more) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, MAX_VENDOR);
}

export function InspectorPage({ conversationId }: { conversationId: string | undefined }) {
  const { client } = useConsole();
  const open = useLoad(() => client.conversations('all'));
  const [manual, setManual] = useState('');
  return (
    <Page title="Event inspector">
      <div class="pc-inspector">
        <Card title="Conversation">
          <form
            class="pc-id-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (manual.trim()) navigate('admin', 'inspector', manual.trim());
            }}
          >
            <input value={manual} onInput={(e) => setManual(e.currentTarget.value)} placeholder="cv_… (any, even ended)" aria-label="Conversation id" data-testid="inspector-id" />
            <button type="submit" class="pc-btn">
              Watch
            </button>
          </form>
          <ErrorNote error={open.error} />
          <ul class="pc-pick-list" data-testid="inspector-conversations">
            {(open.data ?? []).map((c: Conversation) => (
              <li key={c.id}>
                <a href={href('admin', 'inspector', c.id)} aria-current={c.id === conversationId ? 'true' : undefined} data-testid="inspector-pick">
                  <span>{customerName(c)}</span> <span class="pc-muted pc-small">{c.phase}</span>
                  <span class="pc-mono pc-small pc-block">{c.id}</span>
                </a>
              </li>
            ))}
          </ul>
          {open.data?.length === 0 ? <p class="pc-empty">No open conversations. Paste an id to inspect an ended one.</p> : null}
        </Card>
        {conversationId ? <Watch key={conversationId} id={conversationId} /> : <Empty>Choose a conversation to watch its events live.</Empty>}
      </div>
    </Page>
  );
}

function Watch({ id }: { id: string }) {
  const { client } = useConsole();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [state, setState] = useState<WatchState>('connecting');
  const [detail, setDetail] = useState<string | undefined>(undefined);
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [error, setError] = useState<string | null>(null);
  const poll = useRef<() => void>(() => undefined);
  const [transcript, setTranscript] = useState(false);
  const [vendor, setVendor] = useState<VendorRecord[]>([]);

  useEffect(() => {
    let live = true;
    let soon: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      deliveriesOf(client.token, id).then(
        (d) => live && (setDeliveries(d), setError(null)),
        (e: unknown) => live && setError(errorText(e)),
      );
    // A new event usually means new deliveries: look shortly after it, not only on the next tick.
    poll.current = () => {
      if (soon) clearTimeout(soon);
      soon = setTimeout(() => void load(), 150);
    };
    void load();
    const t = setInterval(() => void load(), DELIVERY_POLL_MS);
    const stop = watchConversation(client.token, id, {
      onFrame(frame) {
        if (frame.type === 'vendor') {
          const record = frame.record as VendorRecord;
          setVendor((list) => mergeRecords(list, [record]));
          return;
        }
        const key = frame.type === 'event' ? `e${(frame.event as { seq: number }).seq}` : `s${Date.now()}${Math.random()}`;
        setEntries((list) => [{ key, frame, at: new Date().toISOString() }, ...list].slice(0, MAX_ENTRIES));
        if (frame.type === 'event') poll.current();
      },
      onState(s, d) {
        setState(s);
        setDetail(d);
        // Once live frames flow, what was kept before: the two overlap and merge by id, so nothing is missed.
        if (s === 'watching') {
          vendorTrafficOf(client.token, id).then(
            (records) => live && setVendor((list) => mergeRecords(list, records)),
            (e: unknown) => live && setError(errorText(e)),
          );
        }
      },
    });
    return () => {
      live = false;
      clearInterval(t);
      if (soon) clearTimeout(soon);
      stop();
    };
  }, [client, id]);

  const bySeq = new Map<number, Delivery[]>();
  for (const d of deliveries) bySeq.set(d.seq, [...(bySeq.get(d.seq) ?? []), d]);
  const events = entries.filter((e) => e.frame.type === 'event').length;
  const rows: Row[] = [...entries.map((entry): Row => ({ kind: 'entry', at: entryTime(entry), entry })), ...vendor.map((record): Row => ({ kind: 'vendor', at: record.at, record }))];
  // Newest first; a stable sort keeps arrival order among equal times.
  rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));

  return (
    <section class="pc-watch" aria-label="Events" data-testid="inspector">
      <header class="pc-watch-head">
        <div>
          <h2 class="pc-mono">{id}</h2>
          <span class="pc-muted pc-small">
            {events} event{events === 1 ? '' : 's'} · {entries.length - events} signal{entries.length - events === 1 ? '' : 's'} · {vendor.length} vendor exchange
            {vendor.length === 1 ? '' : 's'}
          </span>
        </div>
        <div class="pc-form-actions">
          <button type="button" class="pc-btn pc-btn-small" onClick={() => setTranscript(true)} data-testid="transcript-open">
            Transcript
          </button>
          <Badge tone={state === 'watching' ? 'good' : state === 'refused' ? 'bad' : 'warn'} testid="inspector-state">
            {state === 'watching' ? '● Live' : state}
          </Badge>
        </div>
      </header>
      <TranscriptDialog id={id} open={transcript} onClose={() => setTranscript(false)} />
      {detail ? <ErrorNote error={detail} /> : null}
      <ErrorNote error={error} />
      {rows.length === 0 ? <Empty>{state === 'watching' ? 'No events yet.' : 'Connecting…'}</Empty> : null}
      <ol class="pc-entries" reversed>
        {rows.map((row) =>
          row.kind === 'vendor' ? (
            <VendorRecordView key={row.record.id} record={row.record} />
          ) : (
            <EntryView
              key={row.entry.key}
              entry={row.entry}
              deliveries={row.entry.frame.type === 'event' ? (bySeq.get((row.entry.frame.event as { seq: number }).seq) ?? []) : []}
              onRetry={(d) => client.admin.retryDelivery(d.id).then(() => poll.current(), (err: unknown) => setError(errorText(err)))}
            />
          ),
        )}
      </ol>
    </section>
  );
}

function EntryView({ entry, deliveries, onRetry }: { entry: Entry; deliveries: Delivery[]; onRetry: (d: Delivery) => void }) {
  const f = entry.frame;
  if (f.type !== 'event') {
    return (
      <li class="pc-entry pc-entry-signal" data-testid="inspector-signal" data-type={f.type}>
        <div class="pc-entry-head">
          <span class="pc-tag">{f.type}</span>
          <span class="pc-muted pc-small">signal · not stored · received {when(entry.at)}</span>
        </div>
        <JsonBlock value={f} label={`${f.type} signal as JSON`} />
      </li>
    );
  }
  const e = f.event as { seq: number; kind: string; origin: string | null; createdAt: string; author?: { role?: string } };
  const from = e.origin === 'channel' ? 'in from the channel (customer)' : e.origin === 'desk' ? 'in from the desk (agent)' : 'made by Parley';
  return (
    <li class="pc-entry" data-testid="inspector-event" data-seq={e.seq} data-kind={e.kind}>
      <div class="pc-entry-head">
        <span class="pc-seq">#{e.seq}</span>
        <span class={`pc-tag pc-kind-${e.kind}`}>{e.kind}</span>
        <span class="pc-muted pc-small">
          {from} · {when(e.createdAt)}
        </span>
        <span class="pc-spacer" />
        {deliveries.map((d) => (
          <span key={d.id} class="pc-delivery" data-testid="inspector-delivery" data-leg={d.leg} data-status={d.status} title={d.lastError ?? `${d.attempts} attempt(s)`}>
            → {d.leg} · {d.adapter}: <Badge tone={deliveryTone(d.status)}>{d.status}</Badge>
            {d.attempts > 0 ? <span class="pc-muted pc-small"> ×{d.attempts}</span> : null}
            {d.status === 'failed' ? (
              <button type="button" class="pc-btn pc-btn-small" onClick={() => onRetry(d)} data-testid="inspector-retry">
                Retry
              </button>
            ) : null}
          </span>
        ))}
      </div>
      <JsonBlock value={f.event} label={`Event ${e.seq} (${e.kind}) as JSON`} testid="inspector-json" />
    </li>
  );
}

/** A frame as JSON. A long one scrolls, so the block takes focus (with a name) to be scrolled by keyboard. */
function JsonBlock({ value, label, testid }: { value: unknown; label: string; testid?: string }) {
  return (
    <pre class="pc-json" tabIndex={0} role="region" aria-label={label} data-testid={testid}>
      {compactJson(value)}
    </pre>
  );
}

/**
 * The hub's HTML transcript, for people. It is shown in an iframe with an empty sandbox (no scripts, no
 * same-origin access) and given as srcdoc, so even a transcript that somehow held markup could do nothing.
 */
function TranscriptDialog({ id, open, onClose }: { id: string; open: boolean; onClose: () => void }) {
  const { client } = useConsole();
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    setHtml(null);
    setError(null);
    client.admin.transcriptHtml(id).then(setHtml, (e: unknown) => setError(errorText(e)));
  }, [open, id]);
  return (
    <Dialog title="Transcript" open={open} onClose={onClose} testid="transcript">
      <div class="pc-transcript">
        <ErrorNote error={error} />
        {html !== null ? <iframe sandbox="" srcdoc={html} title="Transcript" data-testid="transcript-frame" /> : error ? null : <p class="pc-empty">Loading…</p>}
      </div>
    </Dialog>
  );
}
