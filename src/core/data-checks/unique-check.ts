/**
 * `unique`: no non-missing value appears twice. The count is that of pandas'
 * `series.duplicated().sum()`: every occurrence after the first.
 *
 * Values compare as the reader stored them: a column read as text by its
 * exact characters ("1" and "1.0" differ), a number column by value.
 * Memory stays near one copy of the column: text columns compare dictionary
 * codes (one slot per distinct value); number columns sort a copy to find the
 * repeated values, and only those go into a Map to locate their rows.
 */
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import { isNumericColumn, MISSING_CODE } from '../data/read';
import { present } from './stats';
import { plural } from './text';
import { Violations } from './violations';

export function checkUnique(view: ColumnView): CheckResult {
  const column = view.column;
  const { found, firstRow } = isNumericColumn(column) ? numberDuplicates(view, column.values) : codeDuplicates(view, column.codes, column.dictionary.length);
  const base = { id: `columns.${view.name}.unique`, title: `${view.name} unique`, column: view.name, expected: 'no duplicates', value: found.count };
  if (found.count === 0) return { ...base, passed: true, actual: 'no duplicates', message: `${view.name}: all ${plural(view.length - view.nullCount, 'value')} are different` };
  const first = found.examples[0];
  return {
    ...base,
    passed: false,
    actual: plural(found.count, 'duplicate'),
    message: `${view.name}: ${plural(found.count, 'duplicate value')} (first: ${JSON.stringify(first.value)} at row ${first.row}, already at row ${firstRow})`,
    examples: found.examples,
  };
}

interface Duplicates {
  found: Violations;
  /** Where the first example's value was first seen. */
  firstRow: number;
}

function codeDuplicates(view: ColumnView, codes: Int32Array, distinct: number): Duplicates {
  const seenAt = new Int32Array(distinct).fill(-1);
  const found = new Violations(view);
  let firstRow = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === MISSING_CODE) continue;
    if (seenAt[c] < 0) seenAt[c] = i;
    else {
      if (found.count === 0) firstRow = view.row(seenAt[c]);
      found.add(i);
    }
  }
  return { found, firstRow };
}

function numberDuplicates(view: ColumnView, values: Float64Array): Duplicates {
  const found = new Violations(view);
  let firstRow = 0;
  const x = present(values);
  if (increasing(x)) return { found, firstRow }; // ids usually are: no sort needed
  const sorted = (x === values ? x.slice() : x).sort(); // present() returns the column itself when nothing is missing
  const repeated = new Map<number, number>(); // value -> first index, -1 until seen
  for (let k = 1; k < sorted.length; k++) if (sorted[k] === sorted[k - 1]) repeated.set(sorted[k], -1);
  if (repeated.size === 0) return { found, firstRow };
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const seen = repeated.get(v);
    if (seen === undefined) continue;
    if (seen < 0) repeated.set(v, i);
    else {
      if (found.count === 0) firstRow = view.row(seen);
      found.add(i);
    }
  }
  return { found, firstRow };
}

function increasing(x: Float64Array): boolean {
  for (let k = 1; k < x.length; k++) if (!(x[k] > x[k - 1])) return false;
  return true;
}
