/**
 * An importance report as text: an aligned table for terminals, Markdown
 * for PR comments and job summaries (names escaped), JSON for scripts.
 */
import { fmt } from './compare';
import type { FeatureImportance, ImportanceReport } from './types';

export type ImportanceFormat = 'table' | 'json' | 'md';

function row(f: FeatureImportance, source: ImportanceReport['source']): string[] {
  const p = (x?: { value: number; pvalue?: number }) => (x ? `${fmt(x.value)}${x.pvalue !== undefined ? ` (p ${fmt(x.pvalue)})` : ''}` : '');
  if (source === 'model') return [f.feature, fmt(f.importance), f.std !== undefined ? fmt(f.std) : ''];
  return [f.feature, f.importance !== undefined ? fmt(f.importance) : '', p(f.mutualInfo), p(f.spearman), p(f.pearson), p(f.cramersV), f.n !== undefined ? String(f.n) : '', f.problem ?? ''];
}

function header(source: ImportanceReport['source']): string[] {
  return source === 'model' ? ['feature', 'importance', 'std'] : ['feature', 'dependency', 'mutual info (nats)', 'spearman', 'pearson', "cramér's v", 'n', 'note'];
}

function title(r: ImportanceReport): string {
  return r.source === 'data'
    ? `dependencies on ${r.target ?? '?'} in ${r.file} (${r.rows ?? '?'} rows; dependency = mutual information / target entropy)`
    : `model importances from ${r.file}`;
}

export function formatImportanceTable(r: ImportanceReport): string {
  const rows = [header(r.source), ...r.features.map((f) => row(f, r.source))];
  const used = rows[0]!.map((_, c) => rows.some((x, i) => i > 0 && x[c] !== ''));
  const cols = rows.map((x) => x.filter((_, c) => used[c] || c === 0));
  const widths = cols[0]!.map((_, c) => Math.max(...cols.map((x) => x[c]!.length)));
  const lines = [title(r), ...cols.map((x) => x.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd())];
  for (const p of r.problems) lines.push(`problem: ${p}`);
  return lines.join('\n');
}

const esc = (s: string) => s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`).replace(/\n/g, ' ');

export function formatImportanceMarkdown(r: ImportanceReport): string {
  const h = header(r.source);
  const L = [`**${esc(title(r))}**`, '', `| ${h.join(' | ')} |`, `|${h.map(() => '---').join('|')}|`];
  for (const f of r.features) L.push(`| ${row(f, r.source).map(esc).join(' | ')} |`);
  for (const p of r.problems) L.push('', `⚠️ ${esc(p)}`);
  return L.join('\n') + '\n';
}

export function formatImportance(r: ImportanceReport, format: ImportanceFormat): string {
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  if (format === 'md') return formatImportanceMarkdown(r);
  return formatImportanceTable(r) + '\n';
}
