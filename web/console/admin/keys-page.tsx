import { useState } from 'preact/hooks';
import type { ApiKeyScope } from '../../../sdk/src/index.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { Badge, Card, ErrorNote, Field, Page, when, Table } from '../ui.js';
import { useLoad } from '../use-load.js';

// API keys for the business's servers. The secret exists only in the answer to "create": it is shown once
// here, with a copy button, and never again (the hub keeps only its hash).

const SCOPES: { id: ApiKeyScope; what: string }[] = [
  { id: 'admin', what: 'everything below' },
  { id: 'agents:write', what: 'manage agents' },
  { id: 'queues:write', what: 'manage queues' },
  { id: 'keys:write', what: 'manage API keys' },
  { id: 'offers:write', what: 'push offers' },
  { id: 'messages:write', what: 'proactive messages' },
  { id: 'conversations:read', what: 'transcripts' },
  { id: 'metrics:read', what: 'read /metrics (Prometheus)' },
];

export function KeysPage() {
  const { client } = useConsole();
  const keys = useLoad(() => client.admin.apiKeys());
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['offers:write']);
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const k = await client.admin.createApiKey({ name: name.trim(), scopes });
      setSecret({ name: k.name, key: k.key });
      setCopied(false);
      setName('');
      await keys.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const revoke = async (id: string, keyName: string) => {
    if (!window.confirm(`Revoke "${keyName}"? Servers using it stop working at once.`)) return;
    try {
      await client.admin.revokeApiKey(id);
      await keys.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Page title="API keys">
      {secret ? (
        <div class="pc-secret" role="status" data-testid="new-key">
          <p>
            <strong>Copy the key for “{secret.name}” now.</strong> It is shown this once; Parley keeps only a hash of it.
          </p>
          <code class="pc-mono" data-testid="new-key-value">
            {secret.key}
          </code>
          <div class="pc-form-actions">
            <button
              type="button"
              class="pc-btn"
              onClick={() => {
                void navigator.clipboard?.writeText(secret.key).then(() => setCopied(true), () => undefined);
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" class="pc-btn pc-btn-primary" onClick={() => setSecret(null)} data-testid="new-key-done">
              I have saved it
            </button>
          </div>
        </div>
      ) : null}
      <ErrorNote error={error ?? keys.error} />
      <Card>
        <Table testid="keys-table" headers={['Name', 'Scopes', 'Created', 'State', '']}>
            {(keys.data ?? []).map((k) => (
              <tr key={k.id} data-testid="key-row" data-name={k.name} data-revoked={k.revokedAt ? 'true' : 'false'}>
                <td>{k.name}</td>
                <td>{k.scopes.join(', ')}</td>
                <td>{when(k.createdAt)}</td>
                <td>{k.revokedAt ? <Badge tone="bad">revoked {when(k.revokedAt)}</Badge> : <Badge tone="good">active</Badge>}</td>
                <td>
                  {k.revokedAt ? null : (
                    <button type="button" class="pc-btn pc-btn-danger pc-btn-small" onClick={() => void revoke(k.id, k.name)} data-testid="key-revoke">
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
        </Table>
      </Card>
      <Card title="Create a key" testid="create-key">
        <form class="pc-form" onSubmit={create}>
          <Field label="Name" hint="Who uses it, e.g. “CRM sync”.">
            <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="new-key-name" />
          </Field>
          <fieldset class="pc-checks">
            <legend class="pc-label">Scopes</legend>
            {SCOPES.map((s) => (
              <label key={s.id} class="pc-check">
                <input type="checkbox" checked={scopes.includes(s.id)} onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s.id] : scopes.filter((x) => x !== s.id))} data-testid={`scope-${s.id}`} />
                <span class="pc-mono">{s.id}</span> <span class="pc-muted">— {s.what}</span>
              </label>
            ))}
          </fieldset>
          <div class="pc-form-actions">
            <span class="pc-spacer" />
            <button type="submit" class="pc-btn pc-btn-primary" disabled={scopes.length === 0} data-testid="new-key-submit">
              Create key
            </button>
          </div>
        </form>
      </Card>
    </Page>
  );
}
