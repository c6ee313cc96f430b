/**
 * `nulls` and `null_share`: the only checks that look at missing values
 * (empty cells and the reader's missing markers: NA, N/A, null, NULL, NaN,
 * None; JSON null and absent keys).
 */
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import { formatNumber, plural } from './text';
import { Violations } from './violations';

export function checkNulls(view: ColumnView, max: number): CheckResult {
  const n = view.nullCount;
  const base = { id: `columns.${view.name}.nulls`, title: `${view.name} nulls ≤ ${max}`, column: view.name, expected: `≤ ${max} missing`, actual: `${n} missing`, value: n };
  if (n <= max) return { ...base, passed: true, message: `${view.name}: ${plural(n, 'missing value')} (maximum ${max})` };
  const found = missingRows(view);
  return { ...base, passed: false, message: `${view.name}: ${plural(n, 'missing value')}, more than the maximum ${max} (first at row ${found.examples[0].row})`, examples: found.examples };
}

export function checkNullShare(view: ColumnView, max: number): CheckResult {
  const n = view.nullCount;
  const rows = view.length;
  // No rows, no missing values: a share of 0 (pandas would say NaN and compare false).
  const share = rows === 0 ? 0 : n / rows;
  const actual = `${formatNumber(share)} (${n} of ${plural(rows, 'row')})`;
  const base = { id: `columns.${view.name}.null_share`, title: `${view.name} null share ≤ ${formatNumber(max)}`, column: view.name, expected: `≤ ${formatNumber(max)}`, actual, value: share };
  if (share <= max) return { ...base, passed: true, message: `${view.name}: ${actual} missing (maximum share ${formatNumber(max)})` };
  const found = missingRows(view);
  return { ...base, passed: false, message: `${view.name}: ${actual} missing, more than the maximum share ${formatNumber(max)} (first at row ${found.examples[0].row})`, examples: found.examples };
}

function missingRows(view: ColumnView): Violations {
  const found = new Violations(view);
  for (let i = 0, len = view.length; i < len; i++) if (view.isMissing(i)) found.add(i);
  return found;
}
