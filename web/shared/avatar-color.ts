import { contrastRatio, hslToRgb, toHex, WHITE } from './contrast.js';

// The background of a name's avatar, behind white initials. The hue comes from the name, so one person
// keeps one colour on every screen. Some hues (yellows, greens, cyans) are too light for white text at
// the palette's lightness, so the lightness is lowered step by step until white reaches WCAG AA: the
// check runs on the exact 8-bit colour returned, so no name can produce an unreadable badge.

/** WCAG 2.1 AA for normal-size text: initials are small (11–15 px). */
export const AVATAR_MIN_CONTRAST = 4.5;

const SATURATION = 45;
const LIGHTNESS = 42;

/** A stable hue (0–359) for a name. */
export function nameHue(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return h;
}

/** `#rrggbb` for the name's avatar; white on it is at least 4.5:1. */
export function avatarColor(name: string): string {
  return hueColor(nameHue(name));
}

/** The palette's colour for a hue, darkened until white on it is at least 4.5:1. */
export function hueColor(hue: number): string {
  for (let l = LIGHTNESS; l > 0; l--) {
    const rgb = hslToRgb(hue, SATURATION, l);
    if (contrastRatio(rgb, WHITE) >= AVATAR_MIN_CONTRAST) return toHex(rgb);
  }
  return '#000000'; // not reached: every hue passes long before black
}
