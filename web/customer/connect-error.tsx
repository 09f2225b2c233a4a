// Shown instead of the chat when the session cannot start (hub unreachable, origin not allowed by CORS).
export function ConnectError({ message, onRetry }: { message: string | null | undefined; onRetry: () => void }) {
  return (
    <div class="pw-offline" role="alert" data-testid="parley-connect-error">
      <p>{message}</p>
      <button type="button" class="pw-primary" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
