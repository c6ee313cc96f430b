/**
 * First Wasserstein (earth mover's) distance between two 1-D samples:
 * `scipy.stats.wasserstein_distance(u, v)` without weights, i.e. scipy 1.10's
 * `_cdf_distance(1, u, v)`: the integral of |U(x) - V(x)| over the pooled,
 * sorted values, computed term by term and summed in numpy's order so the
 * result is bit-identical. Plus Evidently's normalised variant
 * (wasserstein_distance_norm.py): the distance divided by
 * max(std(reference), 0.001), std with ddof = 0 (np.std).
 *
 * NaN must be removed by the caller (a NaN throws a RangeError); an empty
 * sample throws a RangeError, as scipy raises "Distribution can't be empty".
 */
import { numpySum } from './sum';

function sortedCopy(x: Float64Array | readonly number[], fn: string): Float64Array {
  if (x.length === 0) throw new RangeError(`${fn}: distribution can't be empty`);
  const s = Float64Array.from(x).sort();
  if (Number.isNaN(s[s.length - 1]!)) {
    throw new RangeError(`${fn}: sample contains NaN; remove missing values before calling`);
  }
  return s;
}

/** Wasserstein-1 distance of two already sorted, NaN-free, non-empty samples. */
export function wassersteinSorted(su: Float64Array, sv: Float64Array): number {
  const nu = su.length;
  const nv = sv.length;
  const N = nu + nv;
  // all_values = sort(concatenate(u, v)), by merging.
  const all = new Float64Array(N);
  for (let i = 0, j = 0, k = 0; k < N; k++) {
    all[k] = j >= nv || (i < nu && su[i]! <= sv[j]!) ? su[i++]! : sv[j++]!;
  }
  // terms[i] = |U(all[i]) - V(all[i])| * (all[i+1] - all[i]), with U, V the
  // right-continuous ECDFs (searchsorted side='right' / size).
  const terms = new Float64Array(N - 1);
  let pu = 0;
  let pv = 0;
  for (let i = 0; i < N - 1; i++) {
    const x = all[i]!;
    while (pu < nu && su[pu]! <= x) pu++;
    while (pv < nv && sv[pv]! <= x) pv++;
    terms[i] = Math.abs(pu / nu - pv / nv) * (all[i + 1]! - x);
  }
  return numpySum(terms);
}

/** `scipy.stats.wasserstein_distance(u, v)` (unweighted). */
export function wassersteinDistance(u: Float64Array | readonly number[], v: Float64Array | readonly number[]): number {
  return wassersteinSorted(sortedCopy(u, 'wassersteinDistance'), sortedCopy(v, 'wassersteinDistance'));
}

/** `np.std(x)` (ddof = 0): mean by numpy's sum, then the mean of squared deviations. */
export function populationStd(x: ArrayLike<number>): number {
  const n = x.length;
  const mean = numpySum(x) / n;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    sq[i] = d * d;
  }
  return Math.sqrt(numpySum(sq) / n);
}

/** Evidently's floor on the normalising std, so constant references do not divide by 0. */
export const WASSERSTEIN_NORM_MIN_STD = 0.001;

/**
 * Evidently's "wasserstein" drift score: wasserstein_distance(reference,
 * current) / max(np.std(reference), 0.001), std with ddof = 0.
 */
export function wassersteinDistanceNorm(
  reference: Float64Array | readonly number[],
  current: Float64Array | readonly number[],
): number {
  const su = sortedCopy(reference, 'wassersteinDistanceNorm');
  const sv = sortedCopy(current, 'wassersteinDistanceNorm');
  // np.std runs on the unsorted reference: summation order matters for the bits.
  const norm = Math.max(populationStd(reference), WASSERSTEIN_NORM_MIN_STD);
  return wassersteinSorted(su, sv) / norm;
}
