import { createReadStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

// Where media bytes live. The local folder is the default; an S3-compatible store implements the same
// interface. Media is never public: it is read back only through short-lived signed URLs (see signing.ts).

export interface BlobStore {
  put(id: string, data: Buffer): Promise<void>;
  get(id: string): Promise<{ stream: Readable; size: number } | undefined>;
}

export class LocalBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  private path(id: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error('bad media id');
    return join(this.dir, id.slice(-2), id);
  }

  async put(id: string, data: Buffer): Promise<void> {
    const file = this.path(id);
    await mkdir(join(file, '..'), { recursive: true });
    // Write then rename, so a crash never leaves a half file under the final name.
    await writeFile(`${file}.tmp`, data);
    await rename(`${file}.tmp`, file);
  }

  async get(id: string): Promise<{ stream: Readable; size: number } | undefined> {
    const file = this.path(id);
    try {
      const s = await stat(file);
      return { stream: createReadStream(file), size: s.size };
    } catch {
      return undefined;
    }
  }
}
