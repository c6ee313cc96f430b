/**
 * The run-cache: one entry per successful stage execution, keyed by the
 * stage's fingerprint (command, image ID, env, params values, dep hashes,
 * check spec). An entry names the outputs' hashes and keeps the stage's
 * metrics, history and report, so a stage whose fingerprint has an entry
 * can be restored instead of run, on any branch or machine holding the
 * objects, and a cached drift stage keeps its `dataset_drift` metrics.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { LockStage } from '../run/lockfile';
import { writeFileAtomic } from '../run/atomic';
import { commitKey, keyPath, runKey } from './layout';
import { openJson, sealJson } from './sealed-json';
import { canonicalJson, sha256 } from '../run/fingerprint';

export interface OutRecord {
  hash: string;
  kind: 'file' | 'dir';
  /** false: `cache: false`, hashed but not stored; restorable only if already on disk with this hash. */
  cache: boolean;
}

/**
 * The run-cache key of a stage execution: its fingerprint plus the stage's
 * name and output paths. Two stages with the same command and deps but
 * other outputs (or a renamed copy of a stage) never serve each other.
 */
export function runCacheKey(fingerprint: string, stage: string, outs: readonly string[]): string {
  return sha256(canonicalJson({ fingerprint, stage, outs: [...outs].sort() }));
}

export interface RunCacheEntry {
  version: 1;
  /** runCacheKey(...): what the entry is filed under. */
  key: string;
  fingerprint: string;
  stage: string;
  kind: string;
  /** Pipeline file (relative to its folder) and the run that produced it. */
  pipeline: string;
  runId: string;
  createdAt: string;
  commit?: string;
  outs: Record<string, OutRecord>;
  metrics?: Record<string, number>;
  history?: Array<Record<string, number>>;
  report?: unknown;
  /** The feature dependencies a data stage measured (`importance:`), for its gates when it does not run. */
  importance?: unknown;
  lock: LockStage;
  checksum?: string;
}

export interface CommitRecord {
  version: 1;
  commit: string;
  pipeline: string;
  runId: string;
  createdAt: string;
  /** Flattened metrics of the stages recorded at this commit. */
  metrics: Record<string, number>;
  stageMetrics: Record<string, Record<string, number>>;
  checksum?: string;
}

export interface BadRecord {
  key: string;
  reason: string;
}

/** Reads and writes sealed JSON records under a cache folder. */
export class RecordStore {
  readonly bad: BadRecord[] = [];

  constructor(readonly dir: string) {}

  getRun(key: string): RunCacheEntry | undefined {
    return this.read<RunCacheEntry>(runKey(key));
  }

  async putRun(entry: RunCacheEntry): Promise<void> {
    await this.write(runKey(entry.key), sealJson(entry));
  }

  getCommit(commit: string, pipeline: string): CommitRecord | undefined {
    return this.read<CommitRecord>(commitKey(commit, pipeline));
  }

  /** Adds a run's stage metrics to the commit's record (a partial run keeps the other stages'). */
  async mergeCommit(rec: Omit<CommitRecord, 'version' | 'metrics'>): Promise<void> {
    const old = this.getCommit(rec.commit, rec.pipeline);
    const stageMetrics = { ...(old?.stageMetrics ?? {}), ...rec.stageMetrics };
    const metrics: Record<string, number> = {};
    for (const m of Object.values(stageMetrics)) Object.assign(metrics, m);
    await this.write(commitKey(rec.commit, rec.pipeline), sealJson({ version: 1, ...rec, stageMetrics, metrics } satisfies CommitRecord));
  }

  /** A record by key: undefined when absent; a corrupt one is deleted and listed in `bad`. */
  read<T>(key: string): T | undefined {
    const file = keyPath(this.dir, key);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const r = openJson<T>(text);
    if ('value' in r) return r.value;
    rmSync(file, { force: true });
    this.bad.push({ key, reason: r.error });
    return undefined;
  }

  async write(key: string, value: unknown): Promise<void> {
    const file = keyPath(this.dir, key);
    mkdirSync(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(value));
  }
}
