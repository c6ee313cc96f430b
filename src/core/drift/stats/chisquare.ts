/**
 * Pearson chi-square tests, ported from scipy 1.10:
 *  - `chiSquare` = `scipy.stats.chisquare(f_obs, f_exp, ddof)` (power_divergence
 *    with lambda_=1),
 *  - `chi2Contingency` = `scipy.stats.chi2_contingency(observed, correction)`
 *    for an r x c table (Yates' continuity correction when dof == 1, scipy's
 *    default),
 *  - `chiSquareCategorical`: Evidently's "chisquare" drift test
 *    (evidently/calculations/stattests/chisquare_stattest.py).
 * Sums run in numpy's order (see sum.ts), so statistics are bit-identical.
 * The p-value is the upper regularized incomplete gamma function
 * Q(dof/2, x/2), as scipy computes it (chi2.sf -> special.chdtrc -> cephes
 * igamc), ported in igamc.ts. @stdlib/math-base-special-gammainc
 * (gammainc(x, s, true, true)) was tried first and is off by up to 2% once
 * dof >= ~200 (see igamc.ts).
 */
import { igamc } from './igamc';
import { numpySum } from './sum';

export interface ChiSquareResult {
  statistic: number;
  pvalue: number;
  dof: number;
}

/**
 * `scipy.stats.chi2.sf(x, df)` = chdtrc(df, x) = igamc(df/2, x/2): NaN for
 * df <= 0 or NaN input (scipy's argcheck), 1 for x <= 0, 0 for x = +Infinity.
 */
export function chi2Sf(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (x <= 0) return 1.0;
  if (x === Infinity) return 0.0;
  return igamc(df / 2.0, x / 2.0);
}

function toFloat64(x: ArrayLike<number>): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x as ArrayLike<number>);
}

/**
 * `scipy.stats.chisquare(f_obs, f_exp, ddof)`.
 *
 * Like scipy: the two totals must agree to a relative 1e-8 (else RangeError;
 * scipy raises ValueError); a category with expected 0 and observed > 0 gives
 * statistic +Infinity and p-value 0; expected 0 with observed 0 gives NaN.
 * dof = k - 1 - ddof; a p-value for dof <= 0 is NaN. Empty or mismatched
 * inputs throw a RangeError.
 */
export function chiSquare(
  observedCounts: ArrayLike<number>,
  expectedCounts: ArrayLike<number>,
  opts: { ddof?: number } = {},
): ChiSquareResult {
  const obs = toFloat64(observedCounts);
  const exp = toFloat64(expectedCounts);
  if (obs.length === 0) throw new RangeError('chiSquare: no categories (observed is empty)');
  if (obs.length !== exp.length) {
    throw new RangeError(`chiSquare: observed has ${obs.length} categories but expected has ${exp.length}`);
  }
  const obsSum = numpySum(obs);
  const expSum = numpySum(exp);
  const relativeDiff = Math.abs(obsSum - expSum) / Math.min(obsSum, expSum);
  if (relativeDiff > 1e-8) {
    throw new RangeError(
      'chiSquare: the sum of the observed frequencies must agree with the sum of the expected '
      + `frequencies to a relative tolerance of 1e-08, but the relative difference is ${relativeDiff}`,
    );
  }
  return pearson(obs, exp, obs.length - 1 - (opts.ddof ?? 0));
}

/** power_divergence(lambda_=1) on flat arrays already checked: terms (o-e)^2/e, summed numpy's way. */
function pearson(obs: Float64Array, exp: Float64Array, dof: number): ChiSquareResult {
  const terms = new Float64Array(obs.length);
  for (let i = 0; i < obs.length; i++) {
    const d = obs[i]! - exp[i]!;
    terms[i] = d * d / exp[i]!;
  }
  const statistic = numpySum(terms);
  return { statistic, pvalue: chi2Sf(statistic, dof), dof };
}

export interface Chi2ContingencyResult extends ChiSquareResult {
  /** Expected frequencies under independence, same shape as the table. */
  expected: number[][];
}

/**
 * `scipy.stats.chi2_contingency(observed, correction=True)` for an r x c table
 * given as rows (for drift: row 0 reference counts, row 1 current counts).
 *
 * dof = (r-1)(c-1). dof 0 gives statistic 0, p-value 1. With dof 1 and
 * `correction` (default true) each cell moves towards its expected value by
 * min(0.5, |expected - observed|) (Yates). A negative cell, an empty or ragged
 * table, or an expected frequency of 0 (an all-zero row or column) throws a
 * RangeError, as scipy raises ValueError.
 */
