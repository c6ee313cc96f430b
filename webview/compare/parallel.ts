/**
 * Parallel coordinates drawn on a canvas by hand (chart.js has no such
 * chart): one vertical axis per numeric param and metric, scaled to its own
 * min..max, and a polyline per run. At most MAX_LINES runs are drawn
 * (strideSample over the table order), the selected runs always, last and
 * thicker so they stand out. A run missing a value breaks its line there.
 */
import type { CompareRun } from '../../src/protocol/compare-panel';
import { withAlpha } from '../shared/theme';
import type { CompareTheme } from './charts';
import type { Column } from './model';
import { cellValue, strideSample } from './model';

export const MAX_LINES = 1000;
const PAD = { top: 28, bottom: 24, side: 40 };

export function drawParallel(canvas: HTMLCanvasElement, runs: CompareRun[], order: ArrayLike<number>, columns: Column[], selected: ReadonlySet<string>, theme: CompareTheme): void {
  const axes = columns.filter((c) => (c.kind === 'param' || c.kind === 'metric') && c.numeric);
  // Size the backing store to the element and the screen's pixel ratio: crisp lines, and getImageData sees what is shown.
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 800;
  const height = canvas.clientHeight || 260;
  // The size drawn at: main.ts redraws when the box no longer matches (stylesheet loaded, editor resized).
  canvas.dataset.drawnAt = `${canvas.clientWidth}x${canvas.clientHeight}`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (axes.length === 0) return;

  const ranges = axes.map((c) => {
    let min = Infinity;
    let max = -Infinity;
    for (const r of runs) {
      const v = cellValue(r, c);
      if (typeof v === 'number' && Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    return { min, max };
  });
  const step = axes.length > 1 ? (width - 2 * PAD.side) / (axes.length - 1) : 0;
  const xOf = (i: number) => (axes.length > 1 ? PAD.side + i * step : width / 2);
  const yOf = (i: number, v: number) => {
    const { min, max } = ranges[i]!;
    const t = max > min ? (v - min) / (max - min) : 0.5;
    return height - PAD.bottom - t * (height - PAD.top - PAD.bottom);
  };

  const line = (r: CompareRun) => {
    ctx.beginPath();
    let open = false;
    axes.forEach((c, i) => {
      const v = cellValue(r, c);
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        open = false;
        return;
      }
      if (open) ctx.lineTo(xOf(i), yOf(i, v));
      else ctx.moveTo(xOf(i), yOf(i, v));
      open = true;
    });
    ctx.stroke();
  };

  const indices = Array.from(order);
  const others = strideSample(indices.filter((i) => !selected.has(runs[i]!.id)), MAX_LINES);
  const chosen = indices.filter((i) => selected.has(runs[i]!.id)).slice(0, MAX_LINES);
  ctx.lineWidth = 1;
  // Fainter as more lines overlap, so dense regions read as density rather than a solid block.
  ctx.strokeStyle = withAlpha(theme.reference, Math.min(0.6, Math.max(0.06, 40 / Math.max(1, others.length))));
  for (const i of others) line(runs[i]!);
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = theme.selected;
  for (const i of chosen) line(runs[i]!);

  // Axes and labels over the lines.
  const font = `${Math.max(10, theme.fontSize - 3)}px ${theme.fontFamily}`;
  ctx.font = font;
  ctx.textAlign = 'center';
  ctx.lineWidth = 1;
  ctx.strokeStyle = theme.muted;
  ctx.fillStyle = theme.foreground;
  axes.forEach((c, i) => {
    const x = xOf(i);
    ctx.beginPath();
    ctx.moveTo(x, PAD.top);
    ctx.lineTo(x, height - PAD.bottom);
    ctx.stroke();
    ctx.fillText(c.label.length > 14 ? `${c.label.slice(0, 13)}…` : c.label, x, PAD.top - 14, Math.max(step - 4, 30));
    const { min, max } = ranges[i]!;
    if (Number.isFinite(min)) {
      ctx.fillStyle = theme.muted;
      ctx.fillText(short(max), x, PAD.top - 3, Math.max(step - 4, 30));
      ctx.fillText(short(min), x, height - PAD.bottom + 12, Math.max(step - 4, 30));
      ctx.fillStyle = theme.foreground;
    }
  });
}

function short(v: number): string {
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}
