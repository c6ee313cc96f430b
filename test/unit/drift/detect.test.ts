import { strict as assert } from 'node:assert';
import { DataError } from '../../../src/core/data/errors';
import { columnKind, detectDrift } from '../../../src/core/drift/detect';
import { byName, normals, repeat, spec, TempDir } from './helpers';

describe('drift: detectDrift on files', () => {
  let dir: TempDir;
  before(() => {
    dir = new TempDir();
  });
  after(() => dir.remove());

  /** Four numeric columns; `drifting` of them shifted by 2 sd in current. */
  function pair(name: string, drifting: number): [string, string] {
    const ref: Record<string, number[]> = {};
    const cur: Record<string, number[]> = {};
    for (let k = 0; k < 4; k++) {
      ref[`n${k}`] = normals(200, 10 + k);
      cur[`n${k}`] = normals(200, 20 + k, k < drifting ? 2 : 0);
    }
    return [dir.csv(`${name}-ref.csv`, ref), dir.csv(`${name}-cur.csv`, cur)];
  }

  it('dataset drift when drifted / tested >= share', async () => {
    const [ref, cur] = pair('share', 2);
    const half = await detectDrift(ref, cur, spec({ share: 0.5 }));
    assert.equal(half.columns.filter((c) => c.drifted).length, 2);
    assert.equal(half.driftedShare, 0.5);
    assert.equal(half.datasetDrift, true); // 2 of 4 is exactly the share
    const more = await detectDrift(ref, cur, spec({ share: 0.51 }));
    assert.equal(more.datasetDrift, false);
    const none = await detectDrift(...pair('none', 0), spec({ share: 0.25 }));
    assert.equal(none.driftedShare, 0);
    assert.equal(none.datasetDrift, false);
  });

  it('report shape: version, paths as named, rows, columns in file order', async () => {
    const [ref, cur] = pair('shape', 1);
    const r = await detectDrift(ref, cur, spec(), { referenceName: 'ref.csv', currentName: 'cur.csv' });
    assert.equal(r.version, 1);
    assert.deepEqual(r.reference, { path: 'ref.csv', rows: 200 });
    assert.deepEqual(r.current, { path: 'cur.csv', rows: 200 });
    assert.deepEqual(r.columns.map((c) => c.name), ['n0', 'n1', 'n2', 'n3']);
    assert.equal(r.share, 0.5);
    assert.ok(r.durationMs >= 0);
    assert.deepEqual(r.warnings, []);
  });

  it('columns on one side only are listed and not tested; include, exclude and ignore narrow the test', async () => {
    const ref = dir.csv('sel-ref.csv', { id: [1, 2, 3], a: [1, 2, 3], b: [1, 2, 3], c: ['x', 'y', 'x'], old: [1, 1, 1], d: [4, 5, 6] });
    const cur = dir.csv('sel-cur.csv', { a: [1, 2, 4], id: [7, 8, 9], b: [2, 3, 4], c: ['x', 'x', 'y'], d: [1, 2, 3], fresh: [0, 0, 0] });
    const r = await detectDrift(ref, cur, spec({ exclude: ['id'], columns: { b: { test: 'auto', ignore: true }, zip: { test: 'auto', type: 'category' } } }));
    assert.deepEqual(r.missingColumns, ['old']);
    assert.deepEqual(r.newColumns, ['fresh']);
    assert.deepEqual(r.columns.map((c) => c.name), ['a', 'c', 'd']);
    assert.deepEqual(r.skipped, [{ name: 'id', reason: 'excluded (drift.exclude)' }, { name: 'b', reason: 'ignored (ignore: true)' }]);
    assert.deepEqual(r.warnings, ['drift.columns has settings for "zip", which is in neither file']);
    const only = await detectDrift(ref, cur, spec({ include: ['c', 'a', 'nope', 'old'] }));
    assert.deepEqual(only.columns.map((c) => c.name), ['a', 'c']);
    assert.deepEqual(only.missingColumns, ['old']);
    assert.deepEqual(only.newColumns, []);
    assert.ok(only.warnings.includes('drift.include lists "nope", which is in neither file'));
  });

  it('a column on one side only makes the dataset drift, naming the columns and both files; excluding them accepts it', async () => {
    const ref = dir.csv('side-ref.csv', { a: normals(100, 1), plan: repeat(['x', 'y'], 100), age: normals(100, 2) });
    const cur = dir.csv('side-cur.csv', { a: normals(100, 3), coupon: repeat([1, 0], 100) });
    const r = await detectDrift(ref, cur, spec(), { referenceName: 'data/ref.csv', currentName: 'data/cur.csv' });
    assert.equal(r.columns.filter((c) => c.drifted).length, 0, 'the shared column itself does not drift');
    assert.equal(r.datasetDrift, true);
    assert.deepEqual(r.problems, [
      'columns "plan", "age" of reference data/ref.csv missing from current data/cur.csv; exclude them (drift.exclude, or --exclude) if that is expected',
      'column "coupon" of current data/cur.csv not in reference data/ref.csv; exclude them (drift.exclude, or --exclude) if that is expected',
    ]);
    const accepted = await detectDrift(ref, cur, spec({ exclude: ['plan', 'age', 'coupon'] }));
    assert.deepEqual(accepted.problems, []);
    assert.equal(accepted.datasetDrift, false);
  });

  it('no shared column, or none comparable: dataset drift saying nothing was compared', async () => {
    const ref = dir.csv('none-ref.csv', { a: [1, 2, 3] });
    const cur = dir.csv('none-cur.csv', { b: [1, 2, 3] });
    const r = await detectDrift(ref, cur, spec(), { referenceName: 'ref.csv', currentName: 'cur.csv' });
    assert.equal(r.datasetDrift, true);
    assert.equal(r.problems.at(-1), 'no column is in both reference ref.csv and current cur.csv, so nothing was compared');
    const all = await detectDrift(ref, dir.csv('same-cur.csv', { a: [1, 2, 3] }), spec({ exclude: ['a'] }), { referenceName: 'ref.csv', currentName: 'cur.csv' });
    assert.equal(all.datasetDrift, true);
    assert.deepEqual(all.problems, ['none of the 1 column in both reference ref.csv and current cur.csv was compared (the skipped list says why), so there is no verdict']);
  });

  it('types: text and dates are skipped with a note; a type setting makes them comparable', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `u${i}`);
    const ref = dir.csv('types-ref.csv', { when: repeat(['2024-01-01', '2024-02-01'], 60), who: ids, n: repeat([1, 2, 3, 4, 5, 6], 60) });
    const cur = dir.csv('types-cur.csv', { when: repeat(['2024-03-01'], 60), who: ids.map((s) => s + 'x'), n: repeat(['a', 'b'], 60) });
    const r = await detectDrift(ref, cur, spec());
    const reasons = Object.fromEntries(r.skipped.map((s) => [s.name, s.reason]));
    assert.match(reasons.when!, /dates and times: not compared; set type: number/);
    assert.match(reasons.who!, /free text/);
    assert.match(reasons.n!, /numbers in reference but categories in current/);
    assert.equal(r.columns.length, 0);
    assert.equal(r.datasetDrift, true, 'nothing compared is no evidence of no drift');
    assert.match(r.problems[0]!, /^none of the 3 columns in both reference .* was compared/);

    const typed = await detectDrift(ref, cur, spec({ columns: { when: { test: 'ks', type: 'number' }, who: { test: 'auto', type: 'category' }, n: { test: 'auto', type: 'category' } } }));
    const cols = byName(typed.columns);
    assert.equal(cols.get('when')!.test, 'ks');
    assert.equal(cols.get('when')!.drifted, true);
    assert.equal(cols.get('who')!.type, 'categorical');
    assert.equal(cols.get('who')!.newCategories!.length, 60);
    assert.equal(cols.get('n')!.type, 'categorical');
  });

  it('column kinds: category vs free text still compare as categories', () => {
    assert.equal(columnKind('integer', 'number'), 'numeric');
    assert.equal(columnKind('boolean', 'category'), 'categorical');
    assert.equal(columnKind('category', 'text'), 'categorical');
    assert.equal(columnKind('text', 'number', 'category'), 'categorical');
    assert.deepEqual(columnKind('number', 'boolean'), { reason: 'numbers in reference but true/false values in current: not compared; set type: number or category' });
  });

  it('a file that cannot be read fails with the DataError (file and row in the message)', async () => {
    const ok = dir.csv('good.csv', { a: [1, 2, 3] });
    const ragged = dir.file('ragged.csv', 'a,b\n1,2\n3\n');
    await assert.rejects(detectDrift(ok, ragged, spec(), { currentName: 'data/ragged.csv' }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(e.message, /^data\/ragged\.csv: .*row 3/);
      return true;
    });
    await assert.rejects(detectDrift(dir.path + '/missing.csv', ok, spec(), { referenceName: 'missing.csv' }), /missing\.csv: no such file/);
  });

  it('the format and delimiter settings apply to both files', async () => {
    const ref = dir.file('semi-ref.txt', 'a;b\n1;x\n2;y\n');
    const cur = dir.file('semi-cur.txt', 'a;b\n1;x\n3;x\n');
    const r = await detectDrift(ref, cur, spec({ format: 'csv', delimiter: ';' }));
    assert.deepEqual(r.columns.map((c) => c.name), ['a', 'b']);
    await assert.rejects(detectDrift(ref, cur, spec({ format: 'csv', delimiter: ':' })), /delimiter must be one of/);
    const jl = dir.file('a.jsonl', '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n');
    const r2 = await detectDrift(jl, jl, spec());
    assert.equal(r2.columns.length, 2);
  });

  it('a worker pool gives the same report as the calling thread', async function () {
    this.timeout(30_000);
    const ref = dir.csv('pool-ref.csv', {
      x: normals(3000, 1), y: normals(3000, 2), k: repeat(['a', 'b', 'c', 'b'], 3000), s: repeat([0, 1, 2, 2, 1], 3000),
    });
    const cur = dir.csv('pool-cur.csv', {
      x: normals(2500, 3, 0.3), y: normals(2500, 4), k: repeat(['a', 'c', 'c', 'd'], 2500), s: repeat([0, 1, 2], 2500),
    });
    const columns = { y: { test: 'ks' as const } };
    const inline = await detectDrift(ref, cur, spec({ columns }), { workers: 0 });
    const pooled = await detectDrift(ref, cur, spec({ columns }), { workers: 2 });
    const strip = (r: typeof inline): unknown => ({ ...r, durationMs: 0 });
    assert.deepEqual(strip(pooled), strip(inline));
    assert.deepEqual(inline.columns.map((c) => c.test), ['wasserstein', 'ks', 'jensenshannon', 'jensenshannon']);
  });

  it('a worker pool passes DataErrors back whole', async function () {
    this.timeout(30_000);
    const ok = dir.csv('pool-ok.csv', { a: [1, 2, 3] });
    const ragged = dir.file('pool-ragged.csv', 'a,b\n1,2\n3,4,5\n');
    await assert.rejects(detectDrift(ok, ragged, spec(), { workers: 2, currentName: 'cur.csv' }), (e: unknown) => {
      assert.ok(e instanceof DataError, String(e));
      assert.equal(e.file, 'cur.csv');
      assert.equal(e.row, 3);
      return true;
    });
  });

  it('stops when the signal is aborted', async () => {
    const [ref, cur] = pair('abort', 1);
    const ac = new AbortController();
    ac.abort(new Error('stop now'));
    await assert.rejects(detectDrift(ref, cur, spec(), { signal: ac.signal }), /stop now/);
    const ac2 = new AbortController();
    const p = detectDrift(ref, cur, spec(), { signal: ac2.signal, workers: 2 });
    ac2.abort(new Error('cancelled mid-way'));
    await assert.rejects(p, /cancelled mid-way/);
  });
});
