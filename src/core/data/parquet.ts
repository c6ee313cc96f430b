/**
 * Parquet through hyparquet, imported only when a Parquet file is read (it is
 * an ES module and not needed for CSV). Column types come from the schema
 * instead of inference: integers, floats, booleans, dates/timestamps map
 * directly, strings become category or text by their distinct count. Values
 * are read one column of one row group at a time (parquetScan.readColumn) and
 * pushed into the same builders as CSV, so the Table is the same shape.
 */
import type { FileHandle } from 'node:fs/promises';
import { FILE_LIMITS, openRegularFile } from '../files/regular-file';
import type { DeclaredType } from './column-builder';
import { ValueMismatch } from './column-builder';
import type { ColumnBuilder } from './column-builder';
import { ColumnSet } from './column-set';
import { DataError } from './errors';
import { ioError } from './source';
import type { LoadOptions, Table } from './table';

/** The parts of hyparquet's schema element this reader looks at. */
interface SchemaElementLike {
  name: string;
  type?: string;
  converted_type?: string;
  logical_type?: { type: string };
}

/** The type a Parquet column gets when the caller declares none. */
export function parquetColumnType(element: SchemaElementLike, nested: boolean): DeclaredType {
  if (nested) return 'text';
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (converted === 'DATE' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS' || logical === 'DATE' || logical === 'TIMESTAMP') return 'datetime';
  if (element.type === 'INT96') return 'datetime';
  if (converted === 'DECIMAL' || logical === 'DECIMAL') return 'number';
  switch (element.type) {
    case 'BOOLEAN': return 'boolean';
    case 'INT32': case 'INT64': return 'integer';
    case 'FLOAT': case 'DOUBLE': return 'number';
    default: return 'string';
  }
}

function push(builder: ColumnBuilder, value: unknown): void {
  if (value === null || value === undefined) builder.pushMissing();
  else if (typeof value === 'number') builder.pushNumber(value, Number.isInteger(value));
  else if (typeof value === 'bigint') builder.pushNumber(Number(value), true); // exact below 2^53
  else if (typeof value === 'boolean') builder.pushBoolean(value);
  else if (typeof value === 'string') builder.pushText(value, false); // real nulls: no markers
  else if (value instanceof Date) builder.pushDatetime(value.getTime());
  else if (value instanceof Uint8Array) builder.pushText(Buffer.from(value).toString('base64'), false);
  else builder.pushText(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)), false);
}

export async function loadParquetTable(path: string, options: LoadOptions = {}): Promise<Table> {
  const file = options.file ?? path;
  let handle: FileHandle;
  try {
    ({ handle } = await openRegularFile(path, FILE_LIMITS.data));
  } catch (err) {
    throw ioError(file, err);
  }
  try {
    const size = (await handle.stat()).size;
    const fh = handle;
    await checkParquetFrame(fh, size, file);
    // hyparquet's AsyncBuffer over one open handle (its own helper opens a stream per slice).
    const asyncBuffer = {
      byteLength: size,
      async slice(start: number, end: number = size): Promise<ArrayBuffer> {
        const out = new Uint8Array(Math.max(0, end - start));
        let done = 0;
        while (done < out.length) {
          const { bytesRead } = await fh.read(out, done, out.length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return out.buffer;
      },
    };
    const hyparquet = await import('hyparquet');
    let metadata;
    try {
      metadata = await hyparquet.parquetMetadataAsync(asyncBuffer);
    } catch (err) {
      // hyparquet's own words name its internals (offsets, DataView bounds): say what is wrong with the file.
      throw new DataError({ file, code: 'parquet', detail: 'the Parquet footer (the file\'s metadata) is corrupt and cannot be decoded: the file is damaged or was not fully written' }, { cause: err });
    }
    const schema = hyparquet.parquetSchema(metadata);
    const names = schema.children.map((c) => c.element.name);
    const set = new ColumnSet(file, options);
    set.checkNames(names);
    const chosen = schema.children.filter((c) => set.wants(c.element.name));
    const rowCount = Number(metadata.num_rows);
    for (const child of chosen) set.add(child.element.name, 0, parquetColumnType(child.element, child.children.length > 0));
    set.reserve(rowCount);
    try {
      const scan = await hyparquet.parquetScan({ file: asyncBuffer, metadata, columns: chosen.map((c) => c.element.name) });
      for (const range of scan.ranges) {
        for (const child of chosen) {
          const name = child.element.name;
          const builder = set.get(name)!;
          const data = await scan.readColumn({ column: name, rowStart: range.rowStart, rowEnd: range.rowEnd });
          for (let i = 0; i < data.length; i++) push(builder, data[i]);
        }
      }
    } catch (err) {
      if (err instanceof DataError) throw err;
      if (err instanceof ValueMismatch) throw new DataError({ file, code: 'type-mismatch', field: err.column, detail: err.message });
      throw new DataError({ file, code: 'parquet', detail: `cannot read Parquet data: ${err instanceof Error ? err.message : String(err)}` }, { cause: err });
    }
    return set.finish(rowCount);
  } finally {
    await handle.close();
  }
}

const MAGIC = 'PAR1';

/**
 * The frame every Parquet file has: `PAR1`, the data, the footer, its
 * length (4 bytes) and `PAR1` again. Checked before the footer is decoded,
 * so a truncated or foreign file gets a message about the file rather than
 * about the decoder.
 */
async function checkParquetFrame(fh: FileHandle, size: number, file: string): Promise<void> {
  const fail = (detail: string) => new DataError({ file, code: 'parquet', detail });
  if (size < 12) throw fail(`is not a Parquet file: ${size} bytes is too small to hold one (truncated?)`);
  const head = Buffer.alloc(4);
  const tail = Buffer.alloc(8);
  await fh.read(head, 0, 4, 0);
  await fh.read(tail, 0, 8, size - 8);
  if (head.toString('latin1') !== MAGIC) throw fail('is not a Parquet file: it does not start with the PAR1 marker');
  if (tail.subarray(4).toString('latin1') !== MAGIC) throw fail('is not a complete Parquet file: it does not end with the PAR1 marker (truncated, or still being written?)');
  const footer = tail.readUInt32LE(0);
  if (footer + 12 > size) throw fail(`has a corrupt Parquet footer: it claims ${footer} bytes of metadata, more than the file holds (${size} bytes)`);
}
