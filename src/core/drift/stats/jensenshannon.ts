/**
 * Jensen-Shannon distance, `scipy.spatial.distance.jensenshannon(p, q, base)`
 * (scipy 1.10): both inputs are normalised to sum 1, m = (p + q) / 2, and
 * sqrt((sum rel_entr(p, m) + sum rel_entr(q, m)) / log(base) / 2), sums in
 * numpy's order. Plus Evidently's "jensenshannon" drift score
 * (evidently/calculations/stattests/jensenshannon.py): the distance, base 2,
 * between the aligned proportions of get_binned_data without zero fill.
 */
import { binnedProportions, categoricalProportions } from './histogram';
import { numpySum } from './sum';

/** scipy.special.rel_entr: x log(x/y) for x, y > 0; 0 for x = 0, y >= 0; +Infinity otherwise. */
export function relEntr(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * `jensenshannon(p, q, base)`. `base` null means natural logarithm (scipy's
 * base=None); the default 2 gives a distance in [0, 1]. Inputs need not sum
 * to 1 (a zero sum gives NaN, as in scipy). Mismatched or empty inputs throw
 * a RangeError.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>, base: number | null = 2): number {
  if (p.length !== q.length) {
    throw new RangeError(`jensenShannonDistance: p has ${p.length} entries but q has ${q.length}`);
  }
  if (p.length === 0) throw new RangeError('jensenShannonDistance: empty distributions');
  const n = p.length;
  const ps = numpySum(p);
  const qs = numpySum(q);
  const left = new Float64Array(n);
  const right = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pi = p[i]! / ps;
    const qi = q[i]! / qs;
    const m = (pi + qi) / 2.0;
    left[i] = relEntr(pi, m);
    right[i] = relEntr(qi, m);
  }
  let js = numpySum(left) + numpySum(right);
  if (base !== null) js /= Math.log(base);
  return Math.sqrt(js / 2.0);
}

/** Evidently's Jensen-Shannon drift score for a numeric column (binning as in histogram.ts). */
export function jensenShannonNumeric(
  reference: Float64Array | readonly number[],
  current: Float64Array | readonly number[],
  base: number | null = 2,
): number {
  const b = binnedProportions(reference, current, { fillZeroes: false });
  return jensenShannonDistance(b.reference, b.current, base);
}

/** Evidently's Jensen-Shannon drift score for a categorical column given category counts. */
export function jensenShannonCategorical(
  refCounts: ReadonlyMap<string, number>,
  curCounts: ReadonlyMap<string, number>,
  base: number | null = 2,
): number {
  const b = categoricalProportions(refCounts, curCounts, { fillZeroes: false });
  return jensenShannonDistance(b.reference, b.current, base);
}
