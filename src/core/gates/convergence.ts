/**
 * Convergence gates on a history series. With window w the series converges
 * when it has at least 2w points, all finite, and the mean of the last w is
 * better than the mean of the first w in the goal's direction (`min` when
 * the series has no goal: it is usually a loss). Comparing window means,
 * not the last point, lets noisy-but-improving training pass.
 */
import type { Gate, Goal } from '../pipeline/model';
import { notUsable, verdict, type GateContext, type Verdict } from './context';
import { mean, num } from './numbers';

export const DEFAULT_WINDOW = 3;

export interface Point {
  step: number;
  /** null: a NaN or ±infinity that went through JSON (run.json) and came back as null. */
  value: number | null;
}

export function checkConvergence(g: Gate, ctx: GateContext): Verdict {
  const column = g.converges ?? '';
  const from = g.stage ?? ctx.stage;
  const unusable = from === ctx.stage ? undefined : notUsable(ctx.record, from);
  if (unusable) return verdict('skipped', `${unusable}, so its history could not be checked`);
  const rows = ctx.record.history[from];
  if (!rows || rows.length === 0) return verdict('failed', `stage ${from} recorded no history`);
  // Only rows that logged this column: series logged every N steps (validation) leave it out elsewhere.
  const series: Point[] = rows.filter((r) => column in r).map((r) => ({ step: r.step, value: r[column] as number | null }));
  if (series.length === 0) return verdict('failed', `${column} is not a column of stage ${from}'s history`);
  return convergence(column, series.sort((a, b) => a.step - b.step), windowOf(g), ctx.pipeline.metrics[column]?.goal ?? 'min');
}

/** The schema requires an integer ≥ 1; anything else falls back to the default rather than dividing by zero. */
function windowOf(g: Gate): number {
  return g.window !== undefined && Number.isInteger(g.window) && g.window >= 1 ? g.window : DEFAULT_WINDOW;
}

/** The rule itself, on a series already ordered by step. */
export function convergence(name: string, series: readonly Point[], w: number, goal: Goal): Verdict {
  const better = goal === 'min' ? 'below' : 'above';
  const expected = `mean(last ${w}) ${goal === 'min' ? '<' : '>'} mean(first ${w})`;
  const bad = series.find((p) => typeof p.value !== 'number' || !Number.isFinite(p.value));
  if (bad) return verdict('failed', `${name} has a non-finite value at step ${bad.step} (${bad.value === null ? 'NaN or infinity' : String(bad.value)})`, expected);
  if (series.length < 2 * w) return verdict('failed', `${name} has ${series.length} point${series.length === 1 ? '' : 's'}, convergence with window ${w} needs at least ${2 * w}`, expected, `${series.length} points`);
  const values = series.map((p) => p.value as number);
  const first = mean(values.slice(0, w));
  const last = mean(values.slice(-w));
  const actual = `${num(first)} -> ${num(last)}`;
  const ok = goal === 'min' ? last < first : last > first;
  const means = `the mean of the last ${w} points ${num(last)} is ${ok ? '' : 'not '}${better} the mean of the first ${w} ${num(first)}`;
  return ok ? verdict('passed', `${name} converged: ${means}`, expected, actual) : verdict('failed', `${name} did not converge: ${means}`, expected, actual);
}
