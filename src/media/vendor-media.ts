import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { MediaPart } from '../core/parts.js';
import type { DB } from '../store/schema.js';
import { newId, nowIso } from '../store/tx.js';
import type { BlobStore } from './blob-store.js';
import { matchesType } from './sniff.js';

// Copy a file a vendor links to (an agent's attachment) into Parley's blob store at once: vendor download
// links expire, and Parley serves media only through its own signed URLs. Shared by every vendor adapter.
//
// Safety: the download is bounded in time and size; the stored type is the vendor's only when it is a type
// Parley accepts for uploads and the bytes match it (sniff.ts), otherwise application/octet-stream, which is
// served as a download — so an "image/svg+xml" or "text/html" from outside can never render on our origin.

export interface VendorMediaDeps {
  db: Kysely<DB>;
  blobs: BlobStore;
  mediaTypes: readonly string[];
  maxBytes: number;
}

/**
 * Why a vendor file could not be copied. `permanent`: asking again cannot help (not http, too large, empty,
 * a 4xx other than 408/429), so the adapter shows the file's name instead; otherwise (network, timeout, 5xx,
 * 408, 429) the adapter asks the vendor to retry the webhook.
 */
export class VendorMediaError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

const transientStatus = (status: number): boolean => status >= 500 || status === 408 || status === 429;

export async function copyVendorMedia(
  deps: VendorMediaDeps,
  input: { url: string; mime?: string | undefined; name?: string | undefined; caption?: string | undefined; owner: string; headers?: Record<string, string>; timeoutMs?: number },
): Promise<MediaPart> {
  if (!/^https?:\/\//i.test(input.url)) throw new VendorMediaError('not an http(s) URL', true);
  const res = await fetch(input.url, { headers: input.headers ?? {}, redirect: 'follow', signal: AbortSignal.timeout(input.timeoutMs ?? 5_000) }).catch((e: unknown) => {
    throw new VendorMediaError(`download failed: ${e instanceof Error ? e.name : 'error'}`, false);
  });
  if (!res.ok || !res.body) throw new VendorMediaError(`download answered ${res.status}`, !transientStatus(res.status));
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > deps.maxBytes) throw new VendorMediaError('too large', true);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > deps.maxBytes) throw new VendorMediaError('too large', true);
    chunks.push(Buffer.from(chunk));
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.length === 0) throw new VendorMediaError('empty', true);
  const claimed = (input.mime ?? res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const mime = deps.mediaTypes.includes(claimed) && matchesType(claimed, bytes) ? claimed : 'application/octet-stream';
  const id = newId('md');
  await deps.blobs.put(id, bytes);
  const name = input.name?.slice(0, 255) ?? null;
  await deps.db
    .insertInto('media')
    .values({ id, owner: input.owner, mime, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), name, created_at: nowIso() })
    .execute();
  return { type: 'media', mediaId: id, mime, size: bytes.length, ...(name ? { name } : {}), ...(input.caption ? { caption: input.caption.slice(0, 2000) } : {}) };
}
