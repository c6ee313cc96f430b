/**
 * mlci.lock: beside the pipeline file, human-readable YAML with a stable
 * key order, meant to be committed (like dvc.lock). For each stage it
 * records what its last successful run was computed from (command, image,
 * env without secrets, params values, dep hashes) and what it produced
 * (output hashes), so a clone or remote CI can tell what is up to date.
 */
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { ParamValue } from '../params';
import { writeFileAtomic } from './atomic';
import { FILE_LIMITS, FileReadError, readRegularFileSync } from '../files/regular-file';
import { FixableError, describeFsError } from '../fixable-error';

export const LOCK_FILE = 'mlci.lock';

export interface LockStage {
  fingerprint: string;
  cmd: string[];
  image?: string;
  image_id?: string;
  /** Content hash of the stage's built image (`build:`). */
  build?: string;
  env: Record<string, string>;
  params: Record<string, ParamValue | null>;
  /** Content hash per dep path; null when the dep did not exist. */
  deps: Record<string, string | null>;
  /** Hash of the engine-run spec (`expect`, `drift`) for data and drift stages. */
  spec?: string;
  outs: Record<string, string>;
}

export interface LockFile {
  version: 1;
  stages: Record<string, LockStage>;
}

export function lockPath(root: string): string {
  return path.join(root, LOCK_FILE);
}

/**
 * The lock file, or an empty one when absent. A corrupt or unreadable file
 * (a directory in its place, no permission) is a FixableError naming it and
 * what to do: running on as if it were empty would later fail to write it.
 */
export function readLock(root: string): LockFile {
  const file = lockPath(root);
  let text: string;
  try {
    text = readRegularFileSync(file, FILE_LIMITS.record);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, stages: {} };
    if (e instanceof FileReadError) throw new FixableError(`cannot use the lock file: ${e.message}; replace it with the committed mlci.lock (git checkout mlci.lock) or remove it`);
    throw new FixableError(`cannot use the lock file: ${describeFsError(file, e, 'read')}`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    throw new FixableError(`${file} is not valid YAML (${(e as Error).message.split('\n')[0]}): fix it (a merge conflict?), or delete it to recompute every stage`);
  }
  const stages = (data as { stages?: unknown } | null)?.stages;
  if (!data || typeof data !== 'object' || Array.isArray(data) || (stages !== undefined && (typeof stages !== 'object' || stages === null || Array.isArray(stages)))) {
    throw new FixableError(`${file} is not an mlci lock file (no 'stages' mapping): delete it to recompute every stage`);
  }
  return { version: 1, stages: (stages ?? {}) as Record<string, LockStage> };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export async function writeLock(root: string, lock: LockFile, stageOrder: readonly string[]): Promise<void> {
  // Stages in pipeline order, keys inside each sorted: diffs stay small and stable.
  const stages: Record<string, unknown> = {};
  const names = [...stageOrder.filter((n) => n in lock.stages), ...Object.keys(lock.stages).filter((n) => !stageOrder.includes(n)).sort()];
  for (const n of names) stages[n] = sortKeys(lock.stages[n]);
  const text = '# Written by mlci: what each stage last ran from and produced. Commit this file.\n' +
    stringify({ version: 1, stages }, { lineWidth: 0, sortMapEntries: false });
  await writeFileAtomic(lockPath(root), text);
}
