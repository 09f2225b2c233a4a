import { describe, expect, it } from 'vitest';
import { PHASES, type Phase } from '../../src/core/model.js';
import { assertTransition, WAITING_PHASES, type PhaseAction } from '../../src/core/phases.js';
import { ParleyError } from '../../src/core/errors.js';

// The state machine, written out in full here (not derived from the source) so a change to the rules has
// to change this table too.
const EXPECTED: Record<PhaseAction, Partial<Record<Phase, Phase>>> = {
  queue: { bot: 'queued' },
  accept: { queued: 'active', transferring: 'active' },
  transfer_to_agent: { active: 'active', queued: 'active', transferring: 'active' },
  transfer_to_queue: { active: 'transferring', queued: 'transferring', transferring: 'transferring' },
  end: { bot: 'ended', queued: 'ended', active: 'ended', transferring: 'ended' },
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ParleyError);
    return (e as ParleyError).code;
  }
}

describe('conversation phases', () => {
  const actions = Object.keys(EXPECTED) as PhaseAction[];
  const live = PHASES.filter((p) => p !== 'ended');

  for (const action of actions) {
    for (const from of live) {
      const to = EXPECTED[action][from];
      if (to) {
        it(`${action} from ${from} is allowed and leads to ${to}`, () => {
          expect(assertTransition(from, action)).toBe(to);
        });
      } else {
        it(`${action} from ${from} is refused with INVALID_PHASE naming the phase and action`, () => {
          try {
            assertTransition(from, action);
            expect.unreachable('transition should have been refused');
          } catch (e) {
            const err = e as ParleyError;
            expect(err.code).toBe('PARLEY_E_INVALID_PHASE');
            expect(err.status).toBe(409);
            expect(err.details).toEqual({ phase: from, action });
            expect(err.message).toContain(from);
          }
        });
      }
    }
  }

  it('every action on an ended conversation fails with CONVERSATION_ENDED', () => {
    for (const action of actions) expect(codeOf(() => assertTransition('ended', action))).toBe('PARLEY_E_CONVERSATION_ENDED');
  });

  it('nothing leads back to bot, and only end leads to ended', () => {
    for (const action of actions) {
      for (const from of live) {
        let to: Phase | undefined;
        try {
          to = assertTransition(from, action);
        } catch {
          continue;
        }
        expect(to).not.toBe('bot');
        if (to === 'ended') expect(action).toBe('end');
      }
    }
  });

  it('waiting phases are queued and transferring, the ones an agent can accept from', () => {
    expect([...WAITING_PHASES].sort()).toEqual(['queued', 'transferring']);
    for (const p of WAITING_PHASES) expect(assertTransition(p, 'accept')).toBe('active');
  });
});
