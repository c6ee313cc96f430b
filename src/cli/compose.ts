/**
 * The CLI's composition root: the engine's dependencies come from the
 * shared recipe in src/adapters/engine-deps.ts; the CLI adds its own error
 * handling around the workspace lock.
 */
import { newRunId as makeRunId } from '../core/run/run-id';
import { acquireWorkspaceLock } from '../core/run/workspace-lock';
import { CliError } from './errors';
import { EXIT_CANNOT_RUN } from './workspace';

export { createBaseline, createCacheDeps as cacheDeps, createEngineDeps as engineDeps, stateFile } from '../adapters/engine-deps';

export function newRunId(): string {
  return makeRunId();
}

export async function withWorkspaceLock<T>(root: string, info: { runId: string; command: string }, fn: () => Promise<T>): Promise<T> {
  let release: () => Promise<void> | void;
  try {
    release = await acquireWorkspaceLock(root, info);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT_CANNOT_RUN);
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}
