/** Drift detection: compare a current data file with a reference column by column (see detect.ts). */
export { detectDrift, POOL_MIN_BYTES } from './detect';
export type { DetectDriftOptions } from './detect';
export { defaultThreshold, FEW_VALUES_MAX, isDrifted, isPValueTest, pickTest, SMALL_SAMPLE_MAX, testFits } from './select';
export { columnKind, planColumns } from './plan';
export type { DriftPlan } from './plan';
export { MIN_EXPECTED_COUNT, MIN_RELIABLE_SAMPLE, testColumn } from './column-test';
export type { ColumnJob, ColumnOutcome } from './column-test';
export { categoricalHistogram, numericHistogram, NUMERIC_BINS, TOP_CATEGORIES } from './histogram';
