import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileNationalId, ibanValid, luhnValid, PII_KINDS, redact, type RedactionRules } from '../../src/core/pii.js';
import { redactParts } from '../../src/core/redaction.js';
import { compileRedaction } from '../../src/switchboard/redaction.js';
import { parseSwitchboard } from '../../src/switchboard/config.js';
import { ParleyError } from '../../src/core/errors.js';

// PII redaction of customer text: what must be masked, what must be left alone (numbers that only look like
// cards, dates, amounts, versions), and that masking is idempotent.

const SSN = compileNationalId('\\b\\d{3}-\\d{2}-\\d{4}\\b') as RegExp;
const ALL: RedactionRules = { kinds: PII_KINDS, nationalIds: [{ name: 'us-ssn', regex: SSN }] };
const only = (...kinds: (typeof PII_KINDS)[number][]): RedactionRules => ({ kinds, nationalIds: [] });
const masked = (text: string, rules: RedactionRules = ALL) => redact(text, rules).text;

describe('cards', () => {
  it.each([
    ['4111111111111111', '[card ••••1111]'],
    ['4111 1111 1111 1111', '[card ••••1111]'],
    ['4111-1111-1111-1111', '[card ••••1111]'],
    ['3782 822463 10005', '[card ••••0005]'], // Amex 4-6-5
    ['3782-822463-10005', '[card ••••0005]'],
    ['378282246310005', '[card ••••0005]'],
    ['3056 930902 5904', '[card ••••5904]'], // Diners 4-6-4
    ['5555555555554444', '[card ••••4444]'],
    ['6011 1111 1111 1117', '[card ••••1117]'],
    ['4222222222222', '[card ••••2222]'], // 13 digits
    ['6212 3456 7890 1234 569', '[card ••••4569]'], // 19 digits, 4-4-4-4-3 (UnionPay)
  ])('masks %s keeping the last four', (input, out) => {
    expect(redact(`card: ${input}.`, only('card'))).toEqual({ text: `card: ${out}.`, found: [{ kind: 'card', count: 1 }] });
  });

  it('masks a card inside a sentence, and two cards counted as two', () => {
    expect(redact('my card is 4111 1111 1111 1111 and the old one 5555-5555-5555-4444!', only('card'))).toEqual({
      text: 'my card is [card ••••1111] and the old one [card ••••4444]!',
      found: [{ kind: 'card', count: 2 }],
    });
  });

  it('masks a grouped card followed by a stray digit group without the stray group', () => {
    expect(masked('4111 1111 1111 1111 7', only('card'))).toBe('[card ••••1111] 7');
  });

  it.each([
    ['order 12345678901234567890', 'a 20-digit order number'],
    ['ID4111111111111111x', 'digits glued to letters'],
    ['ref 4111111111111111x', 'digits followed by a letter'],
    ['4111111111111112', 'Luhn-invalid'],
    ['4111 1111 1111 1112', 'Luhn-invalid, grouped'],
    ['0000 0000 0000 0000', 'zeros pass Luhn but are no card'],
    ['0000000000000000', 'zeros, compact'],
    ['7000 0000 0000 0009', 'not a payment-card industry (7)'],
    ['4111 1111-1111 1111', 'mixed separators'],
    ['4111  1111 1111 1111', 'a double space'],
    ['411 111 111 111 1111', 'not grouped like a card'],
    ['41111111111111111111111', 'too long'],
    ['411111111111', '12 digits'],
  ])('leaves %s alone (%s)', (input) => {
    expect(redact(input, only('card')).found).toEqual([]);
  });
});

