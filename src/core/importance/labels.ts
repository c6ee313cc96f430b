/**
 * Turning a column into what the measures need: discrete labels for mutual
 * information and Cramér's V, numbers for correlations, restricted to the
 * rows where both the feature and the target are present.
 */
import type { Column } from '../data/table';
import { isNumericColumn, MISSING_CODE } from '../data/table';
import { binSturges } from './stats/binning';

/** A numeric target with at most this many distinct values is a set of classes, not binned. */
export const MAX_NUMERIC_CLASSES = 50;
/** More target classes than this make a dependency estimate meaningless (and the table huge). */
export const MAX_TARGET_CLASSES = 1000;

export interface Labels {
  codes: Int32Array;
  levels: number;
  /** 'values' when each distinct value is a level, 'sturges' when numbers were binned. */
  rule: 'values' | 'categories' | 'sturges';
}

export function isPresent(column: Column, i: number): boolean {
  return isNumericColumn(column) ? Number.isFinite(column.values[i]!) : column.codes[i] !== MISSING_CODE;
}

/** Row indices where every column is present; undefined when that is every row. */
export function presentRows(columns: readonly Column[], rowCount: number): Uint32Array | undefined {
  let all = true;
  for (const c of columns) if (c.nullCount > 0 || (isNumericColumn(c) && hasNonFinite(c.values))) all = false;
  if (all) return undefined;
  const keep: number[] = [];
  outer: for (let i = 0; i < rowCount; i++) {
    for (const c of columns) if (!isPresent(c, i)) continue outer;
    keep.push(i);
  }
  return Uint32Array.from(keep);
}

function hasNonFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return true;
  return false;
}

export function numbersAt(column: Column & { values: Float64Array }, rows: Uint32Array | undefined): Float64Array {
  if (!rows) return column.values;
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = column.values[rows[k]!]!;
  return out;
}

/** Distinct values of a NaN-free sample up to `limit` (undefined when there are more). */
export function distinctValues(values: Float64Array, limit: number): number[] | undefined {
  const seen = new Map<number, true>();
  for (let i = 0; i < values.length; i++) {
    if (!seen.has(values[i]!)) {
      seen.set(values[i]!, true);
      if (seen.size > limit) return undefined;
    }
  }
  return [...seen.keys()].sort((a, b) => a - b);
}

/** Each distinct value its own level (ascending). */
export function valueLabels(values: Float64Array, distinct: number[]): Labels {
  const index = new Map(distinct.map((v, k) => [v, k]));
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) codes[i] = index.get(values[i]!)!;
  return { codes, levels: distinct.length, rule: 'values' };
}

export function binnedLabels(values: Float64Array): Labels {
  const b = binSturges(values);
  return { codes: b.codes, levels: b.bins, rule: 'sturges' };
}

/** Category codes at the rows (missing already excluded by `rows`). */
export function codeLabels(column: Column & { codes: Int32Array; dictionary: readonly string[] }, rows: Uint32Array | undefined): Labels {
  const codes = rows ? Int32Array.from(rows, (i) => column.codes[i]!) : column.codes;
  return { codes, levels: column.dictionary.length, rule: 'categories' };
}
