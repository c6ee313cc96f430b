/**
 * The run engine as a bundle of its own (dist/engine.js): Docker (dockerode
 * and its gRPC stack), git, hashing, data readers and drift statistics are
 * about half a megabyte the extension loads only on the first run, status
 * or plan, never at activation.
 */
export { runPipeline } from './core/run/engine';
export { pipelineStatus } from './core/run/status';
export { newRunId } from './core/run/run-id';
export { RunStore } from './core/run/store';
export { acquireWorkspaceLock } from './core/run/workspace-lock';
export { chooseRunner, createBaseline, createEngineDeps, hostUser } from './adapters/engine-deps';
export { detectDrift } from './core/drift/detect';
export { verify, verifyTargets } from './adapters/verify';
export { branchState, push } from './adapters/git/branch-state';
