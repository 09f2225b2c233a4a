import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Media, Part } from '../../../sdk/src/index.js';
import type { CannedResponse } from '../api.js';
import { errorText } from '../errors.js';
import { BoltIcon, CannedIcon, ClipIcon, QrIcon } from '../icons.js';
import { cannedQuery, matchCanned } from './canned.js';
import { QrEditor, QuickRepliesEditor } from './rich-reply.js';

// The agent's reply box: text (Enter sends, Shift+Enter is a new line), an image, quick replies or a QR
// code, and canned responses — type "/" and a shortcut, or pick from the list. Typing is reported with a
// throttle (at most every few seconds while keys are pressed, "stopped" after a pause).

const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 2500;

export interface ReplyInput {
  text?: string;
  parts?: Part[];
}

interface Props {
  disabled: boolean;
  disabledReason?: string | undefined;
  canned: CannedResponse[];
  onSend: (input: ReplyInput, preview?: { mediaId: string; url: string }) => void;
  onTyping: (typing: boolean) => void;
  onUpload: (file: File) => Promise<Media>;
  /** The text box, for a caller that moves focus into it. */
  inputRef?: RefObject<HTMLTextAreaElement | null> | undefined;
}

type Attachment = { name: string; previewUrl: string; media?: Media; error?: string };

