import { useEffect, useState } from 'preact/hooks';
import type { AssignmentMode } from '../../../sdk/src/index.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { Card, ErrorNote, Field, Page, Table } from '../ui.js';
import { useLoad } from '../use-load.js';

// Queues: how chats are handed out (round-robin to available agents, or agents pick them up by hand) and
// how many wait in each right now. The counts follow the stream, with a slow poll as a backstop for
// queues this admin is not a member of (their events do not reach this socket).

const POLL_MS = 2000;

export function QueuesPage() {
  const { client } = useConsole();
  const queues = useLoad(() => client.admin.queues());
  const [name, setName] = useState('');
  const [assignment, setAssignment] = useState<AssignmentMode>('round_robin');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const off = client.on('conversation', () => void queues.reload());
    const t = setInterval(() => void queues.reload(), POLL_MS);
    return () => {
      off();
      clearInterval(t);
    };
  }, [client]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await client.admin.createQueue({ name: name.trim(), assignment });
      setName('');
      await queues.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Page title="Queues">
      <ErrorNote error={queues.error} />
      <Card>
        <Table testid="queues-table" headers={['Name', 'Assignment', 'Waiting now', 'Id']}>
            {(queues.data ?? []).map((q) => (
              <tr key={q.id} data-testid="queue-row" data-name={q.name}>
                <td>{q.name}</td>
                <td>{q.assignment === 'round_robin' ? 'Round-robin' : 'Manual (agents accept)'}</td>
                <td data-testid="queue-waiting">{q.waiting ?? 0}</td>
                <td class="pc-mono pc-small">{q.id}</td>
              </tr>
            ))}
        </Table>
      </Card>
      <Card title="Add a queue" testid="create-queue">
        <form class="pc-inline-form" onSubmit={submit}>
          <Field label="Name" hint="Letters, digits, space, . _ -">
            <input required maxLength={100} pattern="[A-Za-z0-9 _.\-]+" value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="new-queue-name" />
          </Field>
          <Field label="Assignment">
            <select value={assignment} onChange={(e) => setAssignment(e.currentTarget.value as AssignmentMode)} data-testid="new-queue-assignment">
              <option value="round_robin">Round-robin</option>
              <option value="manual">Manual</option>
            </select>
          </Field>
          <button type="submit" class="pc-btn pc-btn-primary" data-testid="new-queue-submit">
            Add queue
          </button>
        </form>
        <ErrorNote error={error} />
      </Card>
    </Page>
  );
}
