/**
 * A big CSV file whose checked columns all have declared types can be read
 * in parts, one per worker, in the drift engine's worker pool (see
 * data/csv-parts.ts for why the result equals a whole read). Anything that
 * keeps the parts from giving that table (one core, no worker script in
 * this build, a cut inside a quoted field, any error in a part) returns
 * undefined, and the caller reads the file whole: the same table or the
 * same error.
 *
 * Off unless asked for (`workers`): measured on the shared 2-core machine
 * (1M rows x 5 columns, 27 MB, bundled), two workers took 1.4-2x the time of
 * the whole read on the main thread (each worker is a fresh isolate whose
 * parser runs cold, the parts' columns are copied into one table, and the
 * cores were rarely both free). Turning it on by default needs that
 * measured the other way round.
 */
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { CsvLoadOptions } from '../data/columns';
import { mergeCsvParts, planCsvParts } from '../data/csv-parts';
import type { Table } from '../data/table';
import { DriftPool, findWorkerScript } from '../drift/detect/pool';

/** `workers`: how many parts (0 or 1, or undefined: none; the whole read is the default). */
export async function readCsvInParts(absFile: string, options: CsvLoadOptions, signal?: AbortSignal, workers?: number): Promise<Table | undefined> {
  const count = workers ?? 0;
  if (count < 2) return undefined;
  const size = await stat(absFile).then((s) => s.size, () => 0);
  const script = findWorkerScript();
  if (script === undefined) return undefined;
  const csv: CsvLoadOptions = options.delimiter === undefined && extname(absFile).toLowerCase() === '.tsv' ? { ...options, delimiter: '\t' } : options;
  const layout = await planCsvParts(absFile, size, count, csv).catch(() => undefined);
  if (layout === undefined || signal?.aborted) return undefined;
  const pool = new DriftPool(layout.parts.length, script);
  try {
    const results = await Promise.all(layout.parts.map((part) => pool.readPart(absFile, csv, part)));
    if (!results.every((r) => r.clean)) return undefined;
    return mergeCsvParts(results.map((r) => r.table));
  } catch {
    return undefined; // the whole read says what went wrong, with its row
  } finally {
    await pool.close();
  }
}
