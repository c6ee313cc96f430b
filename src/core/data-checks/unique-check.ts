/**
 * `unique`: no non-missing value appears twice. The count is that of pandas'
 * `series.duplicated().sum()`: every occurrence after the first.
 *
 * Values compare as the reader stored them: a column read as text by its
 * exact characters ("1" and "1.0" differ), a number column by value.
 *
 * Memory, the one check that cannot be bounded by the chunk: the set of
 * distinct values seen, with the row where each was first seen (the message
 * names it). Text columns keep that set from the first chunk on. A number
 * column first keeps nothing but its last value while its values increase
 * (ids usually do: then there is no duplicate, and no set); when one does
 * not, the column is read once more with the set.
 */
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import { isNumericColumn, MISSING_CODE } from '../data/read';
import type { ColumnTotals, Tally } from './tally';
import { plural } from './text';
import { Violations } from './violations';

export class UniqueTally implements Tally {
  private readonly found = new Violations();
  /** Where the first duplicate's value was first seen. */
  private firstRow = 0;
  private numeric = false;
  /** Numbers: still strictly increasing (over the present values so far), and the last one. */
  private increasing = true;
  private last = NaN;
  private passDone = false;
  /** Text: each distinct value with its first row. */
  private readonly texts = new Map<string, number>();
  /** Numbers, in the second pass: each distinct value with its first row. */
  private numbers?: Map<number, number>;

  add(view: ColumnView): void {
    const column = view.column;
    if (isNumericColumn(column)) {
      this.numeric = true;
      if (!this.increasing) return;
      const values = column.values;
      let last = this.last;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v !== v) continue;
        if (!(v > last) && last === last) {
          this.increasing = false;
          return;
        }
        last = v;
      }
      this.last = last;
      return;
    }
    // Per chunk: each code's first row over the file (-1: not looked up yet).
    const { codes, dictionary } = column;
    const firstOf = new Float64Array(dictionary.length).fill(-1);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === MISSING_CODE) continue;
      let first = firstOf[c];
      if (first < 0) {
        const seen = this.texts.get(dictionary[c]);
        if (seen === undefined) {
          firstOf[c] = view.row(i);
          this.texts.set(dictionary[c], view.row(i));
          continue;
        }
        first = firstOf[c] = seen;
      }
      this.duplicate(view, i, first);
    }
  }

  wantsPass(): boolean {
    return this.numeric && !this.increasing && !this.passDone;
  }

  addPass(view: ColumnView): void {
    const numbers = (this.numbers ??= new Map());
    const column = view.column;
    if (!isNumericColumn(column)) return;
    const values = column.values;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== v) continue;
      const seen = numbers.get(v);
      if (seen === undefined) numbers.set(v, view.row(i));
      else this.duplicate(view, i, seen);
    }
  }

  /** After the first pass nothing to do; after the second, done. */
  endPass(): void {
    if (this.numbers === undefined) return;
    this.passDone = true;
    this.numbers = undefined;
  }

  private duplicate(view: ColumnView, i: number, firstRow: number): void {
    if (this.found.count === 0) this.firstRow = firstRow;
    this.found.add(view, i);
  }

  result(col: ColumnTotals): CheckResult {
    const { found } = this;
    const base = { id: `columns.${col.name}.unique`, title: `${col.name} unique`, column: col.name, expected: 'no duplicates', value: found.count };
    if (found.count === 0) return { ...base, passed: true, actual: 'no duplicates', message: `${col.name}: all ${plural(col.present, 'value')} are different` };
    const first = found.examples[0];
    return {
      ...base,
      passed: false,
      actual: plural(found.count, 'duplicate'),
      message: `${col.name}: ${plural(found.count, 'duplicate value')} (first: ${JSON.stringify(first.value)} at row ${first.row}, already at row ${this.firstRow})`,
      examples: found.examples,
    };
  }
}
