/**
 * One column being loaded: storage that grows with the rows, and type
 * inference over the whole file in bounded memory.
 *
 * A column starts untyped. Its first non-missing value picks a storage:
 * a number or an ISO date goes into a Float64Array (8 bytes a row, no
 * strings kept), anything else into interned codes. If a Float64 column later
 * meets a value that does not fit, it switches to codes from that row on and
 * marks the earlier rows REREAD: their exact text is fetched by a second pass
 * over the file (formatting a float back would turn "1.50" into "1.5" and
 * "08123" into "8123"). Boolean, category and text are told apart at the end
 * from the dictionary, which is small for the first two.
 */
import { ByteInterner } from './intern';
import type { MissingMatcher } from './missing';
import type { Column, ColumnType } from './table';
import { MISSING_CODE } from './table';
import * as parse from './values';

// Module-level copies: under a CommonJS loader (tsx, mocha) each access to an
// imported binding goes through a getter, measurable on a per-field path.
const parseNumber = parse.parseNumber;
const parseDatetime = parse.parseDatetime;
const parseBoolean = parse.parseBoolean;
const parseBooleanBytes = parse.parseBooleanBytes;
const lastNumber = parse.lastNumber;

/** 'string': a string column whose category/text split is still inferred (Parquet strings). */
export type DeclaredType = ColumnType | 'string';

/** A value that does not fit a declared type; the reader adds the position. */
export class ValueMismatch extends Error {
  constructor(readonly column: string, readonly declared: DeclaredType, readonly text: string) {
    super(`column "${column}": ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)} is not ${article(declared)}`);
  }
}

function article(type: DeclaredType): string {
  return type === 'integer' ? 'an integer' : type === 'datetime' ? 'an ISO 8601 date or time' : `a ${type}`;
}

const M_UNKNOWN = 0;
const M_NUMBER = 1;
const M_DATETIME = 2;
const M_BOOLEAN = 3;
const M_CODES = 4;

const REREAD = -2;
const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);
const TRUE_BYTES = Buffer.from('true');
const FALSE_BYTES = Buffer.from('false');

export interface FinishOptions {
  encoding: BufferEncoding;
  categoryMaxDistinct: number;
}

export class ColumnBuilder {
  readonly name: string;
  readonly declared: DeclaredType | undefined;
  length = 0;
  nullCount = 0;
  /** Rows [0, rereadBefore) may hold REREAD codes, to be filled by fillReread. */
  rereadBefore = 0;

  private mode = M_UNKNOWN;
  private readonly missing: MissingMatcher;
  private f64: Float64Array = EMPTY_F64;
  private codes: Int32Array = EMPTY_I32;
  private interner: ByteInterner | null = null;
  private allInteger = true;
  private readonly integerOnly: boolean;
  private capacity: number;

  constructor(name: string, declared: DeclaredType | undefined, missing: MissingMatcher, capacity = 1024) {
    this.name = name;
    this.declared = declared;
    this.missing = missing;
    this.integerOnly = declared === 'integer';
    this.capacity = Math.max(16, capacity);
    switch (declared) {
      case undefined: break;
      case 'number': case 'integer': this.startF64(M_NUMBER); break;
      case 'datetime': this.startF64(M_DATETIME); break;
      case 'boolean': this.startF64(M_BOOLEAN); break;
      default: this.startCodes();
    }
  }

