// Writes the customer app's icons (web/public/app/icons): PNGs for the web manifest and an SVG favicon.
// A tiny rasteriser (4×4 supersampling) and Node's zlib make the PNGs, so no image tool is needed.
// Run: node web/scripts/make-icons.mjs  (the output is committed; rerun only to change the design)

import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';

const OUT = join(import.meta.dirname, '..', 'public', 'app', 'icons');
const ACCENT = [0x21, 0x55, 0xd6];
const WHITE = [255, 255, 255];

// Shapes in a 0..1 square. `inset` shrinks the artwork for maskable icons (safe zone = inner 80 %).
function shapes(inset, rounded) {
  const s = (v) => 0.5 + (v - 0.5) * (1 - inset * 2);
  const inRoundRect = (x, y, x0, y0, x1, y1, r) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
  const inTriangle = (x, y, [ax, ay], [bx, by], [cx, cy]) => {
    const d = (px, py, qx, qy, rx, ry) => (px - rx) * (qy - ry) - (qx - rx) * (py - ry);
    const d1 = d(x, y, ax, ay, bx, by), d2 = d(x, y, bx, by, cx, cy), d3 = d(x, y, cx, cy, ax, ay);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };
  return (x, y) => {
    if (rounded ? !inRoundRect(x, y, 0, 0, 1, 1, 0.22) : false) return null;
    const bubble = inRoundRect(x, y, s(0.2), s(0.24), s(0.8), s(0.68), s(0.2) - s(0.1)) || inTriangle(x, y, [s(0.3), s(0.6)], [s(0.46), s(0.6)], [s(0.28), s(0.8)]);
    if (!bubble) return ACCENT;
    for (const dx of [0.36, 0.5, 0.64]) if ((x - s(dx)) ** 2 + (y - s(0.46)) ** 2 <= (0.045 * (1 - inset * 2)) ** 2) return ACCENT;
    return WHITE;
  };
}

function render(size, shape) {
  const px = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = shape((x + (sx + 0.5) / n) / size, (y + (sy + 0.5) / n) / size);
          if (!c) continue;
          r += c[0]; g += c[1]; b += c[2]; a += 1;
        }
      }
      const i = (y * size + x) * 4;
      if (a) { px[i] = r / a; px[i + 1] = g / a; px[i + 2] = b / a; }
      px[i + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return png(size, px);
}

function png(size, rgba) {
  const crcTable = Array.from({ length: 256 }, (_, k) => {
    let c = k;
    for (let i = 0; i < 8; i++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" rx="22" fill="#2155d6"/><path fill="#fff" d="M30 24h40a10 10 0 0110 10v24a10 10 0 01-10 10H46l-18 12 2-12a10 10 0 01-10-10V34a10 10 0 0110-10z"/><g fill="#2155d6"><circle cx="36" cy="46" r="4.5"/><circle cx="50" cy="46" r="4.5"/><circle cx="64" cy="46" r="4.5"/></g></svg>\n`;

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'icon-192.png'), render(192, shapes(0, true)));
writeFileSync(join(OUT, 'icon-512.png'), render(512, shapes(0, true)));
// Maskable: full-bleed background (the platform cuts its own shape), artwork inside the safe zone.
writeFileSync(join(OUT, 'icon-maskable-512.png'), render(512, shapes(0.1, false)));
writeFileSync(join(OUT, 'icon.svg'), SVG);
console.log(`icons written to ${OUT}`);
