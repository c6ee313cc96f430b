/** What each gate kind's check receives and returns; shared by the per-kind files. */
import type { Goal, Pipeline } from '../pipeline/model';
import type { RunRecord } from '../run/record';
import type { BaselineProvider } from './baseline';
import type { GateResult } from './result';

export interface GateContext {
  pipeline: Pick<Pipeline, 'metrics' | 'ci' | 'stageByName'>;
  record: RunRecord;
  /** The stage the gate belongs to. */
  stage: string;
  baseline: BaselineProvider;
}

export type Verdict = Pick<GateResult, 'status' | 'expected' | 'actual' | 'reason' | 'noBaseline'>;

export function verdict(status: Verdict['status'], reason: string, expected = '', actual = ''): Verdict {
  return { status, expected, actual, reason };
}

/**
 * Why a stage's results cannot be used, or undefined when they can.
 * `cached` counts as ran: an up-to-date stage passed before and its
 * outputs (metrics included) are on disk; `restored` likewise, from the cache.
 */
export function notUsable(record: RunRecord, stage: string): string | undefined {
  const s = record.stages.find((r) => r.name === stage);
  if (!s) return `stage ${stage} was not in this run`;
  if (s.status === 'passed' || s.status === 'cached' || s.status === 'restored') return undefined;
  const why = { failed: 'failed', skipped: 'was skipped', cancelled: 'was cancelled', running: 'has not finished', pending: 'has not run' }[s.status];
  return `stage ${stage} ${why}`;
}

/** A metric of a stage from the run, or undefined when the stage did not report it. */
export function stageMetric(record: RunRecord, stage: string, metric: string): number | undefined {
  const v = record.stageMetrics?.[stage]?.[metric];
  return typeof v === 'number' ? v : undefined;
}

export function goalOf(ctx: GateContext, metric: string): Goal | undefined {
  return ctx.pipeline.metrics[metric]?.goal;
}
