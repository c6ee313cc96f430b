/**
 * Large walks share their lstats with a worker thread: its rows must equal
 * the main thread's, a hash must not depend on whether it helped, and the
 * worker never keeps a process alive.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileHasher } from '../../../src/core/hash';
import { fillRow, KIND_FILE, KIND_GONE, KIND_OTHER, KIND_SYMLINK, ROW } from '../../../src/core/hash/stat-rows';
import { statAll, statWorker } from '../../../src/core/hash/stat-worker';
import { Yielder } from '../../../src/core/hash/yielder';
import { Tree } from './helpers';

async function workerOnline(): Promise<void> {
  for (let i = 0; i < 500 && !statWorker(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(statWorker(), 'the stat worker came online');
}

describe('stat worker', function () {
  this.timeout(20000);
  let t: Tree;
  before(async () => {
    t = new Tree();
    for (let i = 0; i < 300; i++) t.write(`d/s${i % 7}/f${i}.txt`, 'x'.repeat(i));
    mkdirSync(t.abs('d/empty-dir'));
    if (process.platform !== 'win32') symlinkSync('s0/f0.txt', t.abs('d/link'));
    await workerOnline();
  });
  after(() => t.remove());

  it('returns the same rows as the main thread, for files, links, folders and missing paths', async () => {
    const paths = [...Array.from({ length: 300 }, (_, i) => t.abs(`d/s${i % 7}/f${i}.txt`)), t.abs('d/empty-dir'), t.abs('d/nope'), t.abs('d/s0/f0.txt/below')];
    if (process.platform !== 'win32') paths.push(t.abs('d/link'));
    const both = await statAll(paths, new Yielder(), true, () => undefined);
    const mine = new Float64Array(paths.length * ROW);
    paths.forEach((p, i) => fillRow(mine, i, p));
    assert.deepEqual([...both], [...mine]);
    const kinds = [...mine].filter((_, i) => i % ROW === 0);
    assert.equal(kinds.filter((k) => k === KIND_FILE).length, 300);
    assert.deepEqual(kinds.slice(300, 303), [KIND_OTHER, KIND_GONE, KIND_GONE]);
    if (process.platform !== 'win32') assert.equal(kinds[303], KIND_SYMLINK);
  });

  it('splits a long walk into batches either thread may take, and every row lands in its place', async () => {
    // 300 files, each listed 10 times with a missing path between: 6,010 paths, 24 batches.
    const paths: string[] = [];
    for (let k = 0; k < 10; k++) {
      for (let i = 0; i < 300; i++) paths.push(t.abs(`d/s${i % 7}/f${i}.txt`));
      paths.push(t.abs(`d/gone${k}`));
    }
    const mine = new Float64Array(paths.length * ROW);
    paths.forEach((p, i) => fillRow(mine, i, p));
    // A slow `meanwhile` lets the worker take most batches; an instant one leaves the main thread many.
    for (const meanwhile of [() => undefined, () => { const until = performance.now() + 30; while (performance.now() < until); }]) {
      const rows = await statAll(paths, new Yielder(), true, meanwhile);
      assert.deepEqual([...rows], [...mine]);
    }
  });

  it('hashes a directory the same with and without the worker, with and without the stat cache', async () => {
    const state = t.abs('state.json');
    const alone = await new FileHasher(undefined, { parallelStatAbove: Infinity }).hashPath(t.abs('d'));
    const first = new FileHasher(state, { parallelStatAbove: 1 });
    assert.deepEqual(await first.hashPath(t.abs('d')), alone);
    await first.save();
    assert.deepEqual(await new FileHasher(state, { parallelStatAbove: 1 }).hashPath(t.abs('d')), alone);
    assert.equal(alone!.files, process.platform === 'win32' ? 300 : 301);
  });

  it('never keeps a process alive: one whose worker came online and sat idle, or answered a request, exits by itself', () => {
    const src = path.resolve(__dirname, '../../../src/core/hash/stat-worker.ts');
    for (const use of ['', `await statAll(['${t.abs('d/s0/f0.txt')}'], new Yielder(), true, () => undefined);`]) {
      const script = t.abs(`exits${use ? '-used' : ''}.ts`);
      writeFileSync(script, [
        `import { statAll, statWorker } from ${JSON.stringify(src)};`,
        `import { Yielder } from ${JSON.stringify(path.resolve(__dirname, '../../../src/core/hash/yielder.ts'))};`,
        'void (async () => {',
        '  for (let i = 0; i < 500 && !statWorker(); i++) await new Promise((r) => setTimeout(r, 10));',
        "  if (!statWorker()) throw new Error('the worker never came online');",
        `  ${use}`,
        "  console.log('done');",
        '})();',
      ].join('\n'));
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 15000 });
      assert.equal(r.stdout.trim(), 'done', r.stderr);
      assert.equal(r.signal, null, `the process ${use ? 'whose worker answered' : 'with an idle worker'} was still running after 15 s`);
      assert.equal(r.status, 0, r.stderr);
    }
  });
});
