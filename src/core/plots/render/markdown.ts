/**
 * Plots as Markdown for PR comments and CI summaries. Charts are SVG
 * images and image plots their own files: written beside the Markdown file
 * (`<name>-plots/`) when there is one, else inlined as data: URIs (which
 * some renderers, GitHub comments among them, do not show: use --out there).
 * Confusion matrices are also given as tables of counts, which render
 * everywhere.
 */
import type { RunPlots } from '../types';
import type { FigurePart } from './figures';
import { figuresOf } from './figures';

export interface MarkdownAsset {
  /** Relative to the Markdown file. */
  name: string;
  bytes: Buffer;
}

export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function matrixTable(m: NonNullable<FigurePart['matrix']>): string[] {
  const head = `| actual \\ predicted | ${m.labels.map(escapeMd).join(' | ')} |`;
  const sep = `|---|${m.labels.map(() => '---:').join('|')}|`;
  const rows = m.counts.map((row, i) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return `| **${escapeMd(m.labels[i]!)}** | ${row.map((c) => (m.normalized ? (sum ? (c / sum).toFixed(2) : '0.00') : String(c))).join(' | ')} |`;
  });
  return [head, sep, ...rows];
}

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/svg+xml': 'svg' };

/** `assetDir`: folder name for images beside the Markdown; undefined: data: URIs. */
export function plotsMarkdown(runs: RunPlots[], heading: string, assetDir?: string): { text: string; assets: MarkdownAsset[] } {
  const out: string[] = [`## ${escapeMd(heading)}`, '', runs.map((r) => escapeMd(r.label)).join(' · '), ''];
  const assets: MarkdownAsset[] = [];
  const link = (bytes: Buffer, mime: string): string => {
    if (assetDir === undefined) return `data:${mime};base64,${bytes.toString('base64')}`;
    const name = `${assetDir}/plot-${assets.length + 1}.${EXT[mime] ?? 'bin'}`;
    assets.push({ name, bytes });
    return encodeURI(name);
  };
  const figures = figuresOf(runs);
  if (figures.length === 0) out.push('No plots: declare them with `plots:` on a stage.', '');
  for (const f of figures) {
    out.push(`### ${escapeMd(f.title)}`, '');
    for (const p of f.parts) {
      const who = runs.length > 1 ? ` (${escapeMd(p.run)})` : '';
      if (p.error !== undefined) out.push(`> **Cannot draw${who}:** ${escapeMd(p.error)}`, '');
      else if (p.svg) {
        out.push(`![${escapeMd(f.title)}${who}](${link(Buffer.from(p.svg), 'image/svg+xml')})`, '');
        if (p.matrix) out.push(...matrixTable(p.matrix), '');
      } else if (p.image) out.push(`![${escapeMd(f.title)}${who}](${link(Buffer.from(p.image.data, 'base64'), p.image.mime)})`, '');
      for (const n of p.notes) out.push(`_${escapeMd(n)}_`, '');
    }
  }
  return { text: out.join('\n'), assets };
}
