import type { ComponentChildren } from 'preact';
import type { AgentRef, ConnectionState } from '../../sdk/src/index.js';
import { Avatar } from '../shared/avatar.js';

// Who the customer is talking to: the agent's avatar and name once one has joined, otherwise the
// business's title, with a status line (waiting, connected, reconnecting, ended). Actions (end, close,
// profile) are passed in by the frame.

export interface ChatHeaderProps {
  title: string;
  agent: AgentRef | null;
  waiting: boolean;
  ended: boolean;
  connection: ConnectionState;
  children?: ComponentChildren;
  titleId?: string | undefined;
}

export function ChatHeader({ title, agent, waiting, ended, connection, children, titleId }: ChatHeaderProps) {
  const status =
    connection === 'offline' || connection === 'connecting'
      ? 'Reconnecting…'
      : ended
        ? 'Chat ended'
        : agent
          ? title
          : waiting
            ? 'Waiting for an agent'
            : 'We usually reply in a few minutes';
  return (
    <header class="pw-header">
      {agent && !ended ? <Avatar name={agent.name} size={36} /> : <span class="pw-logo" aria-hidden="true" />}
      <div class="pw-header-text">
        <h2 class="pw-title" id={titleId} data-testid="parley-title">
          {agent && !ended ? <span data-testid="parley-agent-name">{agent.name}</span> : title}
        </h2>
        <p class="pw-subtitle" data-testid="parley-status-line">
          {status}
        </p>
      </div>
      <div class="pw-header-actions">{children}</div>
    </header>
  );
}
