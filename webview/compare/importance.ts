/**
 * The importance chart of the comparison: for one stage, a group of bars
 * per feature with one bar per run (the selected runs, else the first
 * MAX_RUNS in table order), so what each run's model or data depends on is
 * seen side by side. Features in the first shown run's order, at most
 * MAX_FEATURES. Names reach the canvas as text only (chart.js draws them).
 */
import { Chart } from 'chart.js';
import type { CompareRun } from '../../src/protocol/compare-panel';
import { withAlpha } from '../shared/theme';
import type { CompareTheme } from './charts';
import { runLabel } from './model';

export const MAX_RUNS = 6;
export const MAX_FEATURES = 30;

/** Stages any run recorded importances for, sorted. */
export function importanceStages(runs: readonly CompareRun[]): string[] {
  const stages = new Set<string>();
  for (const r of runs.slice(0, 1000)) for (const s of Object.keys(r.importance ?? {})) stages.add(s);
  return [...stages].sort();
}

export function importanceChart(canvas: HTMLCanvasElement, runs: CompareRun[], stage: string, theme: CompareTheme): Chart | undefined {
  const shown = runs.filter((r) => (r.importance?.[stage]?.length ?? 0) > 0).slice(0, MAX_RUNS);
  if (shown.length === 0) return undefined;
  const features: string[] = [];
  for (const r of shown) for (const f of r.importance![stage]!) if (!features.includes(f.feature)) features.push(f.feature);
  features.splice(MAX_FEATURES);
  const palette = [theme.reference, theme.current, theme.better, theme.worse, theme.selected, theme.muted];
  const font = { family: theme.fontFamily, size: Math.max(10, theme.fontSize - 2) };
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: features,
      datasets: shown.map((r, i) => {
        const byFeature = new Map(r.importance![stage]!.map((f) => [f.feature, f.importance]));
        const colour = palette[i % palette.length]!;
        return { label: runLabel(r), data: features.map((f) => byFeature.get(f) ?? null), backgroundColor: withAlpha(colour, 0.75), borderColor: colour, borderWidth: 1 };
      }),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: 'y',
      color: theme.foreground,
      scales: {
        x: { title: { display: true, text: `importance (${stage})`, color: theme.muted, font }, ticks: { color: theme.muted, font }, grid: { color: theme.grid } },
        y: { ticks: { color: theme.muted, font, autoSkip: false }, grid: { display: false } },
      },
      plugins: { legend: { labels: { color: theme.foreground, font, boxWidth: 12 } } },
    },
  });
}
