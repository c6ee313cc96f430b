/**
 * One side of a column as the tests need it: the non-missing numbers, or
 * the count of each category. Works on the reader's typed arrays directly
 * (no per-row objects), and runs in a worker thread when there is a pool.
 *
 * Missing values are removed and counted: NaN (empty cells and missing
 * markers) and, as Evidently does, +-Infinity.
 */
import type { ColumnType } from '../../data/table';
import { MISSING_CODE } from '../../data/table';
import { parseNumber } from '../../data/values';

/** A column side as it came from the reader, in a shape that can be posted to a worker. */
export type RawSide =
  | { storage: 'values'; type: ColumnType; values: Float64Array }
  | { storage: 'codes'; type: ColumnType; codes: Int32Array; dictionary: readonly string[] };

export interface NumericSample {
  values: Float64Array;
  missing: number;
}

/** Counts in a deterministic order: dictionary (first appearance) order for text, ascending for numbers. */
export interface CategorySample {
  counts: Map<string, number>;
  total: number;
  missing: number;
}

/** The non-missing finite numbers; a copy only when something had to be removed. */
export function numericSample(side: RawSide): NumericSample | { error: string } {
  if (side.storage === 'codes') return parseCodes(side.codes, side.dictionary);
  const v = side.values;
  let kept = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]!)) kept++;
  if (kept === v.length) return { values: v, missing: 0 };
  const out = new Float64Array(kept);
  for (let i = 0, k = 0; i < v.length; i++) if (Number.isFinite(v[i]!)) out[k++] = v[i]!;
  return { values: out, missing: v.length - kept };
}

/** A text column declared `type: number`: every distinct value must parse as a number. */
function parseCodes(codes: Int32Array, dictionary: readonly string[]): NumericSample | { error: string } {
  const parsed = new Float64Array(dictionary.length);
  for (let c = 0; c < dictionary.length; c++) {
    const bytes = Buffer.from(dictionary[c]!, 'utf8');
    parsed[c] = parseNumber(bytes, 0, bytes.length);
    if (Number.isNaN(parsed[c]!)) {
      const shown = dictionary[c]!.length > 40 ? `${dictionary[c]!.slice(0, 40)}…` : dictionary[c]!;
      return { error: `type: number, but ${JSON.stringify(shown)} is not a number` };
    }
  }
  let kept = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] !== MISSING_CODE && Number.isFinite(parsed[codes[i]!]!)) kept++;
  const out = new Float64Array(kept);
  for (let i = 0, k = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c !== MISSING_CODE && Number.isFinite(parsed[c]!)) out[k++] = parsed[c]!;
  }
  return { values: out, missing: codes.length - kept };
}

/** Category counts; numbers become categories named by their value (booleans "false"/"true", dates ISO 8601). */
export function categorySample(side: RawSide): CategorySample {
  if (side.storage === 'codes') {
    const perCode = new Float64Array(side.dictionary.length);
    let missing = 0;
    const codes = side.codes;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      if (c === MISSING_CODE) missing++;
      else perCode[c]!++;
    }
    const counts = new Map<string, number>();
    for (let c = 0; c < perCode.length; c++) if (perCode[c]! > 0) counts.set(side.dictionary[c]!, perCode[c]!);
    return { counts, total: codes.length - missing, missing };
  }
  const sample = numericSample(side) as NumericSample; // values storage never fails
  return { counts: valueCounts(sample.values, side.type), total: sample.values.length, missing: sample.missing };
}

/** Counts of each value of a NaN-free sample, ascending, named by valueName. */
export function valueCounts(values: Float64Array, type: ColumnType): Map<string, number> {
  const byValue = new Map<number, number>(); // SameValueZero: -0 and 0 are one value, as in pandas
  for (let i = 0; i < values.length; i++) byValue.set(values[i]!, (byValue.get(values[i]!) ?? 0) + 1);
  const keys = [...byValue.keys()].sort((a, b) => a - b);
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(valueName(type, k), byValue.get(k)!);
  return counts;
}

function valueName(type: ColumnType, x: number): string {
  if (type === 'boolean') return x === 0 ? 'false' : 'true';
  if (type === 'datetime') return new Date(x).toISOString();
  return String(x);
}

/**
 * Distinct values among both samples, counting only up to `limit + 1`
 * (enough for "at most `limit`?"); a linear scan of a tiny list beats a Set
 * for the few-values columns this is asked about, and stops early on the rest.
 */
export function distinctUpTo(a: Float64Array, b: Float64Array, limit: number): number {
  const seen: number[] = [];
  for (const arr of [a, b]) {
    for (let i = 0; i < arr.length; i++) {
      const x = arr[i]!;
      let found = false;
      for (let j = 0; j < seen.length; j++) if (seen[j] === x) { found = true; break; }
      if (!found) {
        seen.push(x);
        if (seen.length > limit) return seen.length;
      }
    }
  }
  return seen.length;
}
