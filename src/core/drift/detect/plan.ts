/**
 * From two tables and the drift settings to the list of column jobs: which
 * columns are compared (both files, include/exclude/ignore), which are only
 * on one side, and how each is compared (numbers or categories: the
 * settings' `type`, else the reader's inferred types).
 */
import type { Column, ColumnType, Table } from '../../data/table';
import { isNumericColumn } from '../../data/table';
import type { DriftSpec } from '../../pipeline/model';
import type { DriftColumnKind, DriftSkippedColumn } from '../report/types';
import type { ColumnJob } from './column-test';
import type { RawSide } from './samples';

export interface DriftPlan {
  jobs: ColumnJob[];
  /** Skipped columns by name, to merge with tested ones in file order. */
  skipped: DriftSkippedColumn[];
  /** Every compared or skipped column, in reference file order. */
  order: string[];
  missingColumns: string[];
  newColumns: string[];
  warnings: string[];
}

type SideKind = DriftColumnKind | 'text' | 'datetime';

function sideKind(type: ColumnType): SideKind {
  switch (type) {
    case 'number': case 'integer': return 'numeric';
    case 'boolean': case 'category': return 'categorical';
    case 'text': return 'text';
    case 'datetime': return 'datetime';
  }
}

export function rawSide(column: Column): RawSide {
  return isNumericColumn(column)
    ? { storage: 'values', type: column.type, values: column.values }
    : { storage: 'codes', type: column.type, codes: column.codes, dictionary: column.dictionary };
}

/**
 * How two sides of a column are compared, or why they are not. Categories
 * against free text (a side with too many distinct values to be inferred a
 * category) still compare as categories: that difference is itself a change.
 */
export function columnKind(ref: ColumnType, cur: ColumnType, override?: 'number' | 'category'): DriftColumnKind | { reason: string } {
  if (override === 'number') return 'numeric';
  if (override === 'category') return 'categorical';
  const a = sideKind(ref);
  const b = sideKind(cur);
  if (a === b && (a === 'numeric' || a === 'categorical')) return a;
  if ((a === 'categorical' && b === 'text') || (a === 'text' && b === 'categorical')) return 'categorical';
  if (a === 'text' && b === 'text') {
    return { reason: 'free text (too many distinct values to be a category): not compared; set type: category to compare the values' };
  }
  if (a === 'datetime' && b === 'datetime') {
    return { reason: 'dates and times: not compared; set type: number to compare the timestamps' };
  }
  return { reason: `${describe(ref)} in reference but ${describe(cur)} in current: not compared; set type: number or category` };
}

function describe(type: ColumnType): string {
  switch (type) {
    case 'number': case 'integer': return 'numbers';
    case 'boolean': return 'true/false values';
    case 'category': return 'categories';
    case 'text': return 'free text';
    case 'datetime': return 'dates';
  }
}

export function planColumns(reference: Table, current: Table, spec: DriftSpec): DriftPlan {
  const refNames = [...reference.columns.keys()];
  const curNames = [...current.columns.keys()];
  const inRef = new Set(refNames);
  const inCur = new Set(curNames);
  const warnings: string[] = [];
  const include = spec.include ? new Set(spec.include) : undefined;
  const exclude = new Set(spec.exclude);

  for (const name of spec.include ?? []) {
    if (!inRef.has(name) && !inCur.has(name)) warnings.push(`drift.include lists "${name}", which is in neither file`);
  }
  for (const name of Object.keys(spec.columns)) {
    if (!inRef.has(name) && !inCur.has(name)) warnings.push(`drift.columns has settings for "${name}", which is in neither file`);
  }

  // Columns on one side only are reported, not tested; include narrows these lists too.
  const wanted = (name: string): boolean => (include === undefined || include.has(name)) && !exclude.has(name) && spec.columns[name]?.ignore !== true;
  const missingColumns = refNames.filter((n) => !inCur.has(n) && wanted(n));
  const newColumns = curNames.filter((n) => !inRef.has(n) && wanted(n));

  const jobs: ColumnJob[] = [];
  const skipped: DriftSkippedColumn[] = [];
  const order: string[] = [];
  for (const name of refNames) {
    if (!inCur.has(name) || (include !== undefined && !include.has(name))) continue;
    order.push(name);
    const settings = spec.columns[name];
    if (exclude.has(name)) {
      skipped.push({ name, reason: 'excluded (drift.exclude)' });
      continue;
    }
    if (settings?.ignore === true) {
      skipped.push({ name, reason: 'ignored (ignore: true)' });
      continue;
    }
    const ref = reference.columns.get(name)!;
    const cur = current.columns.get(name)!;
    const kind = columnKind(ref.type, cur.type, settings?.type);
    if (typeof kind !== 'string') {
      skipped.push({ name, reason: kind.reason });
      continue;
    }
    const job: ColumnJob = { name, kind, test: settings?.test ?? 'auto', reference: rawSide(ref), current: rawSide(cur) };
    if (settings?.threshold !== undefined) job.threshold = settings.threshold;
    jobs.push(job);
  }
  // Columns on one side only are problems of the report (detect.ts), not warnings.
  return { jobs, skipped, order, missingColumns, newColumns, warnings };
}
