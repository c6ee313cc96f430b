/** The gates API: evaluate a run's gates, against baselines, and report them. */
export { evaluateGates, evaluateGate } from './evaluate';
export { GitBaseline, RecordBaseline, CommitRecordBaseline, RemoteCommitBaseline, firstBaseline, routeBaselines, repoPath, PINNED_BASELINE, type BaselineProvider, type ReadFileAtRef } from './baseline';
export { gatesExitCode, type GateResult, type GateStatus } from './result';
export { formatGateResults, formatGatesMarkdown } from './format';
export { gateName } from './name';
export { convergence, DEFAULT_WINDOW } from './convergence';