describe('e-mail addresses', () => {
  it.each([
    ['mail me at jane@example.com', 'mail me at [email]'],
    ['jane.doe+tag@mail.example.co.uk.', '[email].'],
    ['(jane_doe@example.org)', '([email])'],
    ['<j@x.io>, bob@y.de; carol@z.fr!', '<[email]>, [email]; [email]!'],
    ['mailto:jane@example.com?', 'mailto:[email]?'],
    ['JANE@EXAMPLE.COM', '[email]'],
    ['josé@exämple.com', '[email]'],
  ])('masks %s', (input, out) => {
    expect(masked(input, only('email'))).toBe(out);
  });

  it.each(['a@b', 'a@b.c', 'user@localhost', '@example.com', 'jane@', 'jane@example.', 'jane@.com', 'me at example dot com'])('leaves %s alone', (input) => {
    expect(masked(input, only('email'))).toBe(input);
  });
});

describe('IBANs', () => {
  it.each([
    ['DE89370400440532013000', '[iban]'],
    ['DE89 3704 0044 0532 0130 00', '[iban]'],
    ['de89 3704 0044 0532 0130 00', '[iban]'],
    ['GB82 WEST 1234 5698 7654 32', '[iban]'],
    ['gb82west12345698765432', '[iban]'],
    ['NL91 ABNA 0417 1643 00.', '[iban].'],
    ['AT61 1904 3002 3457 3201 bank', '[iban] bank'],
    ['NO93 8601 1117 947', '[iban]'],
  ])('masks %s', (input, out) => {
    expect(redact(input, only('iban'))).toEqual({ text: out, found: [{ kind: 'iban', count: 1 }] });
  });

  it.each([
    'DE00 3704 0044 0532 0130 00', // wrong check digits
    'DE00370400440532013000',
    'DE89 3704 0044 0532 0130 01', // one digit off
    'XDE89370400440532013000', // glued to a letter
    'DE89 37',
  ])('leaves %s alone', (input) => {
    expect(redact(input, ALL).found.filter((f) => f.kind === 'iban')).toEqual([]);
  });

  it('junk that fails the IBAN check is not masked as a phone either', () => {
    expect(masked('DE00 3704 0044 0532 0130 00')).toBe('DE00 3704 0044 0532 0130 00');
    expect(masked('NO00 8601 1117 947')).toBe('NO00 8601 1117 947');
  });

  it('checks mod 97', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE88370400440532013000')).toBe(false);
    expect(ibanValid('DE89')).toBe(false);
  });
});

describe('phone numbers', () => {
  it.each([
    ['call +44 20 7946 0958 please', 'call [phone] please'],
    ['+1 (555) 123-4567', '[phone]'],
    ['+33 1 23 45 67 89', '[phone]'],
    ['+4915123456789', '[phone]'],
    ['+49.151.2345.6789', '[phone]'],
    ['(555) 123-4567', '[phone]'],
    ['555-123-4567', '[phone]'],
    ['06 12 34 56 78', '[phone]'],
    ['06.12.34.56.78', '[phone]'],
    ['0612 345 678, thanks', '[phone], thanks'],
    ['020-7946-0958.', '[phone].'],
  ])('masks %s', (input, out) => {
    expect(masked(input, only('phone'))).toBe(out);
  });

  it.each([
    ['2026-12-01', 'an ISO date'],
    ['01/12/2026', 'a date with slashes'],
    ['01.12.2026', 'a dotted date'],
    ['on 2026-12-01 14:30', 'a date and time'],
    ['2026-12-01 1234', 'a date then a number'],
    ['at 10:30', 'a time'],
    ['1,234.56', 'an amount'],
    ['EUR 1 234 567.89', 'an amount grouped by spaces'],
    ['$1 234 567', 'after a currency sign'],
    ['10.0.19045.2965', 'a version'],
    ['v1.2.3', 'a version with v'],
    ['192.168.100.200', 'an IPv4 address'],
    ['0612345678', 'a compact digit run (an order number)'],
    ['order ORD-2026-000123-45', 'a code with dashes'],
    ['555-1234', 'too few digits'],
    ['+123 4567', 'international, too few digits'],
    ['1234 5678 9012 3456 7890', 'too many digits'],
    ['#123 456 789', 'a ticket number'],
  ])('leaves %s alone (%s)', (input) => {
    expect(masked(input, only('phone'))).toBe(input);
  });

  it('does not cut into a card, an IBAN or an address already masked', () => {
    expect(masked('card 4111 1111 1111 1111, iban DE89 3704 0044 0532 0130 00, jane.5551234567@example.com')).toBe('card [card ••••1111], iban [iban], [email]');
  });
});

