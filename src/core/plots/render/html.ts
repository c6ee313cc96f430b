/**
 * Plots as one self-contained HTML file: the charts inlined as SVG, images
 * as data: URIs, no script and no external resource, under a
 * Content-Security-Policy that forbids both (`default-src 'none'`). Every
 * name from the files or the pipeline is escaped.
 */
import type { RunPlots } from '../types';
import { figuresOf } from './figures';
import { esc } from './svg';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:24px;}
h1{font-size:20px;margin:0 0 8px}h2{font-size:15px;margin:18px 0 6px}
.row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
figure{margin:0;border:1px solid #ddd;border-radius:6px;padding:8px;background:#fff}
figcaption{font-size:12px;color:#555;margin-top:4px}
.err{color:#a1260d;background:#fde7e2;border:1px solid #e0a090;border-radius:6px;padding:6px 10px}
.note{color:#8a5a00;font-size:12px}
img{max-width:480px;height:auto}
`;

export function plotsHtml(runs: RunPlots[], heading: string): string {
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  out.push(`<title>${esc(heading)}</title><style>${CSS}</style></head><body>`);
  out.push(`<h1>${esc(heading)}</h1>`);
  out.push(`<p>${runs.map((r) => esc(r.label)).join(' · ')}</p>`);
  const figures = figuresOf(runs);
  if (figures.length === 0) out.push('<p>No plots: declare them with <code>plots:</code> on a stage.</p>');
  for (const f of figures) {
    out.push(`<section><h2>${esc(f.title)}</h2><div class="row">`);
    for (const p of f.parts) {
      if (p.error !== undefined) out.push(`<div class="err">${esc(p.error)}</div>`);
      else if (p.svg) out.push(`<figure>${p.svg}${runs.length > 1 ? `<figcaption>${esc(p.run)}</figcaption>` : ''}</figure>`);
      else if (p.image) out.push(`<figure><img alt="${esc(f.title)}" src="data:${p.image.mime};base64,${p.image.data}"><figcaption>${esc(p.run)}</figcaption></figure>`);
      for (const n of p.notes) out.push(`<div class="note">${esc(n)}</div>`);
    }
    out.push('</div></section>');
  }
  out.push('</body></html>', '');
  return out.join('\n');
}
