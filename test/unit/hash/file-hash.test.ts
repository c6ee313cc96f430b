/**
 * What a file and a directory hash depend on: content and relative paths,
 * not mtimes, not the location of the tree, not tool folders; symlinks by
 * their target text.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, renameSync, symlinkSync, unlinkSync, utimesSync } from 'node:fs';
import { FileHasher, hashText } from '../../../src/core/hash';
import { sha256, Tree } from './helpers';

describe('FileHasher: what a hash depends on', () => {
  let t: Tree;
  beforeEach(() => (t = new Tree()));
  afterEach(() => t.remove());
  const hashOf = async (rel: string) => (await new FileHasher().hashPath(t.abs(rel)))?.hash;

  it('hashText is sha256 hex of the UTF-8 text', () => {
    assert.equal(hashText('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hashText('é'), sha256(Buffer.from('é', 'utf8')));
  });

  it('hashes a file as sha256 of its content, with its size', async () => {
    t.write('a.txt', 'hello\n');
    assert.deepEqual(await new FileHasher().hashPath(t.abs('a.txt')), { kind: 'file', hash: sha256('hello\n'), files: 1, bytes: 6 });
    t.write('empty', '');
    assert.equal(await hashOf('empty'), sha256(''));
  });

  it('reads files larger than one chunk, and sizes around the chunk boundary', async () => {
    for (const size of [1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 17]) {
      const data = Buffer.alloc(size, 7);
      data[size - 1] = 1;
      t.write(`f${size}`, data);
      assert.equal(await hashOf(`f${size}`), sha256(data), `size ${size}`);
    }
  });

  it('same content, same hash; changed content, changed hash', async () => {
    t.write('a', 'same');
    t.write('b', 'same');
    assert.equal(await hashOf('a'), await hashOf('b'));
    t.write('b', 'diff');
    assert.notEqual(await hashOf('a'), await hashOf('b'));
  });

  it('a missing path is undefined, also below a file', async () => {
    t.write('file', 'x');
    assert.equal(await new FileHasher().hashPath(t.abs('nope')), undefined);
    assert.equal(await new FileHasher().hashPath(t.abs('file/below')), undefined);
  });

  it('refuses a relative path', async () => {
    await assert.rejects(new FileHasher().hashPath('data/x.csv'), /absolute path/);
  });

  describe('directories', () => {
    let base: string;
    beforeEach(async () => {
      t.write('d/a.csv', 'a,b\n1,2\n');
      t.write('d/sub/b.bin', Buffer.from([0, 1, 2, 3]));
      t.write('d/sub/deeper/c.txt', 'c');
      base = (await hashOf('d'))!;
    });

    it('is the sha256 of sorted relpath\\0filehash\\n lines, with file and byte counts', async () => {
      const lines = [`a.csv\0${sha256('a,b\n1,2\n')}\n`, `sub/b.bin\0${sha256(Buffer.from([0, 1, 2, 3]))}\n`, `sub/deeper/c.txt\0${sha256('c')}\n`];
      assert.deepEqual(await new FileHasher().hashPath(t.abs('d')), { kind: 'dir', hash: sha256(lines.join('')), files: 3, bytes: 8 + 4 + 1 });
    });

    it('does not depend on where the tree is', async () => {
      t.write('elsewhere/copy/a.csv', 'a,b\n1,2\n');
      t.write('elsewhere/copy/sub/b.bin', Buffer.from([0, 1, 2, 3]));
      t.write('elsewhere/copy/sub/deeper/c.txt', 'c');
      assert.equal(await hashOf('elsewhere/copy'), base);
    });

    it('changes when a file is added', async () => {
      t.write('d/sub/new.txt', '');
      assert.notEqual(await hashOf('d'), base);
    });

    it('changes when a file is removed', async () => {
      unlinkSync(t.abs('d/sub/deeper/c.txt'));
      assert.notEqual(await hashOf('d'), base);
    });

    it('changes when a file is renamed or moved, content unchanged', async () => {
      renameSync(t.abs('d/a.csv'), t.abs('d/a2.csv'));
      const renamed = await hashOf('d');
      assert.notEqual(renamed, base);
      renameSync(t.abs('d/a2.csv'), t.abs('d/sub/a2.csv'));
      assert.notEqual(await hashOf('d'), renamed);
    });

    it('changes when content changes, also at the same size', async () => {
      t.write('d/sub/deeper/c.txt', 'C');
      assert.notEqual(await hashOf('d'), base);
    });

    it('does not change when only mtimes change', async () => {
      const later = Date.now() / 1000 - 60;
      for (const f of ['d/a.csv', 'd/sub/b.bin', 'd/sub/deeper/c.txt']) utimesSync(t.abs(f), later, later);
      assert.equal(await hashOf('d'), base);
    });

    it('does not count empty folders or .git, node_modules, __pycache__, .mlci, .DS_Store', async () => {
      t.write('d/.git/HEAD', 'ref: refs/heads/main');
      t.write('d/sub/node_modules/x/index.js', '');
      t.write('d/sub/__pycache__/m.cpython-311.pyc', 'pyc');
      t.write('d/.mlci/state/hashes.json', '{}');
      t.write('d/sub/.DS_Store', 'finder');
      t.write('d/empty/.DS_Store', 'finder');
      assert.equal(await hashOf('d'), base);
      assert.equal((await new FileHasher().hashPath(t.abs('d')))!.files, 3);
    });

    it('an empty folder hashes as no lines', async () => {
      t.write('e/.DS_Store', '');
      assert.deepEqual(await new FileHasher().hashPath(t.abs('e')), { kind: 'dir', hash: sha256(''), files: 0, bytes: 0 });
    });

    it('gives the same hash whatever the read concurrency', async () => {
      for (let i = 0; i < 60; i++) t.write(`d/many/f${i}`, `file ${i}`.repeat(i));
      const one = await new FileHasher(undefined, { concurrency: 1 }).hashPath(t.abs('d'));
      const eight = await new FileHasher(undefined, { concurrency: 8 }).hashPath(t.abs('d'));
      assert.deepEqual(eight, one);
      assert.equal(one!.files, 63);
    });
  });

  (process.platform === 'win32' ? describe.skip : describe)('symlinks', () => {
    it('below a directory: hashed as the target text, not followed', async () => {
      t.write('outside/big.bin', 'outside data');
      t.write('d/real.txt', 'r');
      symlinkSync(t.abs('outside'), t.abs('d/link-to-dir'));
      symlinkSync('real.txt', t.abs('d/link-to-file'));
      symlinkSync('missing', t.abs('d/dangling'));
      const h = await new FileHasher().hashPath(t.abs('d'));
      assert.equal(h!.files, 4);
      // Following would have changed it: the link's target content is not part of the hash.
      t.write('outside/big.bin', 'changed outside');
      assert.equal(await hashOf('d'), h!.hash);
      // Re-pointing a link is a change.
      unlinkSync(t.abs('d/link-to-file'));
      symlinkSync('./real.txt', t.abs('d/link-to-file'));
      assert.notEqual(await hashOf('d'), h!.hash);
    });

    it('a link differs from a regular file holding the target text', async () => {
      t.write('a/x', 'target');
      mkdirSync(t.abs('b'));
      symlinkSync('target', t.abs('b/x'));
      assert.notEqual(await hashOf('a'), await hashOf('b'));
    });

    it('the hashed path itself is followed (it is what the pipeline names)', async () => {
      t.write('data/x.csv', 'x');
      symlinkSync(t.abs('data'), t.abs('data-link'));
      symlinkSync(t.abs('data/x.csv'), t.abs('x-link'));
      assert.equal(await hashOf('data-link'), await hashOf('data'));
      assert.equal(await hashOf('x-link'), sha256('x'));
      symlinkSync(t.abs('gone'), t.abs('dangling'));
      assert.equal(await hashOf('dangling'), undefined);
    });
  });
});
