import type { Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

// The input row: a text box (Enter sends, Shift+Enter adds a line), a send button, and optionally an attach
// button (a hidden file input) and a location button. It reports typing with a throttle — "typing" at most
// every few seconds while keys are pressed, "stopped" after a pause — so a fast typist costs a handful of
// requests, not one per key.

export interface Attachment {
  name: string;
  /** An object URL for images, so the customer sees what they are about to send. */
  previewUrl?: string | undefined;
  state: 'uploading' | 'ready';
}

export interface ComposerProps {
  onSend: (text: string) => void;
  onTyping?: ((typing: boolean) => void) | undefined;
  onPickFile?: ((file: File) => void) | undefined;
  onLocation?: (() => void) | undefined;
  attachment?: Attachment | undefined;
  onRemoveAttachment?: (() => void) | undefined;
  disabled?: boolean | undefined;
  placeholder?: string | undefined;
  inputRef?: Ref<HTMLTextAreaElement> | undefined;
  /** `accept` and `capture` of the file input (the app asks for the camera, the widget for any image). */
  accept?: string | undefined;
  capture?: 'user' | 'environment' | undefined;
}

const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 2500;

export function Composer(props: ComposerProps) {
  const { onSend, onTyping, onPickFile, onLocation, attachment, onRemoveAttachment, disabled, placeholder = 'Write a message…', inputRef, accept = 'image/*', capture } = props;
  const [text, setText] = useState('');
  const lastTypingAt = useRef(0);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const fileInput = useRef<HTMLInputElement>(null);

  const stopTyping = () => {
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = undefined;
    if (lastTypingAt.current) {
      lastTypingAt.current = 0;
      onTyping?.(false);
    }
  };
  useEffect(() => () => idleTimer.current && clearTimeout(idleTimer.current), []);

  const onInput = (e: Event) => {
    const el = e.currentTarget as HTMLTextAreaElement;
    setText(el.value);
    // Grow with the text up to a few lines, then scroll.
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
    if (!onTyping) return;
    if (el.value.trim() === '') return stopTyping();
    const now = Date.now();
    if (now - lastTypingAt.current > TYPING_REPEAT_MS) {
      lastTypingAt.current = now;
      onTyping(true);
    }
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const canSend = !disabled && (text.trim() !== '' || attachment?.state === 'ready');
  const send = () => {
    if (!canSend) return;
    onSend(text.trim());
    setText('');
    stopTyping();
    const el = (inputRef && 'current' in inputRef ? inputRef.current : null) as HTMLTextAreaElement | null;
    if (el) el.style.height = 'auto';
  };

  return (
    <form
      class="pw-composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {attachment ? (
        <div class="pw-attachment" data-testid="parley-attachment">
          {attachment.previewUrl ? <img src={attachment.previewUrl} alt={`Preview of ${attachment.name}`} data-testid="parley-attachment-preview" /> : null}
          <span class="pw-attachment-name">{attachment.state === 'uploading' ? `Uploading ${attachment.name}…` : attachment.name}</span>
          {onRemoveAttachment ? (
            <button type="button" class="pw-icon-btn" aria-label="Remove attachment" onClick={onRemoveAttachment}>
              ×
            </button>
          ) : null}
        </div>
      ) : null}
      <div class="pw-composer-row">
        {onPickFile ? (
          <>
            <input
              ref={fileInput}
              class="pw-file-input"
              type="file"
              accept={accept}
              capture={capture}
              data-testid="parley-file-input"
              aria-label="Attach a photo"
              tabIndex={-1}
              onChange={(e) => {
                const input = e.currentTarget;
                const f = input.files?.[0];
                // Clear it so picking the same file again still fires a change.
                input.value = '';
                if (f) onPickFile(f);
              }}
            />
            <button type="button" class="pw-icon-btn" data-testid="parley-attach" aria-label="Attach a photo" disabled={disabled} onClick={() => fileInput.current?.click()}>
              <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M21 12.5l-8.4 8.4a5.5 5.5 0 01-7.8-7.8l8.8-8.8a3.7 3.7 0 015.2 5.2l-8.8 8.8a1.8 1.8 0 01-2.6-2.6l8.1-8.1" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
              </svg>
            </button>
          </>
        ) : null}
        {onLocation ? (
          <button type="button" class="pw-icon-btn" data-testid="parley-location-button" aria-label="Share my location" disabled={disabled} onClick={onLocation}>
            <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true">
              <path d="M12 21s-7-6.2-7-11.5a7 7 0 0114 0C19 14.8 12 21 12 21z" fill="none" stroke="currentColor" stroke-width="1.8" />
              <circle cx="12" cy="9.5" r="2.5" fill="none" stroke="currentColor" stroke-width="1.8" />
            </svg>
          </button>
        ) : null}
        <textarea
          ref={inputRef}
          class="pw-input"
          data-testid="parley-input"
          rows={1}
          value={text}
          placeholder={placeholder}
          aria-label="Message"
          disabled={disabled}
          onInput={onInput}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" class="pw-send" data-testid="parley-send" aria-label="Send" disabled={!canSend}>
          <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true">
            <path d="M3.4 20.4l17.4-7.5a1 1 0 000-1.8L3.4 3.6a1 1 0 00-1.4 1.2L4.5 12l-2.5 7.2a1 1 0 001.4 1.2z" fill="currentColor" />
          </svg>
        </button>
      </div>
    </form>
  );
}
