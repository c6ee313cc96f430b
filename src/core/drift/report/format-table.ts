/**
 * The report as aligned plain text for a terminal or a stage log: one row
 * per tested column, then what was not compared, the warnings and the
 * verdict as the last line (what a reader of a CI log looks for).
 */
import { condition, formatNumber, scoreName, summaryLine } from './numbers';
import type { DriftReport } from './types';

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** Control characters in names (a tab, an escape sequence) would break the alignment or the terminal. */
function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export function formatTable(r: DriftReport): string {
  const lines: string[] = [];
  lines.push(`drift: ${clean(r.current.path)} (${r.current.rows} rows) vs reference ${clean(r.reference.path)} (${r.reference.rows} rows)`);
  if (r.columns.length > 0) {
    const rows = [['column', 'type', 'test', 'statistic', 'score', 'drift if', 'verdict']];
    for (const c of r.columns) {
      rows.push([
        clean(c.name), c.type, c.test, formatNumber(c.statistic),
        `${formatNumber(c.pvalue ?? c.distance)} (${scoreName(c)})`, condition(c),
        c.drifted ? 'DRIFT' : 'ok',
      ]);
    }
    lines.push('', ...align(rows));
  }
  const notes: string[] = [];
  for (const c of r.columns) {
    if (c.newCategories) notes.push(`${clean(c.name)}: new categories in current: ${c.newCategories.map(clean).join(', ')}`);
    if (c.missingCategories) notes.push(`${clean(c.name)}: categories missing from current: ${c.missingCategories.map(clean).join(', ')}`);
    if (c.missing.reference > 0 || c.missing.current > 0) {
      notes.push(`${clean(c.name)}: missing values removed: ${c.missing.reference} in reference, ${c.missing.current} in current`);
    }
    for (const w of c.warnings) notes.push(`${clean(c.name)}: ${clean(w)}`);
  }
  for (const s of r.skipped) notes.push(`${clean(s.name)}: not compared: ${clean(s.reason)}`);
  for (const w of r.warnings) notes.push(clean(w));
  if (notes.length > 0) lines.push('', ...notes.map((n) => `  ${n}`));
  lines.push('', clean(summaryLine(r)));
  return lines.join('\n');
}
