import type { Availability } from '../../sdk/src/index.js';

// What a waiting customer is told, from whatever the desk knows: the built-in inbox gives a queue position,
// a vendor desk (Genesys) an estimated wait and how many agents are on the queue, and either may be missing.
// One sentence per known fact, so nothing unknown is ever shown as a number.

/** What the banner needs: the signal's figures without its ids. */
export type WaitingFigures = Pick<Availability, 'position' | 'waitSeconds' | 'agentsOnQueue'>;

/** "less than a minute", "about 1 minute", "about 12 minutes", "about 2 hours". */
export function aboutDuration(seconds: number): string {
  if (seconds < 45) return 'less than a minute';
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return `about ${hours} hour${hours === 1 ? '' : 's'}`;
}

/** The banner's text, or null when the desk said nothing worth showing. */
export function waitingNotice(a: WaitingFigures | null): string | null {
  if (!a) return null;
  const nobody = a.agentsOnQueue === 0;
  const sentences: string[] = [];
  if (nobody) sentences.push('No agents are available right now.');
  if (a.position) sentences.push(a.position === 1 ? 'You are next in the queue.' : `You are number ${a.position} in the queue.`);
  // With nobody on the queue an estimate means nothing; say what happens to the messages instead.
  if (nobody) sentences.push('Your messages are kept, and an agent will answer as soon as one is back.');
  else if (a.waitSeconds !== undefined) sentences.push(`Estimated wait: ${aboutDuration(a.waitSeconds)}.`);
  else if (a.position) sentences.push('An agent will be with you soon.');
  return sentences.length ? sentences.join(' ') : null;
}
