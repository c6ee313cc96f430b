/**
 * runDataChecks: what a `data` stage does. The engine calls it directly (no
 * container): it reads the file named by `expect.file` and evaluates every
 * expectation into a CheckResult.
 *
 * Data problems never throw: an unreadable file (missing, empty, ragged row,
 * invalid UTF-8, unknown format) is a failed report with one `file.readable`
 * check carrying the reader's message, row number included; a missing
 * column or a malformed expectation is a failed check. It throws only on
 * cancellation (the signal's reason) and on bugs.
 *
 * Cancellation is checked before and between reads and between columns;
 * a read in progress runs to its end (the readers take no signal).
 */
import type { Expectations } from '../pipeline/model';
import { checkColumn } from './column-checks';
import { loadForChecks } from './read-data';
import type { CheckResult, DataCheckReport } from './report';
import { checkRows } from './row-checks';

export interface DataCheckOptions {
  signal?: AbortSignal;
  /** Parts a CSV file is read in on worker threads (read-in-parts.ts); default none: measured slower here, see there. */
  workers?: number;
}

export async function runDataChecks(absFile: string, expect: Expectations, opts: DataCheckOptions = {}): Promise<DataCheckReport> {
  const started = performance.now();
  const { signal } = opts;
  const file = expect.file ?? absFile;
  signal?.throwIfAborted();
  const loaded = await loadForChecks(absFile, expect, file, signal, opts.workers);
  signal?.throwIfAborted();
  const elapsed = (): number => Math.round(performance.now() - started);

  if ('error' in loaded) {
    const unreadable: CheckResult = { id: 'file.readable', title: `${file} readable`, passed: false, expected: 'a readable data file', actual: loaded.error.code, message: loaded.error.message };
    return { file, rows: 0, columns: [], durationMs: elapsed(), checks: [unreadable], passed: false };
  }

  const { table, columns, rowBase } = loaded.data;
  const checks = checkRows(expect.rows, table.rowCount);
  for (const [name, spec] of Object.entries(expect.columns)) {
    signal?.throwIfAborted();
    checks.push(...checkColumn(name, spec, table, columns, rowBase));
  }
  return { file, rows: table.rowCount, columns, durationMs: elapsed(), checks, passed: checks.every((c) => c.passed) };
}
