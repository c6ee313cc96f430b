/**
 * The comparison as data, no DOM: which columns exist, the order of the
 * runs, the difference of a cell to the baseline and its verdict, and the
 * CSV. Runs are addressed by index into payload.runs everywhere so the
 * 10,000-run case sorts and filters Int32Arrays, not objects.
 */
import type { CompareColumnKey, CompareGoal, CompareParamValue, ComparePayload, CompareRun } from '../../src/protocol/compare-panel';

export interface Column {
  key: CompareColumnKey;
  label: string;
  kind: 'name' | 'status' | 'param' | 'metric';
  /** The param or metric name (kind param/metric). */
  field?: string;
  numeric: boolean;
}

export type Verdict = 'better' | 'worse' | 'same' | 'n/a';

/**
 * Every param and metric key over all runs: the run and its status, then
 * the metrics (those with a goal first, in the pipeline's order, then the
 * rest by name), then the params by name. Metrics come first because they
 * are what a comparison is read for: in a narrow editor the run column
 * (frozen) and the first metrics stay in view, the params scroll.
 */
export function allColumns(runs: CompareRun[], goals: Record<string, CompareGoal> = {}): Column[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const r of runs) {
    for (const k in r.params) params.add(k);
    for (const k in r.metrics) metrics.add(k);
  }
  const numericParam = (k: string) => runs.every((r) => r.params[k] === undefined || r.params[k] === null || typeof r.params[k] === 'number');
  return [
    { key: 'name', label: 'Run', kind: 'name', numeric: false },
    { key: 'status', label: 'Status', kind: 'status', numeric: false },
    ...metricOrder([...metrics], goals).map((k): Column => ({ key: `metric:${k}`, label: k, kind: 'metric', field: k, numeric: true })),
    ...[...params].sort().map((k): Column => ({ key: `param:${k}`, label: k, kind: 'param', field: k, numeric: numericParam(k) })),
  ];
}

/** Metrics with a goal first (the pipeline's `metrics:` order), then the others by name. */
export function metricOrder(keys: string[], goals: Record<string, CompareGoal>): string[] {
  const order = Object.keys(goals);
  // Exact names in the pipeline's order, then metrics with a goal by their last part (`train.loss`), then the rest.
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : goalOf(k, goals) ? order.length : order.length + 1);
  return [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function runLabel(r: CompareRun): string {
  return r.name ?? r.id;
}

export function cellValue(r: CompareRun, c: Column): CompareParamValue | undefined {
  switch (c.kind) {
    case 'name': return runLabel(r);
    case 'status': return r.status;
    case 'param': return r.params[c.field!];
    case 'metric': return r.metrics[c.field!];
  }
}

function same(a: CompareParamValue | undefined, b: CompareParamValue | undefined): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    // The same tolerance as src/core/experiments/compare.ts: float noise is not a change.
    return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/** The goal of a metric key: exact name, else its last dotted part (`train.loss` → `loss`), as compareRuns does. */
export function goalOf(key: string, goals: Record<string, CompareGoal>): CompareGoal | undefined {
  return goals[key] ?? goals[key.slice(key.lastIndexOf('.') + 1)];
}

/** A metric cell against the baseline's: delta and verdict (compareRuns' rules). */
export function metricDiff(value: number | undefined, base: number | undefined, goal: CompareGoal | undefined): { delta?: number; verdict: Verdict } {
  if (value === undefined || base === undefined || Number.isNaN(value) || Number.isNaN(base)) return { verdict: 'n/a' };
  const delta = value - base;
  if (same(value, base)) return { delta, verdict: 'same' };
  if (!goal) return { delta, verdict: 'n/a' };
  return { delta, verdict: (goal === 'max') === value > base ? 'better' : 'worse' };
}

/**
 * Columns whose values differ across `rows` (indices into runs); name and
 * status always stay. Stops scanning a column at its first difference.
 */
export function differingColumns(columns: Column[], runs: CompareRun[], rows: ArrayLike<number>): Column[] {
  return columns.filter((c) => {
    if (c.kind === 'name' || c.kind === 'status') return true;
    if (rows.length < 2) return true;
    const first = cellValue(runs[rows[0]!]!, c);
    for (let i = 1; i < rows.length; i++) if (!same(cellValue(runs[rows[i]!]!, c), first)) return true;
    return false;
  });
}

/** One collator for every comparison: String.localeCompare builds one per call (slow over 10,000 rows). */
const COLLATOR = new Intl.Collator(undefined, { numeric: true });

function compareValues(a: CompareParamValue | undefined, b: CompareParamValue | undefined): number {
  // Missing and NaN sort last either way round, as in the drift table.
  const am = a === undefined || a === null || (typeof a === 'number' && Number.isNaN(a));
  const bm = b === undefined || b === null || (typeof b === 'number' && Number.isNaN(b));
  if (am || bm) return am === bm ? 0 : am ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  return COLLATOR.compare(String(a), String(b));
}

/** Run indices in column order; stable (ties keep the order the extension sent). */
export function sortedOrder(runs: CompareRun[], column: Column | undefined, dir: 'asc' | 'desc'): Int32Array {
  const order = Int32Array.from(runs.keys());
  if (!column) return order;
  // One value read per run, not per comparison: 10,000 runs take ~130,000 comparisons.
  const values = runs.map((r) => cellValue(r, column));
  const sign = dir === 'asc' ? 1 : -1;
  const missing = (v: CompareParamValue | undefined) => v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v));
  order.sort((x, y) => {
    const a = values[x];
    const b = values[y];
    // Missing values stay last in both directions.
    const d = missing(a) || missing(b) ? compareValues(a, b) : sign * compareValues(a, b);
    return d || x - y;
  });
  return order;
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR/LF or edge spaces; quotes doubled. */
export function csvField(value: CompareParamValue | undefined): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  // Text starting with = + - @ is run as a formula by spreadsheets (CSV injection): a leading ' keeps it text.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The table as CSV: id, name, status, branch, commit, then the columns shown, runs in table order. */
export function toCsv(payload: ComparePayload, columns: Column[], order: ArrayLike<number>): string {
  const fields = columns.filter((c) => c.kind === 'param' || c.kind === 'metric');
  const lines = [['id', 'name', 'status', 'branch', 'commit', ...fields.map((c) => c.label)].map(csvField).join(',')];
  for (let i = 0; i < order.length; i++) {
    const r = payload.runs[order[i]!]!;
    lines.push([r.id, r.name, r.status, r.branch, r.commit, ...fields.map((c) => cellValue(r, c))].map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/**
 * The downsampling rule of every chart: keep every k-th item with
 * k = ceil(n / max), plus the last one, so the first and the last item and
 * an even spread between them are drawn. Deterministic (no random sample),
 * so the same runs give the same picture after a reload.
 */
export function strideSample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const k = Math.ceil(items.length / max);
  const out: T[] = [];
  for (let i = 0; i < items.length; i += k) out.push(items[i]!);
  if ((items.length - 1) % k !== 0) out[out.length - 1] = items[items.length - 1]!;
  return out;
}