describe('national ids', () => {
  it('masks configured patterns by name', () => {
    expect(redact('SSN 123-45-6789 ok', ALL)).toEqual({ text: 'SSN [us-ssn] ok', found: [{ kind: 'us-ssn', count: 1 }] });
  });

  it('an SSN is not taken for a phone number when the pattern is configured', () => {
    expect(masked('123-45-6789 and 555-123-4567')).toBe('[us-ssn] and [phone]');
  });

  it('refuses dangerous or useless patterns', () => {
    expect(compileNationalId('(\\d+)+x')).toMatch(/repeat a group/);
    expect(compileNationalId('(a|b*)*')).toMatch(/repeat a group/);
    expect(compileNationalId('[')).toMatch(/not a valid regular expression/);
    expect(compileNationalId('\\d*')).toMatch(/empty string/);
    expect(compileNationalId('x'.repeat(201))).toMatch(/at most 200/);
    expect(compileNationalId('\\b[A-Z]{2}\\d{6}[A-D]\\b')).toBeInstanceOf(RegExp);
  });
});

describe('redact as a whole', () => {
  const sentence = 'my card is 4111 1111 1111 1111 and mail me at jane@example.com or +44 20 7946 0958, IBAN DE89370400440532013000, SSN 123-45-6789';

  it('masks every kind and counts each', () => {
    expect(redact(sentence, ALL)).toEqual({
      text: 'my card is [card ••••1111] and mail me at [email] or [phone], IBAN [iban], SSN [us-ssn]',
      found: [
        { kind: 'email', count: 1 },
        { kind: 'us-ssn', count: 1 },
        { kind: 'iban', count: 1 },
        { kind: 'card', count: 1 },
        { kind: 'phone', count: 1 },
      ],
    });
  });

  it('only the configured kinds', () => {
    expect(masked(sentence, only('email'))).toBe('my card is 4111 1111 1111 1111 and mail me at [email] or +44 20 7946 0958, IBAN DE89370400440532013000, SSN 123-45-6789');
  });

  it('is idempotent: a redacted text is returned unchanged, with nothing found', () => {
    const once = masked(sentence);
    expect(redact(once, ALL)).toEqual({ text: once, found: [] });
  });

  it('a customer typing something mask-shaped is left alone', () => {
    expect(redact('[card ••••1234] [email] [phone]', ALL)).toEqual({ text: '[card ••••1234] [email] [phone]', found: [] });
  });

  it('text without personal data is returned as it is', () => {
    const text = 'Hello, my order 12345 arrived on 2026-12-01 at 10:30 and cost 1,234.56 (v2.3.1).';
    expect(redact(text, ALL)).toEqual({ text, found: [] });
  });

  it('is idempotent on any mix of tricky pieces (property)', () => {
    const piece = fc.constantFrom(
      '4111 1111 1111 1111',
      '4111111111111111',
      '3782-822463-10005',
      'jane@example.com',
      'DE89 3704 0044 0532 0130 00',
      '+44 20 7946 0958',
      '555-123-4567',
      '123-45-6789',
      '2026-12-01',
      '1,234.56',
      '[email]',
      '[card ••••1111]',
      'x',
      '-',
      '.',
      ' ',
      '@',
      '7',
      '(',
      ')',
      '+',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const once = masked(pieces.join(''));
        expect(masked(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('stays fast on long adversarial input', () => {
    const inputs = ['1 '.repeat(5000), '1-'.repeat(5000), 'a'.repeat(9000) + '@', 'a.'.repeat(4000) + '@b', '@a.'.repeat(3000), 'DE89 '.repeat(2000), '4111 '.repeat(2000)];
    for (const text of inputs) {
      const t = performance.now();
      redact(text, ALL);
      expect(performance.now() - t).toBeLessThan(500);
    }
  });

  it('luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
});

describe('parts', () => {
  it('masks text, captions and other customer-typed fields, and sums the counts', () => {
    const r = redactParts(
      [
        { type: 'text', text: 'card 4111111111111111' },
        { type: 'media', mediaId: 'm1', caption: 'mail jane@example.com', name: 'scan.png' },
        { type: 'location', lat: 1, lng: 2, address: 'call 555-123-4567' },
        { type: 'text', text: 'and 5555 5555 5555 4444' },
      ],
      ALL.kinds === PII_KINDS ? ALL : ALL,
    );
    expect(r.parts).toEqual([
      { type: 'text', text: 'card [card ••••1111]' },
      { type: 'media', mediaId: 'm1', caption: 'mail [email]', name: 'scan.png' },
      { type: 'location', lat: 1, lng: 2, address: 'call [phone]' },
      { type: 'text', text: 'and [card ••••4444]' },
    ]);
    expect(r.found).toEqual([
      { kind: 'card', count: 2 },
      { kind: 'email', count: 1 },
      { kind: 'phone', count: 1 },
    ]);
  });

  it('returns the same parts when nothing is found', () => {
    const parts = [{ type: 'text' as const, text: 'hello' }];
    expect(redactParts(parts, ALL)).toEqual({ parts, found: [] });
  });
});

describe('the route setting', () => {
  const sw = (redact: unknown) => parseSwitchboard({ routes: [{ channel: 'web', desk: 'inbox', redact }] }, {}, 'parley.config.json');
  const configError = (fn: () => unknown): ParleyError => {
    try {
      fn();
    } catch (e) {
      expect((e as ParleyError).code).toBe('PARLEY_E_CONFIG');
      return e as ParleyError;
    }
    throw new Error('expected a CONFIG error');
  };

  it('defaults to every built-in kind and dropping the original', () => {
    const route = sw({}).routes[0]!;
    expect(compileRedaction(route.redact!, 'routes.0.redact')).toMatchObject({ rules: { kinds: PII_KINDS, nationalIds: [] }, original: 'drop' });
  });

  it('compiles a policy once', () => {
    const route = sw({ nationalIds: [{ name: 'us-ssn', pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b' }], original: 'admins' }).routes[0]!;
    expect(compileRedaction(route.redact!, 'x')).toBe(compileRedaction(route.redact!, 'y'));
  });

  it('a bad pattern stops start-up naming its key', () => {
    const e = configError(() => sw({ nationalIds: [{ name: 'bad', pattern: '(\\d+)+' }] }));
    expect(e.details).toEqual({ key: 'routes.0.redact.nationalIds.0.pattern' });
    expect(e.message).toContain('routes.0.redact.nationalIds.0.pattern');
  });

  it('an unknown kind, original or key stops start-up naming its key', () => {
    expect(configError(() => sw({ kinds: ['ssn'] })).details).toEqual({ key: 'routes.0.redact.kinds.0' });
    expect(configError(() => sw({ original: 'agents' })).details).toEqual({ key: 'routes.0.redact.original' });
    expect(configError(() => sw({ keep: true })).details).toMatchObject({ key: expect.stringContaining('routes.0.redact') });
    expect(configError(() => sw({ nationalIds: [{ name: 'card', pattern: 'x' }] })).details).toEqual({ key: 'routes.0.redact.nationalIds.0.name' });
    expect(configError(() => sw({ nationalIds: [{ name: 'a', pattern: 'x' }, { name: 'a', pattern: 'y' }] })).details).toEqual({ key: 'routes.0.redact.nationalIds' });
  });
});
