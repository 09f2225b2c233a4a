import { useState } from 'preact/hooks';
import { cannedApi } from '../api.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { invalidateCanned } from '../inbox/canned.js';
import { Card, ErrorNote, Field, Page, Table } from '../ui.js';
import { useLoad } from '../use-load.js';

// The team's canned responses. Agents insert them by typing "/" and the shortcut in the reply box.

export function CannedPage() {
  const { client } = useConsole();
  const list = useLoad(() => cannedApi.list(client.token));
  const [shortcut, setShortcut] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);

  const changed = async () => {
    invalidateCanned();
    await list.reload();
  };

  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await cannedApi.create(client.token, { shortcut: shortcut.trim().replace(/^\//, ''), text });
      setShortcut('');
      setText('');
      await changed();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Page title="Canned responses">
      <ErrorNote error={error ?? list.error} />
      <Card>
        <Table testid="canned-table" headers={['Shortcut', 'Text', '']}>
            {(list.data ?? []).map((c) => (
              <tr key={c.id} data-testid="canned-row">
                <td class="pc-mono">/{c.shortcut}</td>
                <td class="pc-prewrap">{c.text}</td>
                <td>
                  <button
                    type="button"
                    class="pc-btn pc-btn-danger pc-btn-small"
                    onClick={() => {
                      if (!window.confirm(`Delete /${c.shortcut}?`)) return;
                      cannedApi.remove(client.token, c.id).then(changed, (err: unknown) => setError(errorText(err)));
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
        </Table>
        {list.data?.length === 0 ? <p class="pc-empty">No canned responses yet.</p> : null}
      </Card>
      <Card title="Add a canned response" testid="create-canned">
        <form class="pc-form" onSubmit={create}>
          <Field label="Shortcut" hint="Agents type /shortcut. Letters, digits, - and _.">
            <input required maxLength={50} pattern="/?[A-Za-z0-9][A-Za-z0-9_\-]*" value={shortcut} onInput={(e) => setShortcut(e.currentTarget.value)} data-testid="new-canned-shortcut" />
          </Field>
          <Field label="Text">
            <textarea required rows={3} maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} data-testid="new-canned-text" />
          </Field>
          <div class="pc-form-actions">
            <span class="pc-spacer" />
            <button type="submit" class="pc-btn pc-btn-primary" data-testid="new-canned-submit">
              Add
            </button>
          </div>
        </form>
      </Card>
    </Page>
  );
}
