/**
 * The chart.js charts of the comparison: a bar per run for one metric, a
 * metric's history over steps, and a param against a metric. Downsampling
 * (model.ts strideSample): at most MAX_POINTS points per series and at
 * most MAX_BARS bars, so 10,000 runs draw as fast as 100. Selected runs
 * are always drawn, as their own highlighted dataset.
 */
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement,
  PointElement, ScatterController, Tooltip,
} from 'chart.js';
import type { CompareRun } from '../../src/protocol/compare-panel';
import type { ThemeColors } from '../shared/theme';
import { withAlpha } from '../shared/theme';
import { runLabel, strideSample } from './model';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Legend, Tooltip);

export const MAX_POINTS = 500;
export const MAX_BARS = 50;
/** History lines drawn at once: a line per run stops being readable well before this. */
export const MAX_LINES = 10;

export interface CompareTheme extends ThemeColors {
  better: string;
  worse: string;
  selected: string;
}

/** chart.js options every panel chart shares: no animation, theme colours and font, titled linear (or category) x. */
export function baseOptions(theme: ThemeColors, xTitle: string, yTitle: string, categoryX: boolean) {
  const font = { family: theme.fontFamily, size: Math.max(10, theme.fontSize - 2) };
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    color: theme.foreground,
    // chart.js draws text on the canvas: run names stay text, never markup.
    scales: {
      x: {
        ...(categoryX ? {} : { type: 'linear' as const }),
        title: { display: Boolean(xTitle), text: xTitle, color: theme.muted, font },
        ticks: { color: theme.muted, font, maxRotation: 60, autoSkip: true },
        grid: { color: theme.grid, display: !categoryX },
      },
      y: { title: { display: Boolean(yTitle), text: yTitle, color: theme.muted, font }, ticks: { color: theme.muted, font }, grid: { color: theme.grid } },
    },
    plugins: { legend: { labels: { color: theme.foreground, font, boxWidth: 12 } } },
  };
}

/**
 * The value axis of the bar chart. From the data range by default: runs
 * that differ by 0.014 on a metric near 0.83 are what a comparison is for,
 * and an axis from zero draws them as equal bars. The range is padded by half
 * its span (the lowest bar stays visible, a third of the highest) and never
 * crosses zero for data that does not; `fromZero` gives the classic axis.
 */
export function barAxis(values: readonly (number | null | undefined)[], fromZero: boolean): { beginAtZero: boolean; suggestedMin?: number; suggestedMax?: number } {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (fromZero || finite.length === 0) return { beginAtZero: true };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = (hi - lo) / 2 || Math.abs(hi) * 0.05 || 1;
  return {
    beginAtZero: false,
    suggestedMin: lo >= 0 ? Math.max(0, lo - pad) : lo - pad,
    suggestedMax: hi <= 0 ? Math.min(0, hi + pad) : hi + pad,
  };
}

/** One bar per run (the selected runs, else the first MAX_BARS in table order); the baseline in its own colour. */
export function barChart(canvas: HTMLCanvasElement, runs: CompareRun[], metric: string, baselineId: string | undefined, theme: CompareTheme, fromZero = false): Chart {
  const shown = runs.slice(0, MAX_BARS);
  const values = shown.map((r) => r.metrics[metric] ?? null);
  const base = baseOptions(theme, '', metric, true);
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: shown.map(runLabel),
      datasets: [{
        label: metric,
        data: values,
        backgroundColor: shown.map((r) => withAlpha(r.id === baselineId ? theme.current : theme.reference, 0.75)),
        borderColor: shown.map((r) => (r.id === baselineId ? theme.current : theme.reference)),
        borderWidth: 1,
      }],
    },
    options: { ...base, scales: { ...base.scales, y: { ...base.scales.y, ...barAxis(values, fromZero) } }, plugins: { legend: { display: false } } },
  });
}

const PALETTE = (t: CompareTheme) => [t.reference, t.current, t.better, t.worse, t.selected, t.muted];

/** history[stage] rows → points of one series, sorted by step, downsampled. */
export function historyPoints(run: CompareRun, stage: string, series: string): { x: number; y: number }[] {
  const rows = run.history?.[stage] ?? [];
  const points: { x: number; y: number }[] = [];
  rows.forEach((row, i) => {
    const y = row[series];
    if (typeof y === 'number' && Number.isFinite(y)) points.push({ x: typeof row.step === 'number' ? row.step : i, y });
  });
  points.sort((a, b) => a.x - b.x);
  return strideSample(points, MAX_POINTS);
}

export function historyChart(canvas: HTMLCanvasElement, runs: CompareRun[], stage: string, series: string, theme: CompareTheme): Chart {
  const palette = PALETTE(theme);
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: runs.slice(0, MAX_LINES).map((r, i) => ({
        label: runLabel(r),
        data: historyPoints(r, stage, series),
        borderColor: palette[i % palette.length],
        backgroundColor: palette[i % palette.length],
        borderWidth: r.live ? 2 : 1.5,
        // The running run's line is dashed: it is still growing.
        ...(r.live ? { borderDash: [6, 3] } : {}),
        pointRadius: 0,
      })),
    },
    options: { ...baseOptions(theme, 'step', `${stage} ${series}`, false), parsing: false, normalized: true },
  });
}

/** A param (numbers only) against a metric: every run (downsampled), the selected ones on top. */
export function scatterChart(canvas: HTMLCanvasElement, runs: CompareRun[], selected: ReadonlySet<string>, param: string, metric: string, theme: CompareTheme): Chart {
  const point = (r: CompareRun) => {
    const x = r.params[param];
    const y = r.metrics[metric];
    return typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y) ? { x, y } : undefined;
  };
  // Sorted by x: with parsing off chart.js takes the data as sorted and reads the x range from its ends.
  const points = (rs: CompareRun[]) => strideSample(rs, MAX_POINTS).map(point).filter((p) => p !== undefined).sort((a, b) => a.x - b.x);
  const others = points(runs.filter((r) => !selected.has(r.id)));
  const chosen = points(runs.filter((r) => selected.has(r.id)));
  return new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'runs', data: others, backgroundColor: withAlpha(theme.reference, 0.6), borderColor: theme.reference, pointRadius: 3 },
        { label: 'selected', data: chosen, backgroundColor: theme.selected, borderColor: theme.selected, pointRadius: 5 },
      ],
    },
    options: { ...baseOptions(theme, param, metric, false), parsing: false },
  });
}
