/**
 * Which test a column gets when its test is `auto`, and the default
 * thresholds: Evidently's defaults, so a team moving from Evidently (or
 * comparing with it) sees the same verdicts.
 *
 * The rule is Evidently's `_get_default_stattest`
 * (evidentlyai/evidently, src/evidently/calculations/stattests/registry.py,
 * as of commit 0d4ec0fb1b5c7c0ec00acdb8b8a4cc646b7d2470). With n the number of
 * non-missing reference values (Evidently drops NaN and +-inf before it
 * chooses) and u the number of distinct non-missing values of reference and
 * current together:
 *
 *   n <= 1000: numeric, u > 5 -> ks; numeric, u <= 5 -> chisquare;
 *              categorical -> chisquare
 *   n >  1000: numeric, u > 5 -> wasserstein (normalised);
 *              numeric, u <= 5 -> jensenshannon; categorical -> jensenshannon
 *
 * One deliberate difference: where u <= 2 and n <= 1000 Evidently uses a
 * two-proportion z-test, which mlci's test set does not have; chisquare is
 * used instead (for two categories it asks the same question).
 */
import type { DriftColumnKind, ResolvedDriftTest } from '../report/types';

/** Evidently: reference samples up to this size get the p-value tests. */
export const SMALL_SAMPLE_MAX = 1000;
/** Evidently: numeric columns with at most this many distinct values are compared as categories. */
export const FEW_VALUES_MAX = 5;

/** The p-value tests: the column drifts when p < threshold. The others drift when distance >= threshold. */
export function isPValueTest(test: ResolvedDriftTest): boolean {
  return test === 'ks' || test === 'chisquare';
}

/** Evidently's default thresholds: 0.05 for p-values, 0.1 for distances (PSI included). */
export function defaultThreshold(test: ResolvedDriftTest): number {
  return isPValueTest(test) ? 0.05 : 0.1;
}

/** The `auto` test for a column (see the rule above). */
export function pickTest(kind: DriftColumnKind, referenceSize: number, distinctValues: number): ResolvedDriftTest {
  const small = referenceSize <= SMALL_SAMPLE_MAX;
  if (kind === 'numeric' && distinctValues > FEW_VALUES_MAX) return small ? 'ks' : 'wasserstein';
  return small ? 'chisquare' : 'jensenshannon';
}

/** Whether a test can run on a column of this kind (ks and wasserstein need ordered values). */
export function testFits(test: ResolvedDriftTest, kind: DriftColumnKind): boolean {
  return kind === 'numeric' || (test !== 'ks' && test !== 'wasserstein');
}

export function isDrifted(test: ResolvedDriftTest, score: number, threshold: number): boolean {
  // NaN (e.g. chi-square over a single category) never counts as drift.
  return isPValueTest(test) ? score < threshold : score >= threshold;
}
