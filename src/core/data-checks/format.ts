/**
 * A data report as text for the stage log and the CLI: one line per check
 * (✔/✘, title, message), the failing rows of a failed check indented below
 * it, and a summary line last.
 */
import type { DataCheckReport } from './report';
import { plural } from './text';

export function formatDataReport(report: DataCheckReport): string[] {
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${check.passed ? '✔' : '✘'} ${check.title} — ${check.message}`);
    if (!check.passed && check.examples && check.examples.length > 0) {
      lines.push(`    ${check.examples.map((e) => `row ${e.row}: ${shownValue(e.value)}`).join(', ')}`);
    }
  }
  lines.push(summaryLine(report));
  return lines;
}

/** "data/train.csv: 18 of 19 checks passed, 1 failed (2000 rows, 7 columns, 12 ms)". */
export function summaryLine(report: DataCheckReport): string {
  const total = report.checks.length;
  const failed = report.checks.filter((c) => !c.passed).length;
  const outcome = failed === 0 ? `all ${plural(total, 'check')} passed` : `${total - failed} of ${plural(total, 'check')} passed, ${failed} failed`;
  const shape = failed > 0 && report.checks.some((c) => c.id === 'file.readable') ? '' : ` (${plural(report.rows, 'row')}, ${plural(report.columns.length, 'column')}, ${report.durationMs} ms)`;
  return `${report.file}: ${outcome}${shape}`;
}

/** Plain values bare (131, gold); empty, spaced or punctuated ones quoted so their edges show. */
function shownValue(value: string): string {
  if (value === '') return '(missing)';
  return /^[^\s,"'()]+$/.test(value) ? value : JSON.stringify(value);
}
