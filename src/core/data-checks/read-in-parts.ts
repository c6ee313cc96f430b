/**
 * A big CSV file whose checked columns all have declared types is read in
 * parts, one per core, in the drift engine's worker pool (see
 * data/csv-parts.ts for why the result equals a whole read). Anything that
 * keeps the parts from giving that table (a small file, one core, no worker
 * script in this build, a cut inside a quoted field, any error in a part)
 * returns undefined, and the caller reads the file whole: the same table or
 * the same error, only slower.
 */
import { stat } from 'node:fs/promises';
import os from 'node:os';
import { extname } from 'node:path';
import type { CsvLoadOptions } from '../data/columns';
import { mergeCsvParts, planCsvParts } from '../data/csv-parts';
import type { Table } from '../data/table';
import { DriftPool, findWorkerScript } from '../drift/detect/pool';

/** Below this size, starting workers costs more than the parts save (as for drift). */
export const PARTS_MIN_BYTES = 16 * 1024 * 1024;

/**
 * `workers`: undefined, one part per core (up to 8) for a file of at least
 * PARTS_MIN_BYTES on two cores or more; 0, never; n, n parts whatever the
 * size (tests).
 */
export async function readCsvInParts(absFile: string, options: CsvLoadOptions, signal?: AbortSignal, workers?: number): Promise<Table | undefined> {
  const size = await stat(absFile).then((s) => s.size, () => 0);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const count = workers ?? (size >= PARTS_MIN_BYTES ? Math.min(cores, 8) : 0);
  if (count < 2) return undefined;
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
