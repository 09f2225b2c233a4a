import { Fragment } from 'preact';
import type { Conversation, Queue } from '../../../sdk/src/index.js';
import { Avatar } from '../../shared/avatar.js';
import { Badge, when } from '../ui.js';
import { customerName } from './labels.js';

// The right column: who the customer is (name, e-mail, whether the business vouched for them), the ids
// they are known by, where they write from, and what a bot or the website handed over (`context`). Every
// value is rendered as text: customers choose their own names.

export function CustomerPanel({ c, queues }: { c: Conversation; queues: Queue[] }) {
  const contact = c.contact;
  const name = customerName(c);
  const queue = queues.find((q) => q.id === c.queueId);
  const context = Object.entries(c.context ?? {});
  return (
    <aside class="pc-details" aria-label="Customer details" data-testid="customer-panel">
      <div class="pc-details-head">
        <Avatar name={name} size={48} />
        <div>
          <h2 data-testid="customer-name">{name}</h2>
          {contact?.verified ? (
            <Badge tone="good" testid="customer-verified">
              ✓ Verified
            </Badge>
          ) : (
            <Badge tone="neutral" testid="customer-unverified">
              Not verified
            </Badge>
          )}
        </div>
      </div>
      <dl class="pc-dl">
        <dt>E-mail</dt>
        <dd data-testid="customer-email">{contact?.email ?? '—'}</dd>
        <dt>Channel</dt>
        <dd data-testid="customer-channel">{c.channel}</dd>
        <dt>Queue</dt>
        <dd>{queue?.name ?? c.queueId ?? '—'}</dd>
        <dt>Started</dt>
        <dd>{when(c.createdAt)}</dd>
        <dt>Customer since</dt>
        <dd>{when(contact?.createdAt)}</dd>
        <dt>Conversation</dt>
        <dd class="pc-mono pc-small">{c.id}</dd>
      </dl>
      <h3>Identities</h3>
      {c.identities && c.identities.length > 0 ? (
        <ul class="pc-identities" data-testid="customer-identities">
          {c.identities.map((i) => (
            <li key={`${i.channel}:${i.externalId}`}>
              <span class="pc-tag">{i.channel}</span> <span class="pc-mono">{i.externalId}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="pc-empty">Anonymous visitor</p>
      )}
      <h3>Context</h3>
      {context.length > 0 ? (
        <dl class="pc-dl pc-context" data-testid="customer-context">
          {context.map(([k, v]) => (
            <Fragment key={k}>
              <dt>{k}</dt>
              <dd>{typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : <pre class="pc-pre">{JSON.stringify(v, null, 2)}</pre>}</dd>
            </Fragment>
          ))}
        </dl>
      ) : (
        <p class="pc-empty">Nothing was handed over.</p>
      )}
    </aside>
  );
}
