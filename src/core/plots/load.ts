/**
 * One plot file -> PlotData, never a throw: a missing file, a malformed
 * one, a field that is not there or an image that is not an image becomes
 * a PlotError naming the file and what to fix, so the other plots still
 * render. The kind of file is told by its extension; the template decides
 * how data is drawn (linear when none is given, as in DVC).
 */
import path from 'node:path';
import { FILE_LIMITS, readRegularBytes } from '../files/regular-file';
import type { Plot } from '../pipeline/model';
import { describeStart, imageMime } from './image';
import type { PlotTable } from './read-table';
import { PlotReadError, readCsvTable, readJsonTable, readJsonlTable } from './read-table';
import { barPlot, confusionPlot, isXyTemplate, xyPlot } from './templates';
import type { PlotData, PlotFileKind } from './types';

const EXTENSIONS: Record<string, PlotFileKind> = {
  '.csv': 'csv', '.tsv': 'tsv', '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl',
  '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.svg': 'svg',
};

export function plotFileKind(p: string): PlotFileKind | undefined {
  return EXTENSIONS[path.extname(p).toLowerCase()];
}

export const isImageKind = (k: PlotFileKind | undefined): boolean => k === 'png' || k === 'jpeg' || k === 'svg';

export interface LoadOptions {
  stage?: string;
  /** Points kept per series (LTTB past it). */
  maxPoints?: number;
}

export function plotId(plot: Pick<Plot, 'path'>, stage?: string): string {
  return stage ? `${stage}:${plot.path}` : plot.path;
}

function baseOf(plot: Plot, opts: LoadOptions) {
  return {
    id: plotId(plot, opts.stage),
    path: plot.path,
    ...(opts.stage ? { stage: opts.stage } : {}),
    title: plot.title ?? plot.path,
    notes: [] as string[],
  };
}

function describeReadError(shown: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${shown} does not exist (was it written by the stage?)`;
  if (code === 'EISDIR') return `${shown} is a folder; a plot is one file`;
  if (code === 'EACCES') return `${shown} cannot be read (permission denied)`;
  return e instanceof Error ? e.message : String(e);
}

/** Builds a plot from the file's bytes. */
export function plotFromBytes(plot: Plot, bytes: Buffer, opts: LoadOptions = {}): PlotData {
  const base = baseOf(plot, opts);
  const kind = plotFileKind(plot.path);
  try {
    if (!kind) throw new PlotReadError(`${plot.path}: mlci draws .csv, .tsv, .json and .jsonl data and shows .png, .jpg and .svg images; rename the file or leave it out of plots:`);
    if (isImageKind(kind)) {
      const mime = imageMime(bytes);
      const wanted = kind === 'svg' ? 'image/svg+xml' : `image/${kind}`;
      if (mime !== wanted) throw new PlotReadError(`${plot.path} is not a ${kind.toUpperCase()} image: ${mime ? `its bytes are ${mime}` : describeStart(bytes)}`);
      return { ...base, kind: 'image', mime, data: bytes.toString('base64'), bytes: bytes.length };
    }
    const table: PlotTable = kind === 'json' ? readJsonTable(bytes, plot.path) : kind === 'jsonl' ? readJsonlTable(bytes, plot.path) : readCsvTable(bytes, plot.path, kind === 'tsv' ? '\t' : 'auto');
    base.notes.push(...table.notes);
    const template = plot.template ?? 'linear';
    if (template === 'confusion' || template === 'confusion_normalized') return confusionPlot(base, plot, table, template === 'confusion_normalized');
    if (template === 'bar') return barPlot(base, plot, table);
    if (isXyTemplate(template)) return xyPlot(base, plot, table, template, opts.maxPoints);
    throw new PlotReadError(`${plot.path}: template "${template}" is not one mlci draws (linear, scatter, confusion, confusion_normalized, bar, roc, precision_recall)`);
  } catch (e) {
    return { ...base, kind: 'error', error: e instanceof Error ? e.message : String(e) };
  }
}

/** Reads and builds a plot from a file (absolute path, already checked to be in the workspace or run folder). */
export async function loadPlotFile(plot: Plot, absPath: string, opts: LoadOptions = {}): Promise<PlotData> {
  let bytes: Buffer;
  try {
    bytes = await readRegularBytes(absPath, FILE_LIMITS.plot, plot.path);
  } catch (e) {
    return { ...baseOf(plot, opts), kind: 'error', error: describeReadError(plot.path, e) };
  }
  return plotFromBytes(plot, bytes, opts);
}
