import { describe, expect, it } from 'vitest';
import { aboutDuration, waitingNotice } from '../../web/customer/waiting.js';

// What a waiting customer reads, from whatever the desk knows (web/customer/waiting.ts): nothing unknown is
// shown as a number, and an estimate is not offered when nobody is on the queue.

describe('the waiting banner', () => {
  it('words an estimated wait roughly, the way people say it', () => {
    expect(aboutDuration(10)).toBe('less than a minute');
    expect(aboutDuration(60)).toBe('about 1 minute');
    expect(aboutDuration(120)).toBe('about 2 minutes');
    expect(aboutDuration(149)).toBe('about 2 minutes');
    expect(aboutDuration(3600)).toBe('about 1 hour');
    expect(aboutDuration(3 * 3600)).toBe('about 3 hours');
  });

  it('an inbox queue gives the place in the queue', () => {
    expect(waitingNotice({ position: 1 })).toBe('You are next in the queue. An agent will be with you soon.');
    expect(waitingNotice({ position: 4 })).toBe('You are number 4 in the queue. An agent will be with you soon.');
  });

  it('a vendor desk gives its estimate without a position, and "no agents" replaces the estimate when nobody is on the queue', () => {
    expect(waitingNotice({ waitSeconds: 120, agentsOnQueue: 3 })).toBe('Estimated wait: about 2 minutes.');
    expect(waitingNotice({ waitSeconds: 120, agentsOnQueue: 0 })).toBe('No agents are available right now. Your messages are kept, and an agent will answer as soon as one is back.');
    expect(waitingNotice({ position: 2, waitSeconds: 300 })).toBe('You are number 2 in the queue. Estimated wait: about 5 minutes.');
  });

  it('says nothing when the desk knows nothing', () => {
    expect(waitingNotice(null)).toBeNull();
    expect(waitingNotice({})).toBeNull();
    expect(waitingNotice({ agentsOnQueue: 2 })).toBeNull();
  });
});
