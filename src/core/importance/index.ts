/** Feature dependencies (computed on the data) and model importances (read from a stage's file). */
export { computeDependencies, BINNING_RULE } from './dependencies';
export type { DependencyOptions } from './dependencies';
export { readImportancesFile, ImportanceFileError } from './file';
export { compareImportances, describeMoves } from './compare';
export type { ImportanceComparison, ImportanceMove } from './compare';
export { leaks, shortfalls, unused, describeFeature, DEFAULT_ALPHA } from './checks';
export { formatImportance, formatImportanceMarkdown, formatImportanceTable } from './format';
export type { ImportanceFormat } from './format';
export type { FeatureImportance, ImportanceReport } from './types';
export { IMPORTANCE_REPORT_VERSION } from './types';
