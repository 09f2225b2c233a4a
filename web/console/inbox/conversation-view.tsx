import { useEffect, useRef, useState } from 'preact/hooks';
import type { Queue } from '../../../sdk/src/index.js';
import { MessageList } from '../../shared/message-list.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { Badge, Empty, ErrorNote } from '../ui.js';
import { useCanned } from './canned.js';
import { CustomerPanel } from './customer-panel.js';
import { customerName, phaseLabel } from './labels.js';
import { ReplyComposer } from './reply-composer.js';
import { TransferDialog } from './transfer-dialog.js';
import { useConversationView } from './use-conversation.js';

// One conversation: header with the actions the agent may take now (accept, transfer, end), the whole
// log drawn by the shared message list, the reply box, and the customer's details beside it.

export function ConversationView({ id, onChanged, onLeft }: { id: string; onChanged: () => void; onLeft: (notice: string) => void }) {
  const { client, me } = useConsole();
  const view = useConversationView(id, customerName);
  const canned = useCanned();
  const [queues, setQueues] = useState<Queue[]>([]);
  const [transferOpen, setTransferOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  // Local previews of images I just sent, until the stored event brings its signed URL.
  const previews = useRef(new Map<string, string>());
  // Accept and End remove the button that was pressed; focus goes where the agent works next, not to <body>:
  // the reply box once the accepted chat is mine (it is enabled a moment later), the title after ending.
  const reply = useRef<HTMLTextAreaElement>(null);
  const title = useRef<HTMLHeadingElement>(null);
  const [replyNext, setReplyNext] = useState(false);
  useEffect(() => {
    if (!replyNext || !view.mineAndOpen) return;
    reply.current?.focus();
    setReplyNext(false);
  }, [replyNext, view.mineAndOpen]);

  useEffect(() => {
    client.queues().then(setQueues, () => undefined);
  }, [client]);

  const c = view.conversation;
  if (view.notFound) return <Empty>This conversation is not available to you (it may have been taken by someone else).</Empty>;
  if (!c) return view.error ? <ErrorNote error={view.error} /> : <Empty>Loading…</Empty>;

  const isAdmin = me.role === 'admin';
  const waiting = c.phase === 'queued' || c.phase === 'transferring';
  const canAccept = waiting && c.agentId !== me.id;
  const canManage = c.phase !== 'ended' && (c.agentId === me.id || isAdmin);
  const name = customerName(c);

  const act = async (fn: () => Promise<unknown>, then?: () => void) => {
    setBusy(true);
    setActionError(null);
    try {
      await fn();
      view.reload();
      onChanged();
      then?.();
    } catch (e) {
      setActionError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const disabledReason =
    c.phase === 'ended' ? 'This chat has ended.' : waiting && c.agentId !== me.id ? 'Accept the chat to reply.' : c.agentId !== me.id ? 'Another agent holds this chat.' : undefined;

  return (
    <div class="pc-convo" data-testid="conversation-view" data-conversation-id={c.id} data-phase={c.phase}>
      <section class="pc-thread" aria-label={`Chat with ${name}`}>
        <header class="pc-thread-head">
          <div class="pc-thread-title">
            <h1 ref={title} tabIndex={-1} data-testid="thread-title">
              {name}
            </h1>
            <Badge tone={c.phase === 'active' ? 'good' : c.phase === 'ended' ? 'neutral' : 'warn'} testid="thread-phase">
              {phaseLabel(c)}
            </Badge>
          </div>
          <div class="pc-thread-actions">
            {canAccept ? (
              <button type="button" class="pc-btn pc-btn-primary" disabled={busy} onClick={() => void act(() => client.accept(c.id), () => setReplyNext(true))} data-testid="accept">
                Accept
              </button>
            ) : null}
            {canManage ? (
              <>
                <button type="button" class="pc-btn" disabled={busy} onClick={() => setTransferOpen(true)} data-testid="transfer">
                  Transfer…
                </button>
                <button
                  type="button"
                  class="pc-btn pc-btn-danger"
                  disabled={busy}
                  data-testid="end"
                  onClick={() => {
                    if (window.confirm(`End the chat with ${name}?`)) void act(() => client.end(c.id), () => title.current?.focus());
                  }}
                >
                  End chat
                </button>
              </>
            ) : null}
          </div>
        </header>
        <ErrorNote error={actionError ?? view.error} />
        <div class="pc-log pw-root">
          <MessageList items={view.items} typing={view.typing} previewOf={(mediaId) => previews.current.get(mediaId)} label={`Chat with ${name}`} empty="No messages yet." />
        </div>
        <ReplyComposer
          inputRef={reply}
          disabled={!view.mineAndOpen}
          disabledReason={disabledReason}
          canned={canned}
          onTyping={(t) => client.typing(c.id, t)}
          onUpload={(f) => client.upload(f, f.name)}
          onSend={(input, preview) => {
            if (preview) previews.current.set(preview.mediaId, preview.url);
            client.send(c.id, input);
          }}
        />
      </section>
      <CustomerPanel c={c} queues={queues} />
      <TransferDialog
        open={transferOpen}
        onClose={() => setTransferOpen(false)}
        onTransfer={async (to, target) => {
          const after = await client.transfer(c.id, to, target.note || undefined);
          onChanged();
          // Once it is someone else's, this agent may no longer open it: go back to the lists and say where it went.
          if (after.agentId !== me.id) onLeft(`${name} was transferred to ${target.label}.`);
          else view.reload();
        }}
      />
    </div>
  );
}
