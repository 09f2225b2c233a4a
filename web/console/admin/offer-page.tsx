import { useState } from 'preact/hooks';
import type { NewOfferInput, Offer, OfferType } from '../../../sdk/src/index.js';
import { OfferCard } from '../../shared/offer-card.js';
import { useConsole } from '../context.js';
import { errorText } from '../errors.js';
import { Card, ErrorNote, Field, Page, when } from '../ui.js';

// Push an offer to one customer — by contact id, or by an identity the business knows them by (their
// e-mail for the web channel, say). The preview is the card the customer will see.

const TYPES: { id: OfferType; label: string; placeholder: string }[] = [
  { id: 'text', label: 'Text', placeholder: '20% off your next booking this week' },
  { id: 'qrcode', label: 'QR code', placeholder: 'COUPON-2026-SPRING' },
  { id: 'link', label: 'Link', placeholder: 'https://example.com/deals' },
  { id: 'image', label: 'Image', placeholder: 'https://example.com/banner.png' },
];

export function OfferPage() {
  const { client } = useConsole();
  const [by, setBy] = useState<'contact' | 'identity'>('identity');
  const [contactId, setContactId] = useState('');
  const [channel, setChannel] = useState('web');
  const [externalId, setExternalId] = useState('');
  const [type, setType] = useState<OfferType>('text');
  const [content, setContent] = useState('');
  const [fromId, setFromId] = useState('');
  const [sent, setSent] = useState<Offer[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const needsUrl = type === 'link' || type === 'image';
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const to = by === 'contact' ? { contactId: contactId.trim() } : { identity: { channel: channel.trim(), externalId: externalId.trim() } };
    const input = { ...to, type, content: content.trim(), ...(fromId.trim() ? { fromId: fromId.trim() } : {}) } as NewOfferInput;
    setBusy(true);
    try {
      const offer = await client.admin.sendOffer(input);
      setSent((list) => [offer, ...list].slice(0, 10));
      setContent('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const preview: Offer = { id: 'preview', contactId: '', type, content: content.trim() || (TYPES.find((t) => t.id === type)?.placeholder ?? ''), fromId: null, createdAt: new Date().toISOString(), acknowledgedAt: null };

  return (
    <Page title="Offers">
      <div class="pc-two">
        <Card title="Compose" testid="offer-composer">
          <form class="pc-form" onSubmit={submit}>
            <fieldset class="pc-checks pc-row-checks">
              <legend class="pc-label">Send to</legend>
              <label class="pc-check">
                <input type="radio" name="by" checked={by === 'identity'} onChange={() => setBy('identity')} data-testid="offer-by-identity" /> An identity
              </label>
              <label class="pc-check">
                <input type="radio" name="by" checked={by === 'contact'} onChange={() => setBy('contact')} data-testid="offer-by-contact" /> A contact id
              </label>
            </fieldset>
            {by === 'contact' ? (
              <Field label="Contact id">
                <input required value={contactId} onInput={(e) => setContactId(e.currentTarget.value)} placeholder="ct_…" data-testid="offer-contact-id" />
              </Field>
            ) : (
              <div class="pc-inline-form">
                <Field label="Channel">
                  <input required class="pc-narrow" value={channel} onInput={(e) => setChannel(e.currentTarget.value)} data-testid="offer-channel" />
                </Field>
                <Field label="External id" hint="e.g. the customer's id in your backend (the identity token's sub)">
                  <input required value={externalId} onInput={(e) => setExternalId(e.currentTarget.value)} data-testid="offer-external-id" />
                </Field>
              </div>
            )}
            <Field label="Type">
              <select value={type} onChange={(e) => setType(e.currentTarget.value as OfferType)} data-testid="offer-type">
                {TYPES.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.label}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={needsUrl ? 'URL (http or https)' : type === 'qrcode' ? 'What the QR code holds' : 'Text'}>
              <textarea required rows={3} maxLength={4000} value={content} onInput={(e) => setContent(e.currentTarget.value)} placeholder={TYPES.find((t) => t.id === type)?.placeholder} data-testid="offer-content" />
            </Field>
            <Field label="From (optional)" hint="Your campaign or sender id, stored with the offer.">
              <input maxLength={200} value={fromId} onInput={(e) => setFromId(e.currentTarget.value)} data-testid="offer-from" />
            </Field>
            <ErrorNote error={error} testid="offer-error" />
            <div class="pc-form-actions">
              <span class="pc-spacer" />
              <button type="submit" class="pc-btn pc-btn-primary" disabled={busy} data-testid="offer-send">
                Send offer
              </button>
            </div>
          </form>
        </Card>
        <Card title="Preview" testid="offer-preview">
          <div class="pw-root pc-offer-preview">
            <OfferCard offer={preview} />
          </div>
          {sent.length > 0 ? (
            <>
              <h3>Sent</h3>
              <ul class="pc-sent" data-testid="offers-sent">
                {sent.map((o) => (
                  <li key={o.id} data-testid="offer-sent">
                    <span class="pc-mono">{o.id}</span> · {o.type} · to <span class="pc-mono">{o.contactId}</span> · {when(o.createdAt)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </Card>
      </div>
    </Page>
  );
}
