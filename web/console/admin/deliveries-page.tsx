import { useEffect, useState } from 'preact/hooks';
import type { Delivery, DeliveryStatus } from '../../../sdk/src/index.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { href } from '../router.js';
import { Badge, Card, ErrorNote, Page, when, Table } from '../ui.js';
import { useLoad } from '../use-load.js';

// The outbox: every event on its way to a channel or a desk. Failed ones (the destination refused, or
// every retry ran out) can be put back in their lane; the dispatcher then tries again, in seq order.

const STATUSES: (DeliveryStatus | '')[] = ['failed', 'pending', 'sent', 'delivered', 'read', ''];
const POLL_MS = 3000;

export function deliveryTone(s: DeliveryStatus): 'good' | 'warn' | 'bad' | 'info' | 'neutral' {
  return s === 'failed' ? 'bad' : s === 'pending' ? 'warn' : s === 'read' ? 'info' : 'good';
}

export function DeliveriesPage() {
  const { client } = useConsole();
  const [status, setStatus] = useState<DeliveryStatus | ''>('failed');
  const list = useLoad(() => client.admin.deliveries(status || undefined), [status]);
  const [error, setError] = useState<string | null>(null);
  const [retried, setRetried] = useState<Set<string>>(new Set());

  useEffect(() => {
    const t = setInterval(() => void list.reload(), POLL_MS);
    return () => clearInterval(t);
  }, [list.reload]);

  const retry = async (d: Delivery) => {
    setError(null);
    try {
      await client.admin.retryDelivery(d.id);
      setRetried((s) => new Set(s).add(d.id));
      await list.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <Page
      title="Deliveries"
      actions={
        <label class="pc-inline">
          <span class="pc-label">Status</span>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as DeliveryStatus | '')} data-testid="delivery-status-filter">
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'all'}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <ErrorNote error={error ?? list.error} />
      <Card>
        <Table testid="deliveries-table" headers={['Conversation', 'Seq', 'To', 'Status', 'Attempts', 'Last error', 'Updated', '']}>
            {(list.data ?? []).map((d) => (
              <tr key={d.id} data-testid="delivery-row" data-delivery-id={d.id} data-status={d.status}>
                <td>
                  <a class="pc-mono pc-small" href={href('admin', 'inspector', d.conversationId)} title="Open in the inspector">
                    {d.conversationId}
                  </a>
                </td>
                <td>{d.seq}</td>
                <td>
                  {d.leg} · <span class="pc-mono">{d.adapter}</span>
                </td>
                <td>
                  <Badge tone={deliveryTone(d.status)} testid="delivery-status">
                    {d.status}
                  </Badge>
                </td>
                <td>{d.attempts}</td>
                <td class="pc-small pc-error-text">{d.lastError ?? ''}</td>
                <td>{when(d.updatedAt)}</td>
                <td>
                  {d.status === 'failed' ? (
                    <button type="button" class="pc-btn pc-btn-small" onClick={() => void retry(d)} data-testid="delivery-retry">
                      Retry
                    </button>
                  ) : retried.has(d.id) ? (
                    <span class="pc-muted pc-small">retried</span>
                  ) : null}
                </td>
              </tr>
            ))}
        </Table>
        {list.data?.length === 0 ? <p class="pc-empty">{status === 'failed' ? 'No failed deliveries.' : 'Nothing here.'}</p> : null}
      </Card>
    </Page>
  );
}
