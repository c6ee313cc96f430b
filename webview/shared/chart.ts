/**
 * chart.js set up for webviews: only the pieces the panels use are
 * registered (a smaller bundle than chart.js/auto), no animation (panels
 * redraw on every report and theme change), colours from the theme.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { ThemeColors } from './theme';
import { withAlpha } from './theme';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface PairedSeries {
  labels: string[];
  reference: number[];
  current: number[];
  /** Overlaid (histograms over shared bins) or side by side (categories). */
  overlay: boolean;
}

/** Counts to shares: the two sides have different sizes, so counts would mislead. */
export function toShares(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

export function pairedBarChart(canvas: HTMLCanvasElement, series: PairedSeries, theme: ThemeColors): Chart<'bar'> {
  const ref = toShares(series.reference);
  const cur = toShares(series.current);
  const font = { family: theme.fontFamily, size: Math.max(10, theme.fontSize - 2) };
  const dataset = (label: string, data: number[], counts: number[], color: string) => ({
    label,
    data,
    counts,
    backgroundColor: withAlpha(color, series.overlay ? 0.5 : 0.8),
    borderColor: color,
    borderWidth: 1,
    // Overlay: both bars fill the whole bin, one over the other.
    grouped: !series.overlay,
    barPercentage: series.overlay ? 1 : 0.9,
    categoryPercentage: series.overlay ? 1 : 0.8,
  });
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: series.labels,
      datasets: [
        dataset('reference', ref, series.reference, theme.reference),
        dataset('current', cur, series.current, theme.current),
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      color: theme.foreground,
      scales: {
        x: { ticks: { color: theme.muted, font, maxRotation: 60, autoSkip: true }, grid: { display: false } },
        y: {
          beginAtZero: true,
          ticks: { color: theme.muted, font, callback: (v) => `${Math.round(Number(v) * 100)}%` },
          grid: { color: theme.grid },
        },
      },
      plugins: {
        legend: { labels: { color: theme.foreground, font, boxWidth: 12 } },
        tooltip: {
          callbacks: {
            // Tooltips are drawn on the canvas: text, never markup.
            label: (ctx) => {
              const counts = (ctx.dataset as unknown as { counts: number[] }).counts;
              return `${ctx.dataset.label}: ${(Number(ctx.parsed.y) * 100).toFixed(1)}% (${counts[ctx.dataIndex]})`;
            },
          },
        },
      },
    },
  });
}
