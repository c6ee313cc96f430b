import { strict as assert } from 'node:assert';
import { chi2Contingency, chi2Sf, chiSquare, chiSquareCategorical } from '../../../src/core/drift/stats';
import { assertP, assertStat, loadFixture, num } from './helpers';

interface ChiCase {
  name: string;
  observed?: number[]; expected?: number[]; ddof?: number;
  result?: { statistic: unknown; pvalue: unknown; dof: number };
  error?: string;
  sf?: { x: number; dof: number; p: unknown };
}

interface ContingencyCase {
  name: string; table: number[][]; correction: boolean;
  result?: { statistic: unknown; pvalue: unknown; dof: number; expected: number[][] };
  error?: string;
}

describe('drift-stats: chi-square (scipy.stats.chisquare, chi2.sf)', () => {
  const fx = loadFixture<ChiCase>('chisquare.json');

  for (const c of fx.cases.filter((k) => k.observed)) {
    it(c.name, () => {
      if (c.error !== undefined) {
        assert.throws(() => chiSquare(c.observed!, c.expected!, { ddof: c.ddof }), RangeError);
        return;
      }
      const r = chiSquare(c.observed!, c.expected!, { ddof: c.ddof });
      assert.equal(r.dof, c.result!.dof);
      assertStat('chisquare statistic', r.statistic, num(c.result!.statistic), c.name);
      assertP('chisquare p', r.pvalue, num(c.result!.pvalue), c.name);
    });
  }

  it('chi2.sf agrees with scipy over a (x, dof) grid', () => {
    const grid = fx.cases.filter((k) => k.sf);
    assert.ok(grid.length > 50);
    for (const c of grid) assertP('chi2.sf', chi2Sf(c.sf!.x, c.sf!.dof), num(c.sf!.p), c.name);
  });

  it('throws a RangeError for empty or mismatched input', () => {
    assert.throws(() => chiSquare([], []), RangeError);
    assert.throws(() => chiSquare([1, 2], [3]), /categories/);
  });
});

describe('drift-stats: contingency tables (scipy.stats.chi2_contingency)', () => {
  const fx = loadFixture<ContingencyCase>('contingency.json');

  for (const c of fx.cases) {
    it(`${c.name}${c.correction ? '' : ' (no correction)'}`, () => {
      if (c.error !== undefined) {
        assert.throws(() => chi2Contingency(c.table, { correction: c.correction }), /zero element/);
        return;
      }
      const r = chi2Contingency(c.table, { correction: c.correction });
      assert.equal(r.dof, c.result!.dof);
      assertStat('contingency statistic', r.statistic, num(c.result!.statistic), c.name);
      assertP('contingency p', r.pvalue, num(c.result!.pvalue), c.name);
      r.expected.forEach((row, i) => row.forEach((e, j) => assertStat('contingency expected', e, c.result!.expected[i]![j]!, c.name)));
    });
  }

  it('rejects negative counts, empty and ragged tables with a RangeError', () => {
    assert.throws(() => chi2Contingency([[1, -1], [2, 3]]), /nonnegative/);
    assert.throws(() => chi2Contingency([]), RangeError);
    assert.throws(() => chi2Contingency([[1, 2], [3]]), /same length/);
  });
});

describe('drift-stats: categorical chi-square drift test (Evidently)', () => {
  it('a category absent from the reference gives an infinite statistic, p-value 0, and is reported', () => {
    const r = chiSquareCategorical(new Map([['a', 50], ['b', 50]]), new Map([['a', 45], ['b', 40], ['z', 15]]));
    assert.equal(r.statistic, Infinity);
    assert.equal(r.pvalue, 0);
    assert.deepEqual(r.newCategories, ['z']);
    assert.deepEqual(r.categories, ['a', 'b', 'z']);
    assert.equal(r.dof, 2);
  });

  it('categories with zero counts on both sides are ignored', () => {
    const a = chiSquareCategorical(new Map([['a', 5], ['b', 7], ['c', 0]]), new Map([['a', 6], ['b', 6]]));
    const b = chiSquareCategorical(new Map([['a', 5], ['b', 7]]), new Map([['a', 6], ['b', 6]]));
    assert.deepEqual(a, b);
  });

  it('throws a RangeError when a side has no values', () => {
    assert.throws(() => chiSquareCategorical(new Map(), new Map([['a', 1]])), RangeError);
  });
});
