import { useState } from 'preact/hooks';
import type { AgentRole, AgentWithPresence, Queue } from '../../../sdk/src/index.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { Badge, Card, ErrorNote, Field, Page, Table } from '../ui.js';
import { useLoad } from '../use-load.js';

// Agents: who can log in, their role, how many chats each takes at once, and which queues feed them.

export function AgentsPage() {
  const { client } = useConsole();
  const agents = useLoad(() => client.admin.agents());
  const queues = useLoad(() => client.admin.queues());
  const [editing, setEditing] = useState<string | null>(null);
  const qs = queues.data ?? [];

  return (
    <Page title="Agents">
      <ErrorNote error={agents.error ?? queues.error} />
      <Card>
        <Table testid="agents-table" headers={['Name', 'E-mail', 'Role', 'Capacity', 'Queues', 'Status', '']}>
            {(agents.data ?? []).map((a) =>
              editing === a.id ? (
                <EditRow key={a.id} a={a} queues={qs} onDone={() => (setEditing(null), void agents.reload())} />
              ) : (
                <tr key={a.id} data-testid="agent-row" data-email={a.email}>
                  <td>{a.name}</td>
                  <td class="pc-mono">{a.email}</td>
                  <td>{a.role === 'admin' ? <Badge tone="info">admin</Badge> : 'agent'}</td>
                  <td data-testid="agent-capacity">{a.capacity}</td>
                  <td data-testid="agent-queues">{a.queueIds.map((id) => qs.find((q) => q.id === id)?.name ?? id).join(', ') || '—'}</td>
                  <td>{a.disabled ? <Badge tone="warn">disabled</Badge> : a.online ? <Badge tone={a.status === 'available' ? 'good' : 'warn'}>{a.status}</Badge> : <Badge>offline</Badge>}</td>
                  <td>
                    <button type="button" class="pc-btn pc-btn-small" onClick={() => setEditing(a.id)} data-testid="agent-edit">
                      Edit
                    </button>
                  </td>
                </tr>
              ),
            )}
        </Table>
      </Card>
      <CreateAgent queues={qs} onCreated={() => void agents.reload()} />
    </Page>
  );
}

function QueuePicker({ queues, value, onChange }: { queues: Queue[]; value: string[]; onChange: (ids: string[]) => void }) {
  return (
    <div class="pc-checks" role="group" aria-label="Queues">
      {queues.map((q) => (
        <label key={q.id} class="pc-check">
          <input type="checkbox" checked={value.includes(q.id)} onChange={(e) => onChange(e.currentTarget.checked ? [...value, q.id] : value.filter((x) => x !== q.id))} data-testid={`queue-check-${q.name}`} />
          {q.name}
        </label>
      ))}
    </div>
  );
}

function EditRow({ a, queues, onDone }: { a: AgentWithPresence; queues: Queue[]; onDone: () => void }) {
  const { client } = useConsole();
  const [role, setRole] = useState<AgentRole>(a.role);
  const [capacity, setCapacity] = useState(String(a.capacity));
  const [queueIds, setQueueIds] = useState(a.queueIds);
  const [password, setPassword] = useState('');
  const [disabled, setDisabled] = useState(a.disabled);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    try {
      // Only what changed: a PATCH names the fields it changes, and the server checks each (admins, last admin).
      const patch = {
        ...(role !== a.role ? { role } : {}),
        ...(Number(capacity) !== a.capacity ? { capacity: Number(capacity) } : {}),
        ...(queueIds.join() !== a.queueIds.join() ? { queues: queueIds } : {}),
        ...(disabled !== a.disabled ? { disabled } : {}),
        ...(password ? { password } : {}),
      };
      await client.admin.updateAgent(a.id, patch);
      onDone();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <tr data-testid="agent-edit-row" data-email={a.email} class="pc-editing">
      <td>{a.name}</td>
      <td class="pc-mono">{a.email}</td>
      <td>
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as AgentRole)} aria-label="Role" data-testid="edit-role">
          <option value="agent">agent</option>
          <option value="admin">admin</option>
        </select>
      </td>
      <td>
        <input type="number" min={1} max={1000} value={capacity} onInput={(e) => setCapacity(e.currentTarget.value)} aria-label="Capacity" class="pc-narrow" data-testid="edit-capacity" />
      </td>
      <td>
        <QueuePicker queues={queues} value={queueIds} onChange={setQueueIds} />
      </td>
      <td>
        <input type="password" minLength={8} autocomplete="new-password" placeholder="New password (optional)" value={password} onInput={(e) => setPassword(e.currentTarget.value)} aria-label="New password" data-testid="edit-password" />
        <label class="pc-check">
          <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.currentTarget.checked)} data-testid="edit-disabled" />
          Disabled (cannot log in)
        </label>
        <ErrorNote error={error} />
      </td>
      <td>
        <button type="button" class="pc-btn pc-btn-primary" onClick={() => void save()} data-testid="edit-save">
          Save
        </button>{' '}
        <button type="button" class="pc-btn pc-btn-quiet" onClick={onDone}>
          Cancel
        </button>
      </td>
    </tr>
  );
}

function CreateAgent({ queues, onCreated }: { queues: Queue[]; onCreated: () => void }) {
  const { client } = useConsole();
  const [form, setForm] = useState({ name: '', email: '', password: '', role: 'agent' as AgentRole, capacity: '5' });
  const [queueIds, setQueueIds] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    try {
      const a = await client.admin.createAgent({ ...form, capacity: Number(form.capacity), ...(queueIds.length ? { queues: queueIds } : {}) });
      setDone(`${a.name} can now log in as ${a.email}.`);
      setForm({ name: '', email: '', password: '', role: 'agent', capacity: '5' });
      setQueueIds([]);
      onCreated();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Card title="Add an agent" testid="create-agent">
      <form class="pc-form pc-grid" onSubmit={submit}>
        <Field label="Name">
          <input required maxLength={200} value={form.name} onInput={set('name')} data-testid="new-agent-name" />
        </Field>
        <Field label="E-mail">
          <input required type="email" value={form.email} onInput={set('email')} data-testid="new-agent-email" />
        </Field>
        <Field label="Password" hint="At least 8 characters. Reset it any time with Edit.">
          <input required type="password" minLength={8} autocomplete="new-password" value={form.password} onInput={set('password')} data-testid="new-agent-password" />
        </Field>
        <Field label="Role">
          <select value={form.role} onChange={set('role')} data-testid="new-agent-role">
            <option value="agent">agent</option>
            <option value="admin">admin</option>
          </select>
        </Field>
        <Field label="Capacity" hint="Chats at once.">
          <input type="number" min={1} max={1000} value={form.capacity} onInput={set('capacity')} data-testid="new-agent-capacity" />
        </Field>
        <Field label="Queues" hint="None ticked: the default queue.">
          <QueuePicker queues={queues} value={queueIds} onChange={setQueueIds} />
        </Field>
        <div class="pc-form-actions pc-span">
          <ErrorNote error={error} />
          {done ? (
            <p class="pc-ok" role="status">
              {done}
            </p>
          ) : null}
          <span class="pc-spacer" />
          <button type="submit" class="pc-btn pc-btn-primary" data-testid="new-agent-submit">
            Add agent
          </button>
        </div>
      </form>
    </Card>
  );
}
