/**
 * `in`: every non-missing value is one of the allowed values; the unexpected
 * ones are reported with their counts (a typo'd label shows up once with
 * its frequency instead of as a thousand example rows).
 *
 * A column read as text compares its exact characters with each allowed
 * value as text (YAML `1` matches "1", not "1.0"). A number, boolean or
 * datetime column compares by value, the allowed values parsed as the column
 * is (true is 1, "2024-01-31" is that day).
 */
import { isNumericColumn, MISSING_CODE } from '../data/read';
import type { NumericColumn } from '../data/read';
import { parseBoolean, parseDatetime, parseNumber } from '../data/values';
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import { plural } from './text';
import { Violations } from './violations';

type Allowed = string | number | boolean;

const SHOWN_VALUES = 5;

export function checkAllowed(view: ColumnView, allowed: readonly Allowed[]): CheckResult {
  const column = view.column;
  const found = new Violations(view);
  // Unexpected values, by first row, with their counts.
  const counts = new Map<number | string, { first: number; count: number }>();
  const note = (key: number | string, i: number): void => {
    found.add(i);
    const seen = counts.get(key);
    if (seen) seen.count++;
    else counts.set(key, { first: i, count: 1 });
  };
  if (isNumericColumn(column)) {
    const ok = new Set(allowed.map((a) => asNumber(a, column.type)).filter((v) => !Number.isNaN(v)));
    const values = column.values;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isNaN(v) && !ok.has(v)) note(v, i);
    }
  } else {
    const ok = new Set(allowed.map(String));
    const fits = column.dictionary.map((text) => ok.has(text));
    const codes = column.codes;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c !== MISSING_CODE && !fits[c]) note(c, i);
    }
  }

  const list = allowed.map(String);
  const expected = `one of ${list.join(', ')}`;
  const title = `${view.name} in {${list.length > SHOWN_VALUES ? `${list.slice(0, SHOWN_VALUES).join(', ')}, …` : list.join(', ')}}`;
  const base = { id: `columns.${view.name}.in`, title, column: view.name, expected, value: found.count };
  if (found.count === 0) return { ...base, passed: true, actual: 'all allowed', message: `${view.name}: every value is ${expected}` };
  const top = [...counts.values()].sort((a, b) => b.count - a.count || a.first - b.first);
  const shown = top.slice(0, SHOWN_VALUES).map((u) => `${view.shown(u.first)} ×${u.count}`).join(', ');
  const more = top.length > SHOWN_VALUES ? ` and ${top.length - SHOWN_VALUES} more` : '';
  return {
    ...base,
    passed: false,
    actual: `${plural(top.length, 'unexpected value')}: ${shown}${more}`,
    message: `${view.name}: ${found.count} ${found.count === 1 ? 'value is' : 'values are'} not ${expected}: ${shown}${more}`,
    examples: found.examples,
  };
}

/** An allowed value as the column stores it, NaN when it cannot be one. */
function asNumber(a: Allowed, type: NumericColumn['type']): number {
  if (typeof a === 'boolean') return a ? 1 : 0;
  if (typeof a === 'number') return a;
  if (type === 'boolean') return parseBoolean(a, true);
  const bytes = Buffer.from(a, 'utf8');
  return type === 'datetime' ? parseDatetime(bytes, 0, bytes.length) : parseNumber(bytes, 0, bytes.length);
}
