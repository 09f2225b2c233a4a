import qrcode from 'qrcode-generator';
import { useMemo } from 'preact/hooks';

// A real, scannable QR code, drawn as SVG by Preact from the generator's module matrix. No markup string
// from the generator is ever parsed, so whatever the content is, it can only end up as data.

// The generator's default byte encoder keeps only the low 8 bits of each UTF-16 unit; QR readers expect
// UTF-8, so "Café" or an emoji coupon code would scan as garbage without this.
const utf8 = new TextEncoder();
qrcode.stringToBytes = (s: string): number[] => Array.from(utf8.encode(s));

/** Each dark run of a row becomes one rectangle in a single path: small and crisp at any size. */
export function qrPath(content: string): { size: number; d: string } | undefined {
  try {
    const qr = qrcode(0, 'M');
    qr.addData(content, 'Byte');
    qr.make();
    const n = qr.getModuleCount();
    let d = '';
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; ) {
        if (!qr.isDark(y, x)) {
          x++;
          continue;
        }
        let run = 1;
        while (x + run < n && qr.isDark(y, x + run)) run++;
        d += `M${x} ${y}h${run}v1h-${run}z`;
        x += run;
      }
    }
    return { size: n, d };
  } catch {
    // Content too long for the largest QR version: the caller shows the text instead.
    return undefined;
  }
}

export interface QrCodeProps {
  content: string;
  /** Rendered width and height in CSS pixels. */
  size?: number;
  label?: string;
}

export function QrCode({ content, size = 176, label }: QrCodeProps) {
  const qr = useMemo(() => qrPath(content), [content]);
  if (!qr) return <p class="pw-qr-fallback">{content}</p>;
  // A quiet zone of 4 modules is what scanners need around the code.
  const box = qr.size + 8;
  return (
    <svg
      class="pw-qr"
      data-testid="parley-qr"
      role="img"
      aria-label={label ?? `QR code: ${content}`}
      width={size}
      height={size}
      viewBox={`-4 -4 ${box} ${box}`}
      shape-rendering="crispEdges"
    >
      <rect x="-4" y="-4" width={box} height={box} fill="#fff" />
      <path d={qr.d} fill="#000" />
    </svg>
  );
}
