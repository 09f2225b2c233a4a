import { useEffect, useState } from 'preact/hooks';
import type { AgentWithPresence, Queue } from '../../../sdk/src/index.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { Dialog, ErrorNote, Field } from '../ui.js';

// Hand a chat to a colleague (they join at once) or back to a queue (it waits there), with an optional
// note for whoever picks it up. Online agents are listed first: a transfer to someone who is away works,
// but the customer waits until they come back.

export function TransferDialog({ open, onClose, onTransfer }: { open: boolean; onClose: () => void; onTransfer: (to: { toAgentId: string } | { toQueueId: string }, target: { label: string; note: string }) => Promise<void> }) {
  const { client, me } = useConsole();
  const [agents, setAgents] = useState<AgentWithPresence[]>([]);
  const [queues, setQueues] = useState<Queue[]>([]);
  const [target, setTarget] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setTarget('');
    setNote('');
    setError(null);
    Promise.all([client.agents(), client.queues()])
      .then(([a, q]) => {
        setAgents(a.filter((x) => x.id !== me.id).sort((x, y) => Number(y.online) - Number(x.online) || x.name.localeCompare(y.name)));
        setQueues(q);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [open]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const [kind, id] = target.split(':');
    if (!kind || !id) return setError('Choose an agent or a queue.');
    setBusy(true);
    setError(null);
    try {
      const label = kind === 'agent' ? (agents.find((a) => a.id === id)?.name ?? 'another agent') : `the ${queues.find((q) => q.id === id)?.name ?? ''} queue`;
      await onTransfer(kind === 'agent' ? { toAgentId: id } : { toQueueId: id }, { label, note: note.trim() });
      onClose();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Transfer chat" open={open} onClose={onClose} testid="transfer-dialog">
      <form class="pc-form" onSubmit={submit}>
        <Field label="Transfer to">
          <select value={target} onChange={(e) => setTarget(e.currentTarget.value)} required data-testid="transfer-target">
            <option value="">Choose…</option>
            <optgroup label="Agents">
              {agents.map((a) => (
                <option key={a.id} value={`agent:${a.id}`}>
                  {a.name} — {a.online ? (a.status === 'available' ? 'online' : a.status) : 'offline'}
                </option>
              ))}
            </optgroup>
            <optgroup label="Queues">
              {queues.map((q) => (
                <option key={q.id} value={`queue:${q.id}`}>
                  {q.name}
                </option>
              ))}
            </optgroup>
          </select>
        </Field>
        <Field label="Note for the next agent (optional)">
          <textarea rows={3} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} data-testid="transfer-note" />
        </Field>
        <ErrorNote error={error} />
        <div class="pc-form-actions">
          <button type="button" class="pc-btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="pc-btn pc-btn-primary" disabled={busy || !target} data-testid="transfer-submit">
            Transfer
          </button>
        </div>
      </form>
    </Dialog>
  );
}
