/**
 * The experiment list (`mlci exp list`): one row per experiment (history
 * runs only on request, src/core/run/kind.ts) with its status, name, git
 * commit, params (its overrides and those that differ between the listed
 * runs) and the metrics that have a goal (or the first few), as
 * aligned text, JSON or Markdown.
 */
import { kindLabel, kindOf } from '../run/kind';
import type { RunKind, RunRecord } from '../run/record';
import type { MetricGoals } from './compare';
import { flattenParams, goalOf } from './compare';
import { formatMetric } from '../metric-format';
import { formatValue } from './format';

export interface ListOptions {
  goals: MetricGoals;
  pinned?: string;
  /** Metric columns at most (default 6). */
  maxMetrics?: number;
  /** The runs include history (not only experiments): add a `kind` column. */
  history?: boolean;
}

/**
 * The rows `mlci exp list` shows: experiments only, unless `history` (then
 * every run); `hidden` counts the history runs left out, by kind.
 */
export function listedRuns<R extends RunRecord>(runs: readonly R[], history: boolean): { runs: R[]; hidden: Partial<Record<RunKind, number>> } {
  if (history) return { runs: [...runs], hidden: {} };
  const hidden: Partial<Record<RunKind, number>> = {};
  const shown = runs.filter((r) => {
    const kind = kindOf(r);
    if (kind !== 'experiment') hidden[kind] = (hidden[kind] ?? 0) + 1;
    return kind === 'experiment';
  });
  return { runs: shown, hidden };
}

/** "3 history runs not shown (2 cached: nothing ran, 1 Test Explorer run): --all lists them", or ''. */
export function hiddenNote(hidden: Partial<Record<RunKind, number>>, flag = '--all'): string {
  const order: RunKind[] = ['cached', 'tests', 'shared-stages'];
  const parts = order.filter((k) => hidden[k]).map((k) => `${hidden[k]} ${kindLabel(k)}`);
  const total = Object.values(hidden).reduce((a, b) => a + b, 0);
  return total ? `${total} history run${total === 1 ? '' : 's'} not shown (${parts.join(', ')}): ${flag} lists them` : '';
}

/** Metric columns: those with a goal first (pipeline order), then others by name. */
export function listMetricKeys(runs: readonly RunRecord[], goals: MetricGoals, max = 6): string[] {
  const all = [...new Set(runs.flatMap((r) => Object.keys(r.metrics ?? {})))];
  const withGoal = all.filter((k) => goalOf(k, goals)).sort((a, b) => Object.keys(goals).indexOf(a) - Object.keys(goals).indexOf(b));
  const rest = all.filter((k) => !goalOf(k, goals)).sort();
  return [...withGoal, ...rest].slice(0, max);
}

/** Params keys (dotted leaves) whose values are not the same in every listed run. */
export function varyingParams(runs: readonly RunRecord[]): string[] {
  if (runs.length < 2) return [];
  const flat = runs.map((r) => flattenParams(r.params ?? {}));
  const keys = [...new Set(flat.flatMap((p) => Object.keys(p)))].sort();
  return keys.filter((k) => new Set(flat.map((p) => JSON.stringify(p[k] ?? null))).size > 1);
}

/**
 * The run's `--set` overrides, then the params that differ between the
 * listed runs (an edited params.yaml is an experiment too), at most `max`.
 */
function paramsText(r: RunRecord, varying: readonly string[], max = 5): string {
  const flat = flattenParams(r.params ?? {});
  const overrides = Object.keys(r.overrides ?? {});
  const keys = [...overrides, ...varying.filter((k) => !overrides.includes(k))];
  const shown = keys.slice(0, max).map((k) => `${k}=${formatValue(overrides.includes(k) ? r.overrides![k] : flat[k])}`);
  return keys.length > max ? `${shown.join(' ')} +${keys.length - max}` : shown.join(' ');
}

function rows(runs: readonly RunRecord[], opts: ListOptions): string[][] {
  const metrics = listMetricKeys(runs, opts.goals, opts.maxMetrics);
  const varying = varyingParams(runs);
  const header = ['run', 'status', ...(opts.history ? ['kind'] : []), 'name', 'commit', 'params', ...metrics];
  return [header, ...runs.map((r) => [
    `${r.id}${r.id === opts.pinned ? ' (baseline)' : ''}`,
    r.status,
    ...(opts.history ? [kindOf(r)] : []),
    r.name ?? '',
    r.git ? `${r.git.commit.slice(0, 7)}${r.git.dirty ? '*' : ''}` : '',
    paramsText(r, varying),
    ...metrics.map((m) => {
      const v = r.metrics?.[m];
      return typeof v === 'number' ? formatMetric(v, (opts.goals[m] as { format?: string } | undefined)?.format ?? r.metricFormats?.[m]) : formatValue(v);
    }),
  ])];
}

export function formatRunList(runs: readonly RunRecord[], format: 'table' | 'json' | 'md', opts: ListOptions): string {
  if (format === 'json') return JSON.stringify(runs, null, 2);
  if (runs.length === 0) return format === 'md' ? '_No runs._' : 'no experiments yet: mlci run';
  const g = rows(runs, opts);
  if (format === 'md') {
    const esc = (t: string) => t.replace(/\|/g, '\\|');
    return [`| ${g[0]!.join(' | ')} |`, `|${g[0]!.map(() => ' --- ').join('|')}|`, ...g.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
  }
  const widths = g[0]!.map((_, c) => Math.max(...g.map((r) => r[c]!.length)));
  return g.map((r) => r.map((t, c) => t.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
