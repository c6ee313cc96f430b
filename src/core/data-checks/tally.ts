/**
 * How a check sees a column that arrives in chunks (see evaluate.ts): each
 * check is a tally that takes every chunk of its column in order (`add`),
 * keeps what its result needs (counts, extremes, the first examples, and
 * where a check needs it the set of values seen), drops the chunk, and
 * gives its CheckResult at the end. A few need the column once more
 * (`wantsPass`): std (the mean first), quantiles (an exact selection in
 * bounded memory), uniqueness of numbers that were not increasing.
 */
import type { Column } from '../data/read';
import type { ColumnView, NumberKind } from './column-view';
import type { CheckResult } from './report';
import { formatDate, formatNumber } from './text';

/** What the results say of the whole column: its name, type and counts over every chunk. */
export class ColumnTotals {
  length = 0;
  nullCount = 0;
  /** The reader's type (the same in every chunk: the types are declared, or there is one chunk). */
  type: Column['type'] = 'number';
  numberKind: NumberKind | undefined;
  /** The column has numbers for range and statistics checks (not text). */
  numeric = false;

  constructor(readonly name: string) {}

  add(view: ColumnView): void {
    this.length += view.length;
    this.nullCount += view.nullCount;
    this.type = view.column.type;
    this.numberKind = view.numberKind;
    this.numeric = view.numbers !== undefined;
  }

  get present(): number {
    return this.length - this.nullCount;
  }

  /** A number of this column for a message (a date for datetime columns). */
  formatValue(v: number): string {
    return this.numberKind === 'datetime' ? formatDate(v) : formatNumber(v);
  }
}

export interface Tally {
  /** A chunk of the column; `notOfType`: rows whose value does not fit the declared type. */
  add(view: ColumnView, notOfType?: (i: number) => boolean): void;
  /** Another pass over the column is needed before result (asked after each pass). */
  wantsPass?(): boolean;
  addPass?(view: ColumnView): void;
  endPass?(): void;
  result(totals: ColumnTotals): CheckResult;
}
