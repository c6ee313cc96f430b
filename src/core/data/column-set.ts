/**
 * The columns of one load: which ones were asked for, their declared types,
 * their builders in file order, and turning them into a Table. Shared by the
 * CSV, JSONL and Parquet readers so selection, errors and inference match.
 */
import { ColumnBuilder } from './column-builder';
import type { DeclaredType } from './column-builder';
import { DataError, unknownColumnError } from './errors';
import { MissingMatcher } from './missing';
import type { Column, LoadOptions, Table } from './table';
import { COLUMN_TYPES, DEFAULT_CATEGORY_MAX_DISTINCT, DEFAULT_MISSING } from './table';

export class ColumnSet {
  readonly builders: ColumnBuilder[] = [];
  readonly missing: MissingMatcher;
  private readonly byName = new Map<string, ColumnBuilder>();
  private readonly selected: Set<string> | null;
  private readonly types: Record<string, DeclaredType>;
  private capacity = 1024;

  constructor(readonly file: string, readonly options: LoadOptions, encoding: BufferEncoding = 'utf8') {
    this.missing = new MissingMatcher(options.missing ?? DEFAULT_MISSING, encoding);
    this.selected = options.columns !== undefined ? new Set(options.columns) : null;
    this.types = { ...(options.types ?? {}) };
    for (const [name, type] of Object.entries(this.types)) {
      if (!(COLUMN_TYPES as readonly string[]).includes(type)) {
        throw new DataError({ file, code: 'invalid-option', field: name, detail: `column "${name}": unknown type ${JSON.stringify(type)}; the types are ${COLUMN_TYPES.join(', ')}` });
      }
    }
  }

  /** Every requested or typed column must be among `available` (once those are known). */
  checkNames(available: readonly string[]): void {
    const have = new Set(available);
    const wanted = [...(this.options.columns ?? []), ...Object.keys(this.options.types ?? {})];
    for (const name of wanted) if (!have.has(name)) throw unknownColumnError(this.file, name, available);
  }

  wants(name: string): boolean {
    return this.selected === null || this.selected.has(name);
  }

  get(name: string): ColumnBuilder | undefined {
    return this.byName.get(name);
  }

  /** A new column; `rowsSoFar` earlier rows did not have it and count as missing. */
  add(name: string, rowsSoFar: number, fallbackType?: DeclaredType): ColumnBuilder {
    const builder = new ColumnBuilder(name, this.types[name] ?? fallbackType, this.missing, Math.max(this.capacity, rowsSoFar + 1));
    for (let i = 0; i < rowsSoFar; i++) builder.pushMissing();
    this.builders.push(builder);
    this.byName.set(name, builder);
    return builder;
  }

  /** Sizes storage for the rows a file of `totalBytes` holds, judged from the first `bytesRead`. */
  reserveFor(totalBytes: number, bytesRead: number, rowsRead: number): void {
    if (rowsRead < 16 || bytesRead <= 0 || totalBytes <= bytesRead) return;
    this.reserve(Math.ceil((totalBytes / bytesRead) * rowsRead * 1.02) + 64);
  }

  reserve(rows: number): void {
    this.capacity = Math.max(this.capacity, rows);
    for (const b of this.builders) b.reserve(rows);
  }

  needReread(): ColumnBuilder[] {
    return this.builders.filter((b) => b.rereadBefore > 0);
  }

  finish(rowCount: number, encoding: BufferEncoding = 'utf8'): Table {
    const columns = new Map<string, Column>();
    const options = { encoding, categoryMaxDistinct: this.options.categoryMaxDistinct ?? DEFAULT_CATEGORY_MAX_DISTINCT };
    for (const b of this.builders) columns.set(b.name, b.finish(rowCount, options));
    return { rowCount, columns };
  }
}

/** Header names as pandas makes them usable: "Unnamed: i" for blanks, "a.1" for a repeated "a". */
export function uniqueNames(raw: readonly string[]): string[] {
  const seen = new Set<string>();
  return raw.map((name, i) => {
    let base = name === '' ? `Unnamed: ${i}` : name;
    if (!seen.has(base)) {
      seen.add(base);
      return base;
    }
    for (let k = 1; ; k++) {
      const candidate = `${base}.${k}`;
      if (!seen.has(candidate)) {
        seen.add(candidate);
        base = candidate;
        return base;
      }
    }
  });
}
