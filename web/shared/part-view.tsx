import { byteSize, safeHref } from './format.js';
import { QrCode } from './qr-code.js';
import { RichText } from './rich-text.js';
import type { Part } from './types.js';

// Renders one message part. Generic on purpose (props in, callbacks out): the widget, the customer app and
// the agent console all draw messages with it.

export interface PartViewProps {
  part: Part;
  /** Called when a quick reply or a payload button is chosen; absent for read-only views. */
  onReply?: ((title: string, payload: string | undefined) => void) | undefined;
  /** Quick replies are offered only on the latest message; older ones show what was offered, disabled. */
  interactive?: boolean | undefined;
  /** A local preview (object URL) for media not yet read back from the server. */
  previewOf?: ((mediaId: string) => string | undefined) | undefined;
}

export function PartView({ part, onReply, interactive = true, previewOf }: PartViewProps) {
  switch (part.type) {
    case 'text':
      return (
        <p class="pw-text">
          <RichText text={part.text} />
        </p>
      );
    case 'media':
      return <MediaView part={part} preview={previewOf?.(part.mediaId)} />;
    case 'quick_replies':
      return (
        <div class="pw-choices">
          {part.text ? <p class="pw-text">{part.text}</p> : null}
          <div class="pw-chips" role="group" aria-label="Quick replies">
            {part.replies.map((r) => (
              <button
                type="button"
                class="pw-chip"
                data-testid="parley-quick-reply"
                disabled={!onReply || !interactive}
                onClick={() => onReply?.(r.title, r.payload)}
              >
                {r.title}
              </button>
            ))}
          </div>
        </div>
      );
    case 'buttons':
      return (
        <div class="pw-choices">
          {part.text ? <p class="pw-text">{part.text}</p> : null}
          <div class="pw-buttons" role="group">
            {part.buttons.map((b) => {
              const href = b.url ? safeHref(b.url) : undefined;
              return href ? (
                <a class="pw-button" data-testid="parley-button" href={href} target="_blank" rel="noopener noreferrer nofollow">
                  {b.title}
                </a>
              ) : (
                <button type="button" class="pw-button" data-testid="parley-button" disabled={!onReply} onClick={() => onReply?.(b.title, b.payload)}>
                  {b.title}
                </button>
              );
            })}
          </div>
        </div>
      );
    case 'qr':
      return (
        <figure class="pw-qr-figure">
          <QrCode content={part.content} />
          <figcaption class="pw-caption">{part.content}</figcaption>
        </figure>
      );
    case 'location': {
      const label = part.name ?? part.address ?? `${part.lat.toFixed(5)}, ${part.lng.toFixed(5)}`;
      const href = `https://www.openstreetmap.org/?mlat=${part.lat}&mlon=${part.lng}#map=16/${part.lat}/${part.lng}`;
      return (
        <a class="pw-location" data-testid="parley-location" href={href} target="_blank" rel="noopener noreferrer">
          <PinIcon />
          {label}
          {part.name && part.address ? <span class="pw-caption"> · {part.address}</span> : null}
        </a>
      );
    }
    default:
      // A part type this build does not know yet: say so rather than drop it silently.
      return <p class="pw-text pw-muted">(unsupported content)</p>;
  }
}

function MediaView({ part, preview }: { part: Extract<Part, { type: 'media' }>; preview: string | undefined }) {
  const src = part.url ? safeHref(part.url) : preview;
  const isImage = part.mime ? part.mime.startsWith('image/') : Boolean(preview);
  const label = part.caption ?? part.name ?? (isImage ? 'Image' : 'File');
  if (isImage && src) {
    return (
      <figure class="pw-media">
        <a href={part.url ? src : undefined} target="_blank" rel="noopener noreferrer">
          <img class="pw-image" data-testid="parley-image" src={src} alt={label} loading="lazy" />
        </a>
        {part.caption ? <figcaption class="pw-caption">{part.caption}</figcaption> : null}
      </figure>
    );
  }
  if (!src) return <p class="pw-text pw-muted">{isImage ? 'Image' : 'File'} (loading…)</p>;
  return (
    <a class="pw-file" href={src} target="_blank" rel="noopener noreferrer" download={part.name ?? true}>
      <FileIcon />
      {part.name ?? 'File'}
      {part.size ? <span class="pw-caption"> ({byteSize(part.size)})</span> : null}
    </a>
  );
}

// Drawn, not emoji: a system without an emoji font would show an empty box.
function PinIcon() {
  return (
    <svg class="pw-inline-icon" width="14" height="14" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M12 22s-7-6.4-7-12a7 7 0 0114 0c0 5.6-7 12-7 12zm0-9.5a2.5 2.5 0 100-5 2.5 2.5 0 000 5z" fill="currentColor" fill-rule="evenodd" />
    </svg>
  );
}

function FileIcon() {
  return (
    <svg class="pw-inline-icon" width="14" height="14" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M6 2h8l6 6v12a2 2 0 01-2 2H6a2 2 0 01-2-2V4a2 2 0 012-2zm7 1.5V9h5.5" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
    </svg>
  );
}
