/**
 * What a run would do, without running: for each planned stage, whether it
 * is up to date and, if not, why. A stage whose own inputs match the lock
 * but that needs a stale stage "may run": its deps can change once the
 * upstream stage has run. Used by `mlci status`, `mlci run --dry-run` and
 * the extension's tree.
 */
import type { ParamValue } from '../params';
import type { Pipeline, Stage } from '../pipeline/model';
import type { ContainerRunner } from '../ports';
import type { PathHasher } from './engine';
import { FROZEN_REASON, reasonsFor, stageInputs } from './engine';
import type { ImageMap } from './images';
import { readLock } from './lockfile';
import { makePlan } from './plan';

export type StageState = 'stale' | 'up-to-date' | 'after-upstream' | 'unknown';

export interface StageStatusEntry {
  stage: Stage;
  state: StageState;
  reasons: string[];
}

export interface StatusOptions {
  pipeline: Pipeline;
  root: string;
  params: Record<string, ParamValue>;
  targets?: string[];
  downstream?: boolean;
  force?: boolean | string[];
  imageMap?: ImageMap;
}

export async function pipelineStatus(opts: StatusOptions, deps: { runner: ContainerRunner; hasher: PathHasher }): Promise<StageStatusEntry[]> {
  const plan = makePlan(opts.pipeline, { targets: opts.targets ?? [], downstream: opts.downstream ?? false });
  const lock = readLock(opts.root);
  const out: StageStatusEntry[] = [];
  const byName = new Map<string, StageStatusEntry>();
  for (const stage of plan.stages) {
    let entry: StageStatusEntry;
    const isForced = opts.force === true || (Array.isArray(opts.force) && opts.force.includes(stage.name));
    try {
      const inputs = await stageInputs(stage, opts.root, deps, opts.params, opts.imageMap);
      const reasons = await reasonsFor(stage, inputs, lock.stages[stage.name], opts.root, deps.hasher);
      const frozen = stage.frozen && !(isForced && opts.force !== true);
      if (isForced && !frozen) reasons.unshift('forced');
      const staleUp = stage.needs.map((n) => byName.get(n)).filter((e) => e && e.state !== 'up-to-date').map((e) => e!.stage.name);
      entry = frozen
        ? { stage, state: 'up-to-date', reasons: [FROZEN_REASON] }
        : reasons.length
        ? { stage, state: 'stale', reasons }
        : staleUp.length
          ? { stage, state: 'after-upstream', reasons: staleUp.map((n) => `upstream ${n} will run; its outputs may change`) }
          : { stage, state: 'up-to-date', reasons: [] };
    } catch (e) {
      entry = { stage, state: 'unknown', reasons: [(e as Error).message] };
    }
    byName.set(stage.name, entry);
    out.push(entry);
  }
  return out;
}
