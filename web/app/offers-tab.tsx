import { OfferCard } from '../shared/offer-card.js';
import type { OffersState } from './use-offers.js';

// The Offers tab: coupons, links, images and QR codes the business pushed, each dismissable. Push only —
// there is nothing to reply to here (that is what the Chat tab is for).

export function OffersTab({ state }: { state: OffersState }) {
  return (
    <div class="pa-offers" data-testid="parley-offers">
      {state.error ? (
        <p class="pw-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.offers.length === 0 ? (
        <div class="pa-empty">
          <p class="pa-empty-title">No offers right now</p>
          <p>Coupons and news from us will show up here.</p>
        </div>
      ) : (
        <ul class="pa-offer-list" aria-live="polite">
          {state.offers.map((o) => (
            <li key={o.id}>
              <OfferCard offer={o} busy={state.busy.has(o.id)} onDismiss={() => state.dismiss(o.id)} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
