import { avatarColor } from './avatar-color.js';
import { initials } from './format.js';

// A round badge with someone's initials. The colour is derived from the name, so one agent keeps one
// colour across screens without anyone uploading a picture; avatarColor() keeps the white initials readable.

export function Avatar({ name, size = 32 }: { name: string | undefined | null; size?: number }) {
  const n = name ?? '';
  return (
    <span
      class="pw-avatar"
      data-testid="parley-avatar"
      aria-hidden="true"
      style={{ width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px`, background: avatarColor(n) }}
    >
      {initials(n)}
    </span>
  );
}
