/**
 * The push's tar stream writer (src/adapters/ssh/tar-writer.ts): what it
 * writes is an archive GNU tar extracts byte for byte (files straddling
 * buffer ends, empty and block-sized ones, hard link entries); it never
 * has more buffers out than it owns and reuses them; a file whose size is
 * not the one given fails; a stopped writer never waits.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TarWriter } from '../../../src/adapters/ssh/tar-writer';

describe('cache: the ssh:// push tar writer', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-tarw-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an archive tar extracts exactly, through two reused buffers that are never all out at once beyond the two', async () => {
    const BUF = 2048;
    const sizes = [0, 1, 511, 512, 513, BUF - 1, BUF, BUF + 1, 3 * BUF + 7, 10_000];
    const files = sizes.map((n, i) => {
      const f = path.join(dir, `in${i}`);
      writeFileSync(f, randomBytes(n));
      return { f, n };
    });
    const out: Buffer[] = [];
    /** The distinct memory handed out (small buffers may share one pool: told apart by offset). */
    const seen: Array<[ArrayBufferLike, number]> = [];
    let outstanding = 0;
    let most = 0;
    // Like a channel: takes the bytes later (a copy), then gives the buffer back.
    const w = new TarWriter((b, done) => {
      if (!seen.some(([m, o]) => m === b.buffer && o === b.byteOffset)) seen.push([b.buffer, b.byteOffset]);
      most = Math.max(most, ++outstanding);
      setImmediate(() => {
        out.push(Buffer.from(b));
        outstanding--;
        done();
      });
    }, BUF, 2);
    const mtime = 1_700_000_000;
    await w.header('tmp/map', 5, { mtime });
    await w.bytes(Buffer.from('hello'));
    for (const [i, { f, n }] of files.entries()) {
      await w.header(`tmp/${i}`, n, { mtime });
      await w.file(f, n);
      await w.header(`objects/k${i}`, 0, { link: `tmp/${i}`, mtime });
    }
    await w.end();
    await new Promise((r) => setImmediate(r));
    assert.equal(outstanding, 0);
    assert.ok(most <= 2, `at most two buffers out at once (saw ${most})`);
    assert.equal(seen.length, 2, 'the two buffers are reused');
    const archive = Buffer.concat(out);
    assert.equal(archive.length % 512, 0);
    const x = path.join(dir, 'x');
    mkdirSync(path.join(x, 'objects'), { recursive: true });
    const r = spawnSync('tar', ['-x', '-f', '-'], { cwd: x, input: archive });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(readFileSync(path.join(x, 'tmp/map'), 'utf8'), 'hello');
    for (const [i, { f }] of files.entries()) {
      assert.deepEqual(readFileSync(path.join(x, `objects/k${i}`)), readFileSync(f), `object ${i} (${sizes[i]} bytes)`);
    }
  });

  it('fails when a file is shorter or longer than said, naming it', async () => {
    const f = path.join(dir, 'f');
    writeFileSync(f, randomBytes(3000));
    const w = () => new TarWriter((_b, done) => setImmediate(done), 1024, 2);
    await assert.rejects(w().file(f, 4000), /f changed size while being sent \(3000 of 4000 bytes\)/);
    await assert.rejects(w().file(f, 2000), /f changed size while being sent \(3000 bytes, 2000 expected\)/);
  });

  it('once stopped (the channel closed), never waits for buffers the channel will not give back', async () => {
    const f = path.join(dir, 'f');
    writeFileSync(f, randomBytes(100_000));
    let sent = 0;
    const w = new TarWriter(() => void sent++, 1024, 2);
    const writing = w.file(f, 100_000).then(() => w.end());
    await new Promise((r) => setImmediate(r));
    assert.equal(sent, 2, 'both buffers out, none back: the writer waits');
    w.stop();
    await writing;
    assert.equal(sent, 2, 'nothing sent once stopped');
  });
});
