import { strict as assert } from 'node:assert';
import {
  binnedProportions, categoricalProportions, chiSquareCategorical, fillZeroProportions, histogramCounts,
  jensenShannonCategorical, jensenShannonNumeric, linspace, psi, psiCategorical, psiNumeric, sturgesBinEdges,
} from '../../../src/core/drift/stats';
import { assertP, assertStat, loadFixture, num, nums, scaled } from './helpers';

interface BinnedCase {
  name: string; type: 'numeric' | 'categorical';
  scale?: number; reference: unknown; current: unknown;
  kind?: 'histogram' | 'values'; keys: unknown[];
  refProportions: unknown[]; curProportions: unknown[]; refFilled: unknown[]; curFilled: unknown[];
  psi: number; jensenshannon: number;
  chisquare?: { statistic: unknown; pvalue: unknown; dof: number };
}

function assertArrayStat(kind: string, actual: ArrayLike<number>, expected: unknown[], where: string): void {
  assert.equal(actual.length, expected.length, `${where}: ${kind} length`);
  for (let i = 0; i < actual.length; i++) assertStat(kind, actual[i]!, num(expected[i]), `${where}[${i}]`);
}

describe('drift-stats: Evidently binning, PSI and Jensen-Shannon', () => {
  const fx = loadFixture<BinnedCase>('binned.json');

  for (const c of fx.cases) {
    it(`${c.type}: ${c.name}`, () => {
      if (c.type === 'numeric') {
        const ref = scaled(c.reference as number[], c.scale!);
        const cur = scaled(c.current as number[], c.scale!);
        const b = binnedProportions(ref, cur);
        assert.equal(b.kind, c.kind);
        const keys = b.kind === 'histogram' ? b.edges! : b.values!;
        // Edges and proportions are exact (same IEEE operations as numpy).
        assert.deepEqual(Array.from(keys), c.keys.map(num), 'bin edges / values');
        assert.deepEqual(Array.from(b.reference), c.refProportions.map(num));
        assert.deepEqual(Array.from(b.current), c.curProportions.map(num));
        const f = binnedProportions(ref, cur, { fillZeroes: true });
        assert.deepEqual(Array.from(f.reference), c.refFilled.map(num));
        assert.deepEqual(Array.from(f.current), c.curFilled.map(num));
        assertStat('psi', psiNumeric(ref, cur), c.psi, c.name);
        assertStat('jensenshannon (binned)', jensenShannonNumeric(ref, cur), c.jensenshannon, c.name);
      } else {
        const refCounts = new Map(c.reference as [string, number][]);
        const curCounts = new Map(c.current as [string, number][]);
        const p = categoricalProportions(refCounts, curCounts);
        assert.deepEqual(p.categories, c.keys);
        assertArrayStat('category proportion', p.reference, c.refProportions, c.name);
        assertArrayStat('category proportion', p.current, c.curProportions, c.name);
        const f = categoricalProportions(refCounts, curCounts, { fillZeroes: true });
        assertArrayStat('filled proportion', f.reference, c.refFilled, c.name);
        assertArrayStat('filled proportion', f.current, c.curFilled, c.name);
        assertStat('psi', psiCategorical(refCounts, curCounts), c.psi, c.name);
        assertStat('jensenshannon (categorical)', jensenShannonCategorical(refCounts, curCounts), c.jensenshannon, c.name);
        const chi = chiSquareCategorical(refCounts, curCounts);
        assert.equal(chi.dof, c.chisquare!.dof);
        assertStat('chisquare categorical', chi.statistic, num(c.chisquare!.statistic), c.name);
        assertP('chisquare categorical p', chi.pvalue, num(c.chisquare!.pvalue), c.name);
      }
    });
  }

  it('psi fills zeros before the logarithm and is idempotent on filled input', () => {
    const r = [0.5, 0.5, 0];
    const c = [0.2, 0.3, 0.5];
    assert.equal(psi(r, c), psi(fillZeroProportions(r), fillZeroProportions(c)));
    assert.ok(Number.isFinite(psi(r, c)));
    assert.deepEqual(Array.from(fillZeroProportions([0.5, 0, 0.49995, 0.00005])), [0.5, 0.00005 / 1e6, 0.49995, 0.00005]);
    assert.deepEqual(Array.from(fillZeroProportions([0.5, 0, 0.5])), [0.5, 0.0001, 0.5]);
  });

  it('throws RangeErrors for unusable input', () => {
    assert.throws(() => psi([0.5], [0.5, 0.5]), RangeError);
    assert.throws(() => psi([], []), RangeError);
    assert.throws(() => fillZeroProportions([0, 0]), RangeError);
    assert.throws(() => binnedProportions([], [1]), RangeError);
    assert.throws(() => sturgesBinEdges([]), RangeError);
    assert.throws(() => sturgesBinEdges([1, NaN]), /finite/);
  });

  it('histogram bins are half-open except the last, like np.histogram', () => {
    assert.deepEqual(Array.from(histogramCounts([0, 1, 1, 2, 3, 3, -1, 4], [0, 1, 2, 3])), [1, 2, 3]);
    assert.deepEqual(Array.from(sturgesBinEdges([2, 2, 2])), [1.5, 2.5]);
    assert.deepEqual(Array.from(linspace(0, 1, 5)), [0, 0.25, 0.5, 0.75, 1]);
  });

  it('numeric proportions use every value: nums() round-trips fixture arrays', () => {
    assert.deepEqual(Array.from(nums([1, 'NaN', 'Infinity'])).map(String), ['1', 'NaN', 'Infinity']);
  });
});
