/**
 * Overfitting and underfitting gates, both about the `against` stage
 * (usually training) and this one on the same metric, in the goal's
 * direction:
 *  - overfitting (`max_gap`): how much better the `against` stage looks; a
 *    negative gap (this stage looks better) always passes;
 *  - underfitting (`min_train`): the `against` stage's metric must reach a
 *    bound (a model that cannot fit its own training data);
 *  - underfitting (`baseline`): this stage and the `against` stage both
 *    worse than at the baseline ref. No baseline value for either: that part
 *    is not checked, and the reason says so.
 * Each part that is set must hold; the reason names every part that failed.
 */
import { PINNED_BASELINE } from './baseline';
import type { Gate } from '../pipeline/model';
import { goalOf, notUsable, stageMetric, verdict, type GateContext, type Verdict } from './context';
import { exceeds, num } from './numbers';

export async function checkOverfitting(g: Gate, ctx: GateContext): Promise<Verdict> {
  const metric = g.metric ?? '';
  const against = g.against ?? '';
  const goal = goalOf(ctx, metric);
  const expects: string[] = [];
  if (g.maxGap !== undefined) expects.push(`gap ≤ ${g.maxGap}`);
  if (g.minTrain !== undefined) expects.push(`${against} ${goal === 'min' ? '≤' : '≥'} ${g.minTrain}`);
  if (g.baseline !== undefined) expects.push(`not both worse than ${g.baseline === PINNED_BASELINE ? 'the pinned run' : g.baseline}`);
  const expected = expects.join('; ');
  if (!goal) return verdict('failed', `${metric} has no goal in metrics, so which stage looks better is unknown`, expected);
  const unusable = notUsable(ctx.record, against);
  if (unusable) return verdict('skipped', `${unusable}, so there is nothing to compare ${metric} against`, expected);
  const value = stageMetric(ctx.record, ctx.stage, metric);
  if (value === undefined) return verdict('failed', `${metric} was not reported by stage ${ctx.stage}`, expected);
  const other = stageMetric(ctx.record, against, metric);
  if (other === undefined) return verdict('failed', `${metric} was not reported by stage ${against}`, expected);
  const both = `(${against} ${num(other)}, ${ctx.stage} ${num(value)})`;
  const better = (a: number, b: number) => (goal === 'max' ? a - b : b - a); // how much a beats b

  const failures: string[] = [];
  const notes: string[] = [];
  const gap = better(other, value);
  if (g.maxGap !== undefined) {
    if (exceeds(gap, g.maxGap, value, other)) failures.push(`${metric} looks ${num(gap)} better in ${against} than in ${ctx.stage} ${both}, more than the allowed gap ${g.maxGap}`);
    else if (gap > 0) notes.push(`${metric} looks ${num(gap)} better in ${against} than in ${ctx.stage} ${both}, within the allowed gap ${g.maxGap}`);
    else notes.push(`${metric} is no better in ${against} than in ${ctx.stage} ${both}`);
  }
  if (g.minTrain !== undefined) {
    if (exceeds(better(g.minTrain, other), 0, other, g.minTrain)) failures.push(`underfitting: ${metric} in ${against} is ${num(other)}, ${goal === 'max' ? 'below' : 'above'} the bound ${g.minTrain}`);
    else notes.push(`${metric} in ${against} reaches ${g.minTrain} (${num(other)})`);
  }
  if (g.baseline !== undefined) {
    const ref = g.baseline;
    const where = ref === PINNED_BASELINE ? 'the pinned run' : ref;
    const [baseThis, baseOther] = await Promise.all([ctx.baseline.metric(ref, ctx.stage, metric), ctx.baseline.metric(ref, against, metric)]);
    if (baseThis === undefined || baseOther === undefined) {
      notes.push(`no ${where} values for ${metric} in both ${against} and ${ctx.stage}: underfitting against the baseline not checked`);
      if (g.maxGap === undefined && g.minTrain === undefined) return verdict('skipped', notes.join('; '), expected);
    } else if (exceeds(better(baseThis, value), 0, value, baseThis) && exceeds(better(baseOther, other), 0, other, baseOther)) {
      failures.push(`underfitting: ${metric} is worse than ${where} in both ${against} (${num(other)} vs ${num(baseOther)}) and ${ctx.stage} (${num(value)} vs ${num(baseThis)})`);
    } else {
      notes.push(`${metric} is not worse than ${where} in both stages`);
    }
  }
  const actual = g.maxGap !== undefined ? `${num(gap)} ${both}` : `${against} ${num(other)}, ${ctx.stage} ${num(value)}`;
  if (failures.length > 0) return verdict('failed', failures.join('; '), expected, actual);
  return verdict('passed', notes.join('; '), expected, actual);
}
