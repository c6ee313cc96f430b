/**
 * A data stage's `importance:` end to end: read the file with the data
 * readers (only the columns needed), measure, and write the report when the
 * stage asks for one (atomically, like every file mlci writes).
 *
 * Memory: a CSV larger than GROUP_BYTES is read in column groups, one pass
 * per group with the target, so at most about GROUP_BYTES of text is held
 * as columns at a time instead of the whole table: the numbers are the same
 * (each feature is measured against the target on its own rows), at the
 * cost of reading the file once per group.
 */
import { stat } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Delimiter } from '../data/csv';
import type { ReadOptions } from '../data/read';
import { formatOf, readTable, rows } from '../data/read';
import type { Column, Table } from '../data/table';
import { isNumericColumn } from '../data/table';
import type { ImportanceSpec } from '../pipeline/model';
import { writeFileAtomic } from '../run/atomic';
import { computeDependencies } from './dependencies';
import type { ImportanceReport } from './types';
import { containedPath } from '../files/contain';

/** CSV text per column group. */
export const GROUP_BYTES = 16 * 1024 * 1024;

export async function measureDependencies(abs: string, spec: ImportanceSpec, opts: { file: string; signal?: AbortSignal; groupBytes?: number }): Promise<ImportanceReport> {
  const read: ReadOptions = { format: spec.format, file: opts.file };
  if (spec.delimiter !== undefined) read.delimiter = spec.delimiter as Delimiter;
  const options = { target: spec.target, file: opts.file, exclude: spec.exclude, ...(opts.signal ? { signal: opts.signal } : {}) };
  const groups = await columnGroups(abs, spec, read, opts.groupBytes ?? GROUP_BYTES);
  if (!groups) {
    // Load only what is measured (a listed column the file lacks is a DataError naming the columns it has).
    if (spec.features) read.columns = [...new Set([...spec.features, spec.target])];
    return computeDependencies(await readTable(abs, read), { ...options, ...(spec.features ? { features: spec.features } : {}) });
  }
  let merged: ImportanceReport | undefined;
  // The target is read with the first group and kept: later groups read only
  // their features and join it (same file, same rows), so its labels and
  // ranks are made once (see preparedTarget).
  let target: Column | undefined;
  for (const group of groups) {
    const read1 = await readTable(abs, { ...read, columns: target ? group : [...group, spec.target] });
    target ??= read1.columns.get(spec.target);
    const table: Table = target && !read1.columns.has(spec.target)
      ? { rowCount: read1.rowCount, columns: new Map([...read1.columns, [spec.target, target]]) }
      : read1;
    const targetRows = !target ? table.rowCount : isNumericColumn(target) ? target.values.length : target.codes.length;
    if (table.rowCount !== targetRows) throw new Error(`${opts.file} changed while it was read (${table.rowCount} rows now, ${targetRows} before)`);
    const part = computeDependencies(table, { ...options, features: group });
    if (!merged) merged = part;
    else merged.features.push(...part.features);
    if (part.targetLevels === undefined) break; // the target is unusable: every group would say so
  }
  merged!.features.sort((a, b) => (b.importance ?? -Infinity) - (a.importance ?? -Infinity));
  return merged!;
}

/**
 * The feature groups of a CSV bigger than `groupBytes` (undefined: read it
 * whole). A target the header lacks is left to computeDependencies, which
 * says so with the columns the file has.
 */
async function columnGroups(abs: string, spec: ImportanceSpec, read: ReadOptions, groupBytes: number): Promise<string[][] | undefined> {
  if (formatOf(abs, read.format, read.file) !== 'csv') return undefined;
  const size = await stat(abs).then((s) => s.size, () => 0);
  if (size <= groupBytes) return undefined;
  let header: string[] | undefined;
  for await (const record of rows(abs, read as Parameters<typeof rows>[1])) {
    header = record;
    break;
  }
  if (!header || !header.includes(spec.target)) return undefined;
  const exclude = new Set(spec.exclude);
  const features = (spec.features ?? header).filter((c) => c !== spec.target && !exclude.has(c));
  const missing = features.filter((c) => !header.includes(c));
  if (missing.length > 0) return undefined; // the whole-file read reports them with the file's columns
  const count = Math.min(features.length, Math.ceil(size / groupBytes));
  if (count <= 1) return undefined;
  const per = Math.ceil(features.length / count);
  const out: string[][] = [];
  for (let i = 0; i < features.length; i += per) out.push(features.slice(i, i + per));
  return out;
}

export async function writeImportanceReport(root: string, rel: string, report: ImportanceReport): Promise<void> {
  // A folder linked out of the workspace must not receive the report.
  const out = containedPath(root, path.resolve(root, rel), rel);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFileAtomic(out, JSON.stringify(report, null, 2) + '\n');
}
