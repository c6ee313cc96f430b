/**
 * One column's drift test: samples from the raw sides, the test (`auto`
 * resolved by Evidently's rule), the verdict, warnings about how far the
 * result can be trusted, and the histograms. A pure function of the job, so
 * it runs the same in a worker thread and inline.
 */
import type { ColumnType } from '../../data/table';
import type { DriftTest } from '../../pipeline/model';
import type { DriftColumnKind, DriftColumnReport, DriftHistogram, DriftSkippedColumn, ResolvedDriftTest } from '../report/types';
import {
  chiSquareCategorical, jensenShannonCategorical, jensenShannonNumeric, ksTwoSample, populationStd, psiCategorical,
  psiNumeric, wassersteinDistance, WASSERSTEIN_NORM_MIN_STD,
} from '../stats';
import { categoricalHistogram, numericHistogram, TOP_CATEGORIES } from './histogram';
import type { CategorySample, NumericSample, RawSide } from './samples';
import { categorySample, distinctUpTo, numericSample, valueCounts } from './samples';
import { defaultThreshold, FEW_VALUES_MAX, isDrifted, pickTest, testFits } from './select';

export interface ColumnJob {
  name: string;
  kind: DriftColumnKind;
  test: DriftTest;
  threshold?: number;
  reference: RawSide;
  current: RawSide;
}

export type ColumnOutcome =
  | { tested: DriftColumnReport }
  | { skipped: DriftSkippedColumn };

/** Below this many values on a side a test has little power (and chi-square's approximation is rough). */
export const MIN_RELIABLE_SAMPLE = 30;
/** Chi-square's rule of thumb: expected counts below this make its p-value unreliable. */
export const MIN_EXPECTED_COUNT = 5;
/** Numeric columns with at most this many distinct values are drawn with a bar per value. */
const VALUE_BARS_MAX = 20;

/**
 * Tests one column. The job's arrays are the caller's to give away: a ks
 * test sorts them in place (the pool transfers them; detectDrift without a
 * pool is done with its tables once the columns are tested).
 */
export function testColumn(job: ColumnJob): ColumnOutcome {
  return job.kind === 'numeric' ? testNumeric(job) : testCategorical(job);
}

function skip(job: ColumnJob, reason: string): ColumnOutcome {
  return { skipped: { name: job.name, reason } };
}

function emptySide(ref: number, cur: number): string | undefined {
  if (ref === 0 && cur === 0) return 'no values on either side (every cell is missing)';
  if (ref === 0) return 'no values in reference (every cell is missing)';
  if (cur === 0) return 'no values in current (every cell is missing)';
  return undefined;
}

function testNumeric(job: ColumnJob): ColumnOutcome {
  const ref = numericSample(job.reference);
  if ('error' in ref) return skip(job, `reference: ${ref.error}`);
  const cur = numericSample(job.current);
  if ('error' in cur) return skip(job, `current: ${cur.error}`);
  const empty = emptySide(ref.values.length, cur.values.length);
  if (empty) return skip(job, empty);

  const distinct = distinctUpTo(ref.values, cur.values, VALUE_BARS_MAX);
  const test = job.test === 'auto' ? pickTest('numeric', ref.values.length, distinct) : job.test;
  const warnings: string[] = [];
  const valueType = job.reference.type === job.current.type ? job.reference.type : 'number';
  // A bar per value when there are few (counts of 0..7 support calls), else shared bins.
  const counts = test === 'chisquare' || distinct <= VALUE_BARS_MAX
    ? { ref: valueCounts(ref.values, valueType), cur: valueCounts(cur.values, valueType) }
    : undefined;
  const histogram: DriftHistogram = counts
    ? categoricalHistogram(counts.ref, counts.cur, TOP_CATEGORIES, valueRank(valueType))
    : numericHistogram(ref.values, cur.values);

  let result: Scored;
  if (test === 'chisquare') {
    if (distinct > VALUE_BARS_MAX) warnings.push(`chisquare treats each of the more than ${VALUE_BARS_MAX} distinct values as a category; ks suits continuous numbers better`);
    result = chiSquare(asSample(counts!.ref, ref), asSample(counts!.cur, cur), warnings);
  } else {
    result = numericTest(test, ref, cur, warnings);
  }
  // New and missing values are worth listing only when the values are the categories compared.
  const asCategories = test === 'chisquare' || (job.test === 'auto' && distinct <= FEW_VALUES_MAX);
  if (job.test === 'auto' && distinct <= FEW_VALUES_MAX) {
    warnings.push(`only ${distinct} distinct value${distinct === 1 ? '' : 's'}: compared as categories (${test}), as Evidently does`);
  }
  return { tested: report(job, 'numeric', test, result, ref, cur, warnings, histogram, asCategories ? counts : undefined) };
}

/** The inverse of samples.ts's valueName, for ordering: false < true, dates by time, numbers by value. */
function valueRank(type: ColumnType): (name: string) => number {
  if (type === 'boolean') return (k) => (k === 'true' ? 1 : 0);
  if (type === 'datetime') return (k) => Date.parse(k);
  return (k) => Number(k);
}

function asSample(counts: Map<string, number>, s: NumericSample): CategorySample {
  return { counts, total: s.values.length, missing: s.missing };
}

