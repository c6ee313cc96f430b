/**
 * Static SVG charts for reports (HTML, Markdown): no script, every label
 * escaped, so a report opens anywhere (a CI artifact, a PR comment) and a
 * field or class named `<script>` stays text.
 */
import type { SeriesPoint } from '../types';

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const W = 480;
const H = 300;
const M = { l: 56, r: 12, t: 28, b: 44 };

/** 3 significant digits, short for big and small numbers. */
export function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = (hi - lo) / (n - 1);
  return Array.from({ length: n }, (_, i) => lo + i * step);
}

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

function frame(title: string, xLabel: string, yLabel: string, body: string, xt: string, yt: string, legend: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11" role="img" aria-label="${esc(title)}">`
    + `<rect width="${W}" height="${H}" fill="#fff"/>`
    + `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`
    + `<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="#888"/><line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="#888"/>`
    + xt + yt + body
    + `<text x="${(M.l + W - M.r) / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>`
    + `<text transform="translate(12 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`
    + legend + '</svg>';
}

function legendOf(names: string[]): string {
  if (names.length < 2) return '';
  return names.map((n, i) => `<g transform="translate(${M.l + 8} ${M.t + 4 + i * 13})"><rect width="10" height="3" y="-4" fill="${PALETTE[i % PALETTE.length]}"/><text x="14" y="0">${esc(n.length > 60 ? n.slice(0, 60) + '…' : n)}</text></g>`).slice(0, 12).join('');
}

export interface SvgLine {
  name: string;
  points: SeriesPoint[];
}

export function xySvg(title: string, xLabel: string, yLabel: string, lines: SvgLine[], scatter: boolean): string {
  const [x0, x1] = extent(lines.flatMap((l) => l.points.map((p) => p.x)));
  const [y0, y1] = extent(lines.flatMap((l) => l.points.map((p) => p.y)));
  const sx = (x: number) => M.l + ((x - x0) / (x1 - x0)) * (W - M.l - M.r);
  const sy = (y: number) => H - M.b - ((y - y0) / (y1 - y0)) * (H - M.t - M.b);
  const xt = ticks(x0, x1).map((v) => `<text x="${sx(v).toFixed(1)}" y="${H - M.b + 14}" text-anchor="middle">${tick(v)}</text>`).join('');
  const yt = ticks(y0, y1).map((v) => `<text x="${M.l - 4}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${tick(v)}</text>`).join('');
  const body = lines.map((l, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = l.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (scatter) return pts.map((p) => `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2" fill="${color}"/>`).join('');
    return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`;
  }).join('');
  return frame(title, xLabel, yLabel, body, xt, yt, legendOf(lines.map((l) => l.name)));
}

export function barSvg(title: string, xLabel: string, yLabel: string, labels: string[], groups: Array<{ name: string; values: number[] }>): string {
  const [lo, hi] = extent([0, ...groups.flatMap((g) => g.values)]);
  const sy = (y: number) => H - M.b - ((y - lo) / (hi - lo)) * (H - M.t - M.b);
  const slot = (W - M.l - M.r) / Math.max(1, labels.length);
  const bw = (slot * 0.8) / Math.max(1, groups.length);
  const body = groups.map((g, gi) => g.values.map((v, i) => {
    if (!Number.isFinite(v)) return '';
    const x = M.l + i * slot + slot * 0.1 + gi * bw;
    const top = Math.min(sy(v), sy(0));
    return `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${bw.toFixed(1)}" height="${Math.abs(sy(v) - sy(0)).toFixed(1)}" fill="${PALETTE[gi % PALETTE.length]}"><title>${esc(`${labels[i]}: ${v}`)}</title></rect>`;
  }).join('')).join('');
  const every = Math.ceil(labels.length / 12);
  const xt = labels.map((l, i) => (i % every ? '' : `<text x="${(M.l + i * slot + slot / 2).toFixed(1)}" y="${H - M.b + 14}" text-anchor="middle">${esc(l.length > 14 ? l.slice(0, 14) + '…' : l)}</text>`)).join('');
  const yt = ticks(lo, hi).map((v) => `<text x="${M.l - 4}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${tick(v)}</text>`).join('');
  return frame(title, xLabel, yLabel, body, xt, yt, legendOf(groups.map((g) => g.name)));
}

/** Row sums to 1 (confusion_normalized); a row without predictions stays 0. */
export function normalizeRows(counts: number[][]): number[][] {
  return counts.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((c) => (sum ? c / sum : 0));
  });
}

export function confusionSvg(title: string, xLabel: string, yLabel: string, labels: string[], counts: number[][], normalized: boolean): string {
  const n = Math.max(1, labels.length);
  const size = Math.min(48, Math.floor(300 / n));
  const left = 90;
  const top = 40;
  const w = left + n * size + 20;
  const h = top + n * size + 50;
  const shown = normalized ? normalizeRows(counts) : counts;
  const max = Math.max(1e-12, ...shown.flat());
  const cells = shown.map((row, i) => row.map((v, j) => {
    const t = v / max;
    const fill = `rgb(${Math.round(255 - t * 224)},${Math.round(255 - t * 136)},${Math.round(255 - t * 75)})`;
    const text = normalized ? v.toFixed(2) : String(v);
    return `<rect x="${left + j * size}" y="${top + i * size}" width="${size}" height="${size}" fill="${fill}" stroke="#fff"/>`
      + `<text x="${left + j * size + size / 2}" y="${top + i * size + size / 2 + 4}" text-anchor="middle" fill="${t > 0.6 ? '#fff' : '#000'}">${text}</text>`;
  }).join('')).join('');
  const cut = (l: string) => esc(l.length > 12 ? l.slice(0, 12) + '…' : l);
  const rows = labels.map((l, i) => `<text x="${left - 4}" y="${top + i * size + size / 2 + 4}" text-anchor="end">${cut(l)}</text>`).join('');
  const cols = labels.map((l, j) => `<text x="${left + j * size + size / 2}" y="${top + n * size + 14}" text-anchor="middle">${cut(l)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" font-family="sans-serif" font-size="11" role="img" aria-label="${esc(title)}">`
    + `<rect width="${w}" height="${h}" fill="#fff"/><text x="${w / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`
    + cells + rows + cols
    + `<text x="${left + (n * size) / 2}" y="${h - 8}" text-anchor="middle">${esc(role(yLabel, 'predicted'))}</text>`
    + `<text transform="translate(12 ${top + (n * size) / 2}) rotate(-90)" text-anchor="middle">${esc(role(xLabel, 'actual'))}</text></svg>`;
}

/** `label (role)` unless the label already says it. */
function role(label: string, what: string): string {
  return label.toLowerCase() === what ? label : `${label} (${what})`;
}
