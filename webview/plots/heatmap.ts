/**
 * Confusion matrices as heat maps: an HTML table (rows actual, columns
 * predicted) with the count in every cell and the cell's colour from its
 * share of the row, so counts are text a screen reader and a test can read.
 * The colour is set through the CSSOM (allowed by the CSP, no style
 * attribute). drawConfusion paints the same on a canvas for PNG export.
 */
import type { PlotData } from '../../src/protocol/plots-panel';
import { el } from '../shared/dom';
import { withAlpha } from '../shared/theme';

type Confusion = Extract<PlotData, { kind: 'confusion' }>;

/** Labels beyond this are left out of the heat map (the data export has them all). */
export const MAX_CLASSES = 60;

function shares(p: Confusion): number[][] {
  return p.counts.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((c) => (total > 0 ? c / total : 0));
  });
}

function cellText(p: Confusion, count: number, share: number): string {
  return p.normalized ? share.toFixed(2) : String(count);
}

export function confusionTable(p: Confusion, colour: string): HTMLElement {
  const n = Math.min(p.labels.length, MAX_CLASSES);
  const labels = p.labels.slice(0, n);
  const share = shares(p);
  const head = el('tr', {}, [el('th', { class: 'corner', text: `${p.xLabel} \\ ${p.yLabel}`, attrs: { scope: 'col' } }), ...labels.map((l) => el('th', { text: l, attrs: { scope: 'col' } }))]);
  const rows = labels.map((actual, r) => el('tr', {}, [
    el('th', { text: actual, attrs: { scope: 'row' } }),
    ...labels.map((predicted, c) => {
      const count = p.counts[r]![c]!;
      const s = share[r]![c]!;
      const td = el('td', { class: 'num', text: cellText(p, count, s), attrs: { title: `actual ${actual}, predicted ${predicted}: ${count} (${(s * 100).toFixed(1)}% of the row)`, 'data-count': String(count) } });
      td.style.backgroundColor = withAlpha(colour, 0.08 + 0.8 * s);
      if (r === c) td.classList.add('diagonal');
      return td;
    }),
  ]));
  const table = el('table', { class: 'confusion', attrs: { 'aria-label': `${p.title}: rows ${p.xLabel}, columns ${p.yLabel}` } }, [el('thead', {}, [head]), el('tbody', {}, rows)]);
  const wrap = el('div', { class: 'confusion-wrap' }, [table]);
  if (p.labels.length > n) wrap.append(el('p', { class: 'note', text: `${p.labels.length} classes: the first ${n} shown; Export data has them all` }));
  return wrap;
}

/** The heat map on a canvas (PNG export): cells with counts, labels at the edges. */
export function drawConfusion(ctx: CanvasRenderingContext2D, p: Confusion, x0: number, y0: number, w: number, h: number, colour: string, text: string, font: string): void {
  const n = Math.min(p.labels.length, MAX_CLASSES);
  if (n === 0) return;
  const share = shares(p);
  const pad = 60;
  const cw = (w - pad) / n;
  const ch = (h - pad) / n;
  ctx.font = font;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      ctx.fillStyle = withAlpha(colour, 0.08 + 0.8 * share[r]![c]!);
      ctx.fillRect(x0 + pad + c * cw, y0 + pad + r * ch, cw - 1, ch - 1);
      ctx.fillStyle = text;
      ctx.fillText(cellText(p, p.counts[r]![c]!, share[r]![c]!), x0 + pad + (c + 0.5) * cw, y0 + pad + (r + 0.5) * ch);
    }
  }
  for (let i = 0; i < n; i++) {
    ctx.fillText(p.labels[i]!.slice(0, 10), x0 + pad + (i + 0.5) * cw, y0 + pad - 12);
    ctx.fillText(p.labels[i]!.slice(0, 8), x0 + pad / 2, y0 + pad + (i + 0.5) * ch);
  }
}
