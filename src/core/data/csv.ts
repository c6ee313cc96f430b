/**
 * Byte-level streaming CSV tokenizer: RFC 4180 plus the leniency real files
 * need. It never builds strings itself: each field reaches the sink as a byte
 * range, so the columnar loader can parse numbers and intern categories
 * straight from the bytes (the fast path measured in drift-facts.md).
 *
 * Chunks can be cut anywhere (inside a quoted field, between CR and LF, inside
 * a UTF-8 sequence): the unfinished field is carried into a growable work
 * buffer and scanning resumes where it stopped, so the result does not depend
 * on chunk sizes. Rows are bounded (maxRowBytes) so a file without line ends
 * fails with a message instead of exhausting memory.
 *
 * Decisions where RFC 4180 is silent (each matches Python's csv module):
 * - a `"` inside an unquoted field is a literal character;
 * - bytes after a closing quote and before the delimiter are kept literally;
 * - line ends are LF, CRLF or a bare CR, inside quotes kept as they are;
 * - blank lines are skipped (like pandas), so rows and lines can differ.
 */
import { DataError, formatBytes } from './errors';
import { Utf8StreamValidator } from './utf8';

export type Delimiter = ',' | ';' | '\t' | '|';
export type Ragged = 'error' | 'pad' | 'keep';
export type TextEncoding = 'utf-8' | 'latin1';

export interface CsvOptions {
  /** 'auto' (default) sniffs the first 64 KiB. */
  delimiter?: Delimiter | 'auto';
  /** 'utf-8' (default) validates every byte; 'latin1' is ISO-8859-1. */
  encoding?: TextEncoding;
  /**
   * Records whose field count differs from the header's: 'error' (default);
   * 'pad' fills short rows with empty fields and still rejects long ones
   * (as pandas does); 'keep' passes records as they are.
   */
  ragged?: Ragged;
  /** Longest row accepted, in bytes (default 64 MiB). */
  maxRowBytes?: number;
  /** How errors name the file. */
  file?: string;
  /**
   * The bytes pushed start at a record boundary after the header, not at the
   * start of the file (one part of a file read in parts, csv-parts.ts): no
   * BOM, no sniffing (the delimiter must be given), and records are checked
   * against a header of `headerFields` fields. Rows and lines in errors count
   * from the part, so a caller reads the file whole again to report one.
   */
  continuation?: { headerFields: number; offset: number };
}

/** Receives fields as byte ranges; the bytes are only valid during the call. */
export interface FieldSink {
  field(index: number, buf: Buffer, start: number, end: number): void;
  /** The record is complete; `fieldCount` fields were passed to field(). */
  endRecord(fieldCount: number): void;
}

export const DEFAULT_MAX_ROW_BYTES = 64 * 1024 * 1024;
/** Bytes held back before scanning, to strip a BOM and sniff the delimiter. */
export const SNIFF_BYTES = 64 * 1024;
const SNIFF_LINES = 20;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const DELIMITERS: readonly number[] = [0x2c, 0x3b, 0x09, 0x7c]; // , ; \t |

const S_FIELD_START = 0;
const S_UNQUOTED = 1;
const S_QUOTED = 2;
const S_QUOTE_IN_QUOTED = 3; // saw `"` inside quotes: escape or closing quote
const S_AFTER_CLOSE = 4;

const EMPTY = Buffer.alloc(0);

export class CsvTokenizer {
  readonly file: string;
  /** The delimiter byte in use (-1 until sniffed). */
  delimiter = -1;

  private readonly sink: FieldSink;
  private readonly ragged: Ragged;
  private readonly maxRowBytes: number;
  private readonly validator: Utf8StreamValidator | null;

  private head: Buffer[] = [];
  private headLen = 0;
  private started = false;
  private ended = false;
  private nextOffset = 0; // file offset of the next byte pushed

  // The unfinished field carried over from the previous chunk.
  private work: Buffer = Buffer.allocUnsafe(4096);
  private workLen = 0;
  private base = 0; // file offset of work[0]
  private scratch: Buffer = Buffer.allocUnsafe(4096);

