import { useMemo } from 'preact/hooks';
import { qrPath } from './qr-path.js';

// A real, scannable QR code, drawn as SVG by Preact from the generator's module matrix (qr-path.ts). No markup
// string from the generator is ever parsed, so whatever the content is, it can only end up as data.

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
