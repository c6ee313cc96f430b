/**
 * Messages between the extension and the drift report webview, and the
 * report shape the webview renders. Types only: the webview bundle imports
 * this file, so it must not pull in src/core (the shape is copied from
 * src/core/drift/report/types.ts, format version 1; keep them in step).
 */

export type DriftPanelTest = 'ks' | 'chisquare' | 'wasserstein' | 'psi' | 'jensenshannon';

export interface DriftPanelNumericHistogram {
  kind: 'numeric';
  /** bins + 1 edges shared by both sides. */
  edges: number[];
  reference: number[];
  current: number[];
}

export interface DriftPanelCategoricalHistogram {
  kind: 'categorical';
  categories: string[];
  reference: number[];
  current: number[];
  /** The categories not listed, pooled. */
  other?: { categories: number; reference: number; current: number };
}

export type DriftPanelHistogram = DriftPanelNumericHistogram | DriftPanelCategoricalHistogram;

export interface DriftPanelColumn {
  name: string;
  type: 'numeric' | 'categorical';
  test: DriftPanelTest;
  /** May be Infinity or NaN: postMessage (structured clone) keeps them. */
  statistic: number;
  pvalue?: number;
  distance?: number;
  threshold: number;
  drifted: boolean;
  referenceSize: number;
  currentSize: number;
  missing: { reference: number; current: number };
  newCategories?: string[];
  missingCategories?: string[];
  warnings: string[];
  histogram: DriftPanelHistogram;
}

/** A DriftReport (version 1) as plain data. */
export interface DriftPanelReport {
  version: 1;
  reference: { path: string; rows: number };
  current: { path: string; rows: number };
  share: number;
  driftedShare: number;
  datasetDrift: boolean;
  /** Why the dataset drifts whatever the share: columns on one side only, nothing compared. */
  problems: string[];
  columns: DriftPanelColumn[];
  skipped: { name: string; reason: string }[];
  missingColumns: string[];
  newColumns: string[];
  warnings: string[];
  durationMs: number;
}

/** Extension → webview. */
export type DriftPanelToWebview =
  | {
    type: 'report';
    payload: {
      report: DriftPanelReport;
      title: string;
      /** Absolute path of the report file, when it came from one (for "open file"). */
      source?: string;
    };
  }
  /** A report that could not be shown: the file (as the user knows it) and what is wrong with it. */
  | { type: 'error'; payload: DriftPanelError };

export interface DriftPanelError {
  title: string;
  /** The report file, workspace-relative, or where the report came from ("stage drift, run 12"). */
  file: string;
  message: string;
}

/** Webview → extension. */
export type DriftPanelFromWebview =
  | { type: 'ready' }
  /** Open a file named in the report (reference, current, or the report itself). */
  | { type: 'openFile'; payload: { path: string } }
  /** The webview rendered a report (tests and logs read the time it took). */
  | { type: 'rendered'; payload: { columns: number; ms: number } };

/** Sort keys of the per-column table. */
export type DriftPanelSortKey = 'name' | 'type' | 'test' | 'statistic' | 'score' | 'threshold' | 'drifted';

/** What the webview keeps in vscode.setState so a reload restores the view. */
export interface DriftPanelState {
  selected?: string;
  sort: { key: DriftPanelSortKey; dir: 'asc' | 'desc' };
  /** The last report shown, so a revived panel renders before the extension answers. */
  last?: Extract<DriftPanelToWebview, { type: 'report' }>['payload'];
}
