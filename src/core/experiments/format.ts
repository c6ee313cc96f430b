/**
 * Renderings of a Comparison: aligned text for the terminal, JSON for
 * scripts, Markdown for a PR comment or CI job summary (like CML reports:
 * a title line, one column per run with ↑/↓ marks, git commits in a
 * footnote). Pure functions of the Comparison: no I/O.
 */
import type { ParamValue } from '../params';
import { formatMetric } from '../metric-format';
import type { CompareCell, CompareRow, Comparison, ComparedRun } from './compare';

export type CompareFormat = 'table' | 'json' | 'md';

/** Numbers with at most 6 significant digits; other values as JSON (strings bare). */
export function formatValue(v: ParamValue | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(Number(v.toPrecision(6)));
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function signed(x: number): string {
  const s = String(Number(x.toPrecision(4)));
  return x > 0 ? `+${s}` : s;
}

/** "+0.012 (+1.5%)", or '' when there is nothing to show. */
export function formatDelta(c: CompareCell): string {
  if (c.delta === undefined || !c.changed) return '';
  const rel = c.relative !== undefined && Number.isFinite(c.relative) ? ` (${signed(c.relative * 100)}%)` : '';
  return `${signed(c.delta)}${rel}`;
}

const MARK: Record<string, string> = { better: '↑', worse: '↓' };

export function runLabel(r: ComparedRun): string {
  if (r.label) return r.label;
  return r.name ? `${r.name} (${r.id})` : r.id;
}

/**
 * Short header names: a run's name (cut at 24 characters), else the
 * shortest prefix of its id that no other of `allIds` shares (still a valid
 * RUN argument), at least the date and hour and minute (`20261204-0512`).
 */
export function shortLabels(runs: ReadonlyArray<Pick<ComparedRun, 'id' | 'name'>>, allIds: readonly string[]): string[] {
  const used = new Set<string>();
  return runs.map((r) => {
    let label: string;
    if (r.name) label = r.name.length > 24 ? `${r.name.slice(0, 23)}…` : r.name;
    else {
      const others = allIds.filter((id) => id !== r.id);
      let n = Math.min(r.id.length, 13);
      while (n < r.id.length && others.some((id) => id.startsWith(r.id.slice(0, n)))) n++;
      label = r.id.slice(0, n);
    }
    // Two runs with one name: the id keeps the columns apart.
    if (used.has(label)) label = `${label} (${r.id})`;
    used.add(label);
    return label;
  });
}

/** "label = full id" lines for the labels that are not the id, so a reader can name the run. */
function labelKey(c: Comparison): string[] {
  const renamed = c.runs.filter((r) => r.label && r.label !== r.id);
  return renamed.length ? [`runs: ${renamed.map((r) => `${r.label} = ${r.id}`).join(', ')}`] : [];
}

function hiddenNote(c: Comparison): string[] {
  return c.hiddenParams ? [`${c.hiddenParams} param${c.hiddenParams === 1 ? '' : 's'} the same in every run not shown (--all-params shows them)`] : [];
}

function cellText(c: CompareCell, isBaseline: boolean, row?: CompareRow): string {
  const value = row?.kind === 'metric' && typeof c.value === 'number' ? formatMetric(c.value, row.format) : formatValue(c.value);
  if (isBaseline) return value;
  const parts = [value];
  const delta = formatDelta(c);
  if (delta) parts.push(delta);
  if (MARK[c.verdict]) parts.push(MARK[c.verdict]!);
  else if (c.changed && c.verdict === 'n/a' && c.value !== undefined) parts.push('*');
  return parts.join(' ');
}

function grid(c: Comparison): string[][] {
  const header = ['', ...c.runs.map((r, i) => (i === c.baseline ? `${runLabel(r)} [baseline]` : runLabel(r)))];
  const label = (row: Comparison['rows'][number]) => (row.kind === 'metric' ? `${row.key}${row.goal ? ` (${row.goal})` : ''}` : row.kind === 'importance' ? `${row.key} (importance)` : `${row.key} (param)`);
  const rows = c.rows.map((row) => [label(row), ...row.cells.map((cell, i) => cellText(cell, i === c.baseline, row))]);
  return [header, ...rows];
}

/** Aligned columns; ↑ better, ↓ worse than the baseline by the metric's goal, * changed. */
export function formatTable(c: Comparison): string {
  if (c.rows.length === 0) return ['no differences', ...hiddenNote(c)].join('\n');
  const g = grid(c);
  const widths = g[0]!.map((_, col) => Math.max(...g.map((r) => [...r[col]!].length)));
  const table = g.map((r) => r.map((t, col) => t + ' '.repeat(widths[col]! - [...t].length)).join('  ').trimEnd());
  const notes = [...labelKey(c), ...hiddenNote(c)];
  return [...table, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

export function formatJson(c: Comparison): string {
  return JSON.stringify(c, null, 2);
}

function mdEscape(t: string): string {
  return t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown for a PR comment / job summary. */
export function formatMarkdown(c: Comparison, title = 'mlci experiment comparison'): string {
  const base = c.runs[c.baseline]!;
  const lines = [`## ${title}`, '', `${c.runs.length} run${c.runs.length === 1 ? '' : 's'} compared with baseline \`${base.id}\`${base.name ? ` (${mdEscape(base.name)})` : ''}. ↑ better, ↓ worse by the metric's goal.`, ''];
  if (c.rows.length === 0) lines.push('_No differences._');
  else {
    const g = grid(c);
    lines.push(`| ${g[0]!.map((h, i) => (i === 0 ? 'Run' : mdEscape(h))).join(' | ')} |`);
    lines.push(`|${g[0]!.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const r of g.slice(1)) lines.push(`| ${r.map((t, i) => (i === 0 ? `\`${mdEscape(t)}\`` : mdEscape(t))).join(' | ')} |`);
  }
  for (const note of hiddenNote(c)) lines.push('', `<sub>${mdEscape(note)}</sub>`);
  const commits = c.runs.filter((r) => r.git);
  if (commits.length) {
    lines.push('');
    lines.push(`<sub>Commits: ${c.runs.map((r) => `\`${r.id}\` ${r.git ? `${r.git.commit.slice(0, 7)}${r.git.dirty ? ' (uncommitted changes)' : ''}${r.git.branch ? ` on ${mdEscape(r.git.branch)}` : ''}` : 'no git'}`).join('; ')}</sub>`);
  }
  return lines.join('\n');
}

export function formatComparison(c: Comparison, format: CompareFormat): string {
  return format === 'json' ? formatJson(c) : format === 'md' ? formatMarkdown(c) : formatTable(c);
}
