/**
 * The drift report, format version 1: what detectDrift returns and what the
 * `drift.report` file, `mlci drift --format json`, the panel and the drift
 * gate read. README.md beside this file documents every field; change both
 * together, and bump DRIFT_REPORT_VERSION on any change a reader of an
 * older file would misread.
 */
import type { DriftTest } from '../../pipeline/model';

export const DRIFT_REPORT_VERSION = 1;

/** The tests a column can get ('auto' resolved). */
export type ResolvedDriftTest = Exclude<DriftTest, 'auto'>;

/** How a column was compared: numbers (ordered values) or categories (counts). */
export type DriftColumnKind = 'numeric' | 'categorical';

export interface NumericHistogram {
  kind: 'numeric';
  /** Bin edges shared by both sides (bins + 1 values); bins are [e_i, e_i+1), the last one closed. */
  edges: number[];
  reference: number[];
  current: number[];
}

export interface CategoricalHistogram {
  kind: 'categorical';
  /** The most frequent categories (by the larger of the two shares), at most 30. */
  categories: string[];
  reference: number[];
  current: number[];
  /** The remaining categories, pooled; absent when every category is listed. */
  other?: { categories: number; reference: number; current: number };
}

export type DriftHistogram = NumericHistogram | CategoricalHistogram;

export interface DriftColumnReport {
  name: string;
  type: DriftColumnKind;
  test: ResolvedDriftTest;
  /**
   * The test's own statistic: KS D, the chi-square statistic (Infinity when
   * current has a category the reference lacks), the raw Wasserstein
   * distance, PSI, or the Jensen-Shannon distance.
   */
  statistic: number;
  /** ks and chisquare: the p-value; the column drifts when it is below the threshold. */
  pvalue?: number;
  /**
   * wasserstein (normalised by the reference standard deviation), psi and
   * jensenshannon: the score compared with the threshold (drift when >=).
   */
  distance?: number;
  threshold: number;
  drifted: boolean;
  /** Non-missing values compared on each side. */
  referenceSize: number;
  currentSize: number;
  /** Missing values removed before the test (empty cells, missing markers, NaN, +-Infinity). */
  missing: { reference: number; current: number };
  /** Categories seen in current but never in reference. */
  newCategories?: string[];
  /** Categories seen in reference but never in current. */
  missingCategories?: string[];
  warnings: string[];
  histogram: DriftHistogram;
}

/** A column present in both files that was not tested, and why. */
export interface DriftSkippedColumn {
  name: string;
  reason: string;
}

export interface DriftReport {
  version: typeof DRIFT_REPORT_VERSION;
  reference: { path: string; rows: number };
  current: { path: string; rows: number };
  /** The dataset drifts when driftedShare >= share, or when `problems` is not empty. */
  share: number;
  /** drifted columns / tested columns (0 when none was tested). */
  driftedShare: number;
  datasetDrift: boolean;
  /**
   * Why the dataset drifts whatever the share (each names the columns and
   * files): columns the settings want on one side only, or no column
   * compared. Empty when the share alone decides. Reports written before
   * this field existed read as [].
   */
  problems: string[];
  /** Tested columns, in reference file order. */
  columns: DriftColumnReport[];
  /** Columns in both files that were left out (exclude, ignore, type, empty sample), in file order. */
  skipped: DriftSkippedColumn[];
  /** Columns only in the reference file (not tested). */
  missingColumns: string[];
  /** Columns only in the current file (not tested). */
  newColumns: string[];
  warnings: string[];
  durationMs: number;
}
