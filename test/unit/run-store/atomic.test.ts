/** writeFileAtomic / writeJsonAtomic: whole files or nothing, no temp files left behind. */
import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jsonText, tempPathFor, writeFileAtomic, writeJsonAtomic } from '../../../src/core/run/atomic';
import { tempDirs } from './helpers';

describe('atomic writes', () => {
  const tmp = tempDirs('mlci-atomic-');
  after(() => tmp.cleanup());

  it('creates and replaces a file, leaving only the target', async () => {
    const dir = tmp.make();
    const file = path.join(dir, 'state.txt');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, Buffer.from('two'));
    assert.equal(readFileSync(file, 'utf8'), 'two');
    assert.deepEqual(readdirSync(dir), ['state.txt']);
  });

  it('names the temp file .<name>.tmp-<pid>-<random> in the same folder', () => {
    const t = tempPathFor('/x/y/run.json');
    assert.equal(path.dirname(t), '/x/y');
    assert.match(path.basename(t), new RegExp(`^\\.run\\.json\\.tmp-${process.pid}-[0-9a-f]{8}$`));
    assert.notEqual(tempPathFor('/x/y/run.json'), t);
  });

  it('removes the temp file and keeps the old content when the rename fails', async () => {
    const dir = tmp.make();
    const target = path.join(dir, 'target');
    mkdirSync(path.join(target, 'not-empty'), { recursive: true });
    await assert.rejects(writeFileAtomic(target, 'data'));
    assert.deepEqual(readdirSync(dir), ['target']);
    assert.deepEqual(readdirSync(target), ['not-empty']);
  });

  it('fails without leaving anything when the folder does not exist', async () => {
    const dir = tmp.make();
    await assert.rejects(writeFileAtomic(path.join(dir, 'missing', 'f.json'), 'x'), { code: 'ENOENT' });
    assert.deepEqual(readdirSync(dir), []);
  });

  it('concurrent writers leave one complete version, never a mix', async () => {
    const dir = tmp.make();
    const file = path.join(dir, 'big.json');
    const versions = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((c) => c.repeat(200_000));
    await Promise.all(versions.map((v) => writeFileAtomic(file, v)));
    assert.ok(versions.includes(readFileSync(file, 'utf8')));
    assert.deepEqual(readdirSync(dir), ['big.json']);
  });

  it('keeps the permissions of the file it replaces', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = tmp.make();
    const file = path.join(dir, 'mlci.lock');
    writeFileSync(file, 'old');
    chmodSync(file, 0o640);
    await writeFileAtomic(file, 'new');
    assert.equal(statSync(file).mode & 0o777, 0o640);
  });

  it('writes 2-space JSON with a trailing newline, in key order or sorted', async () => {
    const dir = tmp.make();
    const file = path.join(dir, 'v.json');
    await writeJsonAtomic(file, { b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } });
    assert.equal(readFileSync(file, 'utf8'), '{\n  "b": 1,\n  "a": {\n    "d": [\n      1,\n      {\n        "z": 1,\n        "y": 2\n      }\n    ],\n    "c": null\n  }\n}\n');
    await writeJsonAtomic(file, { b: 1, a: { y: 2, x: [{ q: 1, p: 2 }] } }, { sortKeys: true });
    assert.equal(readFileSync(file, 'utf8'), JSON.stringify({ a: { x: [{ p: 2, q: 1 }], y: 2 }, b: 1 }, null, 2) + '\n');
  });

  it('refuses values that are not JSON before touching the disk', async () => {
    const dir = tmp.make();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await assert.rejects(writeJsonAtomic(path.join(dir, 'c.json'), circular), TypeError);
    await assert.rejects(writeJsonAtomic(path.join(dir, 'u.json'), undefined), /cannot write undefined as JSON/);
    assert.throws(() => jsonText(() => 1), /cannot write function/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
