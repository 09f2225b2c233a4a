import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Corks } from '../../src/realtime/cork.js';

// A tick's writes to one stream go out as one write, after the tick; ws's own cork/uncork around each frame
// nests inside ours.

/** A stream that counts the writes reaching its sink: one per write, or one per batch when corked. */
function counted() {
  const writes: number[] = [];
  const s = new PassThrough({
    writev(chunks, done) {
      writes.push(chunks.length);
      done();
    },
    write(_chunk, _enc, done) {
      writes.push(1);
      done();
    },
  });
  return { s, writes };
}

describe('Corks', () => {
  it('holds a tick of writes, frames corked by their writer too, and writes them at once after it', async () => {
    const corks = new Corks();
    const a = counted();
    const b = counted();
    for (let i = 0; i < 3; i++) {
      corks.cork(a.s);
      // What ws does for each frame: header and payload under its own cork.
      a.s.cork();
      a.s.write('header');
      a.s.write('payload');
      a.s.uncork();
    }
    corks.cork(b.s);
    b.s.write('one');
    expect(a.writes).toEqual([]);
    expect(b.writes).toEqual([]);
    await new Promise((r) => process.nextTick(r));
    expect(a.writes).toEqual([6]);
    expect(b.writes).toEqual([1]);
    expect(a.s.writableCorked).toBe(0);
  });

  it('uncorked, the same writes go one by one (the cost the cork saves)', () => {
    const a = counted();
    for (let i = 0; i < 3; i++) {
      a.s.cork();
      a.s.write('header');
      a.s.write('payload');
      a.s.uncork();
    }
    expect(a.writes).toEqual([2, 2, 2]);
  });

  it('a stream ended before the tick is over is not written to again', async () => {
    const corks = new Corks();
    const a = counted();
    corks.cork(a.s);
    a.s.write('last');
    a.s.end();
    await new Promise((r) => process.nextTick(r));
    expect(a.writes).toEqual([1]);
  });
});
