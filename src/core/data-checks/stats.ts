/**
 * The statistics behind `mean`, `std` and `quantiles`, defined as pandas
 * computes them on a Series (missing values dropped):
 *   mean      sum / n, the sum in numpy's order (pairwise in 8192-blocks);
 *   std       sample standard deviation, ddof = 1 like `Series.std()`:
 *             sqrt(sum((x - mean)^2) / (n - 1)), two passes as pandas' nanvar;
 *             NaN below 2 values;
 *   quantile  numpy's default 'linear' method: h = (n - 1) q, interpolated
 *             between the sorted values at floor(h) and floor(h) + 1 with
 *             numpy's _lerp (which computes from the upper end when the
 *             fraction is >= 0.5, for monotonicity).
 * Agreement with pandas is tested on fixtures made by
 * test/fixtures/data-checks/expected.py.
 */
import { numpySum } from '../drift/stats/sum';

/**
 * The non-NaN values, in row order (a loop: TypedArray.filter's callback
 * costs 10x on a million rows). `values` itself when none is missing (no
 * copy of a column without gaps): callers that reorder must copy.
 */
export function present(values: Float64Array): Float64Array {
  let first = 0;
  while (first < values.length && values[first] === values[first]) first++;
  if (first === values.length) return values;
  const out = new Float64Array(values.length);
  out.set(values.subarray(0, first));
  let n = first;
  for (let i = first + 1; i < values.length; i++) {
    const v = values[i];
    if (v === v) out[n++] = v;
  }
  return out.slice(0, n);
}

export function mean(x: Float64Array): number {
  return x.length === 0 ? NaN : numpySum(x) / x.length;
}

export function sampleStd(x: Float64Array, m: number = mean(x)): number {
  if (x.length < 2) return NaN;
  const squares = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - m;
    squares[i] = d * d;
  }
  return Math.sqrt(numpySum(squares) / (x.length - 1));
}

/**
 * The q-quantile of `x` (any order, no NaN) as quantileSorted would give it
 * on the sorted values, by selection rather than a full sort (numpy's
 * quantile partitions too): `x` is reordered in place, and stays a valid
 * input for the next level.
 */
export function quantileSelect(x: Float64Array, q: number): number {
  const n = x.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  if (h >= n - 1) return select(x, n - 1, 0);
  if (h <= 0) return select(x, 0, 0);
  const lo = Math.floor(h);
  const a = select(x, lo, 0);
  let b = x[lo + 1]; // everything right of lo is >= a: the next order statistic is their minimum
  for (let i = lo + 2; i < n; i++) if (x[i] < b) b = x[i];
  const t = h - lo;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Hoare-partition quickselect (median of three; equal keys split evenly, so
 * a column of repeats stays linear): afterwards x[k] is the k-th smallest,
 * smaller or equal values left of it, larger or equal right. Past ~2 log2 n
 * rounds (an adversarial order) the remaining range is sorted instead.
 */
function select(x: Float64Array, k: number, from: number): number {
  let lo = from;
  let hi = x.length - 1;
  let budget = 2 * Math.ceil(Math.log2(x.length + 1)) + 8;
  while (hi > lo) {
    if (hi - lo < 16 || budget-- === 0) {
      x.subarray(lo, hi + 1).sort();
      break;
    }
    const mid = (lo + hi) >>> 1;
    // Median of three into x[mid].
    if (x[mid] < x[lo]) swap(x, mid, lo);
    if (x[hi] < x[lo]) swap(x, hi, lo);
    if (x[hi] < x[mid]) swap(x, hi, mid);
    const pivot = x[mid];
    let i = lo - 1;
    let j = hi + 1;
    for (;;) {
      do i++; while (x[i] < pivot);
      do j--; while (x[j] > pivot);
      if (i >= j) break;
      swap(x, i, j);
    }
    // [lo, j] <= pivot <= [j + 1, hi]
    if (k <= j) hi = j;
    else lo = j + 1;
  }
  return x[k];
}

function swap(x: Float64Array, i: number, j: number): void {
  const t = x[i];
  x[i] = x[j];
  x[j] = t;
}

/** The q-quantile (0 ≤ q ≤ 1) of ascending `sorted`, NaN when it is empty. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  return quantileOfRanks(sorted.length, q, (k) => sorted[k]);
}

/** The ranks (0-based, in ascending order) the q-quantile of n values is made of. */
export function quantileRanks(n: number, q: number): number[] {
  if (n === 0) return [];
  const h = (n - 1) * q;
  if (h >= n - 1) return [n - 1];
  if (h <= 0) return [0];
  const lo = Math.floor(h);
  return [lo, lo + 1];
}

/** The q-quantile of n values from their order statistics (`at(k)`: the k-th smallest), NaN when n is 0. */
export function quantileOfRanks(n: number, q: number, at: (k: number) => number): number {
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  if (h >= n - 1) return at(n - 1);
  if (h <= 0) return at(0);
  const lo = Math.floor(h);
  const a = at(lo);
  const b = at(lo + 1);
  const t = h - lo;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
