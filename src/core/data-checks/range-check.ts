/**
 * `min` and `max`: inclusive bounds on every non-missing value of a number,
 * integer, boolean (0/1) or datetime column (bounds in epoch milliseconds,
 * the readers' datetime unit). A text column cannot be compared: that is a
 * failed check, not a silent pass.
 */
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import type { ColumnTotals, Tally } from './tally';
import { formatAgainst, plural } from './text';
import { Violations } from './violations';

export class BoundTally implements Tally {
  private readonly found = new Violations();
  private extreme = NaN;
  /** Row number (see Example.row) of the first most extreme value; -1: no value yet. */
  private extremeRow = -1;

  constructor(private readonly which: 'min' | 'max', private readonly bound: number) {}

  add(view: ColumnView): void {
    const numbers = view.numbers;
    if (numbers === undefined) return;
    const above = this.which === 'max';
    const { bound, found } = this;
    for (let i = 0; i < numbers.length; i++) {
      const v = numbers[i];
      if (v !== v) continue; // missing, or not a number of the declared type
      if (this.extremeRow < 0 || (above ? v > this.extreme : v < this.extreme)) {
        this.extreme = v;
        this.extremeRow = view.row(i);
      }
      if (above ? v > bound : v < bound) found.add(view, i);
    }
  }

  result(col: ColumnTotals): CheckResult {
    const { which, bound, found, extreme } = this;
    const above = which === 'max';
    const sign = above ? '≤' : '≥';
    const shownBound = col.formatValue(bound);
    const base = { id: `columns.${col.name}.${which}`, title: `${col.name} ${sign} ${shownBound}`, column: col.name, expected: `${sign} ${shownBound}` };
    if (!col.numeric) return notNumbers(col, base, which);
    const word = above ? 'largest' : 'smallest';
    if (this.extremeRow < 0) return { ...base, passed: true, actual: 'no values', message: `${col.name}: no values to compare with ${shownBound}` };
    const shown = col.numberKind === 'datetime' ? col.formatValue(extreme) : formatAgainst(extreme, bound);
    if (found.count === 0) return { ...base, passed: true, actual: shown, value: extreme, message: `${col.name}: ${word} value ${shown} (${which}imum ${shownBound})` };
    return {
      ...base,
      passed: false,
      actual: shown,
      value: extreme,
      message: `${col.name}: ${plural(found.count, 'value')} ${above ? 'above' : 'below'} the ${which}imum ${shownBound} (${word} ${shown} at row ${this.extremeRow})`,
      examples: found.examples,
    };
  }
}

/** The failure for a value check on a column that holds text. */
export function notNumbers(col: ColumnTotals, base: Pick<CheckResult, 'id' | 'title' | 'column' | 'expected'>, what: string): CheckResult {
  return {
    ...base,
    passed: false,
    actual: `${col.type} column`,
    message: `${col.name}: ${what} needs numbers or dates, but the column holds ${col.type} values (declare a type to read them as numbers)`,
  };
}
