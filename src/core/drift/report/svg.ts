/**
 * Inline SVG histograms for the HTML report: reference and current bars
 * side by side per bin, as shares of each side (the two files rarely have
 * the same number of rows). Plain SVG elements and attributes only; every
 * label is escaped by the caller's escapeHtml.
 */
import { formatNumber } from './numbers';
import type { DriftHistogram } from './types';

const WIDTH = 560;
const HEIGHT = 170;
const PAD_LEFT = 8;
const PAD_BOTTOM = 38;
const PAD_TOP = 8;
const REF_COLOR = '#7a8ca3';
const CUR_COLOR = '#e0732a';

function shares(counts: number[], extra = 0): number[] {
  const total = counts.reduce((a, b) => a + b, 0) + extra;
  return counts.map((c) => (total > 0 ? c / total : 0));
}

export function histogramSvg(h: DriftHistogram, escapeHtml: (s: string) => string, title: string): string {
  let labels: string[];
  let ref: number[];
  let cur: number[];
  if (h.kind === 'numeric') {
    labels = h.reference.map((_, i) => `${formatNumber(h.edges[i])} to ${formatNumber(h.edges[i + 1])}`);
    ref = shares(h.reference);
    cur = shares(h.current);
  } else {
    const refCounts = [...h.reference, ...(h.other ? [h.other.reference] : [])];
    const curCounts = [...h.current, ...(h.other ? [h.other.current] : [])];
    labels = [...h.categories, ...(h.other ? [`(${h.other.categories} others)`] : [])];
    ref = shares(refCounts);
    cur = shares(curCounts);
  }
  const n = labels.length;
  const plotW = WIDTH - PAD_LEFT * 2;
  const plotH = HEIGHT - PAD_BOTTOM - PAD_TOP;
  const slot = plotW / Math.max(n, 1);
  const bar = Math.max(1, slot * 0.42);
  const top = Math.max(...ref, ...cur, 1e-12);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">`);
  parts.push(`<line x1="${PAD_LEFT}" y1="${PAD_TOP + plotH}" x2="${WIDTH - PAD_LEFT}" y2="${PAD_TOP + plotH}" stroke="#999" stroke-width="1"/>`);
  for (let i = 0; i < n; i++) {
    const x = PAD_LEFT + i * slot + (slot - 2 * bar) / 2;
    for (const [k, v, color, who] of [[0, ref[i]!, REF_COLOR, 'reference'], [1, cur[i]!, CUR_COLOR, 'current']] as const) {
      const hgt = (v / top) * plotH;
      const tip = `${labels[i]!}: ${who} ${(v * 100).toFixed(1)}%`;
      parts.push(`<rect x="${(x + k * bar).toFixed(2)}" y="${(PAD_TOP + plotH - hgt).toFixed(2)}" width="${bar.toFixed(2)}" height="${hgt.toFixed(2)}" fill="${color}"><title>${escapeHtml(tip)}</title></rect>`);
    }
  }
  // Axis labels: every category when they fit, else the first and last bin edges.
  const labelY = PAD_TOP + plotH + 14;
  if (h.kind === 'numeric') {
    parts.push(`<text x="${PAD_LEFT}" y="${labelY}" font-size="11" fill="#555">${escapeHtml(formatNumber(h.edges[0]))}</text>`);
    parts.push(`<text x="${WIDTH - PAD_LEFT}" y="${labelY}" font-size="11" fill="#555" text-anchor="end">${escapeHtml(formatNumber(h.edges[h.edges.length - 1]))}</text>`);
  } else if (n <= 12) {
    for (let i = 0; i < n; i++) {
      const text = labels[i]!.length > 14 ? `${labels[i]!.slice(0, 13)}…` : labels[i]!;
      parts.push(`<text x="${(PAD_LEFT + (i + 0.5) * slot).toFixed(2)}" y="${labelY}" font-size="11" fill="#555" text-anchor="middle">${escapeHtml(text)}</text>`);
    }
  } else {
    parts.push(`<text x="${PAD_LEFT}" y="${labelY}" font-size="11" fill="#555">${n} categories, most frequent first (hover a bar for its name)</text>`);
  }
  parts.push(`<rect x="${PAD_LEFT}" y="${HEIGHT - 14}" width="10" height="10" fill="${REF_COLOR}"/><text x="${PAD_LEFT + 14}" y="${HEIGHT - 5}" font-size="11" fill="#333">reference</text>`);
  parts.push(`<rect x="${PAD_LEFT + 90}" y="${HEIGHT - 14}" width="10" height="10" fill="${CUR_COLOR}"/><text x="${PAD_LEFT + 104}" y="${HEIGHT - 5}" font-size="11" fill="#333">current</text>`);
  parts.push('</svg>');
  return parts.join('');
}
