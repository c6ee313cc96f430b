/**
 * chart.js charts of the Plots panel: line/scatter charts (linear, scatter,
 * smooth, simple, roc, precision_recall) with any number of runs overlaid,
 * and bar charts. Colours come from the theme: one colour per run when runs
 * are overlaid (series of one run told apart by dashes), one per series
 * otherwise. Every label is drawn on the canvas: text, never markup.
 */
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement,
  PointElement, ScatterController, Tooltip,
} from 'chart.js';
import type { PlotData } from '../../src/protocol/plots-panel';
import type { ThemeColors } from '../shared/theme';
import { cssVar, withAlpha } from '../shared/theme';
import { baseOptions } from '../compare/charts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Legend, Tooltip);

type XY = Extract<PlotData, { kind: 'xy' }>;
type Bar = Extract<PlotData, { kind: 'bar' }>;

export interface PlotsTheme extends ThemeColors {
  palette: string[];
}

const DASHES: number[][] = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

export function plotsPalette(theme: ThemeColors): string[] {
  return [theme.reference, theme.current, cssVar('--vscode-charts-green', '#89d185'), theme.drifted, cssVar('--vscode-charts-purple', '#b180d7'), cssVar('--vscode-charts-yellow', '#cca700'), theme.muted];
}

function options(theme: PlotsTheme, xTitle: string, yTitle: string, categoryX: boolean, legend: boolean) {
  const base = baseOptions(theme, xTitle, yTitle, categoryX);
  return { ...base, plugins: { legend: { ...base.plugins.legend, display: legend } } };
}

/** Non-finite values are gaps (chart.js would stretch the axis to infinity). */
const finite = (points: ReadonlyArray<{ x: number; y: number }>) => points.map((p) => ({ x: p.x, y: Number.isFinite(p.y) && Number.isFinite(p.x) ? p.y : NaN }));

/** One chart of one plot for the given runs (one run: its series; several: every run's series, a colour per run). */
export function xyChart(canvas: HTMLCanvasElement, parts: Array<{ run: string; plot: XY }>, theme: PlotsTheme, runIndex: (run: string) => number): Chart {
  const first = parts[0]!.plot;
  const multi = parts.length > 1;
  const scatter = first.template === 'scatter';
  const datasets = parts.flatMap(({ run, plot }) => plot.series.map((s, j) => {
    const colour = multi ? theme.palette[runIndex(run) % theme.palette.length]! : theme.palette[j % theme.palette.length]!;
    return {
      label: multi ? `${run}: ${s.name}` : s.name,
      data: finite(s.points),
      borderColor: colour,
      backgroundColor: scatter ? withAlpha(colour, 0.6) : colour,
      borderWidth: 1.5,
      borderDash: multi ? DASHES[j % DASHES.length]! : [],
      pointRadius: scatter ? 2.5 : s.points.length <= 30 ? 2 : 0,
      showLine: !scatter,
    };
  }));
  if (first.template === 'roc' || first.template === 'precision_recall') {
    // The chance line (ROC) or no-skill corner guide: muted, dashed, no legend entry text of data.
    const chance = first.template === 'roc' ? [{ x: 0, y: 0 }, { x: 1, y: 1 }] : [];
    if (chance.length) datasets.push({ label: 'chance', data: chance, borderColor: theme.muted, backgroundColor: theme.muted, borderWidth: 1, borderDash: [4, 4], pointRadius: 0, showLine: true });
  }
  const total = datasets.length;
  return new Chart(canvas, {
    type: scatter ? 'scatter' : 'line',
    data: { datasets },
    options: { ...options(theme, first.xLabel, first.yLabel, false, total > 1 && total <= 24), parsing: false, spanGaps: false },
  });
}

/** Bars per label: one dataset per series (and per run when several are overlaid). */
export function barChart(canvas: HTMLCanvasElement, parts: Array<{ run: string; plot: Bar }>, theme: PlotsTheme, runIndex: (run: string) => number): Chart {
  const multi = parts.length > 1;
  const labels: string[] = [];
  for (const { plot } of parts) for (const l of plot.labels) if (!labels.includes(l)) labels.push(l);
  const datasets = parts.flatMap(({ run, plot }) => plot.series.map((s, j) => {
    const colour = theme.palette[(multi ? runIndex(run) + j : j) % theme.palette.length]!;
    const byLabel = new Map(plot.labels.map((l, i) => [l, s.values[i]]));
    return {
      label: multi ? `${run}: ${s.name}` : s.name,
      data: labels.map((l) => {
        const v = byLabel.get(l);
        return v === undefined || !Number.isFinite(v) ? null : v;
      }),
      backgroundColor: withAlpha(colour, 0.75),
      borderColor: colour,
      borderWidth: 1,
    };
  }));
  const first = parts[0]!.plot;
  return new Chart(canvas, { type: 'bar', data: { labels, datasets }, options: options(theme, first.xLabel, first.yLabel, true, datasets.length > 1) });
}