  private state = S_FIELD_START;
  private fieldStart = 0;
  private fieldIndex = 0;
  private needsUnescape = false;
  private afterCR = false;

  private records = 0;
  private headerCount = -1;
  private emitLimit = Infinity; // fields at this index or beyond are counted, not passed on
  private line = 1;
  private lineStart = 0; // file offset
  private recordLine = 1;
  private recordStart = 0; // file offset
  private quoteLine = 0;
  private quoteColumn = 0;

  constructor(sink: FieldSink, options: CsvOptions = {}) {
    this.sink = sink;
    this.file = options.file ?? '<csv>';
    this.ragged = options.ragged ?? 'error';
    this.maxRowBytes = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
    this.validator = (options.encoding ?? 'utf-8') === 'utf-8' ? new Utf8StreamValidator() : null;
    const d = options.delimiter ?? 'auto';
    if (d !== 'auto') {
      if (!(DELIMITERS as number[]).includes(d.charCodeAt(0)) || d.length !== 1) {
        throw new DataError({ file: this.file, code: 'invalid-option', detail: `delimiter must be one of , ; tab | or 'auto', not ${JSON.stringify(d)}` });
      }
      this.delimiter = d.charCodeAt(0);
    }
    const cont = options.continuation;
    if (cont !== undefined) {
      if (this.delimiter < 0) throw new Error('CsvTokenizer: a continuation needs its delimiter');
      this.started = true;
      this.records = 1; // the header, read by whoever read the first part
      this.headerCount = cont.headerFields;
      if (this.ragged !== 'keep') this.emitLimit = cont.headerFields;
      this.nextOffset = this.lineStart = this.recordStart = this.base = cont.offset;
    }
  }

  /**
   * Between records, nothing carried over: where a following part may start.
   * Bytes still held back for sniffing are scanned first (a part shorter
   * than SNIFF_BYTES).
   */
  atRecordBoundary(): boolean {
    if (!this.started && !this.ended) this.start(false);
    return this.state === S_FIELD_START && this.fieldIndex === 0 && this.workLen === 0 && !this.afterCR;
  }

  /** Records completed so far, the header included. */
  get recordCount(): number {
    return this.records;
  }

  /** 1-based row and line of the record being read, for errors raised by a sink. */
  position(): { row: number; line: number } {
    const betweenRecords = this.fieldIndex === 0 && this.state === S_FIELD_START;
    return { row: this.records + 1, line: betweenRecords ? this.line : this.recordLine };
  }

  push(chunk: Buffer): void {
    if (this.ended) throw new Error('CsvTokenizer.push after end');
    if (chunk.length === 0) return;
    if (!this.started) {
      this.head.push(Buffer.from(chunk)); // a copy: the caller may refill its buffer (fileChunks' reuse)
      this.headLen += chunk.length;
      if (this.headLen >= SNIFF_BYTES) this.start(false);
      return;
    }
    this.consume(chunk);
  }

  end(): void {
    if (this.ended) return;
    if (!this.started) this.start(true);
    this.ended = true;
    const bad = this.validator?.finish() ?? -1;
    if (bad >= 0) throw this.utf8Error(bad, -1);
    const buf = this.work;
    const end = this.workLen;
    switch (this.state) {
      case S_FIELD_START:
        // "a,b," at EOF: the trailing delimiter opens one more (empty) field.
        if (this.fieldIndex > 0) {
          this.emit(EMPTY, 0, 0);
          this.endRecord(this.base + end);
        }
        break;
      case S_UNQUOTED:
        this.emit(buf, this.fieldStart, end);
        this.endRecord(this.base + end);
        break;
      case S_QUOTED:
        throw new DataError({
          file: this.file,
          code: 'unclosed-quote',
          row: this.records + 1,
          line: this.quoteLine,
          column: this.quoteColumn,
          detail: `row ${this.records + 1}: unclosed quote: the quoted field that opens at line ${this.quoteLine}, column ${this.quoteColumn} (field ${this.fieldIndex + 1}) is still open at the end of the file`,
        });
      default: // S_QUOTE_IN_QUOTED (closing quote was the last byte) or S_AFTER_CLOSE
        this.emitQuoted(buf, this.fieldStart, end);
        this.endRecord(this.base + end);
    }
    this.workLen = 0;
    if (this.records === 0) {
      throw new DataError({ file: this.file, code: 'empty-file', detail: 'empty file: no header row' });
    }
  }