  /** Grows storage once to an estimated row count (fewer copies, less slack). */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    this.capacity = rows;
    if (this.f64.length > 0) this.f64 = resizeF64(this.f64, rows, this.length);
    if (this.codes.length > 0) this.codes = resizeI32(this.codes, rows, this.length);
  }

  /** A field as text bytes (CSV field, JSON string). */
  pushField(buf: Uint8Array, start: number, end: number): void {
    if (this.missing.test(buf, start, end)) this.pushMissing();
    else this.pushPresent(buf, start, end);
  }

  /** A value known not to be missing, as text bytes. */
  private pushPresent(buf: Uint8Array, start: number, end: number): void {
    const mode = this.mode;
    if (mode === M_NUMBER) {
      const v = parseNumber(buf, start, end);
      if (v === v && (!this.integerOnly || Number.isInteger(v))) {
        if (!lastNumber.integer) this.allInteger = false;
        this.storeF64(v);
        return;
      }
      this.mismatchOrSwitch(buf, start, end);
    } else if (mode === M_CODES) {
      this.storeCode(this.interner!.intern(buf, start, end));
    } else if (mode === M_DATETIME) {
      const v = parseDatetime(buf, start, end);
      if (v === v) {
        this.storeF64(v);
        return;
      }
      this.mismatchOrSwitch(buf, start, end);
    } else if (mode === M_BOOLEAN) {
      const v = parseBooleanBytes(buf, start, end, true);
      if (v !== v) throw this.mismatch(buf, start, end);
      this.storeF64(v);
    } else {
      this.firstValue(buf, start, end);
    }
  }

  pushMissing(): void {
    const mode = this.mode;
    if (mode === M_CODES) this.storeCode(MISSING_CODE);
    else if (mode === M_UNKNOWN) this.length++;
    else this.storeF64(NaN);
    this.nullCount++;
  }

  /** A typed number (JSON, Parquet). */
  pushNumber(v: number, integer: boolean): void {
    if (Number.isNaN(v)) {
      this.pushMissing();
      return;
    }
    const mode = this.mode;
    if (mode === M_UNKNOWN) this.startF64(M_NUMBER);
    if (this.mode === M_NUMBER) {
      if (this.declared === 'integer' && !Number.isInteger(v)) throw new ValueMismatch(this.name, 'integer', String(v));
      if (!integer) this.allInteger = false;
      this.storeF64(v);
    } else if (this.mode === M_BOOLEAN && (v === 0 || v === 1)) {
      this.storeF64(v);
    } else {
      this.pushText(String(v), false);
    }
  }

  /** A typed boolean (JSON, Parquet). */
  pushBoolean(b: boolean): void {
    if (this.mode === M_BOOLEAN) this.storeF64(b ? 1 : 0);
    else {
      const bytes = b ? TRUE_BYTES : FALSE_BYTES;
      this.pushPresent(bytes, 0, bytes.length);
    }
  }

  /** A typed timestamp in ms (Parquet dates and times). */
  pushDatetime(ms: number): void {
    if (this.mode === M_UNKNOWN) this.startF64(M_DATETIME);
    if (this.mode === M_DATETIME) this.storeF64(ms);
    else this.pushText(new Date(ms).toISOString(), false);
  }

  /**
   * A JS string (JSON strings, Parquet strings). `markers`: whether missing
   * markers apply (JSON: yes, like CSV text; Parquet: no, it has real nulls).
   */
  pushText(text: string, markers = true): void {
    const bytes = Buffer.from(text, 'utf8');
    if (markers) this.pushField(bytes, 0, bytes.length);
    else this.pushPresent(bytes, 0, bytes.length);
  }

  /** Second pass: the text of a row that was numeric before the switch to codes. */
  fillReread(row: number, buf: Uint8Array, start: number, end: number): void {
    if (this.codes[row] === REREAD) this.codes[row] = this.interner!.intern(buf, start, end);
  }

  finish(rowCount: number, options: FinishOptions): Column {
    while (this.length < rowCount) this.pushMissing();
    const n = this.length;
    const { name, nullCount } = this;
    switch (this.mode) {
      case M_UNKNOWN: // nothing but missing values: a numeric column of NaN, as pandas reads it
        return { name, type: 'number', values: nanArray(n), nullCount };
      case M_NUMBER:
        return { name, type: this.declared === 'number' || this.declared === 'integer' ? this.declared : this.allInteger ? 'integer' : 'number', values: trimF64(this.f64, n), nullCount };
      case M_DATETIME:
        return { name, type: 'datetime', values: trimF64(this.f64, n), nullCount };
      case M_BOOLEAN:
        return { name, type: 'boolean', values: trimF64(this.f64, n), nullCount };
      default:
        return this.finishCodes(n, options);
    }
  }

  private finishCodes(n: number, options: FinishOptions): Column {
    const { name, nullCount } = this;
    let codes = trimI32(this.codes, n);
    let dictionary = this.interner!.decode(options.encoding);
    this.interner = null;
    if (this.rereadBefore > 0) [codes, dictionary] = inFirstAppearanceOrder(codes, dictionary);
    if (this.declared === 'category' || this.declared === 'text') return { name, type: this.declared, codes, dictionary, nullCount };
    if (this.declared === undefined && dictionary.length > 0) {
      const truth = dictionary.map((w) => parseBoolean(w, false));
      if (truth.every((t) => !Number.isNaN(t))) {
        const values = new Float64Array(n);
        for (let i = 0; i < n; i++) values[i] = codes[i] === MISSING_CODE ? NaN : truth[codes[i]];
        return { name, type: 'boolean', values, nullCount };
      }
    }
    const distinct = dictionary.length;
    const nonNull = n - nullCount;
    // Few distinct values, each seen on average twice or more: a category.
    const category = distinct <= options.categoryMaxDistinct && (distinct <= 20 || distinct * 2 <= nonNull);
    return { name, type: category ? 'category' : 'text', codes, dictionary, nullCount };
  }

  private firstValue(buf: Uint8Array, start: number, end: number): void {
    const v = parseNumber(buf, start, end);
    if (v === v) {
      this.startF64(M_NUMBER);
      if (!lastNumber.integer) this.allInteger = false;
      this.storeF64(v);
      return;
    }
    const t = parseDatetime(buf, start, end);
    if (t === t) {
      this.startF64(M_DATETIME);
      this.storeF64(t);
      return;
    }
    this.startCodes();
    this.storeCode(this.interner!.intern(buf, start, end));
  }

  private mismatchOrSwitch(buf: Uint8Array, start: number, end: number): void {
    if (this.declared !== undefined) throw this.mismatch(buf, start, end);
    this.switchToCodes();
    this.storeCode(this.interner!.intern(buf, start, end));
  }

  private mismatch(buf: Uint8Array, start: number, end: number): ValueMismatch {
    const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
    return new ValueMismatch(this.name, this.declared ?? 'text', text);
  }

  private startF64(mode: number): void {
    this.mode = mode;
    this.f64 = new Float64Array(Math.max(this.capacity, this.length + 1)).fill(NaN, 0, this.length);
  }

  private startCodes(): void {
    this.mode = M_CODES;
    this.interner = new ByteInterner();
    this.codes = new Int32Array(Math.max(this.capacity, this.length + 1)).fill(MISSING_CODE, 0, this.length);
  }

  /** Numbers (or dates) so far, then text: earlier rows get their text in a second pass. */
  private switchToCodes(): void {
    const f64 = this.f64;
    const n = this.length;
    this.f64 = EMPTY_F64;
    this.startCodes();
    let reread = false;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(f64[i])) continue;
      this.codes[i] = REREAD;
      reread = true;
    }
    if (reread) this.rereadBefore = n;
  }

  private storeF64(v: number): void {
    if (this.length === this.f64.length) {
      this.capacity = grownCapacity(this.length);
      this.f64 = resizeF64(this.f64, this.capacity, this.length);
    }
    this.f64[this.length++] = v;
  }

  private storeCode(code: number): void {
    if (this.length === this.codes.length) {
      this.capacity = grownCapacity(this.length);
      this.codes = resizeI32(this.codes, this.capacity, this.length);
    }
    this.codes[this.length++] = code;
  }
}

