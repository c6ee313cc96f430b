/**
 * Experiments versus history. A run is an experiment when it ran something
 * the user may want to compare; a run where nothing ran (every stage up to
 * date), a Test Explorer run and a sweep's shared-stages step are history:
 * kept, listed on request, but no new row among the experiments.
 */
import type { RunKind, RunOrigin, RunRecord } from './record';

/** How a run was asked for, as far as its kind goes. */
export interface KindInputs {
  origin?: RunOrigin;
  /**
   * The run is part of a sweep: its shared-stages step (history), or one
   * combination (always an experiment: a point of the sweep even when the
   * combination's values are the workspace's and nothing had to run).
   */
  step?: 'shared-stages' | 'combination';
}

/** The kind the engine records when a run ends. */
export function classifyRun(record: Pick<RunRecord, 'stages'>, inputs: KindInputs): RunKind {
  if (inputs.step === 'shared-stages') return 'shared-stages';
  if (inputs.step === 'combination') return 'experiment';
  if (inputs.origin === 'test-explorer') return 'tests';
  // No stages at all (an imported MLflow run): nothing says it is history.
  return record.stages.length > 0 && record.stages.every((s) => s.status === 'cached') ? 'cached' : 'experiment';
}

/** Before the run ends: what is known up front (undefined: decided at the end). */
export function initialKind(inputs: KindInputs): RunKind | undefined {
  if (inputs.step === 'shared-stages') return 'shared-stages';
  if (inputs.origin === 'test-explorer') return 'tests';
  return undefined;
}

/** The name runSweep gives a shared-stages step; records older than `kind` are known by it. */
export const SHARED_STAGES_NAME_PREFIX = 'sweep shared stages';

/**
 * A record's kind: the recorded one, else derived for records written before
 * the field (a running one is an experiment until it ends).
 */
export type KindFields = Pick<RunRecord, 'kind' | 'name' | 'tags' | 'status' | 'stages'>;

export function kindOf(record: KindFields): RunKind {
  if (record.kind) return record.kind;
  if (record.name?.startsWith(SHARED_STAGES_NAME_PREFIX) && (record.tags ?? []).some((t) => t.startsWith('sweep:'))) return 'shared-stages';
  if (record.status === 'running') return 'experiment';
  return classifyRun(record, {});
}

export function isExperiment(record: KindFields): boolean {
  return kindOf(record) === 'experiment';
}

/** Words for a history row ("nothing ran: every stage up to date"...). */
export function kindLabel(kind: RunKind): string {
  switch (kind) {
    case 'experiment': return 'experiment';
    case 'cached': return 'cached: nothing ran';
    case 'tests': return 'Test Explorer run';
    case 'shared-stages': return "sweep's shared stages";
  }
}
