/**
 * Regression gates: how much the metric got worse than at the baseline,
 * measured in the direction of its goal (a rise is a drop for a `min` goal).
 * No baseline value means there is nothing to regress from: the gate says
 * "no baseline" (never passed), naming where it looked and what to push; it
 * fails instead when `require_baseline` (on the gate or `ci.`) asks for a
 * baseline.
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
  if (base === undefined) {
    const files = ctx.pipeline.stageByName.get(ctx.stage)?.metricsFiles ?? [];
    const lookedAt = ref === PINNED_BASELINE
      ? 'nothing is pinned (mlci exp pin RUN)'
      : `${files.length ? files.join(', ') : 'the metrics file'} is not committed at ${ref} and the cache has no record of ${ref}'s commit${await remoteNote(ctx, ref)} (run the pipeline on ${ref} and mlci cache push, then mlci cache pull here)`;
    const required = g.requireBaseline ?? ctx.pipeline.ci.requireBaseline;
    const v = verdict(required ? 'failed' : 'skipped', `no baseline: no value of ${metric} at ${where}: ${lookedAt}${required ? '; require_baseline is set' : ''}`, expectedFixed, num(value));
    return { ...v, noBaseline: true };
  }

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

/** What the configured cache remote answered, if one was asked. */
async function remoteNote(ctx: GateContext, ref: string): Promise<string> {
  const note = await ctx.baseline.lookedAt?.(ref);
  return note ? `; ${note}` : '';
}
