import { partsToText, type Part } from '../../core/parts.js';

// Parley parts ⇄ SMS, pure. SMS carries text, and with MMS files; everything else becomes readable text
// (quick replies and buttons as numbered or titled lines, a QR code as its content, a location as
// coordinates: partsToText), so the customer can still answer by typing. Long texts are split in order.

/** One Messages API send: a body, and the Parley media ids to attach (MMS). */
export interface SmsOut {
  body: string;
  mediaIds: string[];
}

/**
 * The sends one agent message becomes. With MMS, each file goes with the text around it (the first send
 * carries the files, at most 10 per message as Twilio allows); without, a file is its name in the text.
 * Every body is at most `limit` characters (code points), split at a line or word break where one is near.
 */
export function toSms(parts: Part[], opts: { mms: boolean; limit: number }): SmsOut[] {
  const media = opts.mms ? parts.filter((p): p is Extract<Part, { type: 'media' }> => p.type === 'media') : [];
  const textParts = opts.mms ? parts.filter((p) => p.type !== 'media' || p.caption).map((p) => (p.type === 'media' ? ({ type: 'text', text: p.caption! } as Part) : p)) : parts;
  const text = textParts.length ? partsToText(textParts).trim() : '';
  const bodies = text ? splitText(text, opts.limit) : [];
  const out: SmsOut[] = [];
  for (let i = 0; i < media.length; i += 10) out.push({ body: '', mediaIds: media.slice(i, i + 10).map((m) => m.mediaId) });
  if (out.length && bodies.length) out[0]!.body = bodies.shift()!;
  for (const body of bodies) out.push({ body, mediaIds: [] });
  return out;
}

/** Splits `text` into pieces of at most `limit` code points, preferring a break at a newline, then a space. */
export function splitText(text: string, limit: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  let start = 0;
  while (chars.length - start > limit) {
    const window = chars.slice(start, start + limit);
    // A break in the last third of the window keeps pieces long; otherwise cut hard.
    const min = Math.floor(limit * 0.66);
    let cut = window.lastIndexOf('\n');
    if (cut < min) cut = window.lastIndexOf(' ');
    if (cut < min) cut = limit;
    const piece = window.slice(0, cut).join('').trimEnd();
    if (piece) out.push(piece);
    start += cut;
    while (start < chars.length && (chars[start] === ' ' || chars[start] === '\n')) start++;
  }
  const rest = chars.slice(start).join('').trim();
  if (rest) out.push(rest);
  return out;
}

/**
 * Twilio's default opt-out keywords (help.twilio.com "Twilio support for opt-out keywords"; the Advanced
 * Opt-Out docs): a message that is exactly one of them, any case, spaces trimmed.
 */
export const KEYWORDS = {
  STOP: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
  START: ['START', 'YES', 'UNSTOP'],
  HELP: ['HELP', 'INFO'],
} as const;
export type Keyword = keyof typeof KEYWORDS;

/** The keyword a message is, from Twilio's `OptOutType` when it sends one, else from the body. */
export function keywordOf(body: string, optOutType?: string): Keyword | undefined {
  const given = optOutType?.toUpperCase();
  if (given === 'STOP' || given === 'START' || given === 'HELP') return given;
  const word = body.trim().toUpperCase();
  return (Object.keys(KEYWORDS) as Keyword[]).find((k) => (KEYWORDS[k] as readonly string[]).includes(word));
}

/** An E.164 number, the only identity an SMS customer has. */
export const isE164 = (s: string): boolean => /^\+[1-9]\d{1,14}$/.test(s);