  private start(atEnd: boolean): void {
    this.started = true;
    let data = this.head.length === 1 ? this.head[0] : Buffer.concat(this.head, this.headLen);
    this.head = [];
    if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
      data = data.subarray(3);
      this.nextOffset = 3;
      this.lineStart = 3;
      this.recordStart = 3;
    }
    if (this.delimiter < 0) {
      this.delimiter = sniffDelimiter(data.subarray(0, SNIFF_BYTES), atEnd && data.length <= SNIFF_BYTES);
    }
    if (data.length > 0) this.consume(data);
  }

  private consume(chunk: Buffer): void {
    const chunkOffset = this.nextOffset;
    this.nextOffset += chunk.length;
    let limit = chunk.length;
    let bad = -1;
    if (this.validator !== null) {
      bad = this.validator.feed(chunk, chunkOffset);
      if (bad >= 0) limit = Math.max(0, bad - chunkOffset);
    }
    let buf: Buffer;
    let pos: number;
    let end: number;
    let bufBase: number;
    if (this.workLen === 0) {
      buf = chunk;
      pos = 0;
      end = limit;
      bufBase = chunkOffset;
    } else {
      this.reserveWork(this.workLen + limit);
      chunk.copy(this.work, this.workLen, 0, limit);
      buf = this.work;
      pos = this.workLen;
      end = this.workLen + limit;
      bufBase = this.base;
    }
    this.scan(buf, pos, end, bufBase);
    if (bad >= 0) throw this.utf8Error(bad, bad >= chunkOffset ? chunk[bad - chunkOffset] : -1);

    // Carry the unfinished field (if any) to the front of the work buffer.
    const keep = this.state === S_FIELD_START ? end : this.fieldStart;
    const carry = end - keep;
    if (carry > 0) {
      if (buf === this.work) {
        if (keep > 0) this.work.copyWithin(0, keep, end);
      } else {
        this.reserveWork(carry);
        buf.copy(this.work, 0, keep, end);
      }
    }
    this.workLen = carry;
    this.base = bufBase + keep;
    this.fieldStart -= keep;
    const betweenRecords = this.state === S_FIELD_START && this.fieldIndex === 0;
    if (!betweenRecords && bufBase + end - this.recordStart > this.maxRowBytes) throw this.rowTooLong();
  }

  private reserveWork(size: number): void {
    if (size <= this.work.length) return;
    // Doubling, but not far past the row bound: a row that long fails anyway.
    const grown = Buffer.allocUnsafe(Math.max(size, Math.min(this.work.length * 2, this.maxRowBytes + 4 * 1024 * 1024)));
    this.work.copy(grown, 0, 0, this.workLen);
    this.work = grown;
  }

  /** The state machine over buf[pos, end); all positions are indexes into buf. */
  private scan(buf: Buffer, pos: number, end: number, bufBase: number): void {
    const d = this.delimiter;
    let state = this.state;
    let i = pos;
    while (i < end) {
      if (state === S_FIELD_START) {
        const c = buf[i];
        if (this.afterCR) {
          this.afterCR = false;
          if (c === LF) {
            i++;
            this.lineStart = bufBase + i;
            continue;
          }
        }
        if (this.fieldIndex === 0) {
          this.recordStart = bufBase + i;
          this.recordLine = this.line;
        }
        this.fieldStart = i;
        if (c === QUOTE) {
          state = S_QUOTED;
          this.needsUnescape = false;
          this.quoteLine = this.line;
          this.quoteColumn = bufBase + i - this.lineStart + 1;
          i++;
        } else if (c === d) {
          this.emit(buf, i, i);
          i++;
        } else if (c === LF || c === CR) {
          if (this.fieldIndex > 0) {
            this.emit(buf, i, i);
            this.endRecord(bufBase + i);
          } // else: a blank line, skipped
          this.newline(c, bufBase + i);
          i++;
        } else {
          state = S_UNQUOTED;
          i++;
        }
      } else if (state === S_UNQUOTED) {
        let c = 0;
        while (i < end) {
          c = buf[i];
          if (c === d || c === LF || c === CR) break;
          i++;
        }
        if (i === end) break;
        this.emit(buf, this.fieldStart, i);
        i++;
        if (c === d) {
          // Fast path (most fields): an ordinary byte after the delimiter starts
          // an unquoted field, which is what S_FIELD_START would conclude.
          if (i < end) {
            const next = buf[i];
            if (next !== QUOTE && next !== d && next !== LF && next !== CR) {
              this.fieldStart = i;
              i++;
              continue;
            }
          }
        } else {
          this.endRecord(bufBase + i - 1);
          this.newline(c, bufBase + i - 1);
        }
        state = S_FIELD_START;
      } else if (state === S_QUOTED) {
        while (i < end) {
          const c = buf[i];
          if (c === QUOTE) break;
          if (c === LF) {
            if (buf[i - 1] !== CR) this.line++; // buf[i-1] exists: the opening quote is kept
            this.lineStart = bufBase + i + 1;
          } else if (c === CR) {
            this.line++;
            this.lineStart = bufBase + i + 1;
          }
          i++;
        }
        if (i === end) break;
        state = S_QUOTE_IN_QUOTED;
        i++;
      } else if (state === S_QUOTE_IN_QUOTED) {
        if (buf[i] === QUOTE) {
          this.needsUnescape = true;
          state = S_QUOTED;
          i++;
        } else {
          state = S_AFTER_CLOSE; // this byte is looked at again below
        }
      } else {
        const c = buf[i];
        if (c === d || c === LF || c === CR) {
          this.emitQuoted(buf, this.fieldStart, i);
          if (c !== d) {
            this.endRecord(bufBase + i);
            this.newline(c, bufBase + i);
          }
          state = S_FIELD_START;
        } else {
          this.needsUnescape = true; // `"a"b` keeps b, as Python's csv does
        }
        i++;
      }
    }
    this.state = state;
  }

  private newline(c: number, offset: number): void {
    this.line++;
    this.lineStart = offset + 1;
    if (c === CR) this.afterCR = true;
  }

  private emit(buf: Buffer, start: number, end: number): void {
    const index = this.fieldIndex++;
    // Past the header width, fields are only counted (for the error) unless kept.
    if (index < this.emitLimit) this.sink.field(index, buf, start, end);
  }

  /** A quoted field from its opening quote to just before the delimiter. */
  private emitQuoted(buf: Buffer, rawStart: number, rawEnd: number): void {
    if (!this.needsUnescape) {
      this.emit(buf, rawStart + 1, rawEnd - 1);
      return;
    }
    if (this.scratch.length < rawEnd - rawStart) this.scratch = Buffer.allocUnsafe(Math.max(rawEnd - rawStart, this.scratch.length * 2));
    const out = this.scratch;
    let n = 0;
    let inQuotes = true;
    for (let j = rawStart + 1; j < rawEnd; j++) {
      const c = buf[j];
      if (inQuotes && c === QUOTE) {
        if (j + 1 < rawEnd && buf[j + 1] === QUOTE) {
          out[n++] = QUOTE;
          j++;
        } else {
          inQuotes = false;
        }
        continue;
      }
      out[n++] = c;
    }
    this.emit(out, 0, n);
  }

  /** `endOffset` is the file offset of the line end (or EOF) closing the record. */
  private endRecord(endOffset: number): void {
    const count = this.fieldIndex;
    const row = this.records + 1;
    if (endOffset - this.recordStart > this.maxRowBytes) throw this.rowTooLong();
    this.fieldIndex = 0;
    let emitted = count;
    if (this.headerCount < 0) {
      this.headerCount = count;
      if (this.ragged !== 'keep') this.emitLimit = count;
    } else if (count !== this.headerCount) {
      const m = this.headerCount;
      if (this.ragged === 'error' || (this.ragged === 'pad' && count > m)) {
        const at = this.recordLine !== row ? ` (line ${this.recordLine})` : '';
        const why = this.ragged === 'pad' ? "; ragged: 'pad' only fills short rows" : '';
        throw new DataError({
          file: this.file,
          code: 'ragged-row',
          row,
          line: this.recordLine,
          detail: `row ${row} has ${count} fields, header has ${m}${at}${why}`,
        });
      }
      if (this.ragged === 'pad') {
        for (let k = count; k < m; k++) this.sink.field(k, EMPTY, 0, 0);
        emitted = m;
      }
    }
    this.records = row;
    this.sink.endRecord(emitted);
  }

  private rowTooLong(): DataError {
    const row = this.records + 1;
    const open = this.state === S_QUOTED
      ? `; a quoted field opened at line ${this.quoteLine}, column ${this.quoteColumn} is still open (unbalanced quote?)`
      : '; no line end found (wrong delimiter, or not a CSV file?)';
    return new DataError({
      file: this.file,
      code: 'row-too-long',
      row,
      line: this.recordLine,
      detail: `row ${row} is longer than ${formatBytes(this.maxRowBytes)} (it starts at line ${this.recordLine})${open}`,
    });
  }

  private utf8Error(offset: number, byte: number): DataError {
    const row = this.records + 1;
    const column = offset - this.lineStart + 1;
    const what = byte >= 0 ? `invalid UTF-8 byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')}` : 'invalid UTF-8 sequence';
    return new DataError({
      file: this.file,
      code: 'invalid-utf8',
      row,
      line: this.line,
      column,
      offset,
      detail: `row ${row} (line ${this.line}, column ${column}): ${what} at byte offset ${offset}: the file is not UTF-8; if it is Latin-1 (ISO-8859-1), read it with encoding: 'latin1'`,
    });
  }
}

