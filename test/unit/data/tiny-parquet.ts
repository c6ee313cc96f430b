/**
 * A minimal Parquet writer for tests (no Parquet writer is installed, and
 * hyparquet only reads): one row group, one uncompressed PLAIN data page (v1)
 * per column, REQUIRED or OPTIONAL flat columns. Enough to check that the
 * reader maps types, nulls and strings; the layout follows parquet-format's
 * parquet.thrift, encoded with Thrift's compact protocol.
 */

type Thrift =
  | { t: 'i32'; v: number }
  | { t: 'i64'; v: number }
  | { t: 'bin'; v: Uint8Array | string }
  | { t: 'struct'; v: Array<[number, Thrift]> }
  | { t: 'list'; elem: 'i32' | 'bin' | 'struct'; v: Thrift[] };

const TYPE_ID = { i32: 5, i64: 6, bin: 8, list: 9, struct: 12 } as const;

function varint(out: number[], n: bigint): void {
  let x = n;
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
}

const zigzag = (n: number): bigint => (BigInt(n) << 1n) ^ (BigInt(n) >> 63n);

function encode(out: number[], value: Thrift): void {
  switch (value.t) {
    case 'i32':
    case 'i64':
      varint(out, zigzag(value.v));
      break;
    case 'bin': {
      const bytes = typeof value.v === 'string' ? Buffer.from(value.v, 'utf8') : value.v;
      varint(out, BigInt(bytes.length));
      out.push(...bytes);
      break;
    }
    case 'list': {
      const elem = TYPE_ID[value.elem];
      if (value.v.length < 15) out.push((value.v.length << 4) | elem);
      else {
        out.push(0xf0 | elem);
        varint(out, BigInt(value.v.length));
      }
      for (const item of value.v) encode(out, item);
      break;
    }
    case 'struct': {
      let last = 0;
      for (const [id, field] of value.v) {
        out.push(((id - last) << 4) | TYPE_ID[field.t]); // ids ascend by at most 15 here
        last = id;
        encode(out, field);
      }
      out.push(0);
      break;
    }
  }
}

const i32 = (v: number): Thrift => ({ t: 'i32', v });
const i64 = (v: number): Thrift => ({ t: 'i64', v });
const bin = (v: string): Thrift => ({ t: 'bin', v });
const struct = (...v: Array<[number, Thrift]>): Thrift => ({ t: 'struct', v });

export type TinyColumn =
  | { name: string; type: 'int64' | 'int32' | 'double'; values: (number | null)[] }
  | { name: string; type: 'string'; values: (string | null)[] }
  | { name: string; type: 'boolean'; values: (boolean | null)[] }
  | { name: string; type: 'date'; values: (number | null)[] }; // days since epoch

const PHYSICAL = { int32: 1, int64: 2, double: 5, string: 6, boolean: 0, date: 1 } as const;

function plain(column: TinyColumn): number[] {
  const present = (column.values as unknown[]).filter((v) => v !== null);
  const out: number[] = [];
  if (column.type === 'boolean') {
    for (let i = 0; i < present.length; i += 8) {
      let byte = 0;
      for (let k = 0; k < 8 && i + k < present.length; k++) if (present[i + k]) byte |= 1 << k;
      out.push(byte);
    }
    return out;
  }
  for (const v of present) {
    const b = Buffer.alloc(column.type === 'int64' || column.type === 'double' ? 8 : 4);
    if (column.type === 'int64') b.writeBigInt64LE(BigInt(v as number));
    else if (column.type === 'double') b.writeDoubleLE(v as number);
    else if (column.type === 'string') {
      const s = Buffer.from(v as string, 'utf8');
      b.writeInt32LE(s.length);
      out.push(...b, ...s);
      continue;
    } else b.writeInt32LE(v as number);
    out.push(...b);
  }
  return out;
}

/** Definition levels (1 = present) as RLE runs, with the v1 4-byte length prefix. */
function definitionLevels(values: unknown[]): number[] {
  const runs: number[] = [];
  for (let i = 0; i < values.length; ) {
    const level = values[i] === null ? 0 : 1;
    let n = 1;
    while (i + n < values.length && (values[i + n] === null ? 0 : 1) === level) n++;
    varint(runs, BigInt(n << 1));
    runs.push(level);
    i += n;
  }
  const len = Buffer.alloc(4);
  len.writeInt32LE(runs.length);
  return [...len, ...runs];
}

export function tinyParquet(columns: TinyColumn[]): Buffer {
  const rows = columns[0]?.values.length ?? 0;
  const out: number[] = [...Buffer.from('PAR1')];
  const chunks: Thrift[] = [];
  for (const column of columns) {
    const optional = (column.values as unknown[]).includes(null);
    const body = [...(optional ? definitionLevels(column.values) : []), ...plain(column)];
    const header: number[] = [];
    encode(header, struct(
      [1, i32(0)], // DATA_PAGE
      [2, i32(body.length)],
      [3, i32(body.length)],
      [5, struct([1, i32(rows)], [2, i32(0)], [3, i32(3)], [4, i32(3)])], // PLAIN values, RLE levels
    ));
    const offset = out.length;
    out.push(...header, ...body);
    const size = header.length + body.length;
    chunks.push(struct(
      [2, i64(offset)],
      [3, struct(
        [1, i32(PHYSICAL[column.type])],
        [2, { t: 'list', elem: 'i32', v: [i32(0), i32(3)] }],
        [3, { t: 'list', elem: 'bin', v: [bin(column.name)] }],
        [4, i32(0)], // UNCOMPRESSED
        [5, i64(rows)],
        [6, i64(size)],
        [7, i64(size)],
        [9, i64(offset)],
      )],
    ));
  }
  const schema: Thrift[] = [struct([4, bin('schema')], [5, i32(columns.length)])];
  for (const column of columns) {
    const optional = (column.values as unknown[]).includes(null);
    const fields: Array<[number, Thrift]> = [[1, i32(PHYSICAL[column.type])], [3, i32(optional ? 1 : 0)], [4, bin(column.name)]];
    if (column.type === 'string') fields.push([6, i32(0)]); // UTF8
    if (column.type === 'date') fields.push([6, i32(6)]); // DATE
    schema.push(struct(...fields));
  }
  const footer: number[] = [];
  encode(footer, struct(
    [1, i32(1)],
    [2, { t: 'list', elem: 'struct', v: schema }],
    [3, i64(rows)],
    [4, { t: 'list', elem: 'struct', v: [struct([1, { t: 'list', elem: 'struct', v: chunks }], [2, i64(out.length - 4)], [3, i64(rows)])] }],
  ));
  const len = Buffer.alloc(4);
  len.writeInt32LE(footer.length);
  return Buffer.from([...out, ...footer, ...len, ...Buffer.from('PAR1')]);
}
