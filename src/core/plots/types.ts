/**
 * Plots as mlci loads them: what a stage declared (the pipeline's `plots:`),
 * what a run kept of each (PlotRecord in run.json), and the data a renderer
 * draws (PlotData). A plot that cannot be drawn carries its own error; the
 * other plots of the run are unaffected.
 */
import type { Plot } from '../pipeline/model';

export type { Plot };

/** The file kinds plots read: data drawn with a template, or an image shown as it is. */
export type PlotFileKind = 'csv' | 'tsv' | 'json' | 'jsonl' | 'png' | 'jpeg' | 'svg';

/** One plot of one stage as kept with a run (`record.plots`): its declaration, and where the copy is. */
export interface PlotRecord extends Plot {
  stage: string;
  /** The copy kept in the run folder, relative to it (absent when it could not be kept). */
  file?: string;
  /** Why it was not kept (missing, too large, outside the workspace). */
  error?: string;
}

export interface SeriesPoint {
  x: number;
  y: number;
}

/** One line (or bar set) of a plot: a y field of one run. */
export interface Series {
  /** The y field. */
  name: string;
  points: SeriesPoint[];
  /** Points in the file before downsampling (equal to points.length when none). */
  total: number;
}

interface PlotBase {
  /** Stable id across runs: `stage:path` (or the path alone for the workspace). */
  id: string;
  path: string;
  stage?: string;
  title: string;
  /** Things the reader should know that did not stop the plot (a last line still being written). */
  notes: string[];
}

/** linear, scatter, smooth, simple, roc, precision_recall. */
export interface XYPlotData extends PlotBase {
  kind: 'xy';
  template: 'linear' | 'scatter' | 'smooth' | 'simple' | 'roc' | 'precision_recall';
  xLabel: string;
  yLabel: string;
  series: Series[];
}

/** bar: a category on x (labels), numbers per y field. */
export interface BarPlotData extends PlotBase {
  kind: 'bar';
  template: 'bar';
  xLabel: string;
  yLabel: string;
  labels: string[];
  series: Array<{ name: string; values: number[] }>;
}

/** confusion / confusion_normalized: rows are actual (x), columns predicted (y). */
export interface ConfusionPlotData extends PlotBase {
  kind: 'confusion';
  template: 'confusion' | 'confusion_normalized';
  xLabel: string;
  yLabel: string;
  labels: string[];
  /** counts[actual][predicted] */
  counts: number[][];
  normalized: boolean;
}

export interface ImagePlotData extends PlotBase {
  kind: 'image';
  mime: 'image/png' | 'image/jpeg' | 'image/svg+xml';
  /** base64 of the file. */
  data: string;
  bytes: number;
}

/** A plot that could not be drawn: the message says which file and what to fix. */
export interface PlotError extends PlotBase {
  kind: 'error';
  error: string;
}

export type PlotData = XYPlotData | BarPlotData | ConfusionPlotData | ImagePlotData | PlotError;

/** The plots of one run (or of the workspace) for `mlci plots` and the Plots panel. */
export interface RunPlots {
  /** Run id, or 'workspace'. */
  run: string;
  label: string;
  plots: PlotData[];
}

export const PLOTS_JSON_VERSION = 1;
