/**
 * Messages between the extension and the Plots webview. Types only (erased
 * at build): the plot shapes are src/core/plots/types.ts, the same data
 * `mlci plots --format json` writes, plus each run's metric histories as
 * plots (src/core/plots/history.ts).
 */
import type { PlotData, RunPlots } from '../core/plots/types';

export type { PlotData, RunPlots };

/** One column of the panel: a recorded run, or the run going now (`live`). */
export interface PlotsRun extends RunPlots {
  /** The run is going: its history plots grow as 'live' messages arrive. */
  live?: boolean;
}

export interface PlotsPayload {
  /** The panel's heading ("Plots: train", "Plots: 3 runs"). */
  title: string;
  runs: PlotsRun[];
  /** The pipeline file the runs belong to (the extension follows its live runs). */
  pipeline?: string;
  /** Only this stage's plots (opened from a stage in the Pipelines view). */
  stage?: string;
}

/**
 * A running stage logged points: its history plot as it is now (the
 * extension applies the points, so a reload or a late 'ready' loses none).
 */
export interface PlotsLive {
  /** The run they belong to (a PlotsRun with live: true). */
  run: string;
  stage: string;
  step?: number;
  plot: Extract<PlotData, { kind: 'xy' }>;
  /** Points logged since the previous message. */
  points: number;
  /** When the engine made the update (ms since the epoch): the bench reads the latency. */
  at: number;
}

/** Extension → webview. */
export type PlotsPanelToWebview =
  | { type: 'plots'; payload: PlotsPayload }
  | { type: 'live'; payload: PlotsLive };

/** Webview → extension. */
export type PlotsPanelFromWebview =
  | { type: 'ready' }
  /** A chart as a PNG data: URL; `name` suggests the file name. */
  | { type: 'exportPng'; payload: { dataUrl: string; name: string } }
  /** The data behind a plot as CSV (run, series, x, y / run, actual, predicted, count / ...). */
  | { type: 'exportData'; payload: { csv: string; name: string } }
  /** First complete render of a payload: plot cards, charts drawn (the ones in view), page time. */
  | { type: 'rendered'; payload: { plots: number; runs: number; charts: number; ms: number } }
  /** A live message was drawn (tests and the bench read when). */
  | { type: 'liveDrawn'; payload: { run: string; stage: string; points: number; at: number } };

export type PlotsLayout = 'overlay' | 'side';

/** What the webview keeps in vscode.setState so a reload restores the view. */
export interface PlotsPanelState {
  /** Line charts of several runs in one chart (overlay) or one chart per run (side). */
  layout: PlotsLayout;
  /** Only plots whose title, path or stage contains this text. */
  filter: string;
  scrollTop?: number;
  /** The last payload (when small enough), so a revived panel renders before the extension answers. */
  last?: PlotsPayload;
}
