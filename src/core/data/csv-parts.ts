/**
 * Reading a big CSV file in parts, one per worker, for columns whose types
 * are all declared (the data checks' usual case; drift infers types and
 * reads each file whole).
 *
 * The file is cut after a line feed near each 1/n of its size. A cut is only
 * right when it falls between records (not inside a quoted field holding a
 * line end), which the part before it can tell: its tokenizer, having
 * started at a record boundary itself, must end at one (`clean`). Any part
 * that is not clean, and any error in any part (a ragged row, a value that
 * does not fit its type, bad UTF-8), makes the caller read the file whole
 * instead, which gives the exact error with its row number. So the parts
 * only ever give the table a whole read gives, or nothing.
 *
 * Merging: number columns are concatenated; text columns get one dictionary
 * in order of first appearance (the first part's values, then each later
 * part's new ones in their order: the order a whole read interns them).
 */
import { open } from 'node:fs/promises';
import { ColumnSet, uniqueNames } from './column-set';
import { ColumnSink } from './columns';
import type { CsvLoadOptions } from './columns';
import type { Delimiter, FieldSink } from './csv';
import { CsvTokenizer, SNIFF_BYTES } from './csv';
import { fileChunks } from './source';
import type { CodedColumn, Column, NumericColumn, Table } from './table';
import { isNumericColumn, MISSING_CODE } from './table';

export interface CsvPart {
  /** Byte range [start, end); the first part starts at 0 and holds the header. */
  start: number;
  end: number;
  delimiter: Delimiter;
  /** The part ends at the end of the file (whose last record needs no line end). */
  last: boolean;
  /** For parts after the first: the header's raw field count and column names. */
  header?: { fields: number; names: string[] };
}

export interface CsvPartResult {
  table: Table;
  /** The part ended between records (see the file comment). */
  clean: boolean;
}

export interface CsvLayout {
  delimiter: Delimiter;
  header: { fields: number; names: string[] };
  parts: CsvPart[];
}

/** How far past a cut a line feed is looked for before giving up on parts. */
const FIND_LF_BYTES = 1024 * 1024;

/** The delimiter, the header and `count` parts, or undefined when the file cannot be cut (no line feed near a cut). */
export async function planCsvParts(path: string, size: number, count: number, options: CsvLoadOptions): Promise<CsvLayout | undefined> {
  const start = await csvStart(path, options);
  if (start === undefined) return undefined;
  const cuts = [0];
  const handle = await open(path, 'r');
  try {
    const window = Buffer.allocUnsafe(FIND_LF_BYTES);
    for (let i = 1; i < count; i++) {
      const nominal = Math.floor((size * i) / count);
      const { bytesRead } = await handle.read(window, 0, FIND_LF_BYTES, nominal);
      const lf = window.subarray(0, bytesRead).indexOf(0x0a);
      if (lf < 0) return undefined;
      const cut = nominal + lf + 1;
      if (cut <= cuts[cuts.length - 1] || cut >= size) return undefined;
      cuts.push(cut);
    }
  } finally {
    await handle.close();
  }
  cuts.push(size);
  const parts = cuts.slice(0, -1).map((s, i): CsvPart => ({ start: s, end: cuts[i + 1], delimiter: start.delimiter, last: i === cuts.length - 2, ...(i > 0 ? { header: start.header } : {}) }));
  return { ...start, parts };
}

/** The delimiter (sniffed unless given) and the header, from the file's first bytes. */
async function csvStart(path: string, options: CsvLoadOptions): Promise<Omit<CsvLayout, 'parts'> | undefined> {
  const encoding: BufferEncoding = options.encoding === 'latin1' ? 'latin1' : 'utf8';
  const raw: string[] = [];
  let fields = -1;
  const sink: FieldSink = {
    field: (index, buf, s, e) => {
      if (fields < 0) raw[index] = buf.toString(encoding, s, e);
    },
    endRecord: (count) => {
      if (fields < 0) fields = count;
    },
  };
  const tokenizer = new CsvTokenizer(sink, { ...options, ragged: 'keep' });
  for await (const chunk of fileChunks(path, tokenizer.file, { chunkBytes: SNIFF_BYTES })) {
    tokenizer.push(chunk);
    if (fields >= 0) break;
  }
  if (fields < 0) return undefined; // a header longer than the file's start, or a tiny file: read it whole
  return { delimiter: String.fromCharCode(tokenizer.delimiter) as Delimiter, header: { fields, names: uniqueNames(raw) } };
}

