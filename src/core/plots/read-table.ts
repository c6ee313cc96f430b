/**
 * Plot data files (CSV, TSV, JSON, JSONL) as rows of named cells. CSV and
 * TSV go through the project's CSV tokenizer (src/core/data/csv.ts, the one
 * that passes the CSV edge-case corpus); JSON is DVC's shape, a list of
 * objects or an object holding one such list.
 *
 * A plot file may be read while the stage is still writing it: a last line
 * cut short (no line end, fewer fields, or JSON that does not parse) is left
 * out with a note, not an error. The same damage anywhere else is an error
 * naming the line.
 */
import type { FieldSink } from '../data/csv';
import { CsvTokenizer } from '../data/csv';
import { DataError } from '../data/errors';
import { parseNumber } from '../data/values';

export type Cell = string | number | boolean | null;

/** Column-major: a million-row history is two arrays, not a million objects. */
export interface PlotTable {
  fields: string[];
  columns: Map<string, Cell[]>;
  length: number;
  notes: string[];
}

export class PlotReadError extends Error {}

/** Header names as text; every later field as a number when it is one (parsed from the bytes), else text. */
class Collector implements FieldSink {
  header: string[] | undefined;
  readonly cols: Cell[][] = [];
  readonly counts: number[] = [];
  private width = 0;
  private current: string[] = [];
  field(index: number, buf: Buffer, start: number, end: number): void {
    if (!this.header) {
      this.current[index] = buf.toString('utf8', start, end);
      return;
    }
    const col = (this.cols[index] ??= []);
    const n = parseNumber(buf, start, end);
    col.push(Number.isNaN(n) ? buf.toString('utf8', start, end) : n);
    if (index + 1 > this.width) this.width = index + 1;
  }
  endRecord(fieldCount: number): void {
    if (!this.header) {
      this.header = this.current;
      return;
    }
    this.counts.push(fieldCount);
  }
}

const endsWithNewline = (b: Buffer) => b.length > 0 && (b[b.length - 1] === 0x0a || b[b.length - 1] === 0x0d);

export function readCsvTable(bytes: Buffer, shown: string, delimiter: ',' | '\t' | 'auto'): PlotTable {
  const sink = new Collector();
  const tokenizer = new CsvTokenizer(sink, { file: shown, ragged: 'keep', delimiter });
  try {
    tokenizer.push(bytes);
    tokenizer.end();
  } catch (e) {
    // An open quote at the very end is a last line still being written.
    if (!(e instanceof DataError && !endsWithNewline(bytes) && /quote/i.test(e.message) && sink.counts.length > 0)) throw new PlotReadError(e instanceof Error ? e.message : String(e));
    return finishCsv(sink, shown, [`the last line of ${shown} is incomplete (still being written?): left out`], true);
  }
  return finishCsv(sink, shown, [], false, !endsWithNewline(bytes));
}

function finishCsv(sink: Collector, shown: string, notes: string[], cutPartial: boolean, lastMayBeCut = false): PlotTable {
  if (!sink.header) throw new PlotReadError(`${shown} is empty: a plot needs a header line and rows`);
  const fields = sink.header.map((f) => f.trim());
  let length = sink.counts.length;
  if (lastMayBeCut && length && sink.counts[length - 1]! < fields.length) {
    length--;
    notes.push(`the last line of ${shown} is incomplete (still being written?): left out`);
  }
  for (let i = 0; i < length; i++) {
    const n = sink.counts[i]!;
    if (n !== fields.length) throw new PlotReadError(`${shown}: row ${i + 2} has ${n} field${n === 1 ? '' : 's'}, the header has ${fields.length}`);
  }
  // Fields of a record cut by an open quote (or left out above) were collected: drop them.
  const columns = new Map<string, Cell[]>();
  fields.forEach((f, j) => {
    const col = sink.cols[j] ?? [];
    if (col.length > length) col.length = length;
    columns.set(f, col);
  });
  void cutPartial;
  return { fields, columns, length, notes };
}

function toColumns(rows: Array<Record<string, Cell>>, notes: string[]): PlotTable {
  const fields = fieldsOf(rows);
  const columns = new Map<string, Cell[]>(fields.map((f) => [f, rows.map((r) => (f in r ? r[f]! : null))]));
  return { fields, columns, length: rows.length, notes };
}

function objectRow(v: unknown, where: string): Record<string, Cell> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new PlotReadError(`${where} is not an object of field names to values`);
  const row: Record<string, Cell> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) row[k] = typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' || x === null ? x : JSON.stringify(x);
  return row;
}

function fieldsOf(rows: Array<Record<string, Cell>>): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

export function readJsonTable(bytes: Buffer, shown: string): PlotTable {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new PlotReadError(`${shown} is not valid JSON (${(e as Error).message}); a plot needs a list of objects, or an object holding one`);
  }
  let list: unknown = data;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const lists = Object.entries(data as Record<string, unknown>).filter(([, v]) => Array.isArray(v));
    if (lists.length !== 1) throw new PlotReadError(`${shown} holds an object with ${lists.length} lists; a plot needs a list of objects, or an object holding exactly one`);
    list = lists[0][1];
  }
  if (!Array.isArray(list)) throw new PlotReadError(`${shown} holds ${data === null ? 'null' : typeof data}; a plot needs a list of objects`);
  const rows = list.map((v, i) => objectRow(v, `${shown}: item ${i + 1}`));
  return toColumns(rows, []);
}

export function readJsonlTable(bytes: Buffer, shown: string): PlotTable {
  const lines = bytes.toString('utf8').split(/\r?\n/);
  const notes: string[] = [];
  const rows: Array<Record<string, Cell>> = [];
  const lastIndex = lines.length - 1;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      // The last line without a line end: the writer is in the middle of it.
      if (i === lastIndex) {
        notes.push(`the last line of ${shown} is incomplete (still being written?): left out`);
        return;
      }
      throw new PlotReadError(`${shown}: line ${i + 1} is not valid JSON (${(e as Error).message})`);
    }
    rows.push(objectRow(v, `${shown}: line ${i + 1}`));
  });
  return toColumns(rows, notes);
}
