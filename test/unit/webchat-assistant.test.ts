import { describe, expect, it } from 'vitest';
import { AGENT_UNAVAILABLE, answer, CONNECTING, HANDOFF_SOURCE, newMemory, NO_HANDOFF, topicOf, WELCOME, wantsAgent } from '../../web/webchat/assistant.js';

// The web chat page's stand-in assistant (web/webchat/assistant.ts): a pure function of the text and a memory.

describe('the web chat stand-in assistant', () => {
  it('welcomes on the welcome request and keeps no memory of it', () => {
    const m = newMemory();
    expect(answer(undefined, m)).toEqual({ generic: [{ response_type: 'text', text: WELCOME }], memory: m });
    expect(answer('   ', m).generic).toEqual([{ response_type: 'text', text: WELCOME }]);
  });

  it('answers questions with a help text that echoes them', () => {
    const turn = answer('Is breakfast included in Porto?', newMemory());
    expect(turn.generic).toHaveLength(1);
    expect(turn.generic[0]).toMatchObject({ response_type: 'text' });
    expect((turn.generic[0] as { text: string }).text).toContain('“Is breakfast included in Porto?”');
    expect(turn.memory.userMessages).toEqual(['Is breakfast included in Porto?']);
  });

  it('hands over on "agent" or "human", with the first question as the topic', () => {
    expect(['agent', 'An AGENT please', 'a human?', 'humans'].every(wantsAgent)).toBe(true);
    expect(['agency', 'inhuman', 'reagent'].some(wantsAgent)).toBe(false);
    const first = answer('I need to change the dates of my Madeira hiking trip next month, is that possible?', newMemory());
    const turn = answer('agent', first.memory);
    expect(turn.generic[0]).toEqual({ response_type: 'text', text: CONNECTING });
    expect(turn.generic[1]).toEqual({
      response_type: 'connect_to_agent',
      message_to_human_agent: 'The customer asked the assistant for a person.',
      topic: 'I need to change the dates of my Madeira hiking trip next m…',
      agent_available: { message: 'An agent will be with you shortly.' },
      agent_unavailable: { message: AGENT_UNAVAILABLE },
      transfer_info: { additional_data: { source: HANDOFF_SOURCE } },
    });
    expect(topicOf(turn.memory)).toHaveLength(60);
    expect(topicOf(answer('human', newMemory()).memory)).toBe('General');
  });

  it('says so instead when the page has no service desk', () => {
    expect(answer('agent', newMemory(), { canHandOff: false }).generic).toEqual([{ response_type: 'text', text: NO_HANDOFF }]);
  });
});
