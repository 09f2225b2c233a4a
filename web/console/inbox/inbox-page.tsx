import { useEffect } from 'preact/hooks';
import { navigate } from '../router.js';
import { Empty } from '../ui.js';
import { ConversationList } from './conversation-list.js';
import { ConversationView } from './conversation-view.js';
import type { InboxState } from './use-inbox.js';

// The agent's working screen: the lists on the left, the chosen conversation beside them.

export function InboxPage({ inbox, selected }: { inbox: InboxState; selected: string | undefined }) {
  useEffect(() => {
    inbox.open(selected);
    if (selected) inbox.say(null);
    return () => inbox.open(undefined);
  }, [selected]);
  return (
    <div class="pc-inbox">
      <ConversationList inbox={inbox} selected={selected} />
      {selected ? (
        <ConversationView key={selected} id={selected} onChanged={inbox.refresh} onLeft={(text) => (inbox.say(text), navigate('inbox'))} />
      ) : (
        <div class="pc-pick">
          {inbox.notice ? (
            <p class="pc-flash" role="status" data-testid="inbox-notice">
              {inbox.notice}
            </p>
          ) : null}
          <Empty>Choose a chat on the left. New chats ring and show in the tab title.</Empty>
        </div>
      )}
    </div>
  );
}
