/**
 * The entry points of the data readers: readTable picks the reader by format
 * (by extension when 'auto'), rows streams CSV records for data checks. Every
 * failure is a DataError whose message starts with the file.
 */
import { extname } from 'node:path';
import type { CsvLoadOptions } from './columns';
import { loadCsvTable } from './columns';
import type { CsvFileOptions } from './csv-file';
import { csvFirstRecord, csvRecords } from './csv-file';
import type { ChunkHandler } from './csv-stream';
import { streamCsvTables } from './csv-stream';
import { DataError } from './errors';
import { loadJsonlTable } from './jsonl';
import { loadParquetTable } from './parquet';
import type { Table } from './table';

export { DataError } from './errors';
export type { DataErrorCode } from './errors';
export type { Column, CodedColumn, ColumnType, NumericColumn, Table } from './table';
export { cellText, isNumericColumn, MISSING_CODE } from './table';

export { DEFAULT_CHUNK_ROWS } from './csv-stream';
export type { ChunkHandler } from './csv-stream';

export type DataFormat = 'auto' | 'csv' | 'jsonl' | 'parquet';

export interface ReadOptions extends CsvLoadOptions {
  /** 'auto' (default): .csv .tsv .txt → csv, .jsonl .ndjson → jsonl, .parquet → parquet. */
  format?: DataFormat;
}

const BY_EXTENSION: Record<string, Exclude<DataFormat, 'auto'>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.parquet': 'parquet',
};

export function formatOf(path: string, format: DataFormat = 'auto', label = path): Exclude<DataFormat, 'auto'> {
  if (format !== 'auto') return format;
  const ext = extname(path).toLowerCase();
  const found = BY_EXTENSION[ext];
  if (found === undefined) {
    throw new DataError({
      file: label,
      code: 'unknown-format',
      detail: `cannot tell the format from the extension "${ext || '(none)'}": use .csv, .tsv, .txt, .jsonl, .ndjson or .parquet, or set format`,
    });
  }
  return found;
}

/** A .tsv file is tab-separated unless the caller says otherwise. */
function csvOptions<T extends CsvFileOptions>(path: string, options: T): T {
  if (options.delimiter === undefined && extname(path).toLowerCase() === '.tsv') return { ...options, delimiter: '\t' };
  return options;
}

export async function readTable(path: string, options: ReadOptions = {}): Promise<Table> {
  const label = options.file ?? path;
  switch (formatOf(path, options.format, label)) {
    case 'csv':
      return loadCsvTable(path, csvOptions(path, { ...options, file: label }));
    case 'jsonl':
      return loadJsonlTable(path, { ...options, file: label });
    case 'parquet':
      return loadParquetTable(path, { ...options, file: label }); // imports hyparquet on first use
  }
}

/**
 * Every record of a CSV file as string[], the header first, streaming (memory
 * stays at one chunk plus one record). Records read before an error are
 * yielded before it is thrown.
 */
export async function* rows(path: string, options: CsvFileOptions & { format?: DataFormat } = {}): AsyncGenerator<string[]> {
  const label = options.file ?? path;
  const format = formatOf(path, options.format, label);
  if (format !== 'csv') {
    throw new DataError({ file: label, code: 'unknown-format', detail: `rows() reads CSV files; use readTable for ${format === 'jsonl' ? 'JSON Lines' : 'Parquet'}` });
  }
  yield* csvRecords(path, csvOptions(path, { ...options, file: label }));
}

/**
 * A CSV file's rows as a stream of tables of `chunkRows` rows each (see
 * csv-stream.ts: every selected column must have a declared type). `header`
 * is the file's header as uniqueNames gives it. Returns the data row count.
 */
export async function streamTables(path: string, options: ReadOptions, header: string[], chunkRows: number, onChunk: ChunkHandler): Promise<number> {
  const label = options.file ?? path;
  return streamCsvTables(path, csvOptions(path, { ...options, file: label }), header, chunkRows, onChunk);
}

/** A CSV file's first record (its header) as string[], reading no further than needed. */
export async function firstRow(path: string, options: CsvFileOptions = {}): Promise<string[]> {
  const label = options.file ?? path;
  return csvFirstRecord(path, csvOptions(path, { ...options, file: label }));
}