/** One part, loaded as loadCsvTable loads a file (worker side). */
export async function loadCsvPart(path: string, options: CsvLoadOptions, part: CsvPart): Promise<CsvPartResult> {
  const file = options.file ?? path;
  const encoding: BufferEncoding = options.encoding === 'latin1' ? 'latin1' : 'utf8';
  const set = new ColumnSet(file, options, encoding);
  const sink = new ColumnSink(set, encoding, part.header?.names);
  const continuation = part.header !== undefined ? { headerFields: part.header.fields, offset: part.start } : undefined;
  const tokenizer = new CsvTokenizer(sink, { ...options, file, delimiter: part.delimiter, ...(continuation ? { continuation } : {}) });
  const length = part.end - part.start;
  let bytesRead = 0;
  let sized = false;
  for await (const chunk of fileChunks(path, file, { ...options, range: { start: part.start, end: part.end }, reuse: true })) {
    tokenizer.push(chunk);
    bytesRead += chunk.length;
    if (!sized && sink.rowCount >= 16) {
      set.reserveFor(length, bytesRead, sink.rowCount);
      sized = true;
    }
  }
  const clean = part.last || tokenizer.atRecordBoundary();
  if (clean) tokenizer.end(); // the last part: the file's last record may end without a line end
  if (set.needReread().length > 0) return { table: { rowCount: 0, columns: new Map() }, clean: false }; // only undeclared columns switch storage
  return { table: set.finish(sink.rowCount, encoding), clean };
}

/** The parts' tables as one, or undefined when they disagree on a column's name or type. */
export function mergeCsvParts(tables: Table[]): Table | undefined {
  const first = tables[0];
  const names = [...first.columns.keys()];
  for (const t of tables) {
    const keys = [...t.columns.keys()];
    if (keys.length !== names.length || keys.some((k, i) => k !== names[i] || t.columns.get(k)!.type !== first.columns.get(k)!.type)) return undefined;
  }
  const rowCount = tables.reduce((n, t) => n + t.rowCount, 0);
  const columns = new Map<string, Column>();
  for (const name of names) {
    const parts = tables.map((t) => t.columns.get(name)!);
    const nullCount = parts.reduce((n, c) => n + c.nullCount, 0);
    const head = parts[0];
    if (isNumericColumn(head)) {
      const values = new Float64Array(rowCount);
      let at = 0;
      for (const c of parts as NumericColumn[]) {
        values.set(c.values, at);
        at += c.values.length;
      }
      columns.set(name, { name, type: head.type, values, nullCount });
    } else {
      columns.set(name, { name, type: head.type, ...mergeCodes(parts as CodedColumn[], rowCount), nullCount });
    }
  }
  return { rowCount, columns };
}

function mergeCodes(parts: CodedColumn[], rowCount: number): { codes: Int32Array; dictionary: string[] } {
  const dictionary = [...parts[0].dictionary];
  const index = new Map(dictionary.map((v, i) => [v, i]));
  const codes = new Int32Array(rowCount);
  codes.set(parts[0].codes, 0);
  let at = parts[0].codes.length;
  for (const part of parts.slice(1)) {
    const remap = Int32Array.from(part.dictionary, (v) => {
      let code = index.get(v);
      if (code === undefined) {
        code = dictionary.length;
        dictionary.push(v);
        index.set(v, code);
      }
      return code;
    });
    const src = part.codes;
    for (let i = 0; i < src.length; i++) {
      const c = src[i];
      codes[at + i] = c === MISSING_CODE ? MISSING_CODE : remap[c];
    }
    at += src.length;
  }
  return { codes, dictionary };
}
