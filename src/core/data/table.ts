/**
 * The in-memory shape every reader produces: one typed array per column.
 * Numeric-like columns (number, integer, boolean as 0/1, datetime as epoch
 * ms) are Float64Arrays with NaN for missing, so statistics run on them
 * directly; string columns are Int32Array codes into a dictionary (-1 for
 * missing), so counting categories is an array pass.
 */

export type ColumnType = 'number' | 'integer' | 'boolean' | 'datetime' | 'category' | 'text';

export const COLUMN_TYPES: readonly ColumnType[] = ['number', 'integer', 'boolean', 'datetime', 'category', 'text'];

export interface NumericColumn {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'datetime';
  readonly values: Float64Array;
  readonly nullCount: number;
}

export interface CodedColumn {
  readonly name: string;
  readonly type: 'category' | 'text';
  /** Index into dictionary, MISSING_CODE for a missing value. */
  readonly codes: Int32Array;
  /** Distinct values in order of first appearance. */
  readonly dictionary: readonly string[];
  readonly nullCount: number;
}

export type Column = NumericColumn | CodedColumn;

export interface Table {
  readonly rowCount: number;
  /** In file order. */
  readonly columns: Map<string, Column>;
}

export const MISSING_CODE = -1;

/** Read as missing unless `missing` says otherwise (pandas' core set). */
export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'N/A', 'null', 'NULL', 'NaN', 'None'];

/** A string column is a category up to this many distinct values (and see inferStringType). */
export const DEFAULT_CATEGORY_MAX_DISTINCT = 1000;

export function isNumericColumn(column: Column): column is NumericColumn {
  return column.type !== 'category' && column.type !== 'text';
}

/** The value of row i as text (for messages and tests); undefined when missing. */
export function cellText(column: Column, i: number): string | number | undefined {
  if (isNumericColumn(column)) {
    const v = column.values[i];
    return Number.isNaN(v) ? undefined : v;
  }
  const code = column.codes[i];
  return code === MISSING_CODE ? undefined : column.dictionary[code];
}

/** Options common to every reader. */
export interface LoadOptions {
  /** Load only these columns (error naming the available ones if one is absent). */
  columns?: string[];
  /** Declared types: no inference for these, and a value that does not fit is an error. */
  types?: Record<string, ColumnType>;
  /** Values read as missing (default DEFAULT_MISSING); compared exactly. */
  missing?: string[];
  /** Most distinct values a string column may have to be inferred 'category'. */
  categoryMaxDistinct?: number;
  /** How errors name the file (default: the path as given). */
  file?: string;
}
