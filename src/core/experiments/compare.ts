/**
 * Comparing runs against a baseline run: one row per param and per metric,
 * one cell per run with the value, the difference to the baseline
 * (absolute and relative) and a verdict from the metric's goal in the
 * pipeline's `metrics:` section. Shared by `mlci exp diff` and the
 * experiments panel, so both say the same thing about the same runs.
 */
import type { ParamValue } from '../params';
import type { Goal } from '../pipeline/model';
import type { GitInfo } from '../ports';
import type { RunRecord } from '../run/record';

export type Verdict = 'better' | 'worse' | 'same' | 'n/a';

export interface CompareCell {
  /** undefined when the run has no such param or metric. */
  value: ParamValue | undefined;
  /** value - baseline, for numbers on both sides. */
  delta?: number;
  /** delta / |baseline|, when the baseline is a non-zero number. */
  relative?: number;
  /**
   * Metrics: better/worse by the goal, same when equal, n/a when either side
   * is missing or NaN or the metric has no goal and differs. Params: same or n/a.
   */
  verdict: Verdict;
  /** The value differs from the baseline's (missing on one side counts). */
  changed: boolean;
}

export interface CompareRow {
  /** `importance`: a feature's importance in a stage (key `stage:feature`), higher meaning it matters more. */
  kind: 'param' | 'metric' | 'importance';
  key: string;
  goal?: Goal;
  /** A metric's display format (`metrics.<name>.format`), from the pipeline or the newest run that recorded one. */
  format?: string;
  cells: CompareCell[];
}

export interface ComparedRun {
  id: string;
  name?: string;
  status: string;
  startedAt: string;
  git?: GitInfo;
  overrides?: Record<string, ParamValue>;
  /** A short name for headers (the run's name, or a unique prefix of its id); the id when absent. */
  label?: string;
}

export interface Comparison {
  runs: ComparedRun[];
  /** Index of the baseline in `runs`. */
  baseline: number;
  rows: CompareRow[];
  /** Param rows left out because every run has the same value (`onlyDiffParams`). */
  hiddenParams?: number;
}

export type MetricGoals = Record<string, { goal?: Goal } | undefined>;

export interface CompareOptions {
  /** Keep only rows where some run differs from the baseline. */
  onlyDiff?: boolean;
  /** Keep only the param rows where some run differs (metrics stay); `hiddenParams` counts the rest. */
  onlyDiffParams?: boolean;
}

/** Nested params as dotted leaves (`model.lr`); lists stay values. */
export function flattenParams(params: Record<string, ParamValue>, prefix = '', out: Record<string, ParamValue> = {}): Record<string, ParamValue> {
  for (const [k, v] of Object.entries(params)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flattenParams(v, key, out);
    else out[key] = v;
  }
  return out;
}

/** The goal for a metric key: exact name, else its last dotted part (`train.loss` → `loss`). */
export function goalOf(key: string, goals: MetricGoals): Goal | undefined {
  return goals[key]?.goal ?? goals[key.slice(key.lastIndexOf('.') + 1)]?.goal;
}

function sameValue(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    // Float noise from different stages/JSON round-trips is not a change.
    return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && !Number.isNaN(v);
}

function cell(kind: CompareRow['kind'], value: ParamValue | undefined, base: ParamValue | undefined, goal: Goal | undefined): CompareCell {
  const changed = !sameValue(value, base);
  const out: CompareCell = { value, verdict: 'n/a', changed };
  if (isNum(value) && isNum(base)) {
    out.delta = value - base;
    if (base !== 0) out.relative = out.delta / Math.abs(base);
  }
  if (kind === 'param') {
    out.verdict = changed ? 'n/a' : 'same';
    return out;
  }
  if (!isNum(value) || !isNum(base)) return out;
  if (!changed) out.verdict = 'same';
  else if (goal) out.verdict = (goal === 'max') === value > base ? 'better' : 'worse';
  return out;
}

function summary(r: RunRecord): ComparedRun {
  return {
    id: r.id,
    ...(r.name !== undefined ? { name: r.name } : {}),
    status: r.status,
    startedAt: r.startedAt,
    ...(r.git ? { git: r.git } : {}),
    ...(r.overrides ? { overrides: r.overrides } : {}),
  };
}

/**
 * Rows for `runs` (in the order given) against the run whose id is
 * `baselineId` (which must be one of them). Params first, then metrics,
 * each sorted by key so the output is stable.
 */
export function compareRuns(runs: readonly RunRecord[], baselineId: string, goals: MetricGoals, opts: CompareOptions = {}): Comparison {
  const baseline = runs.findIndex((r) => r.id === baselineId);
  if (baseline < 0) throw new Error(`the baseline run ${baselineId} is not among the compared runs`);
  const params = runs.map((r) => flattenParams(r.params ?? {}));
  const metrics = runs.map((r) => r.metrics ?? {});
  const keysOf = (list: ReadonlyArray<Record<string, unknown>>) => [...new Set(list.flatMap((o) => Object.keys(o)))].sort();
  const rows: CompareRow[] = [];
  for (const key of keysOf(params)) {
    rows.push({ kind: 'param', key, cells: params.map((p) => cell('param', p[key], params[baseline]![key], undefined)) });
  }
  for (const key of keysOf(metrics)) {
    const goal = goalOf(key, goals);
    const format = (goals[key] as { format?: string } | undefined)?.format ?? runs.map((r) => r.metricFormats?.[key]).find((f) => f !== undefined);
    rows.push({ kind: 'metric', key, ...(goal ? { goal } : {}), ...(format ? { format } : {}), cells: metrics.map((m) => cell('metric', m[key], metrics[baseline]![key], goal)) });
  }
  // Importances (feature dependencies and model importances): a rise is not
  // "better" (a leak rises too), so these rows carry changes, not verdicts.
  const importances = runs.map((r) => importanceValues(r));
  for (const key of keysOf(importances)) {
    rows.push({ kind: 'importance', key, cells: importances.map((m) => cell('importance', m[key], importances[baseline]![key], undefined)) });
  }
  const differs = (r: CompareRow) => r.cells.some((c) => c.changed);
  const kept = rows.filter((r) => differs(r) || !(opts.onlyDiff || (opts.onlyDiffParams && r.kind === 'param')));
  const hiddenParams = opts.onlyDiffParams && !opts.onlyDiff ? rows.filter((r) => r.kind === 'param' && !differs(r)).length : 0;
  return { runs: runs.map(summary), baseline, rows: kept, ...(hiddenParams ? { hiddenParams } : {}) };
}

/** `stage:feature` → importance, for every stage that recorded importances. */
function importanceValues(r: RunRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [stage, report] of Object.entries(r.importance ?? {})) {
    for (const f of report.features) if (typeof f.importance === 'number') out[`${stage}:${f.feature}`] = f.importance;
  }
  return out;
}
