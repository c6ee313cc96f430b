/**
 * What mlci knows about a stage's features: dependencies computed on the
 * data (`source: 'data'`) or importances written by the stage's own code
 * (`source: 'model'`). Kept with the run (RunRecord.importance), compared
 * between runs, gated. Versioned so older records stay readable.
 */

export const IMPORTANCE_REPORT_VERSION = 1;

export interface MeasureWithP {
  value: number;
  /** Two-sided p-value; absent where undefined (a constant side). */
  pvalue?: number;
}

export interface FeatureImportance {
  feature: string;
  /**
   * The number the checks and comparisons use: for data, mutual information
   * over the target's entropy (0 = no dependency, 1 = the feature determines
   * the target); for a model, the importance from its file.
   */
  importance?: number;
  /** Model importances: the spread the file reports (e.g. over permutation repeats). */
  std?: number;
  /** Rows where both the feature and the target are present. */
  n?: number;
  kind?: 'numeric' | 'categorical';
  /** Mutual information in nats (plug-in estimate on binned data), with its G-test p-value. */
  mutualInfo?: MeasureWithP & { bins: number; dof: number };
  spearman?: MeasureWithP;
  pearson?: MeasureWithP;
  cramersV?: MeasureWithP;
  /** Why some or all measures are missing for this feature ("one value", "all missing"). */
  problem?: string;
}

export interface ImportanceReport {
  version: typeof IMPORTANCE_REPORT_VERSION;
  source: 'data' | 'model';
  /** The data or importances file, as the pipeline names it. */
  file: string;
  target?: string;
  rows?: number;
  /** Target classes (or bins, for a numeric target with many values) and their entropy in nats. */
  targetLevels?: number;
  targetEntropy?: number;
  /** How numeric columns were binned for mutual information. */
  binning?: string;
  /** Highest importance first (features without one last, in file order). */
  features: FeatureImportance[];
  /** Problems of the whole computation (e.g. a constant target); the features still listed. */
  problems: string[];
}
