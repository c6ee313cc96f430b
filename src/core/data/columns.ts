/**
 * The columnar CSV loader: fields go from the tokenizer's bytes straight into
 * typed column storage (see column-builder.ts), one pass over the file, plus
 * a partial second pass only when a column that looked numeric turned out to
 * be text. Returns the Table every data check and drift test reads.
 */
import { stat } from 'node:fs/promises';
import type { ColumnBuilder } from './column-builder';
import { ColumnSet, uniqueNames } from './column-set';
import type { FieldSink } from './csv';
import type { CsvFileOptions } from './csv-file';
import { tokenizeCsvFile } from './csv-file';
import type { LoadOptions, Table } from './table';

export type { Column, ColumnType, LoadOptions, Table } from './table';

export interface CsvLoadOptions extends LoadOptions, Omit<CsvFileOptions, 'file'> {}

/** Header first (unless given), then each field into its column's builder (null: not loaded). */
export class ColumnSink implements FieldSink {
  rowCount = 0;
  private header: string[] | null = null;
  private readonly headerParts: string[] = [];
  private slots: (ColumnBuilder | null)[] = [];

  /** `header`: the file's column names when the bytes start after the header (a later part). */
  constructor(private readonly set: ColumnSet, private readonly encoding: BufferEncoding, header?: string[]) {
    if (header !== undefined) this.useHeader(header);
  }

  field(index: number, buf: Buffer, start: number, end: number): void {
    if (this.header === null) {
      this.headerParts[index] = buf.toString(this.encoding, start, end);
      return;
    }
    const slot = index < this.slots.length ? this.slots[index] : this.extraColumn(index);
    if (slot !== null) slot.pushField(buf, start, end);
  }

  endRecord(fieldCount: number): void {
    if (this.header === null) {
      this.useHeader(uniqueNames(this.headerParts));
      return;
    }
    const slots = this.slots;
    for (let k = fieldCount; k < slots.length; k++) slots[k]?.pushMissing();
    this.rowCount++;
  }

  private useHeader(header: string[]): void {
    this.header = header;
    this.set.checkNames(header);
    this.slots = header.map((name) => (this.set.wants(name) ? this.set.add(name, 0) : null));
  }

  /** By field index, the columns that need their early rows read again. */
  rereadSlots(): (ColumnBuilder | undefined)[] {
    return this.slots.map((b) => (b !== null && b.rereadBefore > 0 ? b : undefined));
  }

  /** ragged: 'keep' and a row longer than the header: columns "_3", "_4", ... (csv-parser's names). */
  private extraColumn(index: number): ColumnBuilder | null {
    while (this.slots.length <= index) {
      const name = `_${this.slots.length}`;
      this.slots.push(this.set.wants(name) && this.set.get(name) === undefined ? this.set.add(name, this.rowCount) : null);
    }
    return this.slots[index];
  }
}

/** Second pass: the exact text of rows before a column switched from numbers to codes. */
class RereadSink implements FieldSink {
  private row = -1; // the header is row -1
  private readonly until: number;
  constructor(private readonly slots: (ColumnBuilder | undefined)[]) {
    this.until = Math.max(...slots.map((b) => b?.rereadBefore ?? 0));
  }
  get done(): boolean {
    return this.row >= this.until;
  }
  field(index: number, buf: Buffer, start: number, end: number): void {
    const b = this.slots[index];
    if (b !== undefined && this.row >= 0 && this.row < b.rereadBefore) b.fillReread(this.row, buf, start, end);
  }
  endRecord(): void {
    this.row++;
  }
}

export async function loadCsvTable(path: string, options: CsvLoadOptions = {}): Promise<Table> {
  const file = options.file ?? path;
  const encoding: BufferEncoding = options.encoding === 'latin1' ? 'latin1' : 'utf8';
  const set = new ColumnSet(file, options, encoding);
  const sink = new ColumnSink(set, encoding);
  const size = await stat(path).then((s) => s.size, () => 0);
  let sized = false;
  const csv = { ...options, file };
  const tokenizer = await tokenizeCsvFile(path, sink, csv, (bytesRead) => {
    if (!sized && sink.rowCount >= 16) {
      set.reserveFor(size, bytesRead, sink.rowCount);
      sized = true;
    }
    return false;
  });

  if (set.needReread().length > 0) {
    const again = new RereadSink(sink.rereadSlots());
    const delimiter = String.fromCharCode(tokenizer.delimiter) as CsvLoadOptions['delimiter'];
    await tokenizeCsvFile(path, again, { ...csv, delimiter }, () => again.done);
  }
  return set.finish(sink.rowCount, encoding);
}
