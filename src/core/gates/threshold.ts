/** Threshold gates: the stage's own metric within `min` / `max` (inclusive). */
import type { Gate } from '../pipeline/model';
import { stageMetric, verdict, type GateContext, type Verdict } from './context';
import { num } from './numbers';

export function checkThreshold(g: Gate, ctx: GateContext): Verdict {
  const metric = g.metric ?? '';
  const expected = [g.min !== undefined ? `≥ ${g.min}` : '', g.max !== undefined ? `≤ ${g.max}` : ''].filter(Boolean).join(' and ');
  const value = stageMetric(ctx.record, ctx.stage, metric);
  if (value === undefined) return verdict('failed', `${metric} was not reported by stage ${ctx.stage}`, expected);
  const actual = num(value);
  if (g.min !== undefined && value < g.min) return verdict('failed', `${metric} ${actual} is below the minimum ${g.min}`, expected, actual);
  if (g.max !== undefined && value > g.max) return verdict('failed', `${metric} ${actual} is above the maximum ${g.max}`, expected, actual);
  const parts: string[] = [];
  if (g.min !== undefined) parts.push(value === g.min ? `at the minimum ${g.min}` : `above the minimum ${g.min}`);
  if (g.max !== undefined) parts.push(value === g.max ? `at the maximum ${g.max}` : `below the maximum ${g.max}`);
  return verdict('passed', `${metric} ${actual} is ${parts.join(' and ')}`, expected, actual);
}
