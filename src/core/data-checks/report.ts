/**
 * What a `data` stage reports: one CheckResult per expectation, in the order
 * of the `expect` block, so the log, the stored report and the UI agree.
 */

/** A failing row: its number and the value found there (as text, "" when missing). */
export interface Example {
  /**
   * Numbered like the readers' DataError rows: for CSV the header is row 1,
   * so the first data row is 2 (the file's line number unless a quoted field
   * spans lines); for JSON Lines and Parquet the n-th record is row n.
   */
  row: number;
  value: string;
}

export interface CheckResult {
  /** Stable: "file.readable", "rows.min", "columns.tenure.type", "columns.tenure.quantiles.0.5". */
  id: string;
  /** Short, for a list: "tenure ≤ 120". */
  title: string;
  column?: string;
  passed: boolean;
  /** The bound as set: "≤ 120", "[10, 40]", "one of basic, plus, pro". */
  expected: string;
  /** What was measured: "131", "3 missing", "2 unexpected values". */
  actual: string;
  /** A sentence for a person: "tenure: 3 values above the maximum 120 (largest 131 at row 42)". */
  message: string;
  /** The measured number (statistic, count, extreme), unrounded, when there is one. */
  value?: number;
  /** Up to MAX_EXAMPLES failing rows, in file order. */
  examples?: Example[];
}

export interface DataCheckReport {
  /** The file as the pipeline names it (expect.file), else the path checked. */
  file: string;
  /** Data rows (the CSV header not counted); 0 when the file could not be read. */
  rows: number;
  /**
   * The file's columns: the CSV header, or for JSON Lines and Parquet the
   * columns read (the checked ones; all of them when a checked one is missing).
   */
  columns: string[];
  durationMs: number;
  checks: CheckResult[];
  /** Every check passed. */
  passed: boolean;
}

export const MAX_EXAMPLES = 5;
