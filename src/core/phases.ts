import { ParleyError } from './errors.js';
import type { Phase } from './model.js';

// The conversation state machine. Every change of phase goes through `assertTransition`, so a command that
// would skip a step (accept an ended chat, transfer one nobody holds) fails with one stable code.

export type PhaseAction = 'queue' | 'accept' | 'transfer_to_agent' | 'transfer_to_queue' | 'end';

const ALLOWED: Record<PhaseAction, readonly Phase[]> = {
  queue: ['bot'],
  accept: ['queued', 'transferring'],
  transfer_to_agent: ['active', 'queued', 'transferring'],
  transfer_to_queue: ['active', 'queued', 'transferring'],
  end: ['bot', 'queued', 'active', 'transferring'],
};

const TARGET: Record<PhaseAction, Phase> = {
  queue: 'queued',
  accept: 'active',
  transfer_to_agent: 'active',
  transfer_to_queue: 'transferring',
  end: 'ended',
};

export function assertTransition(from: Phase, action: PhaseAction): Phase {
  if (from === 'ended') throw new ParleyError('CONVERSATION_ENDED');
  if (!ALLOWED[action].includes(from)) {
    throw new ParleyError('INVALID_PHASE', `Cannot ${action.replace(/_/g, ' ')} a conversation that is ${from}.`, {
      details: { phase: from, action },
    });
  }
  return TARGET[action];
}

/** Phases in which a conversation waits for an agent (it counts for queue position and can be accepted). */
export const WAITING_PHASES: readonly Phase[] = ['queued', 'transferring'];
