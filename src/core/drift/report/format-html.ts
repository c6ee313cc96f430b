/**
 * The report as one self-contained HTML file: inline CSS and inline SVG
 * histograms, no script, no external resource (it opens from a CI artifact
 * or an email attachment as it is). Every string that comes from the data
 * (column and category names, paths, warnings) goes through escapeHtml, and
 * a Content-Security-Policy forbids scripts and loads even if one slipped
 * through.
 */
import { condition, formatNumber, scoreName, summaryLine } from './numbers';
import { histogramSvg } from './svg';
import type { DriftColumnReport, DriftReport } from './types';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:24px auto;max-width:1000px;padding:0 16px}
h1{font-size:20px;margin:0 0 4px}
.verdict{font-size:16px;padding:8px 12px;border-radius:6px;margin:12px 0}
.drift{background:#fde2d6;border:1px solid #e0732a}.nodrift{background:#def3e0;border:1px solid #3c9a4e}
table{border-collapse:collapse;width:100%;margin:12px 0}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #ddd}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.drifted td{background:#fff4ee}
.col{border:1px solid #ddd;border-radius:6px;padding:10px 14px;margin:14px 0}
.col h2{font-size:15px;margin:0 0 6px}.tag{font-size:12px;padding:1px 6px;border-radius:4px;margin-left:6px}
.tag.drift{background:#e0732a;color:#fff;border:0}.tag.ok{background:#3c9a4e;color:#fff}
.meta{color:#555;font-size:13px}.warn{color:#8a5a00}
ul{margin:6px 0;padding-left:20px}
`;

export function formatHtml(r: DriftReport): string {
  const e = escapeHtml;
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>Data drift: ${e(r.current.path)}</title><style>${CSS}</style></head><body>`);
  out.push(`<h1>Data drift report</h1>`);
  out.push(`<div class="meta">Current <b>${e(r.current.path)}</b> (${r.current.rows} rows) against reference <b>${e(r.reference.path)}</b> (${r.reference.rows} rows), computed in ${r.durationMs} ms.</div>`);
  out.push(`<div class="verdict ${r.datasetDrift ? 'drift' : 'nodrift'}">${e(summaryLine(r))}</div>`);

  if (r.columns.length > 0) {
    out.push('<table><thead><tr><th>column</th><th>type</th><th>test</th><th>statistic</th><th>score</th><th>drift if</th><th>verdict</th></tr></thead><tbody>');
    for (const c of r.columns) {
      out.push(`<tr${c.drifted ? ' class="drifted"' : ''}><td>${e(c.name)}</td><td>${c.type}</td><td>${c.test}</td>`
        + `<td class="num">${e(formatNumber(c.statistic))}</td><td class="num">${e(formatNumber(c.pvalue ?? c.distance))} (${scoreName(c)})</td>`
        + `<td>${e(condition(c))}</td><td>${c.drifted ? '<b>drift</b>' : 'ok'}</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  const general = [
    ...r.skipped.map((s) => `${e(s.name)}: not compared: ${e(s.reason)}`),
    ...r.warnings.map(e),
  ];
  if (general.length > 0) out.push(`<ul class="warn">${general.map((g) => `<li>${g}</li>`).join('')}</ul>`);
  for (const c of r.columns) out.push(columnCard(c));
  out.push('</body></html>', '');
  return out.join('\n');
}

function columnCard(c: DriftColumnReport): string {
  const e = escapeHtml;
  const parts: string[] = [];
  parts.push(`<section class="col"><h2>${e(c.name)}<span class="tag ${c.drifted ? 'drift' : 'ok'}">${c.drifted ? 'drift' : 'no drift'}</span></h2>`);
  parts.push(`<div class="meta">${c.type}, ${c.test}: statistic ${e(formatNumber(c.statistic))}, ${scoreName(c)} ${e(formatNumber(c.pvalue ?? c.distance))}, drift if ${e(condition(c))}; `
    + `${c.referenceSize} reference and ${c.currentSize} current values`
    + `${c.missing.reference + c.missing.current > 0 ? ` (missing removed: ${c.missing.reference} and ${c.missing.current})` : ''}</div>`);
  parts.push(histogramSvg(c.histogram, e, `${c.name}: reference and current distributions`));
  const notes: string[] = [];
  if (c.newCategories) notes.push(`new categories in current: ${c.newCategories.map(e).join(', ')}`);
  if (c.missingCategories) notes.push(`categories missing from current: ${c.missingCategories.map(e).join(', ')}`);
  for (const w of c.warnings) notes.push(e(w));
  if (notes.length > 0) parts.push(`<ul class="warn">${notes.map((n) => `<li>${n}</li>`).join('')}</ul>`);
  parts.push('</section>');
  return parts.join('\n');
}
