/** The drift report format (version 1, see README.md) and its formatters. */
export { DRIFT_REPORT_VERSION } from './types';
export type {
  CategoricalHistogram, DriftColumnKind, DriftColumnReport, DriftHistogram, DriftReport, DriftSkippedColumn,
  NumericHistogram, ResolvedDriftTest,
} from './types';
export { formatTable } from './format-table';
export { escapeMarkdown, formatMarkdown } from './format-markdown';
export { escapeHtml, formatHtml } from './format-html';
export { formatJson, parseDriftReport } from './json';
export { checkDriftReport } from './validate';
export { formatNumber, summaryLine } from './numbers';
