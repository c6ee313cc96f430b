import { strict as assert } from 'node:assert';
import {
  jensenShannonDistance, numpySum, pairwiseSum, populationStd, sequentialSum, wassersteinDistance, wassersteinDistanceNorm,
} from '../../../src/core/drift/stats';
import { assertStat, loadFixture, num, nums, scaled } from './helpers';

interface WCase {
  name: string; scale: number; u: number[]; v: number[];
  result: { distance: number; referenceStd: number; normed: number };
}
interface JSCase { name: string; p: unknown[]; q: unknown[]; base: number | null; distance: unknown }
interface SumCase { n: number; scale: number; values: number[]; sum: number; sequential: number }

describe('drift-stats: Wasserstein distance (scipy.stats.wasserstein_distance)', () => {
  const fx = loadFixture<WCase>('wasserstein.json');
  for (const c of fx.cases) {
    it(`${c.name} (${c.u.length} vs ${c.v.length})`, () => {
      const u = scaled(c.u, c.scale);
      const v = scaled(c.v, c.scale);
      assertStat('wasserstein', wassersteinDistance(u, v), c.result.distance, c.name);
      assertStat('np.std', populationStd(u), c.result.referenceStd, c.name);
      assertStat('wasserstein normed', wassersteinDistanceNorm(u, v), c.result.normed, c.name);
    });
  }

  it('is bit-identical to scipy on every fixture (numpy summation order)', () => {
    for (const c of fx.cases) {
      assert.equal(wassersteinDistance(scaled(c.u, c.scale), scaled(c.v, c.scale)), c.result.distance, c.name);
    }
  });

  it('throws a RangeError for an empty sample or NaN', () => {
    assert.throws(() => wassersteinDistance([], [1]), /empty/);
    assert.throws(() => wassersteinDistance([1, NaN], [1]), /NaN/);
    assert.throws(() => wassersteinDistanceNorm([1], []), RangeError);
  });
});

describe('drift-stats: Jensen-Shannon distance (scipy.spatial.distance.jensenshannon)', () => {
  const fx = loadFixture<JSCase>('jensenshannon.json');
  for (const c of fx.cases) {
    it(c.name, () => {
      assertStat('jensenshannon', jensenShannonDistance(nums(c.p), nums(c.q), c.base), num(c.distance), c.name);
    });
  }

  it('defaults to base 2 and rejects mismatched or empty input', () => {
    assert.equal(jensenShannonDistance([1, 0], [0, 1]), 1);
    assert.throws(() => jensenShannonDistance([1], [1, 2]), RangeError);
    assert.throws(() => jensenShannonDistance([], []), RangeError);
  });
});

describe('drift-stats: numpy summation order', () => {
  const fx = loadFixture<SumCase>('sums.json');
  it('numpySum is bit-identical to np.sum (8192-blocks of pairwise sums)', () => {
    for (const c of fx.cases) assert.equal(numpySum(scaled(c.values, c.scale)), c.sum, `n=${c.n}`);
  });
  it('sequentialSum matches a Python += loop', () => {
    for (const c of fx.cases) assert.equal(sequentialSum(scaled(c.values, c.scale)), c.sequential, `n=${c.n}`);
  });
  it('the order matters: one pairwise pass over a long array is not np.sum', () => {
    const big = fx.cases.find((c) => c.n > 16384)!;
    const a = scaled(big.values, big.scale);
    assert.notEqual(pairwiseSum(a), big.sum);
    assert.notEqual(sequentialSum(a), big.sum);
  });
});