function testCategorical(job: ColumnJob): ColumnOutcome {
  const ref = categorySample(job.reference);
  const cur = categorySample(job.current);
  const empty = emptySide(ref.total, cur.total);
  if (empty) return skip(job, empty);
  const distinct = new Set([...ref.counts.keys(), ...cur.counts.keys()]).size;
  const test = job.test === 'auto' ? pickTest('categorical', ref.total, distinct) : job.test;
  if (!testFits(test, 'categorical')) {
    return skip(job, `${test} needs numbers but the column holds categories; use chisquare, jensenshannon or psi, or set type: number`);
  }
  const warnings: string[] = [];
  let result: Scored;
  if (test === 'chisquare') result = chiSquare(ref, cur, warnings);
  else if (test === 'jensenshannon') result = distanceOnly(jensenShannonCategorical(ref.counts, cur.counts));
  else result = distanceOnly(psiCategorical(ref.counts, cur.counts));
  // Categories that are values (booleans, numbers declared categories) are drawn in value order.
  const byValue = job.reference.storage === 'values' && job.current.storage === 'values' && job.reference.type === job.current.type;
  const histogram = categoricalHistogram(ref.counts, cur.counts, TOP_CATEGORIES, byValue ? valueRank(job.reference.type) : undefined);
  return { tested: report(job, 'categorical', test, result, ref, cur, warnings, histogram, { ref: ref.counts, cur: cur.counts }) };
}

interface Scored {
  statistic: number;
  pvalue?: number;
  distance?: number;
}

function distanceOnly(d: number): Scored {
  return { statistic: d, distance: d };
}

function numericTest(test: ResolvedDriftTest, ref: NumericSample, cur: NumericSample, warnings: string[]): Scored {
  switch (test) {
    case 'ks': {
      // Sorted in place: ks is the last use of the values (the histogram and counts came first).
      const r = ksTwoSample(ref.values, cur.values, { inPlace: true });
      if (r.exactFellBack) warnings.push('the exact KS p-value could not be computed; the asymptotic one is reported');
      return { statistic: r.statistic, pvalue: r.pvalue };
    }
    case 'wasserstein': {
      // Evidently's score: W1 / max(std(reference), 0.001), same arithmetic as wassersteinDistanceNorm.
      const raw = wassersteinDistance(ref.values, cur.values);
      const std = populationStd(ref.values);
      if (std < WASSERSTEIN_NORM_MIN_STD) {
        warnings.push(`the reference is (nearly) constant (std ${std}): the distance is divided by ${WASSERSTEIN_NORM_MIN_STD} instead`);
      }
      return { statistic: raw, distance: raw / Math.max(std, WASSERSTEIN_NORM_MIN_STD) };
    }
    case 'psi':
      return distanceOnly(psiNumeric(ref.values, cur.values));
    case 'jensenshannon':
      return distanceOnly(jensenShannonNumeric(ref.values, cur.values));
    case 'chisquare':
      throw new Error('numericTest: chisquare runs on value counts');
  }
}

/** Evidently's chi-square (expected = reference counts scaled to the current total), with its caveats spelled out. */
function chiSquare(ref: CategorySample, cur: CategorySample, warnings: string[]): Scored {
  const r = chiSquareCategorical(ref.counts, cur.counts);
  const scale = cur.total / ref.total;
  let low = 0;
  for (const n of ref.counts.values()) if (n * scale < MIN_EXPECTED_COUNT) low++;
  if (low > 0) {
    warnings.push(`${low} of ${r.categories.length} categories have an expected count below ${MIN_EXPECTED_COUNT}: the chi-square p-value is approximate`);
  }
  if (r.newCategories.length > 0) {
    warnings.push('categories absent from the reference have an expected count of 0: the statistic is infinite and the p-value 0');
  }
  if (r.dof === 0) warnings.push('a single category on both sides: chi-square cannot compare anything (p-value NaN, no drift)');
  return { statistic: r.statistic, pvalue: r.pvalue };
}

function report(
  job: ColumnJob,
  kind: DriftColumnKind,
  test: ResolvedDriftTest,
  scored: Scored,
  ref: NumericSample | CategorySample,
  cur: NumericSample | CategorySample,
  warnings: string[],
  histogram: DriftHistogram,
  counts: { ref: ReadonlyMap<string, number>; cur: ReadonlyMap<string, number> } | undefined,
): DriftColumnReport {
  const threshold = job.threshold ?? defaultThreshold(test);
  const score = scored.pvalue ?? scored.distance!;
  const referenceSize = 'total' in ref ? ref.total : ref.values.length;
  const currentSize = 'total' in cur ? cur.total : cur.values.length;
  if (Math.min(referenceSize, currentSize) < MIN_RELIABLE_SAMPLE) {
    warnings.unshift(`small sample (reference ${referenceSize}, current ${currentSize} values; fewer than ${MIN_RELIABLE_SAMPLE} on a side): the result is unreliable`);
  }
  const out: DriftColumnReport = {
    name: job.name,
    type: kind,
    test,
    statistic: scored.statistic,
    ...(scored.pvalue !== undefined ? { pvalue: scored.pvalue } : {}),
    ...(scored.distance !== undefined ? { distance: scored.distance } : {}),
    threshold,
    drifted: isDrifted(test, score, threshold),
    referenceSize,
    currentSize,
    missing: { reference: ref.missing, current: cur.missing },
    warnings,
    histogram,
  };
  if (counts) {
    const added = [...counts.cur.keys()].filter((k) => !counts.ref.has(k));
    const gone = [...counts.ref.keys()].filter((k) => !counts.cur.has(k));
    if (added.length > 0) out.newCategories = added;
    if (gone.length > 0) out.missingCategories = gone;
  }
  return out;
}
