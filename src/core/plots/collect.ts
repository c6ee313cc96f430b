/**
 * The plots of the workspace (the files as they are now) or of recorded
 * runs (the copies kept in each run folder), for `mlci plots` and the Plots
 * panel. Paths stay inside their folder after symlinks; a path that leaves
 * it is an error on that plot.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { containedPath } from '../files/contain';
import type { Pipeline, Plot } from '../pipeline/model';
import type { RunRecord } from '../run/record';
import { readHistoryFile } from '../run/metrics';
import { historyPlot, historyPlotId, historyPlots } from './history';
import { loadPlotFile, plotId } from './load';
import type { PlotData, PlotRecord, RunPlots } from './types';

export interface CollectOptions {
  maxPoints?: number;
  /** Only plots whose path or `stage:path` id is listed. */
  only?: string[];
}

/** The path a stage's metric history plot answers to in `only` (`(history)` or `train:(history)`). */
const HISTORY_PATH = '(history)';

const wanted = (only: string[] | undefined, stage: string, p: string) => !only?.length || only.includes(p) || only.includes(plotId({ path: p }, stage));

/** The declaration part of a record (what loading needs). */
function recordToPlot(r: PlotRecord): Plot {
  const { stage: _stage, file: _file, error: _error, ...plot } = r;
  return plot;
}

async function safeLoad(root: string, rel: string, plot: Parameters<typeof loadPlotFile>[0], stage: string, opts: CollectOptions): Promise<PlotData> {
  let abs: string;
  try {
    abs = containedPath(root, path.resolve(root, rel), plot.path);
  } catch (e) {
    return { id: plotId(plot, stage), path: plot.path, stage, title: plot.title ?? plot.path, notes: [], kind: 'error', error: (e as Error).message };
  }
  return loadPlotFile(plot, abs, { stage, ...(opts.maxPoints !== undefined ? { maxPoints: opts.maxPoints } : {}) });
}

export async function workspacePlots(pipeline: Pipeline, root: string, opts: CollectOptions = {}): Promise<RunPlots> {
  const plots: PlotData[] = [];
  for (const stage of pipeline.stages) {
    for (const plot of stage.plots) {
      if (!wanted(opts.only, stage.name, plot.path)) continue;
      plots.push(await safeLoad(root, plot.path, plot, stage.name, opts));
    }
  }
  return { run: 'workspace', label: 'workspace', plots };
}

export function runLabel(r: Pick<RunRecord, 'id' | 'name'>): string {
  return r.name ? `${r.name} (${r.id})` : r.id;
}

/** `runDir`: the run's folder (RunStore.runDir). */
export async function recordedPlots(record: Pick<RunRecord, 'id' | 'name' | 'plots'>, runDir: string, opts: CollectOptions = {}): Promise<RunPlots> {
  const plots: PlotData[] = [];
  for (const r of record.plots ?? []) {
    if (!wanted(opts.only, r.stage, r.path)) continue;
    const plot = recordToPlot(r);
    if (r.error !== undefined || r.file === undefined) {
      plots.push({ id: plotId(plot, r.stage), path: r.path, stage: r.stage, title: r.title ?? r.path, notes: [], kind: 'error', error: r.error ?? `${r.path} was not kept with run ${record.id}` });
      continue;
    }
    plots.push(await safeLoad(runDir, r.file, plot, r.stage, opts));
  }
  return { run: record.id, label: runLabel(record), plots };
}

/** Plot ids in first-seen order across runs, each with every run's data (undefined where a run lacks it). */
export function alignPlots(runs: RunPlots[]): Array<{ id: string; title: string; byRun: Array<PlotData | undefined> }> {
  const order: string[] = [];
  const titles = new Map<string, string>();
  for (const r of runs) for (const p of r.plots) if (!titles.has(p.id)) { order.push(p.id); titles.set(p.id, p.title); }
  return order.map((id) => ({ id, title: titles.get(id)!, byRun: runs.map((r) => r.plots.find((p) => p.id === id)) }));
}

/**
 * A run's plots for the Plots panel: the ones it kept, then each stage's
 * metric history as a line plot (src/core/plots/history.ts). `stage`: only
 * that stage's.
 */
export async function runPlotsWithHistory(record: Pick<RunRecord, 'id' | 'name' | 'plots' | 'history'>, runDir: string, opts: CollectOptions & { stage?: string } = {}): Promise<RunPlots> {
  const kept = { ...record, plots: (record.plots ?? []).filter((p) => !opts.stage || p.stage === opts.stage) };
  const run = await recordedPlots(kept, runDir, opts);
  const history = opts.stage ? { ...(record.history?.[opts.stage] ? { [opts.stage]: record.history[opts.stage]! } : {}) } : record.history;
  run.plots.push(...historyPlots(history, opts.maxPoints).filter((p) => wanted(opts.only, p.stage ?? '', HISTORY_PATH)));
  return run;
}

/**
 * The workspace's plots, then the metric history each stage declares
 * (`history`) as the workspace has it now, as a line plot: what
 * `runPlotsWithHistory` gives a recorded run. A stage that has not written
 * its history yet has none; a history that cannot be read is an error on
 * that plot.
 */
export async function workspacePlotsWithHistory(pipeline: Pipeline, root: string, opts: CollectOptions = {}): Promise<RunPlots> {
  const run = await workspacePlots(pipeline, root, opts);
  for (const stage of pipeline.stages) {
    if (!stage.history || !wanted(opts.only, stage.name, HISTORY_PATH)) continue;
    const title = `${stage.name}: metric history`;
    let rows: Awaited<ReturnType<typeof readHistoryFile>>;
    try {
      const abs = containedPath(root, path.resolve(root, stage.history), stage.history);
      if (!existsSync(abs)) continue;
      rows = await readHistoryFile(abs, stage.history);
    } catch (e) {
      run.plots.push({ id: historyPlotId(stage.name), path: HISTORY_PATH, stage: stage.name, title, notes: [], kind: 'error', error: (e as Error).message });
      continue;
    }
    if (rows.length) run.plots.push(historyPlot(stage.name, rows, opts.maxPoints));
  }
  return run;
}
