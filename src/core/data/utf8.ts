/**
 * Streaming UTF-8 validation. Node's `isUtf8` (simdutf) checks whole chunks
 * at memory speed; the exact JS check below only runs to locate the first
 * bad byte once a chunk failed, and to join a sequence that a chunk boundary
 * cut in two (up to 3 bytes carried over).
 */
import { isUtf8 } from 'node:buffer';

/**
 * Length of the well-formed UTF-8 sequence starting at buf[i] (Unicode
 * Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF),
 * 0 if it is ill-formed, -1 if it is a valid prefix cut by `end`.
 */
export function utf8SequenceLength(buf: Uint8Array, i: number, end: number): number {
  const b = buf[i];
  if (b < 0x80) return 1;
  let len: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) len = 2;
  else if (b === 0xe0) { len = 3; lo = 0xa0; }
  else if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) len = 3;
  else if (b === 0xed) { len = 3; hi = 0x9f; }
  else if (b === 0xf0) { len = 4; lo = 0x90; }
  else if (b >= 0xf1 && b <= 0xf3) len = 4;
  else if (b === 0xf4) { len = 4; hi = 0x8f; }
  else return 0;
  for (let k = 1; k < len; k++) {
    if (i + k >= end) return -1;
    const c = buf[i + k];
    if (c < lo || c > hi) return 0;
    lo = 0x80;
    hi = 0xbf;
  }
  return len;
}

/** Offset of the first ill-formed sequence in [start, end), or -1 (a cut tail counts as ill-formed). */
export function firstInvalidUtf8(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    if (buf[i] < 0x80) { i++; continue; }
    const n = utf8SequenceLength(buf, i, end);
    if (n <= 0) return i;
    i += n;
  }
  return -1;
}

/** Where a trailing sequence that the chunk end cuts short begins (or `end`). */
function incompleteTailStart(buf: Uint8Array, start: number, end: number): number {
  for (let i = end - 1; i >= start && i >= end - 3; i--) {
    const b = buf[i];
    if (b < 0x80) return end;
    if (b >= 0xc0) return utf8SequenceLength(buf, i, end) === -1 ? i : end;
  }
  return end;
}

/** Validates a byte stream chunk by chunk, carrying a cut sequence across chunks. */
export class Utf8StreamValidator {
  private pending: number[] = [];
  private pendingOffset = 0;

  /**
   * Feed the next chunk, whose first byte is at file offset `chunkOffset`.
   * Returns the file offset of the first ill-formed sequence, or -1.
   */
  feed(chunk: Uint8Array, chunkOffset: number): number {
    let from = 0;
    if (this.pending.length > 0) {
      const lead = this.pending.length;
      const joined = Uint8Array.from([...this.pending, ...chunk.subarray(0, 4 - lead)]);
      const n = utf8SequenceLength(joined, 0, joined.length);
      if (n === 0) return this.pendingOffset;
      if (n === -1) {
        // Still cut (tiny chunks): the whole chunk joins the pending sequence.
        this.pending = Array.from(joined);
        return -1;
      }
      from = n - lead;
      this.pending = [];
    }
    const tail = incompleteTailStart(chunk, from, chunk.length);
    if (tail > from && !isUtf8(chunk.subarray(from, tail))) {
      const bad = firstInvalidUtf8(chunk, from, tail);
      if (bad >= 0) return chunkOffset + bad;
    }
    if (tail < chunk.length) {
      this.pending = Array.from(chunk.subarray(tail));
      this.pendingOffset = chunkOffset + tail;
    }
    return -1;
  }

  /** At end of input: the offset of a sequence the file cuts short, or -1. */
  finish(): number {
    return this.pending.length > 0 ? this.pendingOffset : -1;
  }
}
