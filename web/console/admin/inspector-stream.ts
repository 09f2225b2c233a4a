// The event inspector's own socket. The SDK's client follows the conversations an agent works on; the
// inspector follows any one conversation, raw, so it opens a second stream and sends the admin-only
// `{"type":"watch"}` frame. It reconnects with backoff and resumes after the last seq it showed, so a
// dropped socket neither loses nor repeats an event.

export type InspectorFrame = Record<string, unknown> & { type: string };
export type WatchState = 'connecting' | 'watching' | 'offline' | 'refused';

export interface WatchHandlers {
  /** A frame about the watched conversation (events, typing), as it came off the wire. */
  onFrame(frame: InspectorFrame): void;
  onState(state: WatchState, detail?: string): void;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;

export function watchConversation(token: string, conversationId: string, h: WatchHandlers): () => void {
  let ws: WebSocket | undefined;
  let lastSeq = 0;
  let backoff = MIN_BACKOFF_MS;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    h.onState('connecting');
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams({ token, cursors: JSON.stringify({ [conversationId]: lastSeq }) });
    const sock = new WebSocket(`${proto}//${window.location.host}/v1/stream?${q}`);
    ws = sock;
    sock.onmessage = (m) => {
      const raw = typeof m.data === 'string' ? m.data : '';
      let f: InspectorFrame;
      try {
        f = JSON.parse(raw) as InspectorFrame;
      } catch {
        return;
      }
      if (f.type === 'ready') {
        sock.send(JSON.stringify({ type: 'watch', conversationId, after: lastSeq, ref: 'inspector-watch' }));
        return;
      }
      if (f.type === 'ack' && f.ref === 'inspector-watch') {
        backoff = MIN_BACKOFF_MS;
        h.onState('watching');
        return;
      }
      if (f.type === 'error' && f.ref === 'inspector-watch') {
        const err = f.error as { code?: string; message?: string } | undefined;
        stopped = true;
        h.onState('refused', `${err?.code ?? 'error'}: ${err?.message ?? ''}`);
        sock.close();
        return;
      }
      const about = f.type === 'event' ? (f.event as { conversationId?: string; seq?: number } | undefined) : f;
      if (about?.conversationId !== conversationId) return;
      if (f.type === 'event') {
        const seq = (f.event as { seq: number }).seq;
        if (seq <= lastSeq) return;
        lastSeq = seq;
      }
      h.onFrame(f);
    };
    sock.onclose = () => {
      if (stopped) return;
      h.onState('offline');
      timer = setTimeout(open, backoff + Math.random() * backoff * 0.3);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    };
  };

  open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    ws?.close();
  };
}
