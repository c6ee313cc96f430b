/**
 * `nulls` and `null_share`: the only checks that look at missing values
 * (empty cells and the reader's missing markers: NA, N/A, null, NULL, NaN,
 * None; JSON null and absent keys). The counts come from the readers; only
 * the first few missing rows are kept, as examples should the check fail.
 */
import { boundText } from '../text/bound';
import type { ColumnView } from './column-view';
import type { CheckResult, Example } from './report';
import { MAX_EXAMPLES } from './report';
import type { ColumnTotals, Tally } from './tally';
import { formatNumber, plural } from './text';

/** The first MAX_EXAMPLES missing rows. */
abstract class MissingTally implements Tally {
  protected readonly examples: Example[] = [];

  /** The most missing values (nulls) or the largest share (null_share). */
  constructor(protected readonly max: number) {}

  add(view: ColumnView): void {
    if (view.nullCount === 0) return;
    for (let i = 0, len = view.length; i < len && this.examples.length < MAX_EXAMPLES; i++) {
      if (view.isMissing(i)) this.examples.push({ row: view.row(i), value: boundText(view.text(i)) });
    }
  }

  abstract result(col: ColumnTotals): CheckResult;
}

export class NullsTally extends MissingTally {
  result(col: ColumnTotals): CheckResult {
    const { max } = this;
    const n = col.nullCount;
    const base = { id: `columns.${col.name}.nulls`, title: `${col.name} nulls ≤ ${max}`, column: col.name, expected: `≤ ${max} missing`, actual: `${n} missing`, value: n };
    if (n <= max) return { ...base, passed: true, message: `${col.name}: ${plural(n, 'missing value')} (maximum ${max})` };
    return { ...base, passed: false, message: `${col.name}: ${plural(n, 'missing value')}, more than the maximum ${max} (first at row ${this.examples[0].row})`, examples: this.examples };
  }
}

export class NullShareTally extends MissingTally {
  result(col: ColumnTotals): CheckResult {
    const { max } = this;
    const n = col.nullCount;
    const rows = col.length;
    // No rows, no missing values: a share of 0 (pandas would say NaN and compare false).
    const share = rows === 0 ? 0 : n / rows;
    const actual = `${formatNumber(share)} (${n} of ${plural(rows, 'row')})`;
    const base = { id: `columns.${col.name}.null_share`, title: `${col.name} null share ≤ ${formatNumber(max)}`, column: col.name, expected: `≤ ${formatNumber(max)}`, actual, value: share };
    if (share <= max) return { ...base, passed: true, message: `${col.name}: ${actual} missing (maximum share ${formatNumber(max)})` };
    return { ...base, passed: false, message: `${col.name}: ${actual} missing, more than the maximum share ${formatNumber(max)} (first at row ${this.examples[0].row})`, examples: this.examples };
  }
}
