import { strict as assert } from 'node:assert';
import type { ColumnOutcome } from '../../../src/core/drift/detect';
import { MIN_EXPECTED_COUNT, MIN_RELIABLE_SAMPLE, testColumn } from '../../../src/core/drift/detect';
import { chiSquareCategorical, ksTwoSample, wassersteinDistance, wassersteinDistanceNorm } from '../../../src/core/drift/stats';
import type { DriftColumnReport } from '../../../src/core/drift/report';
import { categoryJob, normals, numericJob, repeat } from './helpers';

function tested(o: ColumnOutcome): DriftColumnReport {
  assert.ok('tested' in o, `expected a tested column, got ${JSON.stringify(o)}`);
  return o.tested;
}

function skippedReason(o: ColumnOutcome): string {
  assert.ok('skipped' in o, `expected a skipped column, got ${JSON.stringify('tested' in o ? o.tested.test : o)}`);
  return o.skipped.reason;
}

describe('drift: one column', () => {
  it('removes missing values (NaN, +-Infinity) before the test and counts them', () => {
    const ref = [...normals(100, 1), NaN, NaN, Infinity];
    const cur = [...normals(80, 2), -Infinity];
    const r = tested(testColumn(numericJob(ref, cur, { test: 'ks' })));
    assert.deepEqual(r.missing, { reference: 3, current: 1 });
    assert.equal(r.referenceSize, 100);
    assert.equal(r.currentSize, 80);
    const direct = ksTwoSample(normals(100, 1), normals(80, 2));
    assert.equal(r.statistic, direct.statistic);
    assert.equal(r.pvalue, direct.pvalue);
  });

  it('a KS drift verdict follows the p-value', () => {
    const same = tested(testColumn(numericJob(normals(300, 1), normals(300, 2), { test: 'ks' })));
    assert.equal(same.drifted, same.pvalue! < 0.05);
    const shifted = tested(testColumn(numericJob(normals(300, 1), normals(300, 2, 1), { test: 'ks' })));
    assert.equal(shifted.drifted, true);
    assert.ok(shifted.pvalue! < 1e-10);
    assert.equal(shifted.histogram.kind, 'numeric');
  });

  it('wasserstein reports the raw distance as statistic and the normalised one as distance', () => {
    const a = normals(400, 3, 10, 2);
    const b = normals(400, 4, 10.5, 2);
    const r = tested(testColumn(numericJob(a, b, { test: 'wasserstein' })));
    assert.equal(r.statistic, wassersteinDistance(a, b));
    assert.equal(r.distance, wassersteinDistanceNorm(a, b));
    assert.equal(r.pvalue, undefined);
  });

  it('warns about a constant reference for wasserstein', () => {
    const r = tested(testColumn(numericJob(repeat([5], 100), [...repeat([5], 90), 6, 7, 8, 9, 10, 11], { test: 'wasserstein' })));
    assert.ok(r.warnings.some((w) => w.includes('constant')), r.warnings.join('; '));
  });

  it(`warns when a side has fewer than ${MIN_RELIABLE_SAMPLE} values`, () => {
    const r = tested(testColumn(numericJob(normals(29, 1), normals(200, 2), { test: 'ks' })));
    assert.match(r.warnings[0]!, /small sample \(reference 29, current 200/);
    const ok = tested(testColumn(numericJob(normals(30, 1), normals(30, 2), { test: 'ks' })));
    assert.ok(!ok.warnings.some((w) => w.includes('small sample')));
    const cat = tested(testColumn(categoryJob(repeat(['a', 'b'], 10), repeat(['a', 'b'], 100))));
    assert.ok(cat.warnings.some((w) => w.includes('small sample')));
  });

  it('chi-square: expected counts below 5 are warned about; new and missing categories listed', () => {
    const ref = [...repeat(['a'], 60), ...repeat(['b'], 38), 'rare', 'gone'];
    const cur = [...repeat(['a'], 50), ...repeat(['b'], 45), 'rare', 'new1', 'new2', 'new2'];
    const r = tested(testColumn(categoryJob(ref, cur, { test: 'chisquare' })));
    assert.equal(r.type, 'categorical');
    assert.deepEqual(r.newCategories, ['new1', 'new2']);
    assert.deepEqual(r.missingCategories, ['gone']);
    assert.ok(r.warnings.some((w) => w.startsWith(`2 of 6 categories have an expected count below ${MIN_EXPECTED_COUNT}`)), r.warnings.join('; '));
    assert.ok(r.warnings.some((w) => w.includes('infinite')));
    assert.equal(r.statistic, Infinity);
    assert.equal(r.pvalue, 0);
    assert.equal(r.drifted, true);
  });

  it('chi-square equals Evidently chisquare on the counts (reference order, then new categories)', () => {
    const ref = [...repeat(['x', 'y', 'z', 'y'], 200), null, null];
    const cur = [...repeat(['y', 'x', 'z', 'z'], 150), null];
    const r = tested(testColumn(categoryJob(ref, cur)));
    assert.equal(r.test, 'chisquare');
    const e = chiSquareCategorical(new Map([['x', 50], ['y', 100], ['z', 50]]), new Map([['y', 38], ['x', 38], ['z', 74]]));
    assert.equal(r.statistic, e.statistic);
    assert.equal(r.pvalue, e.pvalue);
    assert.deepEqual(r.missing, { reference: 2, current: 1 });
    assert.equal(r.referenceSize, 200);
  });

  it('one category on both sides: no drift and a warning (p-value NaN)', () => {
    const r = tested(testColumn(categoryJob(repeat(['a'], 50), repeat(['a'], 40))));
    assert.ok(Number.isNaN(r.pvalue));
    assert.equal(r.drifted, false);
    assert.ok(r.warnings.some((w) => w.includes('single category')));
  });

  it('numbers with few values compared as categories say so', () => {
    const r = tested(testColumn(numericJob(repeat([0, 1], 300), repeat([0, 1, 1], 300))));
    assert.equal(r.test, 'chisquare');
    assert.equal(r.type, 'numeric');
    assert.ok(r.warnings.some((w) => w.includes('2 distinct values: compared as categories')));
    assert.deepEqual(r.histogram, { kind: 'categorical', categories: ['0', '1'], reference: [150, 150], current: [100, 200] });
  });

  it('a column with no values on a side is skipped with the reason', () => {
    assert.match(skippedReason(testColumn(numericJob([NaN, NaN], [1, 2, 3]))), /no values in reference/);
    assert.match(skippedReason(testColumn(numericJob([1, 2], []))), /no values in current/);
    assert.match(skippedReason(testColumn(categoryJob([null], [null]))), /either side/);
  });

  it('ks or wasserstein asked for on categories: skipped, saying which tests fit', () => {
    assert.match(skippedReason(testColumn(categoryJob(['a'], ['b'], { test: 'ks' }))), /ks needs numbers.*chisquare, jensenshannon or psi/);
  });

  it('a text column declared a number: parsed, or skipped naming the value that is not a number', () => {
    const job = categoryJob(['1.5', '2', null, '3'], ['2.5', '4', '1e1'], { kind: 'numeric', test: 'ks' });
    const r = tested(testColumn(job));
    assert.equal(r.referenceSize, 3);
    assert.equal(r.missing.reference, 1);
    assert.equal(r.statistic, ksTwoSample([1.5, 2, 3], [2.5, 4, 10]).statistic);
    const bad = categoryJob(['1', 'n/a?'], ['2'], { kind: 'numeric' });
    assert.equal(skippedReason(testColumn(bad)), 'reference: type: number, but "n/a?" is not a number');
  });

  it('numbers declared categories are counted by value; booleans as false/true', () => {
    const job = numericJob([1, 2, 2, 3], [2, 3, 3, 4], { kind: 'categorical', test: 'chisquare' });
    const r = tested(testColumn(job));
    assert.deepEqual(r.newCategories, ['4']);
    assert.deepEqual(r.missingCategories, ['1']);
    const bools = numericJob([0, 1, 1, NaN], [1, 1, 1], { kind: 'categorical' });
    bools.reference = { storage: 'values', type: 'boolean', values: Float64Array.from([0, 1, 1, NaN]) };
    bools.current = { storage: 'values', type: 'boolean', values: Float64Array.from([1, 1, 1]) };
    const b = tested(testColumn(bools));
    assert.deepEqual(b.missingCategories, ['false']);
    assert.equal(b.missing.reference, 1);
  });

  it('psi and jensenshannon on categories report the distance', () => {
    for (const test of ['psi', 'jensenshannon'] as const) {
      const r = tested(testColumn(categoryJob(repeat(['a', 'b', 'c'], 300), repeat(['a', 'a', 'b'], 300), { test })));
      assert.equal(r.statistic, r.distance);
      assert.equal(r.drifted, r.distance! >= 0.1);
      assert.ok(r.distance! > 0.1);
    }
  });
});
