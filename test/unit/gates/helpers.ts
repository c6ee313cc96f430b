/** Fixtures for the gate tests: pipelines built by the real model builder, run records by hand. */
import { buildPipeline } from '../../../src/core/pipeline/build-model';
import type { Pipeline } from '../../../src/core/pipeline/model';
import { RUN_RECORD_VERSION, type RunRecord, type StageStatus } from '../../../src/core/run/record';
import type { BaselineProvider } from '../../../src/core/gates/baseline';

/** `stages`: name -> gates (and optional extra stage fields); metrics: name -> goal. */
export function pipeline(stages: Record<string, { gates: unknown[]; kind?: string; metrics?: string } >, goals: Record<string, 'max' | 'min' | undefined> = {}, baseline?: string): Pipeline {
  const data = {
    version: 1,
    metrics: Object.fromEntries(Object.entries(goals).map(([k, goal]) => [k, goal ? { goal } : {}])),
    ...(baseline ? { ci: { baseline } } : {}),
    stages: Object.fromEntries(
      Object.entries(stages).map(([name, s]) => [name, { kind: s.kind ?? 'evaluate', run: 'true', gates: s.gates, ...(s.metrics ? { metrics: { file: s.metrics } } : {}) }]),
    ),
  };
  return buildPipeline('mlci.yaml', data);
}

export function record(over: {
  stages?: Record<string, StageStatus>;
  stageMetrics?: Record<string, Record<string, number>>;
  history?: RunRecord['history'];
  reports?: Record<string, unknown>;
} = {}): RunRecord {
  return {
    version: RUN_RECORD_VERSION,
    id: 'r1',
    pipeline: 'mlci.yaml',
    status: 'passed',
    startedAt: '2026-11-27T00:00:00.000Z',
    executor: 'local',
    params: {},
    metrics: {},
    history: over.history ?? {},
    stages: Object.entries(over.stages ?? {}).map(([name, status]) => ({ name, kind: 'evaluate', status, cached: status === 'cached' })),
    stageMetrics: over.stageMetrics ?? {},
    ...(over.reports ? { reports: over.reports } : {}),
  };
}

/** A baseline from a table "ref/stage/metric" -> value, recording what was asked. */
export function fakeBaseline(values: Record<string, number>): BaselineProvider & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    metric: async (ref, stage, metric) => {
      asked.push(`${ref}/${stage}/${metric}`);
      return values[`${ref}/${stage}/${metric}`];
    },
  };
}

export const noBaseline = fakeBaseline({});

/** History rows from a list of values (steps 0..n-1), in column `col`. */
export function series(col: string, values: (number | null)[]): Array<Record<string, number>> {
  return values.map((v, step) => ({ step, [col]: v as number }));
}
