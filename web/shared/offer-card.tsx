import { safeHref, shortTime } from './format.js';
import { QrCode } from './qr-code.js';
import { RichText } from './rich-text.js';
import type { Offer } from './types.js';

// One pushed offer (the seed's "notification"): text, a link, an image or a QR code, with a dismiss
// button. Content is always data: a link is only clickable when it is http(s), an image only loads from
// http(s), and text is text.

export function OfferCard({ offer, onDismiss, busy }: { offer: Offer; onDismiss?: (() => void) | undefined; busy?: boolean | undefined }) {
  const href = offer.type === 'link' || offer.type === 'image' ? safeHref(offer.content) : undefined;
  return (
    <article class="pw-offer" data-testid="parley-offer" data-offer-type={offer.type} aria-label={`Offer, ${shortTime(offer.createdAt)}`}>
      <div class="pw-offer-body">
        {offer.type === 'qrcode' ? (
          <figure class="pw-qr-figure">
            <QrCode content={offer.content} size={200} />
            <figcaption class="pw-caption">{offer.content}</figcaption>
          </figure>
        ) : offer.type === 'image' && href ? (
          <img class="pw-offer-image" src={href} alt="Offer" loading="lazy" />
        ) : offer.type === 'link' && href ? (
          <a class="pw-offer-link" href={href} target="_blank" rel="noopener noreferrer nofollow">
            {offer.content}
          </a>
        ) : (
          <p class="pw-text">
            <RichText text={offer.content} />
          </p>
        )}
      </div>
      <footer class="pw-offer-foot">
        <time dateTime={offer.createdAt}>{shortTime(offer.createdAt)}</time>
        {onDismiss ? (
          <button type="button" class="pw-dismiss" data-testid="parley-offer-dismiss" disabled={busy} onClick={onDismiss}>
            Dismiss
          </button>
        ) : null}
      </footer>
    </article>
  );
}
