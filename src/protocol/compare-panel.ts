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
}

/** Extension → webview. */
export type ComparePanelToWebview = { type: 'runs'; payload: ComparePayload };

/** Webview → extension. */
export type ComparePanelFromWebview =
  | { type: 'ready' }
  | { type: 'applyParams'; payload: { runId: string } }
  | { type: 'pinBaseline'; payload: { runId: string } }
  | { type: 'exportCsv'; payload: { csv: string } }
  /** A chart as a PNG data: URL; `name` suggests the file name. */
  | { type: 'exportPng'; payload: { dataUrl: string; name: string } }
  /** First complete render of a payload (tests and the bench read the time). */
  | { type: 'rendered'; payload: { runs: number; ms: number } };

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
