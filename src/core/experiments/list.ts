/**
 * The experiment list (`mlci exp list`): one row per run with its status,
 * name, git commit, overrides and the metrics that have a goal (or the
 * first few), as aligned text, JSON or Markdown.
 */
import type { RunRecord } from '../run/record';
import type { MetricGoals } from './compare';
import { goalOf } from './compare';
import { formatValue } from './format';

export interface ListOptions {
  goals: MetricGoals;
  pinned?: string;
  /** Metric columns at most (default 6). */
  maxMetrics?: number;
}

/** Metric columns: those with a goal first (pipeline order), then others by name. */
export function listMetricKeys(runs: readonly RunRecord[], goals: MetricGoals, max = 6): string[] {
  const all = [...new Set(runs.flatMap((r) => Object.keys(r.metrics ?? {})))];
  const withGoal = all.filter((k) => goalOf(k, goals)).sort((a, b) => Object.keys(goals).indexOf(a) - Object.keys(goals).indexOf(b));
  const rest = all.filter((k) => !goalOf(k, goals)).sort();
  return [...withGoal, ...rest].slice(0, max);
}

function overridesText(r: RunRecord): string {
  return Object.entries(r.overrides ?? {}).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
}

function rows(runs: readonly RunRecord[], opts: ListOptions): string[][] {
  const metrics = listMetricKeys(runs, opts.goals, opts.maxMetrics);
  const header = ['run', 'status', 'name', 'commit', 'overrides', ...metrics];
  return [header, ...runs.map((r) => [
    `${r.id}${r.id === opts.pinned ? ' (baseline)' : ''}`,
    r.status,
    r.name ?? '',
    r.git ? `${r.git.commit.slice(0, 7)}${r.git.dirty ? '*' : ''}` : '',
    overridesText(r),
    ...metrics.map((m) => formatValue(r.metrics?.[m])),
  ])];
}

export function formatRunList(runs: readonly RunRecord[], format: 'table' | 'json' | 'md', opts: ListOptions): string {
  if (format === 'json') return JSON.stringify(runs, null, 2);
  if (runs.length === 0) return format === 'md' ? '_No runs._' : 'no runs yet: mlci run';
  const g = rows(runs, opts);
  if (format === 'md') {
    const esc = (t: string) => t.replace(/\|/g, '\\|');
    return [`| ${g[0]!.join(' | ')} |`, `|${g[0]!.map(() => ' --- ').join('|')}|`, ...g.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
  }
  const widths = g[0]!.map((_, c) => Math.max(...g.map((r) => r[c]!.length)));
  return g.map((r) => r.map((t, c) => t.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
