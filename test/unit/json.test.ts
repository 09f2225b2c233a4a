import { describe, expect, it } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import { parseJson, urlHasNul } from '../../src/core/json.js';

// U+0000 is refused at every door (PostgreSQL text cannot hold it); everything else parses as JSON.parse does.

describe('parseJson', () => {
  it('parses like JSON.parse, and throws its SyntaxError for bad JSON', () => {
    expect(parseJson('{"a":[1,"x"]}')).toEqual({ a: [1, 'x'] });
    expect(() => parseJson('{"a":')).toThrow(SyntaxError);
  });
  it('refuses U+0000 in a string or a key, however deep, as VALIDATION', () => {
    for (const text of ['"\\u0000"', '{"a":{"b":["x\\u0000y"]}}', '{"k\\u0000":1}']) {
      const err = (() => {
        try {
          parseJson(text);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ParleyError);
      expect((err as ParleyError).code).toBe('PARLEY_E_VALIDATION');
    }
  });
  it('keeps an escaped backslash before u0000 as text', () => {
    expect(parseJson('{"p":"C:\\\\u0000"}')).toEqual({ p: 'C:\\u0000' });
  });
  it('finds %00 in a URL in either case', () => {
    expect(urlHasNul('/v1/x%00')).toBe(true);
    expect(urlHasNul('/v1/x?a=%00')).toBe(true);
    expect(urlHasNul('/v1/x%2500')).toBe(false);
  });
});
