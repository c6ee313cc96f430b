/**
 * `min` and `max`: inclusive bounds on every non-missing value of a number,
 * integer, boolean (0/1) or datetime column (bounds in epoch milliseconds,
 * the readers' datetime unit). A text column cannot be compared: that is a
 * failed check, not a silent pass.
 */
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import { formatAgainst, plural } from './text';
import { Violations } from './violations';

export function checkBound(view: ColumnView, which: 'min' | 'max', bound: number): CheckResult {
  const above = which === 'max';
  const sign = above ? '≤' : '≥';
  const shownBound = view.formatValue(bound);
  const base = { id: `columns.${view.name}.${which}`, title: `${view.name} ${sign} ${shownBound}`, column: view.name, expected: `${sign} ${shownBound}` };
  const numbers = view.numbers;
  if (numbers === undefined) return notNumbers(view, base, which);

  const found = new Violations(view);
  let extreme = NaN;
  let extremeAt = -1;
  for (let i = 0; i < numbers.length; i++) {
    const v = numbers[i];
    if (v !== v) continue; // missing, or not a number of the declared type
    if (extremeAt < 0 || (above ? v > extreme : v < extreme)) {
      extreme = v;
      extremeAt = i;
    }
    if (above ? v > bound : v < bound) found.add(i);
  }
  const word = above ? 'largest' : 'smallest';
  if (extremeAt < 0) return { ...base, passed: true, actual: 'no values', message: `${view.name}: no values to compare with ${shownBound}` };
  const shown = view.numberKind === 'datetime' ? view.formatValue(extreme) : formatAgainst(extreme, bound);
  if (found.count === 0) return { ...base, passed: true, actual: shown, value: extreme, message: `${view.name}: ${word} value ${shown} (${which}imum ${shownBound})` };
  return {
    ...base,
    passed: false,
    actual: shown,
    value: extreme,
    message: `${view.name}: ${plural(found.count, 'value')} ${above ? 'above' : 'below'} the ${which}imum ${shownBound} (${word} ${shown} at row ${view.row(extremeAt)})`,
    examples: found.examples,
  };
}

/** The failure for a value check on a column that holds text. */
export function notNumbers(view: ColumnView, base: Pick<CheckResult, 'id' | 'title' | 'column' | 'expected'>, what: string): CheckResult {
  return {
    ...base,
    passed: false,
    actual: `${view.column.type} column`,
    message: `${view.name}: ${what} needs numbers or dates, but the column holds ${view.column.type} values (declare a type to read them as numbers)`,
  };
}
