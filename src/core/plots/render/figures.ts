/**
 * Plots of one or more runs arranged for a report: per plot, line charts of
 * every run overlaid in one figure (a run's lines named after it), and
 * confusion matrices, bar charts and images side by side, one per run. A
 * plot a run lacks or could not load gets a line saying so.
 */
import { alignPlots } from '../collect';
import type { PlotData, RunPlots } from '../types';
import { barSvg, confusionSvg, xySvg } from './svg';

export interface FigurePart {
  run: string;
  svg?: string;
  image?: { mime: string; data: string };
  /** Confusion matrices: labels and counts (Markdown shows them as a table). */
  matrix?: { labels: string[]; counts: number[][]; normalized: boolean };
  error?: string;
  notes: string[];
}

export interface Figure {
  id: string;
  title: string;
  /** One part for an overlaid chart, else one per run. */
  parts: FigurePart[];
}

export function figuresOf(runs: RunPlots[]): Figure[] {
  return alignPlots(runs).map(({ id, title, byRun }) => {
    const present = byRun.map((p, i) => ({ p, run: runs[i]!.label })).filter((x): x is { p: PlotData; run: string } => x.p !== undefined);
    const missing: FigurePart[] = byRun.flatMap((p, i) => (p ? [] : [{ run: runs[i]!.label, error: `run ${runs[i]!.label} has no plot ${id}`, notes: [] }]));
    const errors: FigurePart[] = present.filter((x) => x.p.kind === 'error').map((x) => ({ run: x.run, error: (x.p as { error: string }).error, notes: x.p.notes }));
    const xy = present.filter((x) => x.p.kind === 'xy');
    const parts: FigurePart[] = [];
    if (xy.length) {
      const first = xy[0]!.p as Extract<PlotData, { kind: 'xy' }>;
      const multi = runs.length > 1;
      const lines = xy.flatMap(({ p, run }) => (p as typeof first).series.map((s) => ({ name: multi ? `${run}: ${s.name}` : s.name, points: s.points })));
      parts.push({ run: xy.map((x) => x.run).join(', '), svg: xySvg(title, first.xLabel, first.yLabel, lines, first.template === 'scatter'), notes: xy.flatMap((x) => x.p.notes.map((n) => (multi ? `${x.run}: ${n}` : n))) });
    }
    for (const { p, run } of present) {
      const label = runs.length > 1 ? `${title} (${run})` : title;
      if (p.kind === 'bar') parts.push({ run, svg: barSvg(label, p.xLabel, p.yLabel, p.labels, p.series), notes: p.notes });
      if (p.kind === 'confusion') parts.push({ run, svg: confusionSvg(label, p.xLabel, p.yLabel, p.labels, p.counts, p.normalized), matrix: { labels: p.labels, counts: p.counts, normalized: p.normalized }, notes: p.notes });
      if (p.kind === 'image') parts.push({ run, image: { mime: p.mime, data: p.data }, notes: p.notes });
    }
    return { id, title, parts: [...parts, ...errors, ...missing] };
  });
}
