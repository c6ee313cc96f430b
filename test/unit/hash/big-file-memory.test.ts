/**
 * A 200 MB file hashes in bounded memory: it is read one 1 MiB chunk at a
 * time, never whole. RSS is sampled while hashing.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { FileHasher } from '../../../src/core/hash';
import { Tree } from './helpers';

const MiB = 1024 * 1024;

describe('FileHasher: a 200 MB file', function () {
  this.timeout(60000);
  let t: Tree;
  let file = '';
  let expected = '';
  before(() => {
    t = new Tree();
    file = t.abs('big.bin');
    // Distinct chunks (so a bug that re-reads or skips one changes the hash), hashed as written.
    const h = createHash('sha256');
    const chunk = Buffer.alloc(MiB);
    const fd = openSync(file, 'w');
    for (let i = 0; i < 200; i++) {
      chunk.fill(i & 0xff);
      chunk.writeUInt32LE(i, 0);
      writeSync(fd, chunk);
      h.update(chunk);
    }
    closeSync(fd);
    expected = h.digest('hex');
  });
  after(() => t.remove());

  it('hashes with an RSS increase under 100 MB', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    let hash: string | undefined;
    try {
      hash = (await new FileHasher().hashPath(file))?.hash;
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(hash, expected);
    const deltaMiB = (peak - before) / MiB;
    assert.ok(deltaMiB < 100, `RSS grew by ${deltaMiB.toFixed(1)} MiB`);
  });
});
