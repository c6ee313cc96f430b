/**
 * Matching missing-value markers against field bytes without decoding:
 * markers are encoded once and compared only with fields of equal length.
 */
import { DEFAULT_MISSING } from './table';

export class MissingMatcher {
  private readonly byLength: (Uint8Array[] | undefined)[] = [];
  private readonly maxLength: number;
  /** 1 for each byte that starts some marker: most fields are ruled out by one lookup. */
  private readonly firstBytes = new Uint8Array(256);
  readonly emptyIsMissing: boolean;

  constructor(markers: readonly string[] = DEFAULT_MISSING, encoding: BufferEncoding = 'utf8') {
    let max = 0;
    let empty = false;
    for (const marker of markers) {
      const bytes = Buffer.from(marker, encoding);
      if (bytes.length === 0) {
        empty = true;
        continue;
      }
      (this.byLength[bytes.length] ??= []).push(bytes);
      this.firstBytes[bytes[0]] = 1;
      max = Math.max(max, bytes.length);
    }
    this.maxLength = max;
    this.emptyIsMissing = empty;
  }

  test(buf: Uint8Array, start: number, end: number): boolean {
    const len = end - start;
    if (len === 0) return this.emptyIsMissing;
    if (len > this.maxLength || this.firstBytes[buf[start]] === 0) return false;
    const candidates = this.byLength[len];
    if (candidates === undefined) return false;
    outer: for (const m of candidates) {
      for (let k = 0; k < len; k++) if (m[k] !== buf[start + k]) continue outer;
      return true;
    }
    return false;
  }
}
