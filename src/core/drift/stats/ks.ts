/**
 * Two-sample Kolmogorov-Smirnov test: a port of scipy 1.10's
 * `scipy.stats.ks_2samp(data1, data2, alternative='two-sided', method=...)`.
 *
 * - The statistic is max |F1 - F2| over the pooled sample, with each ECDF
 *   evaluated as count(x <= v) / n exactly as numpy's searchsorted(side='right')
 *   divided by n, so ties are handled as scipy handles them.
 * - method 'auto' (default) is exact when max(n1, n2) <= 10000 (scipy's
 *   MAX_AUTO_N), else asymptotic. 'exact' falls back to 'asymp' when
 *   lcm(n1, n2) would not fit an int32 (scipy warns) or when the exact
 *   computation gives a probability outside [0, 1] (scipy warns); `method` in
 *   the result is the one actually used.
 * - In exact mode the statistic is snapped to h/lcm(n1, n2) as scipy does.
 * - The asymptotic p-value is kstwo.sf(d, round(n1 n2 / (n1 + n2))).
 *
 * Inputs: NaN must be removed by the caller (scipy would sort them to the end
 * and produce a meaningless statistic); a NaN in either sample throws a
 * RangeError. An empty sample throws a RangeError, as scipy raises ValueError.
 * The inputs are not modified (sorted copies are made), unless `inPlace`:
 * then Float64Array inputs are sorted where they are (a drift worker owns
 * its column and needs it no more; a million-row copy each side saved).
 */
import { attemptExact2kssamp, gcd, roundHalfEven } from './ks-exact';
import { kstwoSf } from './kolmogorov';

export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsResult {
  /** sup |F1 - F2|; in exact mode snapped to h / lcm(n1, n2) like scipy. */
  statistic: number;
  pvalue: number;
  /** The method actually used. */
  method: 'exact' | 'asymp';
  /** The pooled-sample value where the statistic is attained (scipy's statistic_location). */
  statisticLocation: number;
  /** +1 when F1 - F2 is largest there, -1 when F2 - F1 is (scipy's statistic_sign). */
  statisticSign: 1 | -1;
  /** True when 'exact' was asked for (or chosen by 'auto') but scipy's rules switched to 'asymp'. */
  exactFellBack: boolean;
}

/** scipy's MAX_AUTO_N: 'auto' tries the exact method up to this larger-sample size. */
export const KS_MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

function sorted(x: Float64Array | readonly number[], name: string, inPlace: boolean): Float64Array {
  const s = (inPlace && x instanceof Float64Array ? x : Float64Array.from(x)).sort(); // numeric order; NaN sorts last
  if (s.length > 0 && Number.isNaN(s[s.length - 1]!)) {
    throw new RangeError(`ksTwoSample: ${name} contains NaN; remove missing values before calling`);
  }
  return s;
}

interface Extremes {
  maxS: number; maxLoc: number;
  minDiff: number; minLoc: number;
}

/**
 * max and min of cdf1 - cdf2 over the pooled sample, with the location numpy's
 * argmax/argmin would report on concatenate([sorted1, sorted2]): the first
 * index, so a value from data1 wins over one from data2.
 */
function ecdfExtremes(s1: Float64Array, s2: Float64Array): Extremes {
  const n1 = s1.length;
  const n2 = s2.length;
  let i = 0;
  let j = 0;
  let maxA = -Infinity, maxALoc = NaN, maxB = -Infinity, maxBLoc = NaN;
  let minA = Infinity, minALoc = NaN, minB = Infinity, minBLoc = NaN;
  while (i < n1 || j < n2) {
    const v = j >= n2 ? s1[i]! : i >= n1 ? s2[j]! : Math.min(s1[i]!, s2[j]!);
    const inA = i < n1 && s1[i] === v;
    const inB = j < n2 && s2[j] === v;
    while (i < n1 && s1[i] === v) i++;
    while (j < n2 && s2[j] === v) j++;
    const diff = i / n1 - j / n2;
    if (inA) {
      if (diff > maxA) { maxA = diff; maxALoc = v; }
      if (diff < minA) { minA = diff; minALoc = v; }
    }
    if (inB) {
      if (diff > maxB) { maxB = diff; maxBLoc = v; }
      if (diff < minB) { minB = diff; minBLoc = v; }
    }
  }
  const maxS = Math.max(maxA, maxB);
  const minDiff = Math.min(minA, minB);
  return {
    maxS, maxLoc: maxA === maxS ? maxALoc : maxBLoc,
    minDiff, minLoc: minA === minDiff ? minALoc : minBLoc,
  };
}

export function ksTwoSample(
  a: Float64Array | readonly number[],
  b: Float64Array | readonly number[],
  opts: { method?: KsMethod; inPlace?: boolean } = {},
): KsResult {
  const requested = opts.method ?? 'auto';
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'asymp') {
    throw new RangeError(`ksTwoSample: invalid method ${String(requested)}`);
  }
  const inPlace = opts.inPlace === true;
  const s1 = sorted(a, 'the first sample', inPlace);
  const s2 = sorted(b, 'the second sample', inPlace);
  const n1 = s1.length;
  const n2 = s2.length;
  if (Math.min(n1, n2) === 0) {
    throw new RangeError(`ksTwoSample: both samples must be non-empty (got n1=${n1}, n2=${n2})`);
  }

  const ex = ecdfExtremes(s1, s2);
  const minS = Math.min(Math.max(-ex.minDiff, 0), 1); // np.clip(-cddiffs[argminS], 0, 1)
  const maxS = ex.maxS;
  let d: number;
  let loc: number;
  let sign: 1 | -1;
  if (minS > maxS) {
    d = minS; loc = ex.minLoc; sign = -1;
  } else {
    d = maxS; loc = ex.maxLoc; sign = 1;
  }

  const g = gcd(n1, n2);
  const n1g = Math.trunc(n1 / g);
  const n2g = Math.trunc(n2 / g);
  let mode: 'exact' | 'asymp';
  let fellBack = false;
  if (requested === 'auto') {
    mode = Math.max(n1, n2) <= KS_MAX_AUTO_N ? 'exact' : 'asymp';
  } else if (requested === 'exact') {
    mode = 'exact';
    // lcm(n1, n2) too big for scipy's int32 lattice: it switches to asymp.
    if (n1g >= INT32_MAX / n2g) {
      mode = 'asymp';
      fellBack = true;
    }
  } else {
    mode = 'asymp';
  }

  let prob = -Infinity;
  if (mode === 'exact') {
    const r = attemptExact2kssamp(n1, n2, g, d);
    d = r.d;
    prob = r.prob;
    if (!r.success) {
      mode = 'asymp';
      fellBack = true;
    }
  }
  if (mode === 'asymp') {
    // Smirnov's asymptotic distribution with the effective sample size.
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = m * n / (m + n);
    prob = kstwoSf(d, roundHalfEven(en));
  }
  prob = Number.isNaN(prob) ? prob : Math.min(Math.max(prob, 0), 1);
  return { statistic: d, pvalue: prob, method: mode, statisticLocation: loc, statisticSign: sign, exactFellBack: fellBack };
}
