/**
 * A stage's metric history (its declared `history`, or what it logged live:
 * DVCLive, MLflow) as a plot, so the Plots panel shows the loss curve next
 * to the declared plots, and the live points of a running stage grow it.
 * Pure (no Node imports): the Plots webview bundles it too.
 */
import type { LivePoint } from '../live/types';
import type { RunPlots, Series, XYPlotData } from './types';

/** Points a live series keeps before it is thinned (every other point dropped, first and last kept). */
export const LIVE_MAX_POINTS = 4000;
const SKIP = new Set(['step', 'timestamp']);

export function historyPlotId(stage: string): string {
  return `${stage}:(history)`;
}

function emptyHistoryPlot(stage: string): XYPlotData {
  return { id: historyPlotId(stage), path: '(history)', stage, title: `${stage}: metric history`, notes: [], kind: 'xy', template: 'linear', xLabel: 'step', yLabel: 'value', series: [] };
}

/** rows: `{ step, loss, accuracy }` per step (RunRecord.history[stage]). */
export function historyPlot(stage: string, rows: ReadonlyArray<Record<string, number>>, maxPoints = LIVE_MAX_POINTS): XYPlotData {
  const plot = emptyHistoryPlot(stage);
  const names: string[] = [];
  for (const row of rows) for (const k of Object.keys(row)) if (!SKIP.has(k) && !names.includes(k)) names.push(k);
  plot.series = names.map((name): Series => {
    const points = rows.flatMap((row, i) => (typeof row[name] === 'number' ? [{ x: typeof row.step === 'number' ? row.step : i, y: row[name]! }] : []));
    return { name, points: thin(points, maxPoints), total: points.length };
  });
  if (plot.series.some((s) => s.points.length < s.total)) plot.notes.push(`series longer than ${maxPoints} points are thinned for display (first and last points kept)`);
  return plot;
}

/** Every history of a run record as plots, stages in record order. */
export function historyPlots(history: Readonly<Record<string, ReadonlyArray<Record<string, number>>>> | undefined, maxPoints?: number): XYPlotData[] {
  return Object.entries(history ?? {}).filter(([, rows]) => rows.length > 0).map(([stage, rows]) => historyPlot(stage, rows, maxPoints));
}

/** Halves a series until it fits (first and last kept): cheap enough for every live update. */
function thin<T>(points: T[], max: number): T[] {
  let out = points;
  while (out.length > max && max >= 3) {
    const last = out[out.length - 1]!;
    out = out.filter((_, i) => i % 2 === 0);
    if (out[out.length - 1] !== last) out.push(last);
  }
  return out;
}

/**
 * Adds a running stage's new points to its history plot in `run` (made when
 * it is not there yet); returns the plot changed. A step logged again
 * replaces its point (DVCLive resumed), so lines never fold back.
 */
export function applyLivePoints(run: RunPlots, stage: string, points: readonly LivePoint[], maxPoints = LIVE_MAX_POINTS): XYPlotData {
  const id = historyPlotId(stage);
  let plot = run.plots.find((p): p is XYPlotData => p.id === id && p.kind === 'xy');
  if (!plot) {
    plot = emptyHistoryPlot(stage);
    run.plots.push(plot);
  }
  for (const p of points) {
    let s = plot.series.find((x) => x.name === p.name);
    if (!s) plot.series.push((s = { name: p.name, points: [], total: 0 }));
    const last = s.points[s.points.length - 1];
    if (last && p.step <= last.x) {
      const at = s.points.findIndex((q) => q.x >= p.step);
      if (s.points[at]!.x === p.step) s.points[at] = { x: p.step, y: p.value };
      else s.points.splice(at, 0, { x: p.step, y: p.value });
    } else s.points.push({ x: p.step, y: p.value });
    s.total++;
  }
  for (const s of plot.series) if (s.points.length > maxPoints) s.points = thin(s.points, maxPoints);
  return plot;
}

/**
 * Adds a running stage's new points to its history rows (`{ step, loss, ... }`
 * sorted by step, as RunRecord.history[stage] keeps them): a point joins the
 * row of its step (made when there is none, in step order); a step logged
 * again replaces its value. Over `maxRows` rows, every other row is dropped
 * (first and last kept). Returns the rows (the same array unless thinned).
 * The comparison panel's extension side and its page apply the same points
 * with this, so both hold the same rows.
 */
export function applyLiveRows(rows: Array<Record<string, number>>, points: readonly LivePoint[], maxRows = LIVE_MAX_POINTS): Array<Record<string, number>> {
  for (const p of points) {
    const last = rows[rows.length - 1];
    if (!last || typeof last.step !== 'number' || p.step > last.step) {
      rows.push({ step: p.step, [p.name]: p.value });
      continue;
    }
    const at = rows.findIndex((r) => r.step! >= p.step);
    if (rows[at]!.step === p.step) rows[at]![p.name] = p.value;
    else rows.splice(at, 0, { step: p.step, [p.name]: p.value });
  }
  if (rows.length <= maxRows) return rows;
  const thinned = thin(rows, maxRows);
  rows.length = 0;
  rows.push(...thinned);
  return rows;
}