/** x1.5: the row estimate usually leaves little to grow, so slack stays small. */
function grownCapacity(n: number): number {
  return Math.max(16, Math.ceil(n * 1.5));
}

function nanArray(n: number): Float64Array {
  return new Float64Array(n).fill(NaN);
}

/** Slots past `used` are written before they are read, so they are not filled. */
function resizeF64(a: Float64Array, size: number, used: number): Float64Array {
  const b = new Float64Array(size);
  b.set(a.subarray(0, used));
  return b;
}

function resizeI32(a: Int32Array, size: number, used: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a.subarray(0, used));
  return b;
}

/**
 * Exact length; copies when the slack is worth giving back. The reserve is
 * estimated from the first chunk, whose rows are often shorter (ids with
 * fewer digits): ~10% over is usual, and copying a million-row column costs
 * more than keeping that slack until the table is dropped.
 */
function trimF64(a: Float64Array, n: number): Float64Array {
  if (a.length === n) return a;
  return a.length - n > (n >> 2) ? a.slice(0, n) : a.subarray(0, n);
}

function trimI32(a: Int32Array, n: number): Int32Array {
  if (a.length === n) return a;
  return a.length - n > (n >> 2) ? a.slice(0, n) : a.subarray(0, n);
}

/** Renumbers codes so the dictionary lists values in row order, as without a switch. */
function inFirstAppearanceOrder(codes: Int32Array, dictionary: string[]): [Int32Array, string[]] {
  const remap = new Int32Array(dictionary.length).fill(-1);
  const ordered: string[] = [];
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c < 0) continue;
    let m = remap[c];
    if (m < 0) {
      m = ordered.length;
      remap[c] = m;
      ordered.push(dictionary[c]);
    }
    codes[i] = m;
  }
  return [codes, ordered];
}
