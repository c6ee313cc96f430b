/** The engine's `data` stages: expect checks on a data file (see evaluate.ts). */
export { runDataChecks } from './evaluate';
export type { DataCheckOptions } from './evaluate';
export { formatDataReport, summaryLine } from './format';
export type { CheckResult, DataCheckReport, Example } from './report';
export { MAX_EXAMPLES } from './report';