export function chi2Contingency(
  observed: ReadonlyArray<ArrayLike<number>>,
  opts: { correction?: boolean } = {},
): Chi2ContingencyResult {
  const correction = opts.correction ?? true;
  const r = observed.length;
  const c = r > 0 ? observed[0]!.length : 0;
  if (r === 0 || c === 0) throw new RangeError('chi2Contingency: no data; the table is empty');
  const flat = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    const row = observed[i]!;
    if (row.length !== c) throw new RangeError('chi2Contingency: all rows must have the same length');
    for (let j = 0; j < c; j++) {
      const v = Number(row[j]);
      if (v < 0) throw new RangeError('chi2Contingency: all values in observed must be nonnegative');
      flat[i * c + j] = v;
    }
  }
  // expected_freq: outer product of the margins over the total. Row sums reduce
  // a contiguous axis (pairwise), column sums add whole rows in order.
  const rowSums = new Float64Array(r);
  for (let i = 0; i < r; i++) rowSums[i] = numpySum(flat.subarray(i * c, (i + 1) * c));
  const colSums = new Float64Array(c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) colSums[j]! += flat[i * c + j]!;
  const total = numpySum(flat);
  const exp = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const e = rowSums[i]! * colSums[j]! / total;
      if (e === 0) {
        throw new RangeError(
          `chi2Contingency: the internally computed table of expected frequencies has a zero element at (${i}, ${j})`,
        );
      }
      exp[i * c + j] = e;
    }
  }
  const expected: number[][] = [];
  for (let i = 0; i < r; i++) expected.push(Array.from(exp.subarray(i * c, (i + 1) * c)));

  const dof = r * c - (r + c) + 2 - 1;
  if (dof === 0) return { statistic: 0.0, pvalue: 1.0, dof, expected };
  let obs = flat;
  if (dof === 1 && correction) {
    // Yates: the correction is never bigger than the difference (scipy gh-13875).
    obs = new Float64Array(flat.length);
    for (let k = 0; k < flat.length; k++) {
      const diff = exp[k]! - flat[k]!;
      const direction = Math.sign(diff);
      const magnitude = Math.min(0.5, Math.abs(diff));
      obs[k] = flat[k]! + magnitude * direction;
    }
  }
  return { ...pearson(obs, exp, dof), expected };
}

export interface CategoricalChiSquareResult extends ChiSquareResult {
  /** The categories in the order used for the test. */
  categories: string[];
  /** Categories seen in current data but never in reference (each makes the statistic infinite). */
  newCategories: string[];
}

/**
 * Evidently's chi-square drift test on category counts: expected counts are
 * the reference counts scaled by (current total / reference total), observed
 * are the current counts, over the union of categories, then
 * scipy.stats.chisquare. Missing values must be dropped by the caller; totals
 * are the sums of the counts (Evidently divides row counts, NaN rows included).
 *
 * Categories new in current data (absent from the reference) are kept as
 * Evidently keeps them: their expected count is 0, so the statistic is
 * +Infinity and the p-value 0 (drift). They are also listed in
 * `newCategories` so a report can say why. Categories with a zero count on
 * both sides are ignored (they would make the statistic NaN).
 * Order: reference categories in map order, then new current ones.
 */
export function chiSquareCategorical(
  refCounts: ReadonlyMap<string, number>,
  curCounts: ReadonlyMap<string, number>,
): CategoricalChiSquareResult {
  const categories: string[] = [];
  const newCategories: string[] = [];
  for (const [k, v] of refCounts) if (v > 0 || (curCounts.get(k) ?? 0) > 0) categories.push(k);
  for (const [k, v] of curCounts) {
    if (!refCounts.has(k) && v > 0) {
      categories.push(k);
      newCategories.push(k);
    } else if (refCounts.has(k) && (refCounts.get(k) ?? 0) === 0 && v > 0) {
      newCategories.push(k);
    }
  }
  let refTotal = 0;
  let curTotal = 0;
  for (const v of refCounts.values()) refTotal += v;
  for (const v of curCounts.values()) curTotal += v;
  if (refTotal <= 0 || curTotal <= 0) {
    throw new RangeError(`chiSquareCategorical: both samples need at least one value (reference ${refTotal}, current ${curTotal})`);
  }
  const kNorm = curTotal / refTotal;
  const fExp = categories.map((k) => (refCounts.get(k) ?? 0) * kNorm);
  const fObs = categories.map((k) => curCounts.get(k) ?? 0);
  return { ...chiSquare(fObs, fExp), categories, newCategories };
}
