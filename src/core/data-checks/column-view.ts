/**
 * One loaded column as the checks see it: missing values and exact text from
 * the reader's column, plus the numbers that range and statistics checks use.
 * The numbers can differ from the reader's storage: the type check turns a
 * column read as text into numbers when a type is declared (see type-check.ts).
 */
import type { Column } from '../data/read';
import { isNumericColumn, MISSING_CODE } from '../data/read';
import { boundText } from '../text/bound';
import { formatDate, formatNumber } from './text';

export type NumberKind = 'number' | 'integer' | 'boolean' | 'datetime';

export class ColumnView {
  /** NaN for missing rows and for values that are not numbers; undefined: a text column. */
  numbers: Float64Array | undefined;
  /** How the numbers read (datetime: epoch ms, boolean: 0/1). */
  numberKind: NumberKind | undefined;

  constructor(readonly column: Column, private readonly rowBase: number) {
    if (isNumericColumn(column)) {
      this.numbers = column.values;
      this.numberKind = column.type;
    }
  }

  get name(): string {
    return this.column.name;
  }

  get length(): number {
    const c = this.column;
    return isNumericColumn(c) ? c.values.length : c.codes.length;
  }

  get nullCount(): number {
    return this.column.nullCount;
  }

  /** The row number of index i (see Example.row). */
  row(i: number): number {
    return i + this.rowBase;
  }

  isMissing(i: number): boolean {
    const c = this.column;
    return isNumericColumn(c) ? Number.isNaN(c.values[i]) : c.codes[i] === MISSING_CODE;
  }

  /**
   * The value of row i as text, "" when missing: a text column's exact
   * characters; a number column's shortest round-trip form ("1.50" was read
   * as 1.5; infinities as inf), a boolean's true/false, a datetime's ISO 8601
   * form (the date alone at midnight UTC).
   */
  text(i: number): string {
    const c = this.column;
    if (!isNumericColumn(c)) {
      const code = c.codes[i];
      return code === MISSING_CODE ? '' : c.dictionary[code];
    }
    const v = c.values[i];
    if (Number.isNaN(v)) return '';
    if (c.type === 'boolean') return v === 1 ? 'true' : 'false';
    if (c.type === 'datetime') return formatDate(v);
    return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : '-inf'; // as written and as pandas prints it
  }

  /** Row i for a message: numbers bare, text quoted (and cut at MAX_SHOWN_VALUE characters). */
  shown(i: number): string {
    return isNumericColumn(this.column) ? this.text(i) : JSON.stringify(boundText(this.text(i)));
  }

  /** A number of this column for a message (a date for datetime columns). */
  formatValue(v: number): string {
    return this.numberKind === 'datetime' ? formatDate(v) : formatNumber(v);
  }
}
