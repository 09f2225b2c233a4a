// A small multipart/form-data reader for the upload endpoints (WhatsApp `POST /{phone-number-id}/media`,
// Messenger `POST /me/message_attachments`): fields as text, files as bytes with their content type.
export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export function parseMultipart(contentType: string | undefined, raw: Buffer): Part[] | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!/^multipart\/form-data/i.test(contentType ?? '') || !m) return undefined;
  const boundary = Buffer.from(`--${m[1] ?? m[2]!.trim()}`);
  const parts: Part[] = [];
  let pos = raw.indexOf(boundary);
  if (pos < 0) return undefined;
  for (;;) {
    pos += boundary.length;
    if (raw.subarray(pos, pos + 2).toString() === '--') break;
    if (raw.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headerEnd = raw.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return undefined;
    const headers = raw.subarray(pos, headerEnd).toString('utf8');
    const next = raw.indexOf(boundary, headerEnd + 4);
    if (next < 0) return undefined;
    const data = raw.subarray(headerEnd + 4, next - 2); // the CRLF before the boundary
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim();
    if (name !== undefined) parts.push({ name, data, ...(filename !== undefined ? { filename } : {}), ...(type ? { contentType: type } : {}) });
    pos = next;
  }
  return parts;
}

/** Fetches a URL as Meta does at send time: the bytes and their content type, or nothing. */
export async function download(url: string, timeoutMs = 10_000): Promise<{ contentType: string; bytes: Buffer } | undefined> {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    const res = await fetch(u, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length === 0) return undefined;
    return { contentType: (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim(), bytes };
  } catch {
    return undefined;
  }
}
