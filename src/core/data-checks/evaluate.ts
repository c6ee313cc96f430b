/**
 * runDataChecks: what a `data` stage does. The engine calls it directly (no
 * container): it reads the file named by `expect.file` and evaluates every
 * expectation into a CheckResult.
 *
 * The checks stream: the file is read chunk by chunk (read-data.ts), each
 * chunk goes to every check of its column (column-checks.ts, tally.ts) and
 * is dropped, so memory is bounded by the chunk, not the file, apart from
 * what a check must remember (uniqueness: the distinct values; `in`: the
 * unexpected ones). Checks that need the column again (std after the mean,
 * exact quantiles, uniqueness of numbers that did not increase) get further
 * passes, each reading only their columns.
 *
 * Data problems never throw: an unreadable file (missing, empty, ragged row,
 * invalid UTF-8, unknown format) is a failed report with one `file.readable`
 * check carrying the reader's message, row number included; a missing
 * column or a malformed expectation is a failed check. It throws only on
 * cancellation (the signal's reason) and on bugs.
 *
 * Cancellation is checked before the reads and at every chunk.
 */
import { DataError } from '../data/read';
import type { Expectations } from '../pipeline/model';
import { absentColumn, ColumnChecker } from './column-checks';
import type { DataSource } from './read-data';
import { openData } from './read-data';
import type { CheckResult, DataCheckReport } from './report';
import { checkRows } from './row-checks';

/** Passes a column can need: the first, std's, and up to five for a quantile (order-statistics.ts). */
const MAX_PASSES = 7;

export interface DataCheckOptions {
  signal?: AbortSignal;
  /** Parts a CSV file is read in on worker threads (read-in-parts.ts); default none: measured slower here, see there. */
  workers?: number;
  /** Rows per chunk of a streamed file (default DEFAULT_CHUNK_ROWS; tests make it tiny). */
  chunkRows?: number;
  /** Values a quantile keeps for its final sort (see order-statistics.ts; tests make it tiny). */
  selectLimit?: number;
}

export async function runDataChecks(absFile: string, expect: Expectations, opts: DataCheckOptions = {}): Promise<DataCheckReport> {
  const started = performance.now();
  const { signal } = opts;
  const file = expect.file ?? absFile;
  const elapsed = (): number => Math.round(performance.now() - started);
  signal?.throwIfAborted();
  try {
    let result: { rows: number; columns: string[]; checks: CheckResult[] };
    try {
      result = await evaluate(await openData(absFile, expect, file, opts), expect, file, opts);
    } catch (err) {
      // A value that does not fit its declared type stopped the stream: the whole file, text types only.
      if (!(err instanceof DataError && err.code === 'type-mismatch')) throw err;
      result = await evaluate(await openData(absFile, expect, file, { ...opts, textTypesOnly: true }), expect, file, opts);
    }
    const { rows, columns, checks } = result;
    return { file, rows, columns, durationMs: elapsed(), checks, passed: checks.every((c) => c.passed) };
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    const unreadable: CheckResult = { id: 'file.readable', title: `${file} readable`, passed: false, expected: 'a readable data file', actual: err.code, message: err.message };
    return { file, rows: 0, columns: [], durationMs: elapsed(), checks: [unreadable], passed: false };
  }
}

async function evaluate(source: DataSource, expect: Expectations, file: string, opts: DataCheckOptions): Promise<{ rows: number; columns: string[]; checks: CheckResult[] }> {
  const { signal } = opts;
  const checkers = source.present.map((name) => new ColumnChecker(name, expect.columns[name], source.rowBase, opts));
  const rows = await source.read(source.present, (table, firstRow) => {
    for (const c of checkers) {
      signal?.throwIfAborted();
      c.add(table.columns.get(c.name)!, firstRow);
    }
  });
  let again = checkers.filter((c) => c.endPass());
  for (let pass = 2; again.length > 0; pass++) {
    if (pass > MAX_PASSES) throw new Error(`data checks: still wanting a pass after ${MAX_PASSES} (${again.map((c) => c.name).join(', ')})`);
    const passing = again;
    const seen = await source.read(passing.map((c) => c.name), (table, firstRow) => {
      for (const c of passing) {
        signal?.throwIfAborted();
        c.addPass(table.columns.get(c.name)!, firstRow);
      }
    });
    if (seen !== rows) throw new DataError({ file, code: 'io', detail: `changed while being checked (${rows} rows, then ${seen})` });
    again = passing.filter((c) => c.endPass());
  }

  const byName = new Map(checkers.map((c) => [c.name, c]));
  const checks = checkRows(expect.rows, rows);
  for (const [name, spec] of Object.entries(expect.columns)) {
    const checker = byName.get(name);
    checks.push(...(checker !== undefined ? checker.results() : absentColumn(name, spec, source.columns)));
  }
  return { rows, columns: source.columns, checks };
}
