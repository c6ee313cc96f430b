/**
 * Population Stability Index as Evidently computes it
 * (evidently/calculations/stattests/psi.py with get_binned_data from utils.py):
 *
 *   PSI = sum_i (ref_i - cur_i) * ln(ref_i / cur_i)
 *
 * over aligned bin proportions in which zeros were first replaced (Evidently's
 * `feel_zeroes`: min(non-zero)/1e6 if that minimum is <= 0.0001, else 0.0001),
 * summed left to right as Evidently's Python loop does. Evidently's default
 * drift threshold for PSI is 0.1 (PSI >= threshold means drift).
 */
import { binnedProportions, categoricalProportions, fillZeroProportions } from './histogram';

/** Evidently's default PSI threshold. */
export const PSI_DEFAULT_THRESHOLD = 0.1;

/**
 * PSI of two aligned proportion vectors. Zero entries are replaced as
 * Evidently does before summing (a no-op on already filled input).
 */
export function psi(refProportions: ArrayLike<number>, curProportions: ArrayLike<number>): number {
  if (refProportions.length !== curProportions.length) {
    throw new RangeError(`psi: ${refProportions.length} reference bins but ${curProportions.length} current bins`);
  }
  if (refProportions.length === 0) throw new RangeError('psi: no bins');
  const r = fillZeroProportions(refProportions);
  const c = fillZeroProportions(curProportions);
  let value = 0;
  for (let i = 0; i < r.length; i++) value += (r[i]! - c[i]!) * Math.log(r[i]! / c[i]!);
  return value;
}

/** Evidently's PSI for a numeric column (binning as in histogram.ts). */
export function psiNumeric(reference: Float64Array | readonly number[], current: Float64Array | readonly number[]): number {
  const b = binnedProportions(reference, current, { fillZeroes: true });
  return psi(b.reference, b.current);
}

/** Evidently's PSI for a categorical column given category counts. */
export function psiCategorical(refCounts: ReadonlyMap<string, number>, curCounts: ReadonlyMap<string, number>): number {
  const b = categoricalProportions(refCounts, curCounts, { fillZeroes: true });
  return psi(b.reference, b.current);
}
