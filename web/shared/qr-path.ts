import qrcode from 'qrcode-generator';

// The modules of a QR code as one SVG path: used by the browser apps' <QrCode> and by the web chat bundle.

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

