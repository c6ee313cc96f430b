/**
 * The report as GitHub-flavoured Markdown, for PR comments and CI job
 * summaries: the verdict first, a table of columns (drifted ones marked),
 * then the details. Every string from the data (column and category names,
 * paths) is escaped so it shows literally: a name cannot open a link, inject
 * HTML (GitHub renders some) or break the table.
 */
import { condition, formatNumber, scoreName, summaryLine } from './numbers';
import type { DriftReport } from './types';

/** Markdown punctuation gets a backslash; HTML's specials become entities; line breaks become spaces. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (ch) => `\\${ch}`)
    .replace(/[\r\n]+/g, ' ');
}

export function formatMarkdown(r: DriftReport): string {
  const out: string[] = [];
  const icon = r.datasetDrift ? '🔴' : '🟢';
  // Our own words, except problems, which name columns and files: escaped then.
  out.push(`### ${icon} Data drift: ${r.problems.length > 0 ? escapeMarkdown(summaryLine(r)) : summaryLine(r)}`, '');
  out.push(`Current \`${code(r.current.path)}\` (${r.current.rows} rows) against reference \`${code(r.reference.path)}\` (${r.reference.rows} rows).`, '');
  if (r.columns.length > 0) {
    out.push('| column | type | test | statistic | score | drift if | verdict |', '| --- | --- | --- | ---: | ---: | --- | --- |');
    for (const c of r.columns) {
      out.push(`| ${escapeMarkdown(c.name)} | ${c.type} | ${c.test} | ${formatNumber(c.statistic)} | ${formatNumber(c.pvalue ?? c.distance)} (${scoreName(c)}) | ${condition(c)} | ${c.drifted ? '**drift**' : 'ok'} |`);
    }
    out.push('');
  }
  const details: string[] = [];
  for (const c of r.columns) {
    const name = escapeMarkdown(c.name);
    if (c.newCategories) details.push(`- ${name}: new categories in current: ${c.newCategories.map(escapeMarkdown).join(', ')}`);
    if (c.missingCategories) details.push(`- ${name}: categories missing from current: ${c.missingCategories.map(escapeMarkdown).join(', ')}`);
    if (c.missing.reference > 0 || c.missing.current > 0) {
      details.push(`- ${name}: missing values removed: ${c.missing.reference} in reference, ${c.missing.current} in current`);
    }
    for (const w of c.warnings) details.push(`- ${name}: ${escapeMarkdown(w)}`);
  }
  for (const s of r.skipped) details.push(`- ${escapeMarkdown(s.name)}: not compared: ${escapeMarkdown(s.reason)}`);
  for (const w of r.warnings) details.push(`- ${escapeMarkdown(w)}`);
  if (details.length > 0) out.push('<details><summary>Notes and warnings</summary>', '', ...details, '', '</details>', '');
  return out.join('\n');
}

/** Inside a code span only the backtick matters; swap it for a look-alike rather than fight the span rules. */
function code(s: string): string {
  return s.replace(/`/g, 'ˋ').replace(/[\r\n]+/g, ' ');
}
