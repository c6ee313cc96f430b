/**
 * Continuous-training triggers (`triggers` in mlci.yaml): decide whether a
 * scheduled CI job should retrain. `mlci triggers check` exits 10 when
 * `fire` is true; the exported workflows run training only then.
 */
import type { Pipeline } from '../pipeline/model';
import type { RunRecord } from '../run/record';
import { checkDrift } from './drift';
import { checkMetric } from './metric';
import { checkSchedule } from './schedule';
import type { TriggerCheck, TriggerFileReader, TriggerResult } from './types';

export type { TriggerCheck, TriggerFileReader, TriggerKind, TriggerResult } from './types';
export { lastTrainingRun } from './schedule';

export function checkTriggers(pipeline: Pipeline, root: string, runs: readonly RunRecord[], now: Date, readFile: TriggerFileReader): TriggerCheck {
  const results = [checkSchedule(pipeline, runs, now), checkDrift(pipeline, root, runs, readFile), checkMetric(pipeline, root, readFile)]
    .filter((r): r is TriggerResult => r !== undefined);
  return { fire: results.some((r) => r.fired), results };
}
