import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AVATAR_MIN_CONTRAST, avatarColor, hueColor, nameHue } from '../../web/shared/avatar-color.js';
import { contrastRatio, hslToRgb, WHITE } from '../../web/shared/contrast.js';

// Avatars draw white initials on a colour derived from the name. Whatever the name, that colour must give
// white text WCAG AA contrast (4.5:1). The contrast is worked out here from the returned hex on its own
// (WCAG 2.1 formula), not with the code under test.

function whiteOn(hex: string): number {
  expect(hex).toMatch(/^#[0-9a-f]{6}$/);
  const lin = (i: number) => {
    const s = parseInt(hex.slice(i, i + 2), 16) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * lin(1) + 0.7152 * lin(3) + 0.0722 * lin(5);
  return 1.05 / (l + 0.05);
}

const FIRST = ['Anna', 'Bo', 'Alice', 'Bob', 'Jane', 'Dana', 'Cara', 'Ola', 'Ada', 'Mo', 'Zoë', 'Łukasz', 'José', 'Nguyễn', '李', 'Фёдор', 'Aïcha', 'Sven', 'Priya', 'Kwame'];
const LAST = ['Berg', 'Chen', 'Moreau', 'Lee', 'Doe', 'Ortiz', 'Diaz', 'Nordmann', 'Admin', 'Smith', 'García', 'Müller', 'Okafor', 'Tanaka', 'Kowalska', 'O’Brien', 'van Dijk', 'Ivanova', 'Haddad', 'Silva'];

describe('avatar colours', () => {
  it('give white initials at least 4.5:1 for many real-looking names', () => {
    const names = FIRST.flatMap((f) => LAST.map((l) => `${f} ${l}`));
    for (const name of [...names, ...FIRST, '', 'Visitor 3f9a2', 'Root', 'Queue Admin']) {
      expect(whiteOn(avatarColor(name)), name).toBeGreaterThanOrEqual(AVATAR_MIN_CONTRAST);
    }
  });

  it('give white initials at least 4.5:1 on every hue, including the yellows and greens that used to fail', () => {
    // Before: hsl(h 45% 42%) left 166 of 360 hues under 4.5:1, down to 2.9:1 (Jane Doe 3.0, Anna Berg 3.5).
    expect(contrastRatio(hslToRgb(nameHue('Anna Berg'), 45, 42), WHITE)).toBeLessThan(4.5);
    expect(whiteOn(avatarColor('Anna Berg'))).toBeGreaterThanOrEqual(4.5);
    expect(whiteOn(avatarColor('Jane Doe'))).toBeGreaterThanOrEqual(4.5);
    // A name only picks a hue, so checking all 360 covers every name there is.
    for (let hue = 0; hue < 360; hue++) expect(whiteOn(hueColor(hue)), `hue ${hue}`).toBeGreaterThanOrEqual(AVATAR_MIN_CONTRAST);
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => whiteOn(avatarColor(name)) >= AVATAR_MIN_CONTRAST), { numRuns: 5000 });
  });

  it('keep one colour per name, and colours that already passed unchanged', () => {
    expect(avatarColor('Bob Lee')).toBe(avatarColor('Bob Lee'));
    // Bob Lee's blue was readable before (7.2:1): it is the same blue now.
    expect(avatarColor('Bob Lee')).toBe('#3b539b');
  });

  it('still tell people apart: names spread over many colours', () => {
    const names = FIRST.flatMap((f) => LAST.map((l) => `${f} ${l}`));
    expect(new Set(names.map(avatarColor)).size).toBeGreaterThan(100);
  });
});

describe('contrast arithmetic', () => {
  it('matches the WCAG reference points', () => {
    expect(contrastRatio([0, 0, 0], WHITE)).toBeCloseTo(21, 5);
    expect(contrastRatio(WHITE, WHITE)).toBe(1);
    expect(contrastRatio([118, 118, 118], WHITE)).toBeCloseTo(4.54, 2); // #767676, the classic AA grey
  });

  it('converts hsl the way the browser paints it', () => {
    expect(hslToRgb(48, 45, 42)).toEqual([155, 136, 59]); // #9b883b, as Chromium computed Anna Berg's old avatar
    expect(hslToRgb(0, 100, 50)).toEqual([255, 0, 0]);
    expect(hslToRgb(120, 100, 25)).toEqual([0, 128, 0]);
  });
});
