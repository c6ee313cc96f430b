/**
 * detectDrift: read the reference and current files, test every shared
 * column, and decide dataset drift (drifted / tested >= share, Evidently's
 * rule). Returns the version-1 report (../report/types.ts).
 *
 * Big inputs use a worker pool (pool.ts): both files are read at once and
 * columns are spread over one worker per core. Small inputs run on the
 * calling thread, where starting workers would cost more than it saves.
 * Either way the numbers are the same: the tests are pure functions of the
 * column data.
 */
import { stat } from 'node:fs/promises';
import os from 'node:os';
import type { Delimiter } from '../../data/csv';
import type { ReadOptions } from '../../data/read';
import { DataError, readTable } from '../../data/read';
import type { Table } from '../../data/table';
import type { DriftSpec } from '../../pipeline/model';
import type { DriftColumnReport, DriftReport, DriftSkippedColumn } from '../report/types';
import { DRIFT_REPORT_VERSION } from '../report/types';
import type { ColumnJob, ColumnOutcome } from './column-test';
import { testColumn } from './column-test';
import type { DriftPlan } from './plan';
import { planColumns } from './plan';
import { DriftPool, findWorkerScript } from './pool';

export interface DetectDriftOptions {
  signal?: AbortSignal;
  /** How the report and errors name the files (default: the paths as given). */
  referenceName?: string;
  currentName?: string;
  /**
   * Worker threads. Default: one per core when the two files hold at least
   * POOL_MIN_BYTES together (and the worker script exists), else none.
   * 0 forces the calling thread; a positive number forces a pool of that size.
   */
  workers?: number;
}

/** Below this many bytes in both files together, workers cost more than they save. */
export const POOL_MIN_BYTES = 16 * 1024 * 1024;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('drift detection was cancelled');
}

async function poolSize(files: string[], requested: number | undefined): Promise<number> {
  if (requested !== undefined) return Math.max(0, Math.floor(requested));
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  if (cores < 2) return 0;
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size, () => 0)));
  return sizes.reduce((a, b) => a + b, 0) >= POOL_MIN_BYTES ? Math.min(cores, 8) : 0;
}

export async function detectDrift(
  referenceAbs: string,
  currentAbs: string,
  spec: DriftSpec,
  opts: DetectDriftOptions = {},
): Promise<DriftReport> {
  const started = performance.now();
  const { signal } = opts;
  throwIfAborted(signal);
  const referenceName = opts.referenceName ?? referenceAbs;
  const currentName = opts.currentName ?? currentAbs;
  const base: ReadOptions = { format: spec.format };
  if (spec.delimiter !== undefined) base.delimiter = spec.delimiter as Delimiter; // the reader rejects others by name

  const size = await poolSize([referenceAbs, currentAbs], opts.workers);
  const script = size > 0 ? findWorkerScript() : undefined;
  let pool = script ? new DriftPool(size, script) : undefined;
  const onAbort = (): void => void pool?.close(signal?.reason instanceof Error ? signal.reason : new Error('drift detection was cancelled'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const options = (file: string): ReadOptions => ({ ...base, file });
    let tables: [Table, Table] | undefined;
    if (pool) {
      try {
        tables = await Promise.all([pool.read(referenceAbs, options(referenceName)), pool.read(currentAbs, options(currentName))]);
      } catch (e) {
        // A data problem is the answer; a worker that could not run is not: go on without workers.
        if (e instanceof DataError || signal?.aborted) throw e;
        await pool.close();
        pool = undefined;
      }
    }
    if (!tables) {
      const reference = await readTable(referenceAbs, options(referenceName));
      throwIfAborted(signal);
      tables = [reference, await readTable(currentAbs, options(currentName))];
    }
    const [reference, current] = tables;
    throwIfAborted(signal);

    const plan = planColumns(reference, current, spec);
    const outcomes = await runJobs(plan.jobs, pool, signal);
    throwIfAborted(signal);

    const tested = new Map<string, DriftColumnReport>();
    const skipped = new Map<string, DriftSkippedColumn>(plan.skipped.map((s) => [s.name, s]));
    for (const o of outcomes) {
      if ('tested' in o) tested.set(o.tested.name, o.tested);
      else skipped.set(o.skipped.name, o.skipped);
    }
    const columns = plan.order.flatMap((n) => tested.get(n) ?? []);
    const drifted = columns.filter((c) => c.drifted).length;
    const driftedShare = columns.length > 0 ? drifted / columns.length : 0;
    const problems = columnProblems(plan, columns.length, referenceName, currentName);
    return {
      version: DRIFT_REPORT_VERSION,
      reference: { path: referenceName, rows: reference.rowCount },
      current: { path: currentName, rows: current.rowCount },
      share: spec.share,
      driftedShare,
      datasetDrift: problems.length > 0 || driftedShare >= spec.share,
      problems,
      columns,
      skipped: plan.order.flatMap((n) => skipped.get(n) ?? []),
      missingColumns: plan.missingColumns,
      newColumns: plan.newColumns,
      warnings: plan.warnings,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool?.close();
  }
}

const names = (list: string[]): string => list.map((n) => JSON.stringify(n)).join(', ');
const columnWord = (n: number): string => (n === 1 ? 'column' : 'columns');

/**
 * What makes the dataset count as drifted whatever the share: a column the
 * settings want that is on one side only (a model fed the current file
 * would miss it, or meet one it never saw), or nothing compared at all (a
 * verdict of "no drift" would rest on nothing). Each names the columns and
 * the files, and how to accept the difference on purpose.
 */
function columnProblems(plan: DriftPlan, tested: number, referenceName: string, currentName: string): string[] {
  const problems: string[] = [];
  const { missingColumns: missing, newColumns: added } = plan;
  const accept = 'exclude them (drift.exclude, or --exclude) if that is expected';
  if (missing.length > 0) {
    problems.push(`${columnWord(missing.length)} ${names(missing)} of reference ${referenceName} missing from current ${currentName}; ${accept}`);
  }
  if (added.length > 0) {
    problems.push(`${columnWord(added.length)} ${names(added)} of current ${currentName} not in reference ${referenceName}; ${accept}`);
  }
  if (tested === 0) {
    problems.push(plan.order.length === 0
      ? `no column is in both reference ${referenceName} and current ${currentName}, so nothing was compared`
      : `none of the ${plan.order.length} ${columnWord(plan.order.length)} in both reference ${referenceName} and current ${currentName} was compared (the skipped list says why), so there is no verdict`);
  }
  return problems;
}

/**
 * Column tests in the pool (largest first, so the long ones start early and
 * the short ones fill the gaps), or one after another on this thread,
 * checking for cancellation between columns.
 */
async function runJobs(jobs: ColumnJob[], pool: DriftPool | undefined, signal: AbortSignal | undefined): Promise<ColumnOutcome[]> {
  if (!pool) {
    const out: ColumnOutcome[] = [];
    for (const job of jobs) {
      throwIfAborted(signal);
      out.push(testColumn(job));
    }
    return out;
  }
  const rows = (s: ColumnJob['reference']): number => (s.storage === 'values' ? s.values.length : s.codes.length);
  // Numbers are sorted (and ks adds an expensive p-value); categories are one counting pass.
  const cost = (j: ColumnJob): number => (rows(j.reference) + rows(j.current)) * (j.kind === 'numeric' ? 8 : 1);
  const byCost = [...jobs].sort((a, b) => cost(b) - cost(a));
  return Promise.all(byCost.map((j) => pool.test(j)));
}
