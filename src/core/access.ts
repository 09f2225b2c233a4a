import type { Agent, Conversation } from './model.js';
import { WAITING_PHASES } from './phases.js';

// Who may read a conversation, in one place: the REST routes and the live streams ask the same question,
// so a stream can never show what a GET would answer 404 for.

export type AgentView = Pick<Agent, 'id' | 'role' | 'queueIds'>;
export type ConversationAccessFacts = Pick<Conversation, 'contactId' | 'agentId' | 'phase' | 'queueId'>;

/** Agents read what is assigned to them (ended included: their own history) and what waits in their queues; admins read all. */
export function agentMayRead(agent: AgentView, c: ConversationAccessFacts): boolean {
  if (agent.role === 'admin') return true;
  if (c.agentId === agent.id) return true;
  return WAITING_PHASES.includes(c.phase) && c.queueId !== null && agent.queueIds.includes(c.queueId);
}

/** Customers read their own contact's conversations, nothing else. */
export const customerMayRead = (contactId: string, c: ConversationAccessFacts): boolean => c.contactId === contactId;
