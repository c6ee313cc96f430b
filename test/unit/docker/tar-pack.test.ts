/**
 * The remote-engine upload's tar writer (src/adapters/docker/tar-pack.ts),
 * read back by an independent reader (tar-stream's extract): names longer
 * than ustar's 100 bytes and non-ASCII names (PAX records), an empty file, a
 * file of exactly one block, a file bigger than one read (sent in parts),
 * folder entries once each, modes, and the sha256 of each file as sent.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extract } from 'tar-stream';
import { packFiles } from '../../../src/adapters/docker/tar-pack';

describe('tar-pack: the upload tar of a remote engine', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), 'mlci-tar-pack-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('an independent reader gets every file, byte for byte, with its mode; hashes are of the bytes sent', async () => {
    const cases: [string, number][] = [
      ['a.txt', 5],
      ['empty', 0],
      [`d/e/f/${'x'.repeat(120)}.bin`, 3000],
      ['ünï/cödé.txt', 17],
      ['big/file.bin', 3 * 1024 * 1024 + 7],
      ['d/block', 512],
      [`d/${'y'.repeat(98)}`, 1],
    ];
    const want = new Map<string, { body: Buffer; hash: string }>();
    const files = cases.map(([rel, size]) => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      const body = randomBytes(size);
      writeFileSync(path.join(root, rel), body);
      want.set(rel, { body, hash: createHash('sha256').update(body).digest('hex') });
      return { rel, size, mtimeMs: 1_700_000_000_000, mode: 0o640 };
    });
    const { tar, sent } = packFiles(root, files);
    const got = new Map<string, { body: Buffer; mode: number }>();
    const folders: string[] = [];
    const ex = extract();
    ex.on('entry', (h, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        if (h.type === 'directory') folders.push(h.name);
        else got.set(h.name, { body: Buffer.concat(parts), mode: h.mode! });
        next();
      });
    });
    const finished = new Promise((resolve, reject) => ex.on('finish', resolve).on('error', reject));
    tar.pipe(ex);
    await finished;
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [rel, w] of want) {
      assert.ok(got.get(rel)!.body.equals(w.body), `${rel}: same bytes`);
      assert.equal(got.get(rel)!.mode & 0o777, 0o640, `${rel}: mode`);
    }
    assert.equal(new Set(folders).size, folders.length, 'each folder once');
    assert.ok(folders.includes('d/') && folders.includes('d/e/f/') && folders.includes('big/'), folders.join(' '));
    const hashes = await sent;
    for (const h of hashes) assert.equal(h.hash, want.get(h.rel)!.hash, `${h.rel}: hash`);
  });

  it('a file that shrank after it was listed fails the stream with its name', async () => {
    writeFileSync(path.join(root, 'grows.bin'), randomBytes(4096));
    const files = [{ rel: 'grows.bin', size: 4096, mtimeMs: 0, mode: 0o644 }];
    truncateSync(path.join(root, 'grows.bin'), 100);
    const { tar, sent } = packFiles(root, files);
    await assert.rejects(async () => {
      for await (const chunk of tar) void chunk;
    }, /grows\.bin shrank while it was being sent/);
    await assert.rejects(sent, /grows\.bin shrank/);
  });
});
