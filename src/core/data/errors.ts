/**
 * DataError: the one error type the data readers throw. The message always
 * starts with the file (as the caller named it) so a log line alone says
 * where to look; the fields carry the same position for diagnostics.
 *
 * Positions: `row` counts records 1-based with the CSV header as row 1
 * (JSONL: the n-th object); `line` is the 1-based physical line, given when
 * it can differ from the row (quoted newlines, skipped blank lines);
 * `column` is the 1-based byte column on that line; `field` names the data
 * column when one is involved; `offset` is the 0-based byte offset in the file.
 */

export type DataErrorCode =
  | 'not-found'
  | 'io'
  | 'unknown-format'
  | 'empty-file'
  | 'ragged-row'
  | 'row-too-long'
  | 'unclosed-quote'
  | 'invalid-utf8'
  | 'bad-json'
  | 'not-an-object'
  | 'unknown-column'
  | 'type-mismatch'
  | 'parquet'
  | 'invalid-option';

export interface DataErrorInit {
  file: string;
  code: DataErrorCode;
  /** The message without the file prefix. */
  detail: string;
  row?: number;
  line?: number;
  column?: number;
  field?: string;
  offset?: number;
}

export class DataError extends Error {
  readonly file: string;
  readonly code: DataErrorCode;
  readonly row?: number;
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;
  readonly offset?: number;

  constructor(init: DataErrorInit, options?: { cause?: unknown }) {
    super(`${init.file}: ${init.detail}`, options);
    this.name = 'DataError';
    this.file = init.file;
    this.code = init.code;
    if (init.row !== undefined) this.row = init.row;
    if (init.line !== undefined) this.line = init.line;
    if (init.column !== undefined) this.column = init.column;
    if (init.field !== undefined) this.field = init.field;
    if (init.offset !== undefined) this.offset = init.offset;
  }
}

/** "64 MiB" for whole MiB, else bytes: the bound is shown as the user set it. */
export function formatBytes(n: number): string {
  const mib = 1024 * 1024;
  if (n >= mib && n % mib === 0) return `${n / mib} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** Closest name within a small edit distance, for "did you mean" hints. */
export function closestName(wanted: string, names: readonly string[]): string | undefined {
  const w = wanted.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 3)) + 1;
  for (const name of names) {
    const d = editDistance(w, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The error for a requested column the file does not have. */
export function unknownColumnError(file: string, wanted: string, available: readonly string[]): DataError {
  const guess = closestName(wanted, available);
  const hint = guess !== undefined ? ` (did you mean "${guess}"?)` : '';
  const list = available.length > 0 ? available.map((n) => `"${n}"`).join(', ') : '(none)';
  return new DataError({
    file,
    code: 'unknown-column',
    field: wanted,
    detail: `no column "${wanted}"${hint}; the columns are ${list}`,
  });
}
