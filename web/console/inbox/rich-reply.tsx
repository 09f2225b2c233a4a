import { useState } from 'preact/hooks';
import type { Part } from '../../../sdk/src/index.js';
import { PartView } from '../../shared/part-view.js';

// Small editors for the structured replies the widget renders: a set of quick replies (the customer taps
// one instead of typing) and a QR code (a coupon, a boarding pass, a Wi-Fi login). Each shows a live
// preview drawn by the same renderer the customer's side uses.

const MAX_REPLIES = 13;

export function QuickRepliesEditor({ onSend, onCancel }: { onSend: (parts: Part[]) => void; onCancel: () => void }) {
  const [prompt, setPrompt] = useState('');
  const [replies, setReplies] = useState<string[]>(['', '']);
  const titles = replies.map((r) => r.trim()).filter(Boolean);
  const part: Part = { type: 'quick_replies', ...(prompt.trim() ? { text: prompt.trim() } : {}), replies: titles.map((title) => ({ title })) };
  return (
    <div class="pc-rich" data-testid="quick-replies-editor">
      <div class="pc-rich-form">
        <label class="pc-field">
          <span class="pc-label">Question (optional)</span>
          <input value={prompt} maxLength={2000} onInput={(e) => setPrompt(e.currentTarget.value)} placeholder="How would you like to be contacted?" data-testid="qr-prompt" />
        </label>
        {replies.map((r, i) => (
          <div class="pc-inline" key={i}>
            <input
              value={r}
              maxLength={200}
              aria-label={`Reply ${i + 1}`}
              placeholder={`Reply ${i + 1}`}
              data-testid="quick-reply-input"
              onInput={(e) => {
                const v = e.currentTarget.value;
                setReplies((list) => list.map((x, j) => (j === i ? v : x)));
              }}
            />
            {replies.length > 1 ? (
              <button type="button" class="pc-icon" aria-label={`Remove reply ${i + 1}`} onClick={() => setReplies((list) => list.filter((_, j) => j !== i))}>
                ×
              </button>
            ) : null}
          </div>
        ))}
        <div class="pc-form-actions">
          <button type="button" class="pc-btn pc-btn-quiet" disabled={replies.length >= MAX_REPLIES} onClick={() => setReplies((l) => [...l, ''])}>
            + Add a reply
          </button>
          <span class="pc-spacer" />
          <button type="button" class="pc-btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" class="pc-btn pc-btn-primary" disabled={titles.length === 0} onClick={() => onSend([part])} data-testid="send-quick-replies">
            Send quick replies
          </button>
        </div>
      </div>
      <Preview>{titles.length > 0 ? <PartView part={part} interactive={false} /> : <p class="pc-empty">Type at least one reply.</p>}</Preview>
    </div>
  );
}

export function QrEditor({ onSend, onCancel }: { onSend: (parts: Part[]) => void; onCancel: () => void }) {
  const [content, setContent] = useState('');
  const value = content.trim();
  return (
    <div class="pc-rich" data-testid="qr-editor">
      <div class="pc-rich-form">
        <label class="pc-field">
          <span class="pc-label">What the code holds</span>
          <input value={content} maxLength={2000} onInput={(e) => setContent(e.currentTarget.value)} placeholder="A URL, a coupon code, a booking reference…" data-testid="qr-content" />
        </label>
        <div class="pc-form-actions">
          <span class="pc-spacer" />
          <button type="button" class="pc-btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" class="pc-btn pc-btn-primary" disabled={!value} onClick={() => onSend([{ type: 'qr', content: value }])} data-testid="send-qr">
            Send QR code
          </button>
        </div>
      </div>
      <Preview>{value ? <PartView part={{ type: 'qr', content: value }} /> : <p class="pc-empty">The preview appears as you type.</p>}</Preview>
    </div>
  );
}

function Preview({ children }: { children: preact.ComponentChildren }) {
  return (
    <div class="pc-preview pw-root" aria-label="Preview">
      <span class="pc-label">Preview</span>
      <div class="pw-bubble">{children}</div>
    </div>
  );
}
