/**
 * A data stage's `importance:` end to end: read the file with the data
 * readers (only the columns needed), measure, and write the report when the
 * stage asks for one (atomically, like every file mlci writes).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Delimiter } from '../data/csv';
import type { ReadOptions } from '../data/read';
import { readTable } from '../data/read';
import type { ImportanceSpec } from '../pipeline/model';
import { writeFileAtomic } from '../run/atomic';
import { computeDependencies } from './dependencies';
import type { ImportanceReport } from './types';

export async function measureDependencies(abs: string, spec: ImportanceSpec, opts: { file: string; signal?: AbortSignal }): Promise<ImportanceReport> {
  const read: ReadOptions = { format: spec.format, file: opts.file };
  if (spec.delimiter !== undefined) read.delimiter = spec.delimiter as Delimiter;
  // Load only what is measured (a listed column the file lacks is a DataError naming the columns it has).
  if (spec.features) read.columns = [...new Set([...spec.features, spec.target])];
  const table = await readTable(abs, read);
  const options = { target: spec.target, file: opts.file, exclude: spec.exclude, ...(spec.features ? { features: spec.features } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  return computeDependencies(table, options);
}

export async function writeImportanceReport(root: string, rel: string, report: ImportanceReport): Promise<void> {
  const out = path.resolve(root, rel);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFileAtomic(out, JSON.stringify(report, null, 2) + '\n');
}
