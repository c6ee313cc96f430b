/**
 * Regression gates: how much the metric got worse than at the baseline,
 * measured in the direction of its goal (a rise is a drop for a `min` goal).
 * No baseline value means there is nothing to regress from: skipped, not
 * failed, so the first run on a new metric does not block a merge.
 */
import { PINNED_BASELINE } from './baseline';
import type { Gate } from '../pipeline/model';
import { goalOf, stageMetric, verdict, type GateContext, type Verdict } from './context';
import { exceeds, num, percent } from './numbers';

export async function checkRegression(g: Gate, ctx: GateContext): Promise<Verdict> {
  const metric = g.metric ?? '';
  const ref = g.baseline ?? ctx.pipeline.ci.baseline;
  const where = ref === PINNED_BASELINE ? 'the pinned run' : ref;
  const maxDrop = g.maxDrop ?? 0;
  const goal = goalOf(ctx, metric);
  const expectedFixed = `drop ≤ ${g.relative ? `${percent(maxDrop)} of the baseline` : maxDrop} vs ${where}`;
  if (!goal) return verdict('failed', `${metric} has no goal in metrics, so which way is a drop is unknown`, expectedFixed);
  const value = stageMetric(ctx.record, ctx.stage, metric);
  if (value === undefined) return verdict('failed', `${metric} was not reported by stage ${ctx.stage}`, expectedFixed);
  const base = await ctx.baseline.metric(ref, ctx.stage, metric);
  if (base === undefined) return verdict('skipped', `no baseline value for ${metric} at ${where}`, expectedFixed, num(value));

  const drop = goal === 'max' ? base - value : value - base;
  const allowed = g.relative ? maxDrop * Math.abs(base) : maxDrop;
  const expected = g.relative ? `drop ≤ ${num(allowed)} (${percent(maxDrop)} of ${num(base)})` : `drop ≤ ${maxDrop}`;
  const actual = `${num(value)} (${where} ${num(base)})`;
  const change = `(${num(base)} -> ${num(value)})`;
  const allowedText = g.relative ? `${num(allowed)} (${percent(maxDrop)})` : num(allowed);
  if (exceeds(drop, allowed, base, value)) return verdict('failed', `${metric} dropped ${num(drop)} vs ${where} ${change}, more than the allowed ${allowedText}`, expected, actual);
  if (drop > 0) return verdict('passed', `${metric} dropped ${num(drop)} vs ${where} ${change}, within the allowed ${allowedText}`, expected, actual);
  if (drop < 0) return verdict('passed', `${metric} improved ${num(-drop)} vs ${where} ${change}`, expected, actual);
  return verdict('passed', `${metric} is unchanged vs ${where} (${num(value)})`, expected, actual);
}
