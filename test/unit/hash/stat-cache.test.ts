/**
 * The persistent stat cache: a new FileHasher on the same state file
 * answers from (size, mtime, inode) without reading, never caches a file
 * still inside the racy window, survives a corrupt state file, and saves
 * atomically, only when something changed, keeping entries it did not see.
 */
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileHasher } from '../../../src/core/hash';
import { OLD_SECONDS, sha256, Tree } from './helpers';

/**
 * Overwrites a file in place (same inode) with other bytes of the same size
 * and puts its mtime back: only a read can tell. `mtimeSeconds` is the
 * mtime the file was given (utimes cannot restore an arbitrary
 * nanosecond mtime exactly, so the tests set ones it can).
 */
function swapContentKeepStat(file: string, content: string, mtimeSeconds = OLD_SECONDS): void {
  const before = statSync(file);
  assert.equal(Buffer.byteLength(content), before.size);
  writeFileSync(file, content);
  utimesSync(file, mtimeSeconds, mtimeSeconds);
  const after = statSync(file);
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeMs, before.mtimeMs);
}

function stateNames(state: string): string[] {
  const { dirs } = JSON.parse(readFileSync(state, 'utf8')) as { dirs: Record<string, (string | number)[]> };
  return Object.entries(dirs).flatMap(([dir, flat]) => flat.filter((_, i) => i % 5 === 0).map((n) => path.join(dir, String(n))));
}

describe('FileHasher: the stat cache', () => {
  let t: Tree;
  let state: string;
  beforeEach(() => {
    t = new Tree();
    state = t.abs('.mlci/state/hashes.json');
  });
  afterEach(() => t.remove());

  it('a new hasher on the same state file returns the cached hash without reading the file', async () => {
    const f = t.write('data/train.csv', 'AAAA');
    const first = new FileHasher(state);
    assert.equal((await first.hashPath(f))!.hash, sha256('AAAA'));
    await first.save();

    // Same size, same mtime, same inode, other bytes: the stale hash comes
    // back, so the file was not read.
    swapContentKeepStat(f, 'BBBB');
    assert.equal((await new FileHasher(state).hashPath(f))!.hash, sha256('AAAA'));

    // A size change is noticed (mtime put back too), and the file is read.
    appendFileSync(f, 'B');
    utimesSync(f, OLD_SECONDS, OLD_SECONDS);
    assert.equal((await new FileHasher(state).hashPath(f))!.hash, sha256('BBBBB'));
  });

  it('answers directory files from the cache too, and notices an mtime change', async () => {
    const f = t.write('data/a.csv', 'AAAA');
    t.write('data/b.csv', 'b');
    const first = new FileHasher(state);
    const h = await first.hashPath(t.abs('data'));
    await first.save();
    swapContentKeepStat(f, 'BBBB');
    assert.equal((await new FileHasher(state).hashPath(t.abs('data')))!.hash, h!.hash, 'stale: not re-read');
    utimesSync(f, OLD_SECONDS + 5, OLD_SECONDS + 5);
    assert.notEqual((await new FileHasher(state).hashPath(t.abs('data')))!.hash, h!.hash, 're-read after the mtime changed');
  });

  it('notices a file replaced by another of the same size and mtime (new inode)', async () => {
    const f = t.write('model.bin', 'AAAA');
    const first = new FileHasher(state);
    await first.hashPath(f);
    await first.save();
    const replacement = t.write('model.bin.new', 'BBBB');
    renameSync(replacement, f);
    assert.equal(statSync(f).mtimeMs, OLD_SECONDS * 1000);
    assert.equal((await new FileHasher(state).hashPath(f))!.hash, sha256('BBBB'));
  });

  it('does not cache a file modified within the last second (racy git)', async () => {
    // Now, to the half second (a value utimes restores exactly).
    const now = Math.round(Date.now() / 500) / 2;
    const f = t.write('out/metrics.json', '{"acc":1}', now);
    const first = new FileHasher(state);
    assert.equal((await first.hashPath(f))!.hash, sha256('{"acc":1}'));
    await first.save();
    // A second write in the same clock tick would keep size and mtime: a
    // cached hash would hide it. Simulated by putting the mtime back.
    swapContentKeepStat(f, '{"acc":2}', now);
    assert.equal((await new FileHasher(state).hashPath(f))!.hash, sha256('{"acc":2}'));
  });

  it('ignores a corrupt or unreadable state file, and replaces it on save', async () => {
    const f = t.write('x.txt', 'x');
    for (const junk of ['{not json', '[1,2,3]', 'null', '{"version":999,"dirs":{}}', JSON.stringify({ version: 1, dirs: { [t.root]: ['x.txt', 1, 'no', 0, 'short'], '/y': 7 } })]) {
      mkdirSync(path.dirname(state), { recursive: true });
      writeFileSync(state, junk);
      const h = new FileHasher(state);
      assert.equal((await h.hashPath(f))!.hash, sha256('x'), junk);
      await h.save();
      assert.deepEqual(stateNames(state), [f]);
    }
    // A folder where the file should be: unreadable, ignored when loading.
    const odd = t.abs('odd-state');
    mkdirSync(odd);
    assert.equal((await new FileHasher(odd).hashPath(f))!.hash, sha256('x'));
  });

  it('saves atomically into a new folder, leaving no temp files, and only when something changed', async () => {
    const f = t.write('a', 'a');
    const h = new FileHasher(state);
    await h.save();
    assert.throws(() => statSync(state), /ENOENT/, 'nothing hashed, nothing written');
    await h.hashPath(f);
    await h.save();
    assert.deepEqual(readdirSync(path.dirname(state)), ['hashes.json']);
    const written = statSync(state);

    const again = new FileHasher(state);
    await again.hashPath(f);
    await again.save();
    assert.equal(statSync(state).ino, written.ino, 'all hits: not rewritten');

    await again.hashPath(t.write('b', 'b'));
    await again.save();
    assert.notEqual(statSync(state).ino, written.ino, 'a new entry: written by rename');
    assert.deepEqual(readdirSync(path.dirname(state)), ['hashes.json']);
  });

  it('keeps entries this process did not see, and drops gone files only above the size limit', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => t.write(`d/${n}`, n));
    const first = new FileHasher(state);
    for (const f of [a, b, c]) await first.hashPath(f);
    await first.save();

    unlinkSync(c);
    const second = new FileHasher(state);
    await second.hashPath(t.write('d/e', 'e'));
    await second.save();
    assert.deepEqual(stateNames(state).sort(), [a, b, c, t.abs('d/e')], 'under the limit: c is kept though gone');

    const third = new FileHasher(state, { pruneAbove: 3 });
    await third.hashPath(t.write('d/f', 'f'));
    await third.save();
    assert.deepEqual(stateNames(state).sort(), [a, b, t.abs('d/e'), t.abs('d/f')], 'over the limit: only the gone file is dropped');
  });
});
