/**
 * Counting the rows that break a check while keeping the first few as
 * examples, so a report on a million bad rows stays small. The rows arrive
 * chunk by chunk: each add names the chunk's view, which numbers the row.
 */
import { isNumericColumn, MISSING_CODE } from '../data/read';
import { boundText } from '../text/bound';
import type { ColumnView } from './column-view';
import type { Example } from './report';
import { MAX_EXAMPLES } from './report';

export class Violations {
  count = 0;
  readonly examples: Example[] = [];
  private readonly shown: string[] = [];

  add(view: ColumnView, i: number): void {
    this.count++;
    if (this.examples.length < MAX_EXAMPLES) {
      // Bounded: a 50 MB cell must not be copied into the report, the log and the record.
      const value = view.text(i);
      this.examples.push({ row: view.row(i), value: boundText(value) });
      this.shown.push(`${view.shown(i)} at row ${view.row(i)}`);
    }
  }

  /** `"abc" at row 7, "?" at row 9` for the first `n` examples. */
  firstShown(n = 2): string {
    const more = this.count > n ? ', …' : '';
    return this.shown.slice(0, n).join(', ') + more;
  }
}

/** Adds every row of the view for which `bad` holds (missing rows are never passed). */
export function collect(found: Violations, view: ColumnView, bad: (i: number) => boolean): void {
  const column = view.column;
  // Missing tested on the storage directly: this loop runs once per row and check.
  if (isNumericColumn(column)) {
    const values = column.values;
    for (let i = 0; i < values.length; i++) if (values[i] === values[i] && bad(i)) found.add(view, i);
  } else {
    const codes = column.codes;
    for (let i = 0; i < codes.length; i++) if (codes[i] !== MISSING_CODE && bad(i)) found.add(view, i);
  }
}
