/**
 * Overfitting gates: how much better the `against` stage (usually training)
 * looks than this one on the same metric, in the goal's direction. A
 * negative gap (this stage looks better) always passes.
 */
import type { Gate } from '../pipeline/model';
import { goalOf, notUsable, stageMetric, verdict, type GateContext, type Verdict } from './context';
import { exceeds, num } from './numbers';

export function checkOverfitting(g: Gate, ctx: GateContext): Verdict {
  const metric = g.metric ?? '';
  const against = g.against ?? '';
  const maxGap = g.maxGap ?? 0;
  const expected = `gap ≤ ${maxGap}`;
  const goal = goalOf(ctx, metric);
  if (!goal) return verdict('failed', `${metric} has no goal in metrics, so which stage looks better is unknown`, expected);
  const unusable = notUsable(ctx.record, against);
  if (unusable) return verdict('skipped', `${unusable}, so there is nothing to compare ${metric} against`, expected);
  const value = stageMetric(ctx.record, ctx.stage, metric);
  if (value === undefined) return verdict('failed', `${metric} was not reported by stage ${ctx.stage}`, expected);
  const other = stageMetric(ctx.record, against, metric);
  if (other === undefined) return verdict('failed', `${metric} was not reported by stage ${against}`, expected);
  const gap = goal === 'max' ? other - value : value - other;
  const actual = `${num(gap)} (${against} ${num(other)}, ${ctx.stage} ${num(value)})`;
  const both = `(${against} ${num(other)}, ${ctx.stage} ${num(value)})`;
  if (exceeds(gap, maxGap, value, other)) return verdict('failed', `${metric} looks ${num(gap)} better in ${against} than in ${ctx.stage} ${both}, more than the allowed gap ${maxGap}`, expected, actual);
  if (gap > 0) return verdict('passed', `${metric} looks ${num(gap)} better in ${against} than in ${ctx.stage} ${both}, within the allowed gap ${maxGap}`, expected, actual);
  return verdict('passed', `${metric} is no better in ${against} than in ${ctx.stage} ${both}`, expected, actual);
}