/**
 * The delimiter whose count outside quotes is the same on the first lines
 * (the most per line when several are consistent); failing that, the one
 * that matches the header's count on most lines; ',' if none occurs.
 * `whole` says the sample is the entire file, so its last line is complete.
 */
export function sniffDelimiter(sample: Uint8Array, whole: boolean): number {
  let best = DELIMITERS[0];
  let bestScore = -1;
  for (const d of DELIMITERS) {
    const counts = countPerLine(sample, d, whole);
    if (counts.length === 0 || counts[0] === 0) continue;
    const h = counts[0];
    const agreeing = counts.filter((c) => c === h).length;
    const consistent = agreeing === counts.length;
    // Consistency first, then agreement, then width; order breaks ties.
    const score = (consistent ? 1e9 : 0) + agreeing * 1e4 + Math.min(h, 9999);
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function countPerLine(sample: Uint8Array, d: number, whole: boolean): number[] {
  const counts: number[] = [];
  let count = 0;
  let lineHasBytes = false;
  let inQuotes = false;
  let atFieldStart = true;
  for (let i = 0; i < sample.length && counts.length < SNIFF_LINES; i++) {
    const c = sample[i];
    if (inQuotes) {
      if (c === QUOTE) {
        if (sample[i + 1] === QUOTE) i++;
        else inQuotes = false;
      }
      continue;
    }
    if (c === LF || c === CR) {
      if (lineHasBytes) counts.push(count);
      if (c === CR && sample[i + 1] === LF) i++;
      count = 0;
      lineHasBytes = false;
      atFieldStart = true;
      continue;
    }
    lineHasBytes = true;
    if (c === d) {
      count++;
      atFieldStart = true;
    } else {
      if (c === QUOTE && atFieldStart) inQuotes = true;
      atFieldStart = false;
    }
  }
  // A cut last line counts only when nothing else was seen or it really is the last.
  if (lineHasBytes && counts.length < SNIFF_LINES && (whole || counts.length === 0)) counts.push(count);
  return counts;
}
