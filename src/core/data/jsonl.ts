/**
 * JSON Lines: one JSON object per line, blank lines skipped. Lines are cut
 * on LF by byte search (a trailing CR is dropped), checked as UTF-8, parsed
 * with JSON.parse, and their values fed to the same column builders as CSV:
 * keys become columns in order of first appearance, absent keys and null are
 * missing, strings go through the same inference as CSV fields (so ISO dates
 * become datetimes), nested values are kept as JSON text.
 */
import { isUtf8 } from 'node:buffer';
import { stat } from 'node:fs/promises';
import type { ColumnBuilder } from './column-builder';
import { ValueMismatch } from './column-builder';
import { ColumnSet } from './column-set';
import { DEFAULT_MAX_ROW_BYTES } from './csv';
import { DataError, formatBytes } from './errors';
import type { ChunkOptions } from './source';
import { fileChunks } from './source';
import type { LoadOptions, Table } from './table';
import { firstInvalidUtf8 } from './utf8';

export interface JsonlOptions extends LoadOptions, ChunkOptions {
  /** Longest line accepted, in bytes (default 64 MiB). */
  maxRowBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** Where an object came from: its 1-based number among objects, and its line. */
export interface JsonlPosition {
  row: number;
  line: number;
  /** File offset just past the object's line. */
  bytes: number;
}

/**
 * Yields each object with its position. `stop` is asked after each chunk
 * (a second pass that has what it needs ends early).
 */
export async function* jsonlObjects(
  path: string,
  options: JsonlOptions = {},
  stop?: () => boolean,
): AsyncGenerator<[Record<string, unknown>, JsonlPosition]> {
  const file = options.file ?? path;
  const max = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0; // file offset of buf[0]
  let line = 0;
  let row = 0;
  let first = true;
  const parse = (buf: Buffer, start: number, end: number): [Record<string, unknown>, JsonlPosition] | null => {
    line++;
    if (first) {
      first = false;
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    }
    if (end > start && buf[end - 1] === CR) end--;
    if (end - start > max) throw tooLong(file, line, max);
    const bytes = buf.subarray(start, end);
    if (!isUtf8(bytes)) {
      const bad = firstInvalidUtf8(bytes, 0, bytes.length);
      const at = offset + start + bad;
      const byte = bad < bytes.length ? `byte 0x${bytes[bad].toString(16).toUpperCase().padStart(2, '0')}` : 'sequence';
      throw new DataError({ file, code: 'invalid-utf8', row: row + 1, line, column: bad + 1, offset: at, detail: `line ${line}, column ${bad + 1}: invalid UTF-8 ${byte} at byte offset ${at}` });
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') return null;
    const depth = nestingOver(text, MAX_DEPTH);
    if (depth) throw new DataError({ file, code: 'bad-json', row: row + 1, line, detail: `line ${line}: JSON nested deeper than ${MAX_DEPTH} levels (arrays and objects inside each other); mlci reads values nested at most that deep` });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new DataError({ file, code: 'bad-json', row: row + 1, line, detail: `line ${line}: bad JSON: ${why}` });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
      throw new DataError({ file, code: 'not-an-object', row: row + 1, line, detail: `line ${line}: expected a JSON object, found ${what}` });
    }
    row++;
    return [value as Record<string, unknown>, { row, line, bytes: offset + end + 1 }];
  };

  for await (const chunk of fileChunks(path, file, options)) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(LF, start); nl >= 0; nl = buf.indexOf(LF, start)) {
      const item = parse(buf, start, nl);
      start = nl + 1;
      if (item !== null) yield item;
    }
    if (buf.length - start > max) throw tooLong(file, line + 1, max);
    carry = buf.subarray(start);
    offset += start;
    if (stop?.()) return;
  }
  if (carry.length > 0) {
    const item = parse(carry, 0, carry.length);
    if (item !== null) yield item;
  }
}

/**
 * Deeper values are refused: JSON.parse copes, but turning one into a cell's
 * text (JSON.stringify) recurses once per level and overflows the stack.
 */
export const MAX_DEPTH = 1000;

/**
 * Whether `text` nests arrays/objects deeper than `max` (outside strings).
 * The exact scan runs only on lines with more than `max` brackets at all.
 */
function nestingOver(text: string, max: number): boolean {
  let brackets = 0;
  for (let i = text.indexOf('['); i >= 0 && brackets <= max; i = text.indexOf('[', i + 1)) brackets++;
  for (let i = text.indexOf('{'); i >= 0 && brackets <= max; i = text.indexOf('{', i + 1)) brackets++;
  if (brackets <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function tooLong(file: string, line: number, max: number): DataError {
  return new DataError({ file, code: 'row-too-long', line, detail: `line ${line} is longer than ${formatBytes(max)}` });
}

/** A JSON value into its column. */
function push(builder: ColumnBuilder, value: unknown): void {
  switch (typeof value) {
    case 'number': builder.pushNumber(value, Number.isInteger(value)); break;
    case 'string': builder.pushText(value); break;
    case 'boolean': builder.pushBoolean(value); break;
    case 'undefined': builder.pushMissing(); break;
    default:
      if (value === null) builder.pushMissing();
      else builder.pushText(JSON.stringify(value));
  }
}

/** The value's text, as the second pass hands it to a column that became text. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export async function loadJsonlTable(path: string, options: JsonlOptions = {}): Promise<Table> {
  const file = options.file ?? path;
  const set = new ColumnSet(file, options);
  const seen: string[] = [];
  const seenSet = new Set<string>();
  const size = await stat(path).then((s) => s.size, () => 0);
  let rows = 0;
  let position: JsonlPosition = { row: 0, line: 0, bytes: 0 };
  try {
    for await (const [object, at] of jsonlObjects(path, options)) {
      position = at;
      for (const key in object) {
        let builder = set.get(key);
        if (builder === undefined) {
          if (!seenSet.has(key)) {
            seenSet.add(key);
            seen.push(key);
          }
          if (!set.wants(key)) continue;
          builder = set.add(key, rows);
        }
        push(builder, object[key]);
      }
      rows++;
      for (const b of set.builders) if (b.length < rows) b.pushMissing();
      if (rows === 1024) set.reserveFor(size, at.bytes, rows);
    }
  } catch (err) {
    if (err instanceof ValueMismatch) {
      const { row, line } = position;
      throw new DataError({ file, code: 'type-mismatch', row, line, field: err.column, detail: `line ${line}, ${err.message}` });
    }
    throw err;
  }
  if (rows === 0) throw new DataError({ file, code: 'empty-file', detail: 'empty file: no JSON objects' });
  set.checkNames(seen);

  const reread = set.needReread();
  if (reread.length > 0) {
    const until = Math.max(...reread.map((b) => b.rereadBefore));
    let row = 0;
    for await (const [object] of jsonlObjects(path, options, () => row >= until)) {
      for (const b of reread) {
        if (row >= b.rereadBefore) continue;
        const v = object[b.name];
        if (v === undefined || v === null) continue;
        const bytes = Buffer.from(asText(v), 'utf8');
        b.fillReread(row, bytes, 0, bytes.length);
      }
      if (++row >= until) break;
    }
  }
  return set.finish(rows);
}
