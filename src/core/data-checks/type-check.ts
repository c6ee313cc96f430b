/**
 * `type`: every non-missing value must be of the declared kind.
 *
 * The declared type is handed to the reader, so parsing follows it (a
 * boolean column may hold 1/0/t/f/y/n, an integer column "3.0"). When a value
 * does not fit, the reader stops at the first one; the column is then read
 * again with its type inferred (see read-data.ts) and this check finds every
 * value that does not fit, with the same parsers the reader uses, and turns
 * the ones that do into numbers for the range and statistics checks.
 *
 * `number` means a finite number (the schema's wording), so inf fails it;
 * `integer` passes `number`; `category` and `text` accept any value (the
 * reader keeps such columns as text, so "007" stays "007").
 */
import type { ColumnType } from '../pipeline/model';
import { isNumericColumn } from '../data/read';
import { parseBoolean, parseDatetime, parseNumber } from '../data/values';
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import { plural } from './text';
import type { ColumnTotals, Tally } from './tally';
import { collect, Violations } from './violations';

/** How values of each type are named: one, many, and what counts as one when that is not obvious. */
const NOUNS: Record<ColumnType, [string, string, string?]> = {
  number: ['a number', 'numbers'],
  integer: ['an integer', 'integers'],
  boolean: ['a boolean', 'booleans', 'true/false, yes/no, 1/0, t/f, y/n'],
  datetime: ['an ISO 8601 date or time', 'ISO 8601 dates or times'],
  category: ['a category', 'categories'],
  text: ['text', 'text'],
};

export class TypeTally implements Tally {
  private readonly found = new Violations();

  constructor(private readonly declared: ColumnType) {}

  add(view: ColumnView, notOfType?: (i: number) => boolean): void {
    if (notOfType !== undefined) collect(this.found, view, notOfType);
  }

  result(col: ColumnTotals): CheckResult {
    const { found, declared } = this;
    const present = col.present;
    const [one, many, hint] = NOUNS[declared];
    const base = { id: `columns.${col.name}.type`, title: `${col.name} is ${declared}`, column: col.name, expected: declared, value: found.count };
    if (found.count === 0) {
      const what = declared === 'category' || declared === 'text' ? `read as ${col.type}` : present === 1 ? `is ${one}` : `are ${many}`;
      const message = present === 0 ? `${col.name}: no values to check` : `${col.name}: ${present === 1 ? 'the' : 'all'} ${plural(present, 'value')} ${what}`;
      return { ...base, passed: true, actual: col.type, message };
    }
    const notWhat = found.count === 1 ? `is not ${one}` : `are not ${many}`;
    return {
      ...base,
      passed: false,
      actual: `${plural(found.count, 'value')} not ${found.count === 1 ? one : many}`,
      message: `${col.name}: ${found.count} of ${plural(present, 'value')} ${notWhat} (${found.firstShown()})${hint !== undefined ? `; ${many} are ${hint}` : ''}`,
      examples: found.examples,
    };
  }
}

/**
 * Whether row i does not fit `declared` (undefined: every value fits); also
 * points view.numbers at the column's values as that type (NaN where a value
 * is not one). Called on every chunk of a column with a valid declared type,
 * in every pass, before the checks see the chunk.
 */
export function applyType(view: ColumnView, declared: ColumnType): ((i: number) => boolean) | undefined {
  const column = view.column;
  if (declared === 'category' || declared === 'text') return undefined; // any value is text

  if (isNumericColumn(column)) {
    const values = column.values;
    const kind = column.type;
    if (declared === 'number' || declared === 'integer') {
      if (kind !== 'number' && kind !== 'integer') return noneFit(view, declared);
      view.numberKind = declared;
      return declared === 'integer' ? (i) => !Number.isInteger(values[i]) : (i) => !Number.isFinite(values[i]);
    }
    if (declared === 'boolean') {
      if (kind === 'datetime') return noneFit(view, declared);
      view.numberKind = 'boolean'; // a 0/1 column read as integer is a boolean column
      return (i) => values[i] !== 0 && values[i] !== 1;
    }
    return kind === 'datetime' ? undefined : noneFit(view, declared);
  }

  // Read as text (only after a value failed the declared type): parse each distinct value once.
  const { codes, dictionary } = column;
  const parsed = new Float64Array(dictionary.length);
  const fits = new Uint8Array(dictionary.length);
  dictionary.forEach((text, code) => {
    const v = parseAs(text, declared);
    parsed[code] = v;
    fits[code] = Number.isNaN(v) || (declared === 'number' && !Number.isFinite(v)) || (declared === 'integer' && !Number.isInteger(v)) ? 0 : 1;
  });
  const numbers = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) numbers[i] = codes[i] < 0 ? NaN : parsed[codes[i]];
  view.numbers = numbers;
  view.numberKind = declared;
  return (i) => fits[codes[i]] === 0;
}

/** A column read as another kind of value (dates for `number`, say): no value fits, none is used. */
function noneFit(view: ColumnView, declared: ColumnType): (i: number) => boolean {
  view.numbers = new Float64Array(view.length).fill(NaN);
  view.numberKind = declared === 'category' || declared === 'text' ? undefined : declared;
  return () => true;
}

function parseAs(text: string, declared: Exclude<ColumnType, 'category' | 'text'>): number {
  if (declared === 'boolean') return parseBoolean(text, true);
  const bytes = Buffer.from(text, 'utf8');
  return declared === 'datetime' ? parseDatetime(bytes, 0, bytes.length) : parseNumber(bytes, 0, bytes.length);
}
