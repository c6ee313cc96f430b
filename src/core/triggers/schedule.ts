/**
 * Schedule trigger: due when a cron occurrence fell between the last
 * successful training run and now. Remote CI fires the cron itself; this
 * check is what lets a scheduled job skip retraining when a training run
 * already happened since the occurrence (and lets people see locally
 * whether the next scheduled job would retrain).
 */
import { CronExpressionParser } from '../text/cron';
import type { Pipeline } from '../pipeline/model';
import type { RunRecord } from '../run/record';
import type { TriggerResult } from './types';

/**
 * The latest run in which every `train` stage of the run passed (ran and
 * succeeded). A cached train stage did not retrain, so it does not count.
 */
export function lastTrainingRun(runs: readonly RunRecord[]): { run: RunRecord; at: Date } | undefined {
  let best: { run: RunRecord; at: Date } | undefined;
  for (const run of runs) {
    const train = run.stages.filter((s) => s.kind === 'train');
    if (train.length === 0 || !train.every((s) => s.status === 'passed')) continue;
    const at = new Date(run.finishedAt ?? run.startedAt);
    if (Number.isNaN(at.getTime())) continue;
    if (!best || at > best.at) best = { run, at };
  }
  return best;
}

export function checkSchedule(pipeline: Pipeline, runs: readonly RunRecord[], now: Date): TriggerResult | undefined {
  const crons = pipeline.triggers?.schedule ?? [];
  if (crons.length === 0) return undefined;
  const last = lastTrainingRun(runs);
  if (!last) return { trigger: 'schedule', fired: true, reason: `no successful training run is recorded, so the schedule (${crons.join(', ')}) is due` };
  const due: string[] = [];
  const next: Array<{ expr: string; at: Date }> = [];
  for (const expr of crons) {
    let at: Date;
    try {
      // UTC, as GitHub and GitLab read cron schedules.
      at = CronExpressionParser.parse(expr, { currentDate: last.at, tz: 'UTC' }).next().toDate();
    } catch (e) {
      return { trigger: 'schedule', fired: false, reason: `schedule '${expr}' is not a valid cron expression: ${(e as Error).message}` };
    }
    if (at.getTime() <= now.getTime()) due.push(`'${expr}' at ${at.toISOString()}`);
    else next.push({ expr, at });
  }
  const since = `the last training run ${last.run.id} (${last.at.toISOString()})`;
  if (due.length) return { trigger: 'schedule', fired: true, reason: `schedule ${due.join(', ')} came after ${since}` };
  const soonest = next.sort((a, b) => a.at.getTime() - b.at.getTime())[0];
  return { trigger: 'schedule', fired: false, reason: `no scheduled time since ${since}; next: '${soonest.expr}' at ${soonest.at.toISOString()}` };
}
