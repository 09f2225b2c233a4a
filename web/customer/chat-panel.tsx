import type { Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConnectionState, CustomerClient } from '../../sdk/src/index.js';
import { Composer, type Attachment } from '../shared/composer.js';
import { MessageList } from '../shared/message-list.js';
import type { ConversationState } from './use-conversation.js';
import { friendlyError } from './errors.js';
import { useOnline } from './use-online.js';
import { waitingNotice } from './waiting.js';

// The body of a customer chat, shared by the widget and the app: the wait (queue position, estimated wait,
// or that nobody is on the queue), the log, errors, and the composer (with photo upload and, in the app,
// location sharing) — or, once the chat ended, a button to start a new one. The header is the caller's (the widget and the app frame it differently).

export interface ChatPanelProps {
  client: CustomerClient | null;
  chat: ConversationState;
  connection: ConnectionState;
  inputRef?: Ref<HTMLTextAreaElement> | undefined;
  /** Offer "share my location" (the app; the widget keeps its composer small). */
  location?: boolean | undefined;
  capture?: 'user' | 'environment' | undefined;
  greeting?: string | undefined;
}

interface Upload extends Attachment {
  mediaId?: string | undefined;
}

export function ChatPanel({ client, chat, connection, inputRef, location, capture, greeting = 'Send us a message and we will reply here.' }: ChatPanelProps) {
  const [upload, setUpload] = useState<Upload | undefined>(undefined);
  const online = useOnline();
  const offline = !online || connection === 'offline';
  const waiting = waitingNotice(chat.waiting);

  // Object URLs hold the image in memory; give them back when the preview goes away (unless a sent
  // message still shows it).
  useEffect(() => () => void (upload?.previewUrl && !upload.mediaId && URL.revokeObjectURL(upload.previewUrl)), [upload]);

  // A caption sent while its photo is still uploading waits for the upload and goes with it: sent at once,
  // the text would leave alone and the photo stay behind in the composer (a slow network made that happen).
  const uploading = useRef<{ up: Upload; done: Promise<Upload | undefined> } | undefined>(undefined);

  const pickFile = (file: File) => {
    if (!client) return;
    chat.setError(null);
    const previewUrl = file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined;
    const up: Upload = { name: file.name || 'photo', previewUrl, state: 'uploading' };
    setUpload(up);
    const done = client.upload(file, file.name || undefined).then(
      (media) => {
        const ready: Upload = { ...up, state: 'ready', mediaId: media.id };
        setUpload((cur) => (cur === up ? ready : cur));
        return ready;
      },
      (e: unknown) => {
        setUpload((cur) => (cur === up ? undefined : cur));
        chat.setError(friendlyError(e, 'This file'));
        return undefined;
      },
    );
    uploading.current = { up, done };
  };

  const send = async (text: string) => {
    let current = upload;
    if (current?.state === 'uploading' && uploading.current?.up === current) current = await uploading.current.done;
    const parts = current?.state === 'ready' && current.mediaId ? [{ type: 'media' as const, mediaId: current.mediaId }] : [];
    if (current?.mediaId && current.previewUrl) chat.rememberPreview(current.mediaId, current.previewUrl);
    if (parts.length) setUpload(undefined);
    void chat.send(text, parts);
  };

  const shareLocation = () => {
    if (!('geolocation' in navigator)) return chat.setError('This device cannot share its location.');
    chat.setError(null);
    navigator.geolocation.getCurrentPosition(
      (pos) => void chat.send('', [{ type: 'location', lat: pos.coords.latitude, lng: pos.coords.longitude }]),
      (err) => chat.setError(err.code === err.PERMISSION_DENIED ? 'Location permission was denied.' : 'Your location is not available right now.'),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  };

  return (
    <>
      {offline ? (
        <div class="pw-banner pw-banner-offline" data-testid="parley-offline" role="status">
          You are offline. Messages you write will be sent when the connection is back.
        </div>
      ) : null}
      {waiting ? (
        <div class="pw-banner" data-testid="parley-queue-position" role="status">
          {waiting}
        </div>
      ) : null}
      <MessageList
        items={chat.items}
        typing={chat.typing}
        // A quick reply is the customer answering with its title: that is what the agent should read.
        onReply={chat.ended ? undefined : (title) => void chat.send(title)}
        onRetry={chat.retry}
        onDiscard={chat.discard}
        previewOf={chat.previewOf}
        empty={chat.loading ? 'Loading…' : greeting}
      />
      {chat.error ? (
        <p class="pw-error" role="alert" data-testid="parley-error">
          {chat.error}
        </p>
      ) : null}
      {chat.ended ? (
        <div class="pw-ended">
          <button type="button" class="pw-primary" data-testid="parley-new-chat" onClick={() => void chat.startNew()}>
            Start a new chat
          </button>
        </div>
      ) : (
        <Composer
          inputRef={inputRef}
          onSend={(text) => void send(text)}
          onTyping={chat.typingChanged}
          onPickFile={pickFile}
          onLocation={location ? shareLocation : undefined}
          attachment={upload}
          onRemoveAttachment={() => setUpload(undefined)}
          disabled={!client}
          capture={capture}
        />
      )}
    </>
  );
}
