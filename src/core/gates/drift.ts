/**
 * Drift gates: pass when the drift stage found no dataset drift. The drift
 * stage itself passes either way (the verdict is data); this gate is where
 * drift becomes a failure. The report kept with the run is read first; a
 * cached drift stage has no report in this run, only its `dataset_drift`
 * metric, which is used then.
 */
import type { Gate } from '../pipeline/model';
import { notUsable, stageMetric, verdict, type GateContext, type Verdict } from './context';
import { percent } from './numbers';

interface DriftReportLike {
  datasetDrift?: unknown;
  driftedShare?: unknown;
  share?: unknown;
  problems?: unknown;
}

/** The report's problems (columns on one side only, nothing compared), when it has any. */
function problemsOf(report: DriftReportLike | undefined): string[] {
  const p = report?.problems;
  return Array.isArray(p) ? p.filter((x): x is string => typeof x === 'string') : [];
}

export function checkDrift(g: Gate, ctx: GateContext): Verdict {
  const stage = g.drift ?? '';
  const expected = 'no dataset drift';
  const unusable = notUsable(ctx.record, stage);
  if (unusable) return verdict('skipped', `${unusable}, so there is no drift verdict`, expected);
  const report = ctx.record.reports?.[stage] as DriftReportLike | undefined;
  let drifted: boolean | undefined = typeof report?.datasetDrift === 'boolean' ? report.datasetDrift : undefined;
  let share = typeof report?.driftedShare === 'number' ? report.driftedShare : undefined;
  if (drifted === undefined) {
    const flag = stageMetric(ctx.record, stage, 'dataset_drift');
    drifted = flag === undefined ? undefined : flag !== 0;
    share = stageMetric(ctx.record, stage, 'drifted_share');
  }
  if (drifted === undefined) return verdict('failed', `stage ${stage} reported no drift verdict`, expected);
  const limit = typeof report?.share === 'number' ? ` (threshold ${percent(report.share)})` : '';
  const shareText = share === undefined ? '' : `: ${percent(share)} of the columns drifted${limit}`;
  const problems = problemsOf(report);
  if (drifted && problems.length > 0) {
    return verdict('failed', `stage ${stage} found dataset drift: ${problems.join('; ')}`, expected, 'dataset drift');
  }
  return drifted
    ? verdict('failed', `stage ${stage} found dataset drift${shareText}`, expected, 'dataset drift')
    : verdict('passed', `stage ${stage} found no dataset drift${shareText}`, expected, 'no dataset drift');
}
