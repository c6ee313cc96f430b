/**
 * Reading a data file for its checks: only the checked columns (memory is
 * bounded by them, not by the file's width), with their declared types, as
 * a DataSource that hands the checks the columns in chunks, once per pass.
 *
 * Streamed (memory: one chunk, DEFAULT_CHUNK_ROWS rows, whatever the file's
 * length): a CSV file whose checked columns all have a type (declared, or
 * text for a regex-only column; see declaredTypes). Each pass reads the file
 * again, only the columns that pass needs.
 *
 * Loaded whole (memory grows with the file, as before), the table then being
 * the one chunk of every pass:
 * - a checked column without a type: its type is inferred from the whole
 *   file (numbers until a word makes it text; category or text by its
 *   distinct count), so no chunk could know it;
 * - a value that does not fit its declared type: the reader stops there and
 *   the file is loaded again with only the text types declared (which always
 *   fit), so the type check finds every value that does not fit;
 * - JSON Lines and Parquet (their readers build whole tables);
 * - `workers` ≥ 2 (read-in-parts.ts: the parts are a whole table).
 *
 * Columns:
 * - CSV: the header is read first (one chunk), so missing columns are known
 *   before the load and the load asks only for the present ones.
 * - JSON Lines and Parquet: the load asks for every checked column; when one
 *   is missing, the file is read once more in full to learn its columns, and
 *   then the present ones are loaded. That is three reads where one would do
 *   for a missing column (a failure anyway) or an absent `required: false`
 *   one; JSONL keys can appear on any line, so only a full read knows them.
 * - A column with `regex` and no declared type or number check is read as
 *   text, so the pattern sees the characters written ("007", "1.50").
 *
 * Every other DataError (missing file, empty file, ragged row, bad UTF-8)
 * is thrown to the caller, which makes it the report's `file.readable` check.
 */
import { uniqueNames } from '../data/column-set';
import type { CsvOptions } from '../data/csv';
import type { ChunkHandler, Table } from '../data/read';
import { DataError, DEFAULT_CHUNK_ROWS, firstRow, formatOf, readTable, streamTables } from '../data/read';
import { COLUMN_TYPES } from '../data/table';
import { readCsvInParts } from './read-in-parts';
import type { ColumnExpectation, ColumnType, Expectations } from '../pipeline/model';

export interface DataSource {
  /** See DataCheckReport.columns. */
  columns: string[];
  /** The checked columns the file has. */
  present: string[];
  /** Row number of the first data row (see Example.row). */
  rowBase: number;
  /** One pass: the named columns (of `present`), chunk by chunk, in row order. Returns the data row count. */
  read(names: string[], onChunk: ChunkHandler): Promise<number>;
}

const TEXT_TYPES: readonly ColumnType[] = ['category', 'text'];
const NUMBER_CHECKS: readonly (keyof ColumnExpectation)[] = ['min', 'max', 'mean', 'std', 'quantiles'];

export interface OpenOptions {
  signal?: AbortSignal;
  workers?: number;
  /** Rows per chunk when streamed. */
  chunkRows?: number;
  /** Load whole with only the text types declared (after a value did not fit its type). */
  textTypesOnly?: boolean;
}

export async function openData(absFile: string, expect: Expectations, label: string, opts: OpenOptions = {}): Promise<DataSource> {
  const format = formatOf(absFile, expect.format, label);
  const delimiter = expect.delimiter as CsvOptions['delimiter'];
  const base = { format, file: label, ...(delimiter !== undefined ? { delimiter } : {}) };
  const rowBase = format === 'csv' ? 2 : 1;
  const wanted = Object.keys(expect.columns);
  const header = format === 'csv' ? await csvHeader(absFile, base) : undefined;
  let types = declaredTypes(expect);
  if (opts.textTypesOnly === true) types = onlyText(types);

  if (header !== undefined && opts.textTypesOnly !== true && (opts.workers ?? 0) < 2) {
    const present = wanted.filter((c) => header.includes(c));
    if (present.every((c) => types[c] !== undefined)) {
      const chunkRows = opts.chunkRows ?? DEFAULT_CHUNK_ROWS;
      const read = (names: string[], onChunk: ChunkHandler): Promise<number> =>
        streamTables(absFile, { ...base, columns: names, types: Object.fromEntries(names.map((c) => [c, types[c]])) }, header, chunkRows, onChunk);
      return { columns: header, present, rowBase, read };
    }
  }

  let names = header;
  for (;;) {
    opts.signal?.throwIfAborted();
    const have = names;
    const columns = have ? wanted.filter((c) => have.includes(c)) : wanted;
    const typesOf = Object.fromEntries(Object.entries(types).filter(([c]) => columns.includes(c)));
    try {
      const options = { ...base, columns, types: typesOf };
      const allTyped = format === 'csv' && columns.length > 0 && columns.every((c) => typesOf[c] !== undefined);
      const table = (allTyped ? await readCsvInParts(absFile, options, opts.signal, opts.workers) : undefined) ?? (await readTable(absFile, options));
      return wholeTable(table, names ?? [...table.columns.keys()], wanted, rowBase);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      if (err.code === 'unknown-column' && names === undefined) {
        names = [...(await readTable(absFile, base)).columns.keys()];
      } else if (err.code === 'type-mismatch' && Object.values(types).some((t) => !TEXT_TYPES.includes(t))) {
        types = onlyText(types);
      } else {
        throw err;
      }
    }
  }
}

/** A table in memory as a source: every pass is the table, as one chunk. */
function wholeTable(table: Table, columns: string[], wanted: string[], rowBase: number): DataSource {
  const read = async (_names: string[], onChunk: ChunkHandler): Promise<number> => {
    onChunk(table, 0);
    return table.rowCount;
  };
  return { columns, present: wanted.filter((c) => table.columns.has(c)), rowBase, read };
}

function onlyText(types: Record<string, ColumnType>): Record<string, ColumnType> {
  return Object.fromEntries(Object.entries(types).filter(([, t]) => TEXT_TYPES.includes(t)));
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
  return uniqueNames(await firstRow(absFile, options)); // a file without a header row is an empty-file DataError
}
