/**
 * Messages between the extension and the experiment comparison webview, and
 * the run shape it renders. Types only: the webview bundle imports this
 * file, so it must not pull in src/core (the run shape is a flattened
 * src/core/run/record.ts RunRecord; keep them in step).
 */

export type CompareParamValue = number | string | boolean | null;
export type CompareGoal = 'max' | 'min';

export interface CompareRun {
  id: string;
  name?: string;
  status: string;
  startedAt: string;
  branch?: string;
  commit?: string;
  /** Flattened (dotted) params as the run used them. */
  params: Record<string, CompareParamValue>;
  /** Flattened metrics ("accuracy", "train.loss"); NaN survives postMessage. */
  metrics: Record<string, number>;
  /** Each metric as text, formatted by the extension with the one metric rule (src/core/metric-format.ts). */
  metricText?: Record<string, string>;
  /** stage -> rows with a `step` and one number per series. */
  history?: Record<string, Array<Record<string, number>>>;
  /** stage -> feature dependencies or model importances the run recorded (RunRecord.importance). */
  importance?: Record<string, CompareImportance[]>;
  /** The run going now ("running now"): its history grows as 'live' messages arrive; it becomes the recorded run when it ends. */
  live?: boolean;
}

export interface CompareImportance {
  feature: string;
  importance: number;
  std?: number;
}

export interface ComparePayload {
  runs: CompareRun[];
  /** The run differences are measured against; none: no deltas are shown. */
  baselineId?: string;
  /** Metric goals from the pipeline's `metrics:` section (better/worse colouring). */
  goals: Record<string, CompareGoal>;
  /** The pipeline file the runs belong to (the extension follows its running run). */
  pipeline?: string;
}

/**
 * The running run's stages logged points: each such stage's history as it
 * is now (at most a few messages a second). The extension applies the
 * points to its copy of the payload, so a reload or a late 'ready' loses none.
 */
export interface CompareLive {
  /** The run they belong to (a CompareRun with live: true). */
  run: string;
  /** stage -> its rows as they are now (`{ step, loss, ... }` by step; thinned past a few thousand). */
  history: Record<string, Array<Record<string, number>>>;
  /** Points logged since the previous message. */
  points: number;
  /** The highest step logged so far. */
  step?: number;
  /** When the engine made the oldest update in this message (ms since the epoch): tests and the bench read the latency. */
  at: number;
}

/** Extension → webview. */
export type ComparePanelToWebview =
  | { type: 'runs'; payload: ComparePayload }
  | { type: 'live'; payload: CompareLive };

/** Webview → extension. */
export type ComparePanelFromWebview =
  | { type: 'ready' }
  | { type: 'applyParams'; payload: { runId: string } }
  | { type: 'pinBaseline'; payload: { runId: string } }
  | { type: 'exportCsv'; payload: { csv: string } }
  /** A chart as a PNG data: URL; `name` suggests the file name. */
  | { type: 'exportPng'; payload: { dataUrl: string; name: string } }
  /** First complete render of a payload (tests and the bench read the time). */
  | { type: 'rendered'; payload: { runs: number; ms: number } }
  /** A 'live' message was drawn: points applied, the history chart redrawn (tests read when). */
  | { type: 'liveDrawn'; payload: { run: string; points: number; at: number } };

/** A table column: the run, its status, or one param or metric. */
export type CompareColumnKey = 'name' | 'status' | `param:${string}` | `metric:${string}`;

/** What the webview keeps in vscode.setState so a reload restores the view. */
export interface ComparePanelState {
  selected: string[];
  /** The anchor of Shift-click range selection. */
  anchor?: string;
  sort: { key: CompareColumnKey; dir: 'asc' | 'desc' };
  onlyDiff: boolean;
  /** The chosen chart axes. */
  barMetric?: string;
  /** The bar chart's value axis starts at zero (default: from the data range). */
  barFromZero?: boolean;
  historyStage?: string;
  historySeries?: string;
  scatterX?: string;
  scatterY?: string;
  /** The stage whose importances the importance chart shows. */
  importanceStage?: string;
  scrollTop?: number;
  /** The last payload, so a revived panel renders before the extension answers. */
  last?: ComparePayload;
}
