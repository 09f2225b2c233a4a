import { useEffect, useState } from 'preact/hooks';
import type { CustomerClient, Offer } from '../../sdk/src/index.js';
import { friendlyError } from '../customer/errors.js';

// The customer's offers (the seed's "notifications"): pushed live over the stream, newest first. An offer
// leaves the list once acknowledged — here or on another device, since the hub re-sends it with
// acknowledgedAt set.

export interface OffersState {
  offers: Offer[];
  error: string | null;
  busy: ReadonlySet<string>;
  dismiss(id: string): void;
}

export function useOffers(client: CustomerClient | null): OffersState {
  const [offers, setOffers] = useState<Offer[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());

  const merge = (o: Offer) =>
    setOffers((list) => {
      const rest = list.filter((x) => x.id !== o.id);
      if (o.acknowledgedAt) return rest;
      return [o, ...rest].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    });

  useEffect(() => {
    if (!client) return;
    const off = client.on('offer', merge);
    client.offers().then(
      (list) => list.forEach(merge),
      (e: unknown) => setError(friendlyError(e)),
    );
    return off;
  }, [client]);

  const dismiss = (id: string) => {
    if (!client) return;
    setError(null);
    setBusy((b) => new Set(b).add(id));
    client
      .ackOffer(id)
      .then(
        (o) => merge({ ...o, acknowledgedAt: o.acknowledgedAt ?? new Date().toISOString() }),
        (e: unknown) => setError(friendlyError(e)),
      )
      .finally(() =>
        setBusy((b) => {
          const n = new Set(b);
          n.delete(id);
          return n;
        }),
      );
  };

  return { offers, error, busy, dismiss };
}
