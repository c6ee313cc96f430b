/** Gate results as text (terminal, stage logs) and as Markdown (PR comments, CI job summaries). */
import type { GateResult } from './result';

const MARK = { passed: '✔', failed: '✘', skipped: '–' } as const;

function label(r: GateResult): string {
  return `${r.stage}: ${r.name}${r.severity === 'warning' ? ' (warning)' : ''}`;
}

/** One line per gate, then a summary line; empty when there are no gates. */
export function formatGateResults(results: readonly GateResult[]): string[] {
  if (results.length === 0) return [];
  const lines = results.map((r) => `${r.noBaseline && r.status === 'skipped' ? '?' : MARK[r.status]} ${label(r)} — ${r.reason}`);
  lines.push(summary(results));
  return lines;
}

export function summary(results: readonly GateResult[]): string {
  const count = (s: GateResult['status']) => results.filter((r) => r.status === s).length;
  const warned = results.filter((r) => r.status === 'failed' && r.severity === 'warning').length;
  const failed = count('failed') - warned;
  const parts = [`${count('passed')} passed`, `${failed} failed`];
  if (warned) parts.push(`${warned} warning${warned === 1 ? '' : 's'}`);
  const noBase = results.filter((r) => r.noBaseline && r.status === 'skipped').length;
  if (noBase) parts.push(`${noBase} no baseline`);
  if (count('skipped') - noBase) parts.push(`${count('skipped') - noBase} skipped`);
  return `gates: ${parts.join(', ')}`;
}

/** Table cells must not break the row: escape pipes, fold newlines. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function statusCell(r: GateResult): string {
  if (r.status === 'failed') return r.severity === 'warning' ? '⚠️ warning' : '❌ failed';
  if (r.status === 'skipped' && r.noBaseline) return '❔ no baseline';
  return r.status === 'passed' ? '✅ passed' : '⏭️ skipped';
}

export function formatGatesMarkdown(results: readonly GateResult[]): string {
  if (results.length === 0) return '_No gates._\n';
  const rows = results.map((r) => `| ${statusCell(r)} | ${cell(r.stage)} | ${cell(r.name)} | ${cell(r.expected)} | ${cell(r.actual)} | ${cell(r.reason)} |`);
  return ['| | Stage | Gate | Expected | Actual | Why |', '|---|---|---|---|---|---|', ...rows, '', `**${summary(results)}**`, ''].join('\n');
}