export function ReplyComposer({ disabled, disabledReason, canned, onSend, onTyping, onUpload, inputRef }: Props) {
  const [text, setText] = useState('');
  const [mode, setMode] = useState<'text' | 'quick' | 'qr'>('text');
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [pick, setPick] = useState(0);
  const [showCanned, setShowCanned] = useState(false);
  const ownBox = useRef<HTMLTextAreaElement>(null);
  const box = inputRef ?? ownBox;
  const file = useRef<HTMLInputElement>(null);
  const typingAt = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const stopTyping = () => {
    if (idle.current) clearTimeout(idle.current);
    idle.current = undefined;
    if (typingAt.current) {
      typingAt.current = 0;
      onTyping(false);
    }
  };
  useEffect(() => () => stopTyping(), []);

  const query = cannedQuery(text);
  const matches = query !== undefined ? matchCanned(canned, query) : showCanned ? canned : [];
  const listOpen = matches.length > 0 && (query !== undefined || showCanned);

  const insertCanned = (c: CannedResponse) => {
    setText(c.text);
    setShowCanned(false);
    setPick(0);
    box.current?.focus();
  };

  const onInput = (e: Event) => {
    const v = (e.currentTarget as HTMLTextAreaElement).value;
    setText(v);
    setPick(0);
    if (v.trim() === '' || cannedQuery(v) !== undefined) return stopTyping();
    const now = Date.now();
    if (now - typingAt.current > TYPING_REPEAT_MS) {
      typingAt.current = now;
      onTyping(true);
    }
    if (idle.current) clearTimeout(idle.current);
    idle.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const ready = attachment?.media;
  const canSend = !disabled && (text.trim() !== '' || Boolean(ready)) && !(attachment && !ready);
  const send = () => {
    if (!canSend) return;
    const t = text.trim();
    const media = attachment?.media;
    onSend({ ...(t ? { text: t } : {}), ...(media ? { parts: [{ type: 'media', mediaId: media.id }] } : {}) }, media && attachment ? { mediaId: media.id, url: attachment.previewUrl } : undefined);
    setText('');
    setAttachment(null);
    stopTyping();
  };

  const attach = async (f: File) => {
    const previewUrl = URL.createObjectURL(f);
    setAttachment({ name: f.name, previewUrl });
    try {
      const media = await onUpload(f);
      setAttachment((a) => (a?.previewUrl === previewUrl ? { ...a, media } : a));
    } catch (e) {
      setAttachment((a) => (a?.previewUrl === previewUrl ? { ...a, error: errorText(e) } : a));
    }
  };

  const sendParts = (parts: Part[]) => {
    onSend({ parts });
    setMode('text');
  };
  // The editors float over the log rather than replace the reply box: the log keeps its size, so it stays
  // scrolled to the newest message.
  const editor = mode === 'quick' ? <QuickRepliesEditor onCancel={() => setMode('text')} onSend={sendParts} /> : mode === 'qr' ? <QrEditor onCancel={() => setMode('text')} onSend={sendParts} /> : null;

  return (
    <div class="pc-composer-wrap">
      {editor ? <div class="pc-popover">{editor}</div> : null}
      <form
        class="pc-composer"
        data-testid="reply-composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        {/* A listbox driven from the reply box (arrows, Enter or Tab), which keeps focus; the options are
            not buttons of their own (a control inside an option is one a screen reader cannot reach). */}
        {listOpen ? (
          <ul id="pc-canned-list" class="pc-canned" role="listbox" aria-label="Canned responses" data-testid="canned-list">
            {matches.map((c, i) => (
              <li
                key={c.id}
                id={`pc-canned-${c.id}`}
                role="option"
                aria-selected={i === pick}
                class={i === pick ? 'pc-canned-active' : ''}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => insertCanned(c)}
                data-testid="canned-option"
              >
                <span class="pc-mono">/{c.shortcut}</span> <span class="pc-canned-text">{c.text}</span>
              </li>
            ))}
          </ul>
        ) : null}
        {attachment ? (
          <div class="pc-attachment" data-testid="console-attachment">
            <img src={attachment.previewUrl} alt={`Preview of ${attachment.name}`} />
            <span>{attachment.error ? `Upload failed: ${attachment.error}` : attachment.media ? attachment.name : `Uploading ${attachment.name}…`}</span>
            <button type="button" class="pc-icon" aria-label="Remove the image" onClick={() => setAttachment(null)}>
              ×
            </button>
          </div>
        ) : null}
        <textarea
          ref={box}
          class="pc-reply"
          rows={3}
          value={text}
          disabled={disabled}
          placeholder={disabled ? (disabledReason ?? '') : 'Reply… (type / for canned responses)'}
          aria-label="Reply"
          aria-controls={listOpen ? 'pc-canned-list' : undefined}
          aria-activedescendant={listOpen && matches[pick] ? `pc-canned-${matches[pick].id}` : undefined}
          data-testid="reply-input"
          onInput={onInput}
          onKeyDown={(e) => {
            if (listOpen && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
              e.preventDefault();
              setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
              return;
            }
            if (listOpen && (e.key === 'Enter' || e.key === 'Tab')) {
              const c = matches[pick];
              if (c) {
                e.preventDefault();
                insertCanned(c);
                return;
              }
            }
            if (e.key === 'Escape') setShowCanned(false);
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        <div class="pc-composer-bar">
          <input
            ref={file}
            type="file"
            accept="image/*"
            class="pc-hidden"
            data-testid="console-file-input"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (f) void attach(f);
            }}
          />
          <button type="button" class="pc-tool" disabled={disabled} onClick={() => file.current?.click()} data-testid="attach-image">
            <ClipIcon /> Image
          </button>
          <button type="button" class="pc-tool" disabled={disabled} aria-expanded={mode === 'quick'} onClick={() => setMode(mode === 'quick' ? 'text' : 'quick')} data-testid="open-quick-replies">
            <BoltIcon /> Quick replies
          </button>
          <button type="button" class="pc-tool" disabled={disabled} aria-expanded={mode === 'qr'} onClick={() => setMode(mode === 'qr' ? 'text' : 'qr')} data-testid="open-qr">
            <QrIcon /> QR code
          </button>
          <button
            type="button"
            class="pc-tool"
            disabled={disabled || canned.length === 0}
            aria-expanded={showCanned}
            onClick={() => {
              setShowCanned((s) => !s);
              // The list is driven from the reply box (arrows, then Enter or Tab), so that is where focus goes.
              box.current?.focus();
            }}
            data-testid="open-canned"
          >
            <CannedIcon /> Canned
          </button>
          <span class="pc-spacer" />
          <button type="submit" class="pc-btn pc-btn-primary" disabled={!canSend} data-testid="reply-send">
            Send
          </button>
        </div>
      </form>
    </div>
  );
}
