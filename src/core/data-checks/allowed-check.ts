/**
 * `in`: every non-missing value is one of the allowed values; the unexpected
 * ones are reported with their counts (a typo'd label shows up once with
 * its frequency instead of as a thousand example rows).
 *
 * A column read as text compares its exact characters with each allowed
 * value as text (YAML `1` matches "1", not "1.0"). A number, boolean or
 * datetime column compares by value, the allowed values parsed as the column
 * is (true is 1, "2024-01-31" is that day). Memory: the unexpected values
 * seen (one entry each, with its count), not the rows.
 */
import { isNumericColumn, MISSING_CODE } from '../data/read';
import type { NumericColumn } from '../data/read';
import { parseBoolean, parseDatetime, parseNumber } from '../data/values';
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import type { ColumnTotals, Tally } from './tally';
import { plural } from './text';
import { Violations } from './violations';

type Allowed = string | number | boolean;

const SHOWN_VALUES = 5;

export class AllowedTally implements Tally {
  private readonly found = new Violations();
  /** Unexpected values (numbers, or text as written), with their first row, count and how they show. */
  private readonly counts = new Map<number | string, { first: number; count: number; shown: string }>();
  private readonly texts: Set<string>;
  private numbers?: { type: NumericColumn['type']; ok: Set<number> };

  constructor(private readonly allowed: readonly Allowed[]) {
    this.texts = new Set(allowed.map(String));
  }

  add(view: ColumnView): void {
    const column = view.column;
    if (isNumericColumn(column)) {
      if (this.numbers?.type !== column.type) this.numbers = { type: column.type, ok: new Set(this.allowed.map((a) => asNumber(a, column.type)).filter((v) => !Number.isNaN(v))) };
      const ok = this.numbers.ok;
      const values = column.values;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!Number.isNaN(v) && !ok.has(v)) this.note(view, v, i);
      }
    } else {
      const fits = column.dictionary.map((text) => this.texts.has(text));
      const { codes, dictionary } = column;
      for (let i = 0; i < codes.length; i++) {
        const c = codes[i];
        if (c !== MISSING_CODE && !fits[c]) this.note(view, dictionary[c], i);
      }
    }
  }

  private note(view: ColumnView, key: number | string, i: number): void {
    this.found.add(view, i);
    const seen = this.counts.get(key);
    if (seen) seen.count++;
    else this.counts.set(key, { first: view.row(i), count: 1, shown: view.shown(i) });
  }

  result(col: ColumnTotals): CheckResult {
    const { found, allowed } = this;
    const list = allowed.map(String);
    const expected = `one of ${list.join(', ')}`;
    const title = `${col.name} in {${list.length > SHOWN_VALUES ? `${list.slice(0, SHOWN_VALUES).join(', ')}, …` : list.join(', ')}}`;
    const base = { id: `columns.${col.name}.in`, title, column: col.name, expected, value: found.count };
    if (found.count === 0) return { ...base, passed: true, actual: 'all allowed', message: `${col.name}: every value is ${expected}` };
    const top = [...this.counts.values()].sort((a, b) => b.count - a.count || a.first - b.first);
    const shown = top.slice(0, SHOWN_VALUES).map((u) => `${u.shown} ×${u.count}`).join(', ');
    const more = top.length > SHOWN_VALUES ? ` and ${top.length - SHOWN_VALUES} more` : '';
    return {
      ...base,
      passed: false,
      actual: `${plural(top.length, 'unexpected value')}: ${shown}${more}`,
      message: `${col.name}: ${found.count} ${found.count === 1 ? 'value is' : 'values are'} not ${expected}: ${shown}${more}`,
      examples: found.examples,
    };
  }
}

/** An allowed value as the column stores it, NaN when it cannot be one. */
function asNumber(a: Allowed, type: NumericColumn['type']): number {
  if (typeof a === 'boolean') return a ? 1 : 0;
  if (typeof a === 'number') return a;
  if (type === 'boolean') return parseBoolean(a, true);
  const bytes = Buffer.from(a, 'utf8');
  return type === 'datetime' ? parseDatetime(bytes, 0, bytes.length) : parseNumber(bytes, 0, bytes.length);
}
