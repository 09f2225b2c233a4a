import type { MessageStatus } from './types.js';

// The sender's view of where a message has got to: a clock while it waits in the outbox, ✓ sent (stored by
// Parley), ✓✓ delivered (reached the other side's screen), ✓✓ coloured when read, and a retry button when
// it failed.

const LABELS: Record<MessageStatus, string> = {
  pending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
};

function Check({ x }: { x: number }) {
  return <path d={`M${x + 1} 6.5l2.6 2.6L${x + 9} 3.5`} fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />;
}

export interface StatusTicksProps {
  status: MessageStatus;
  error?: string | undefined;
  /** Offered on failed messages: send again. */
  onRetry?: (() => void) | undefined;
  /** Offered on failed messages: give up and remove it. */
  onDiscard?: (() => void) | undefined;
}

export function StatusTicks({ status, onRetry, onDiscard, error }: StatusTicksProps) {
  if (status === 'failed') {
    return (
      <span class="pw-status pw-failed" data-testid="parley-status">
        <span role="img" aria-label={LABELS.failed}>
          ⚠
        </span>{' '}
        <span title={error}>{error ? `Not sent: ${error}` : 'Not sent'}</span>
        {onRetry ? (
          <button type="button" class="pw-retry" data-testid="parley-retry" onClick={onRetry}>
            Retry
          </button>
        ) : null}
        {onDiscard ? (
          <button type="button" class="pw-retry" data-testid="parley-discard" onClick={onDiscard}>
            Delete
          </button>
        ) : null}
      </span>
    );
  }
  return (
    <span class={`pw-status pw-${status}`} data-testid="parley-status" role="img" aria-label={LABELS[status]} title={LABELS[status]}>
      {status === 'pending' ? (
        <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
          <circle cx="6" cy="6" r="4.8" fill="none" stroke="currentColor" stroke-width="1.3" />
          <path d="M6 3.4V6l1.8 1.2" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linecap="round" />
        </svg>
      ) : (
        <svg width={status === 'sent' ? 12 : 17} height="12" viewBox={`0 0 ${status === 'sent' ? 12 : 17} 12`} aria-hidden="true">
          <Check x={0} />
          {status === 'sent' ? null : <Check x={5} />}
        </svg>
      )}
    </span>
  );
}
