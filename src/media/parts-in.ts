import type { Kysely } from 'kysely';
import { ParleyError } from '../core/errors.js';
import type { Part } from '../core/parts.js';
import type { DB } from '../store/schema.js';

/**
 * Media parts name an upload by id. Only its uploader may send it, and its type, size and name come from
 * our own record, never from the client, so a message cannot lie about what it carries.
 */
export async function resolveMediaParts(db: Kysely<DB>, parts: Part[], owner: string): Promise<Part[]> {
  const out: Part[] = [];
  for (const p of parts) {
    if (p.type !== 'media') {
      out.push(p);
      continue;
    }
    const m = await db.selectFrom('media').selectAll().where('id', '=', p.mediaId).executeTakeFirst();
    if (!m || m.owner !== owner) throw new ParleyError('MEDIA_NOT_FOUND', `No media "${p.mediaId}" uploaded by you.`);
    out.push({ type: 'media', mediaId: m.id, mime: m.mime, size: Number(m.size), ...(m.name ? { name: m.name } : {}), ...(p.caption ? { caption: p.caption } : {}) });
  }
  return out;
}
