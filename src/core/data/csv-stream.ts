/**
 * A CSV file as a stream of small tables: the columnar loader's builders
 * (column-builder.ts), emptied every `chunkRows` rows into a Table of those
 * rows, which the caller looks at and drops. Memory is one chunk of the
 * selected columns, whatever the file's length.
 *
 * Only for columns whose types are all declared (the caller checks): an
 * inferred column's type depends on the whole file (numbers until a word
 * turns it into text; category or text by its distinct count), so a chunk
 * could not know it. A declared type makes each value's storage depend on
 * the value alone, so the chunks hold exactly the rows of a whole read.
 */
import { ColumnSink } from './columns';
import type { CsvLoadOptions } from './columns';
import { ColumnSet } from './column-set';
import type { FieldSink } from './csv';
import { tokenizeCsvFile } from './csv-file';
import type { Table } from './table';

/** Rows per chunk: 64 Ki rows x 8 bytes = 512 KiB per numeric column. */
export const DEFAULT_CHUNK_ROWS = 65536;

export type ChunkHandler = (table: Table, firstRow: number) => void;

/** Skips the header record, then fills chunks of `chunkRows` rows and hands each to `onChunk`. */
class ChunkSink implements FieldSink {
  private inHeader = true;
  private set!: ColumnSet;
  private sink!: ColumnSink;
  /** Index of the chunk's first data row in the file (0-based). */
  private firstRow = 0;
  private emitted = false;

  constructor(
    private readonly file: string,
    private readonly options: CsvLoadOptions,
    private readonly header: string[],
    private readonly encoding: BufferEncoding,
    private readonly chunkRows: number,
    private readonly onChunk: ChunkHandler,
  ) {
    this.fresh();
  }

  get rowCount(): number {
    return this.firstRow + this.sink.rowCount;
  }

  field(index: number, buf: Buffer, start: number, end: number): void {
    if (!this.inHeader) this.sink.field(index, buf, start, end);
  }

  endRecord(fieldCount: number): void {
    if (this.inHeader) {
      this.inHeader = false;
      return;
    }
    this.sink.endRecord(fieldCount);
    if (this.sink.rowCount >= this.chunkRows) this.flush();
  }

  /** The last rows; a file without data rows still gives one empty chunk (its columns exist). */
  end(): void {
    if (this.sink.rowCount > 0 || !this.emitted) this.flush();
  }

  private flush(): void {
    const rows = this.sink.rowCount;
    const table = this.set.finish(rows, this.encoding);
    const first = this.firstRow;
    this.firstRow += rows;
    this.emitted = true;
    this.fresh();
    this.onChunk(table, first);
  }

  private fresh(): void {
    this.set = new ColumnSet(this.file, this.options, this.encoding);
    this.set.reserve(this.chunkRows); // before the builders exist: each is made that size
    this.sink = new ColumnSink(this.set, this.encoding, this.header);
  }
}

/**
 * Reads the file once, calling `onChunk` with each chunk of rows (in order,
 * `firstRow` counting data rows from 0). `header`: the file's column names
 * as the loader names them (uniqueNames of the first record). Returns the
 * number of data rows. Errors are the whole read's DataErrors, thrown when
 * the reader reaches them (after the chunks before them were handed over);
 * an error thrown by `onChunk` (a cancellation) ends the read.
 */
export async function streamCsvTables(path: string, options: CsvLoadOptions & { file: string }, header: string[], chunkRows: number, onChunk: ChunkHandler): Promise<number> {
  const encoding: BufferEncoding = options.encoding === 'latin1' ? 'latin1' : 'utf8';
  const sink = new ChunkSink(options.file, options, header, encoding, Math.max(1, chunkRows), onChunk);
  await tokenizeCsvFile(path, sink, options);
  sink.end();
  return sink.rowCount;
}
