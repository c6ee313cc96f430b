/**
 * Bad input: each problem gets a clear message on the thing it concerns,
 * and the rest is still measured. Real files in a temp folder, read by the
 * real readers.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTable } from '../../../src/core/data/read';
import { computeDependencies } from '../../../src/core/importance/dependencies';
import { readImportancesFile } from '../../../src/core/importance/file';
import { measureDependencies } from '../../../src/core/importance/measure';

describe('importance: bad input', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-importance-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const measure = async (csv: string, target: string) => computeDependencies(await readTable(file('d.csv', csv)), { target, file: 'd.csv' });

  const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

  it('an all-null column and a one-value column are noted; the others are measured', async () => {
    const r = await measure(`x,empty,one,y\n${rows(40, (i) => `${i},,7,${i % 2}`)}\n`, 'y');
    assert.deepEqual(r.problems, []);
    const by = new Map(r.features.map((f) => [f.feature, f]));
    assert.equal(by.get('empty')!.problem, 'every value is missing');
    assert.equal(by.get('one')!.problem, 'one value (7): carries no information');
    assert.equal(by.get('one')!.importance, 0);
    assert.ok(by.get('x')!.mutualInfo!.value > 0);
    assert.ok(by.get('x')!.spearman!.pvalue! > 0);
  });

  it('a target with thousands of classes: one problem saying so, nothing measured', async () => {
    const r = await measure(`x,y\n${rows(3000, (i) => `${i % 5},class-${i}`)}\n`, 'y');
    assert.equal(r.features.length, 0);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!, /^target "y" has 3000 distinct values: too many classes for a dependency estimate \(at most 1000\)/);
  });

  it('a constant target, an all-missing target, a missing target column', async () => {
    assert.deepEqual((await measure(`x,y\n${rows(10, (i) => `${i},a`)}\n`, 'y')).problems, ['target "y" has one value (a): no feature can depend on it']);
    assert.deepEqual((await measure(`x,y\n${rows(10, (i) => `${i},`)}\n`, 'y')).problems, ['target "y" has no values (every row is missing)']);
    assert.deepEqual((await measure('x,y\n1,2\n', 'z')).problems, ['target column "z" is not in d.csv (columns: x, y)']);
  });

  it('listed features absent from the file: the reader names them and the columns it has', async () => {
    const p = file('e.csv', 'a,b,y\n1,2,0\n2,1,1\n3,3,0\n');
    await assert.rejects(measureDependencies(p, { target: 'y', format: 'auto', exclude: [], features: ['a', 'zz'] }, { file: 'e.csv' }), /e\.csv.*zz/);
  });

  it('JSON Lines and the same numbers as CSV', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ x: i, c: i % 3 === 0 ? 'a' : 'b', y: i % 2 })).join('\n');
    const a = await measureDependencies(file('j.jsonl', lines + '\n'), { target: 'y', format: 'auto', exclude: [] }, { file: 'j.jsonl' });
    const b = await measure(`x,c,y\n${rows(30, (i) => `${i},${i % 3 === 0 ? 'a' : 'b'},${i % 2}`)}\n`, 'y');
    assert.deepEqual(a.features.map((f) => [f.feature, f.importance, f.spearman?.value, f.cramersV?.value]), b.features.map((f) => [f.feature, f.importance, f.spearman?.value, f.cramersV?.value]));
  });

  describe('importances files', () => {
    it('CSV with std, sorted by importance', async () => {
      const r = await readImportancesFile(file('i.csv', 'feature,importance,std\nage,0.1,0.01\nplan,0.3,0.02\n'), 'i.csv');
      assert.equal(r.source, 'model');
      assert.deepEqual(r.features, [{ feature: 'plan', importance: 0.3, std: 0.02 }, { feature: 'age', importance: 0.1, std: 0.01 }]);
    });
    it('JSON: a list, { features: [...] }, or { feature: importance }', async () => {
      for (const text of ['[{"feature":"a","importance":0.5}]', '{"features":[{"feature":"a","importance":0.5}]}', '{"a":0.5}']) {
        const r = await readImportancesFile(file('i.json', text), 'i.json');
        assert.deepEqual(r.features, [{ feature: 'a', importance: 0.5 }]);
      }
    });
    it('errors name the file and the row or item', async () => {
      await assert.rejects(readImportancesFile(file('b.csv', 'name,score\na,1\n'), 'b.csv'), /b\.csv.*feature/);
      await assert.rejects(readImportancesFile(file('c.csv', 'feature,importance\na,1\nb,high\n'), 'c.csv'), /c\.csv.*row 3/);
      await assert.rejects(readImportancesFile(file('d.json', '[{"feature":"a","importance":"x"}]'), 'd.json'), /^Error: d\.json: item 1 \(a\): "importance" must be a number$|d\.json: item 1 \(a\): "importance" must be a number/);
      await assert.rejects(readImportancesFile(file('e.json', '{oops'), 'e.json'), /e\.json: not valid JSON/);
      await assert.rejects(readImportancesFile(file('f.csv', 'feature,importance\na,1\na,2\n'), 'f.csv'), /f\.csv: feature "a" is listed twice/);
      await assert.rejects(readImportancesFile(path.join(dir, 'missing.json'), 'missing.json'), /missing\.json: no such file/);
    });
  });
});
