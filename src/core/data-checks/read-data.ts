/**
 * Loading a data file for its checks: only the checked columns (memory is
 * bounded by them, not by the file's width), with their declared types.
 *
 * - CSV: the header is read first (one chunk), so missing columns are known
 *   before the load and the load asks only for the present ones.
 * - JSON Lines and Parquet: the load asks for every checked column; when one
 *   is missing, the file is read once more in full to learn its columns, and
 *   then the present ones are loaded. That is three reads where one would do
 *   for a missing column (a failure anyway) or an absent `required: false`
 *   one; JSONL keys can appear on any line, so only a full read knows them.
 * - Declared types go to the reader, so parsing follows them. A value that
 *   does not fit stops the reader at the first one; the load is then repeated
 *   with only the text types declared (which always fit), and the type check
 *   finds every value that does not fit.
 * - A column with `regex` and no declared type or number check is read as
 *   text, so the pattern sees the characters written ("007", "1.50").
 * - With `workers`, a CSV file whose loaded columns all have types is read
 *   in parts on the drift workers (read-in-parts.ts): the same table, or a
 *   whole read. Off by default (measured slower on 2 shared cores).
 *
 * Every other DataError (missing file, empty file, ragged row, bad UTF-8)
 * is returned, not thrown: it becomes the report's `file.readable` check.
 */
import { uniqueNames } from '../data/column-set';
import type { CsvOptions } from '../data/csv';
import type { Table } from '../data/read';
import { DataError, formatOf, readTable, rows } from '../data/read';
import { COLUMN_TYPES } from '../data/table';
import { readCsvInParts } from './read-in-parts';
import type { ColumnExpectation, ColumnType, Expectations } from '../pipeline/model';

export interface LoadedData {
  table: Table;
  /** See DataCheckReport.columns. */
  columns: string[];
  /** Row number of the first data row (see Example.row). */
  rowBase: number;
}

export type LoadResult = { data: LoadedData } | { error: DataError };

const TEXT_TYPES: readonly ColumnType[] = ['category', 'text'];
const NUMBER_CHECKS: readonly (keyof ColumnExpectation)[] = ['min', 'max', 'mean', 'std', 'quantiles'];

export async function loadForChecks(absFile: string, expect: Expectations, label: string, signal?: AbortSignal, workers?: number): Promise<LoadResult> {
  try {
    return { data: await load(absFile, expect, label, signal, workers) };
  } catch (err) {
    if (err instanceof DataError) return { error: err };
    throw err;
  }
}

async function load(absFile: string, expect: Expectations, label: string, signal?: AbortSignal, workers?: number): Promise<LoadedData> {
  const format = formatOf(absFile, expect.format, label);
  const delimiter = expect.delimiter as CsvOptions['delimiter'];
  const base = { format, file: label, ...(delimiter !== undefined ? { delimiter } : {}) };
  const rowBase = format === 'csv' ? 2 : 1;
  const wanted = Object.keys(expect.columns);
  let names = format === 'csv' ? await csvHeader(absFile, base) : undefined;
  let types = declaredTypes(expect);

  for (;;) {
    signal?.throwIfAborted();
    const have = names;
    const columns = have ? wanted.filter((c) => have.includes(c)) : wanted;
    const typesOf = Object.fromEntries(Object.entries(types).filter(([c]) => columns.includes(c)));
    try {
      const options = { ...base, columns, types: typesOf };
      const allTyped = format === 'csv' && columns.length > 0 && columns.every((c) => typesOf[c] !== undefined);
      const table = (allTyped ? await readCsvInParts(absFile, options, signal, workers) : undefined) ?? (await readTable(absFile, options));
      return { table, columns: names ?? [...table.columns.keys()], rowBase };
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      if (err.code === 'unknown-column' && names === undefined) {
        names = [...(await readTable(absFile, base)).columns.keys()];
      } else if (err.code === 'type-mismatch' && Object.values(types).some((t) => !TEXT_TYPES.includes(t))) {
        types = Object.fromEntries(Object.entries(types).filter(([, t]) => TEXT_TYPES.includes(t)));
      } else {
        throw err;
      }
    }
  }
}

/** The types handed to the reader (see the file comment). */
function declaredTypes(expect: Expectations): Record<string, ColumnType> {
  const types: Record<string, ColumnType> = {};
  for (const [name, spec] of Object.entries(expect.columns)) {
    if (spec.type !== undefined && COLUMN_TYPES.includes(spec.type)) types[name] = spec.type;
    else if (typeof spec.regex === 'string' && NUMBER_CHECKS.every((k) => spec[k] === undefined)) types[name] = 'text';
  }
  return types;
}

/** The header as the CSV loader names columns (blank → "Unnamed: i", repeated "a" → "a.1"). */
async function csvHeader(absFile: string, options: { file: string; delimiter?: CsvOptions['delimiter'] }): Promise<string[]> {
  for await (const record of rows(absFile, { ...options, format: 'csv' })) return uniqueNames(record);
  return []; // not reached: a file without a header row is an empty-file DataError
}
