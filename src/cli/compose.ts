/**
 * The CLI's composition root: builds the engine's dependencies (runner,
 * hasher with its stat cache, run store, git, built-in stage executors)
 * for one workspace. The extension has its own root doing the same.
 */
import path from 'node:path';
import type { ContainerRunner } from '../core/ports';
import type { BuiltinExecutor, EngineDeps } from '../core/run/engine';
import { FileHasher } from '../core/hash';
import { RunStore, ensureMlciDir } from '../core/run/store';
import { newRunId as makeRunId } from '../core/run/run-id';
import { acquireWorkspaceLock } from '../core/run/workspace-lock';
import { SimpleGitAdapter } from '../adapters/git/simple-git-adapter';
import { builtinExecutors } from '../core/run/builtins';
import { CliError } from './errors';
import { EXIT_CANNOT_RUN } from './workspace';

export function stateFile(root: string): string {
  return path.join(root, '.mlci', 'state', 'hashes.json');
}

export async function engineDeps(root: string, runner: ContainerRunner): Promise<EngineDeps & { store: RunStore }> {
  // .mlci/ gets its .gitignore before anything (the hash cache) writes there.
  await ensureMlciDir(root);
  const store = new RunStore(root);
  // Runs left 'running' by a killed process are marked cancelled.
  await store.markInterrupted().catch(() => undefined);
  const builtins: Partial<Record<'data' | 'drift', BuiltinExecutor>> = builtinExecutors();
  return {
    runner,
    hasher: new FileHasher(stateFile(root)),
    sink: store,
    store,
    git: new SimpleGitAdapter(),
    builtins,
  };
}

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
