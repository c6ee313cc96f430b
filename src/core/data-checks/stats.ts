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

/** The non-NaN values, in row order (a loop: TypedArray.filter's callback costs 10x on a million rows). */
export function present(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) out[n++] = v;
  }
  return n === values.length ? out : out.slice(0, n);
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

/** The q-quantile (0 ≤ q ≤ 1) of ascending `sorted`, NaN when it is empty. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  if (h >= n - 1) return sorted[n - 1];
  if (h <= 0) return sorted[0];
  const lo = Math.floor(h);
  const a = sorted[lo];
  const b = sorted[lo + 1];
  const t = h - lo;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
