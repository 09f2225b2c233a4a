// "Anna is typing…" with three animated dots. Announced politely to screen readers once, not per dot.

export function TypingIndicator({ name }: { name: string | undefined }) {
  return (
    <div class="pw-typing" data-testid="parley-typing" role="status">
      <span class="pw-dots" aria-hidden="true">
        <i />
        <i />
        <i />
      </span>
      <span class="pw-typing-text">{`${name ?? 'Someone'} is typing…`}</span>
    </div>
  );
}
