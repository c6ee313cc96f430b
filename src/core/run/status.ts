/**
 * What a run would do, without running: for each planned stage, whether it
 * is up to date and, if not, why. A stage whose own inputs match the lock
 * but that needs a stale stage "may run": its deps can change once the
 * upstream stage has run. Used by `mlci status`, `mlci run --dry-run` and
 * the extension's tree.
 */
import type { ParamValue } from '../params';
import type { Pipeline, Stage, StageExecutor } from '../pipeline/model';
import { CONTAINER_KINDS } from '../pipeline/model';
import type { ContainerRunner } from '../ports';
import type { PathHasher } from './engine';
import { FROZEN_REASON, ImageNotPresent, buildSessionFor, reasonsFor, stageInputs } from './engine';
import type { ImageMap } from './images';
import { readLock } from './lockfile';
import { makePlan } from './plan';
import { fingerprintOf } from './fingerprint';
import { engineOf } from './placement';
import type { StageCache } from '../cache/stage-cache';
import { deliveredNote, deliveryReasons, lastDelivery } from './deliver-status';
import { RunStore } from './store';
import type { RunRecord } from './record';

/** `restorable`: stale, but its run-cache entry and objects are present, so a run restores it instead of running it. */
export type StageState = 'stale' | 'restorable' | 'up-to-date' | 'after-upstream' | 'unknown';

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
  /** `--engine NAME`: every container stage judged on that engine. */
  engine?: string;
}

/** The runner as a host-process executor sees images: every image ID is 'local' (LocalRunner, SlurmRunner). */
function hostImages(runner: ContainerRunner): ContainerRunner {
  const host = Object.create(runner) as ContainerRunner & { builder?: unknown };
  Object.defineProperty(host, 'builder', { value: undefined });
  host.resolveImage = () => Promise.resolve('local');
  host.imageIdIfPresent = () => Promise.resolve('local');
  return host;
}

export async function pipelineStatus(
  opts: StatusOptions,
  deps: { runner: ContainerRunner; hasher: PathHasher; cache?: StageCache; executorFor?: (executor: StageExecutor) => Promise<ContainerRunner>; runnerFor?: (engine: string) => Promise<ContainerRunner> },
): Promise<StageStatusEntry[]> {
  const plan = makePlan(opts.pipeline, { targets: opts.targets ?? [], downstream: opts.downstream ?? false });
  const lock = readLock(opts.root);
  // Built images are looked up by their content-hash tag, never built here,
  // on the engine each stage runs on (its image ids are that engine's).
  const sessions = new Map<ContainerRunner, ReturnType<typeof buildSessionFor>>();
  const sessionOf = (runner: ContainerRunner) => {
    if (!sessions.has(runner)) sessions.set(runner, buildSessionFor(opts.pipeline, opts.root, { runner, hasher: deps.hasher }, opts.imageMap));
    return sessions.get(runner);
  };
  const out: StageStatusEntry[] = [];
  const byName = new Map<string, StageStatusEntry>();
  // Output hashes a restore will put in place, so downstream stages are judged as the run will judge them.
  const known: Record<string, string> = {};
  // Deliver stages are judged by the run records' deliveries (read once, only when there is one).
  let runs: RunRecord[] | undefined;
  for (const stage of plan.stages) {
    if (stage.kind === 'deliver') {
      let entry: StageStatusEntry;
      try {
        runs ??= await new RunStore(opts.root).list().catch(() => []);
        const service = stage.deliver ? opts.pipeline.stageByName.get(stage.deliver.service) : undefined;
        // A delivery pushes from the local engine (mlci deliver), so its image is judged there.
        const localSession = sessionOf(deps.runner);
        const builds = localSession ? { session: localSession, mode: 'peek' as const } : undefined;
        const imageId = service ? (await stageInputs(service, opts.root, deps, opts.params, opts.imageMap, undefined, known, builds, { pull: false }).catch((e: unknown) => {
          if (e instanceof ImageNotPresent) return undefined;
          throw e;
        }))?.imageId : undefined;
        const last = lastDelivery(runs, stage.name);
        const reasons = await deliveryReasons(stage, opts.root, imageId, last);
        const staleUp = stage.needs.filter((n) => { const e = byName.get(n); return e && e.state !== 'up-to-date' && e.state !== 'restorable'; });
        entry = reasons.length ? { stage, state: 'stale', reasons } : staleUp.length ? { stage, state: 'after-upstream', reasons: staleUp.map((n) => `upstream ${n} will run; its outputs may change`) } : { stage, state: 'up-to-date', reasons: [deliveredNote(last!)] };
      } catch (e) {
        entry = { stage, state: 'unknown', reasons: [(e as Error).message] };
      }
      byName.set(stage.name, entry);
      out.push(entry);
      continue;
    }
    let entry: StageStatusEntry;
    let restoredOuts: Record<string, string> | undefined;
    const isForced = opts.force === true || (Array.isArray(opts.force) && opts.force.includes(stage.name));
    try {
      // `executor: local` / `slurm` on the stage: host processes, whose image ID is 'local' (as the run records it);
      // `executor: docker` while the run's executor is not: the image IDs of the Docker engine.
      const own = stage.executor !== undefined && stage.executor !== deps.runner.name && CONTAINER_KINDS.includes(stage.kind) ? stage.executor : undefined;
      // A stage placed on a named engine is judged there, built images included (an unreachable one: 'unknown', with its name and reason).
      const engine = deps.runnerFor && (own === undefined || own === 'docker') ? engineOf(stage, opts.engine) : undefined;
      const dockerRunner = own === 'docker' && engine === undefined ? await deps.executorFor?.('docker').catch(() => undefined) : undefined;
      const runner = engine !== undefined ? await deps.runnerFor!(engine) : own === undefined ? deps.runner : own === 'docker' ? (dockerRunner ?? deps.runner) : hostImages(deps.runner);
      const session = own === undefined || engine !== undefined ? sessionOf(runner) : undefined;
      const builds = session ? { session, mode: 'peek' as const } : undefined;
      // Status never pulls: looking at a pipeline must not download images.
      const inputs = await stageInputs(stage, opts.root, { ...deps, runner }, opts.params, opts.imageMap, undefined, known, builds, { pull: false });
      const reasons = await reasonsFor(stage, inputs, lock.stages[stage.name], opts.root, deps.hasher, known, session);
      const frozen = stage.frozen && !(isForced && opts.force !== true);
      if (isForced && !frozen) reasons.unshift('forced');
      const staleUp = stage.needs.map((n) => byName.get(n)).filter((e) => e && e.state !== 'up-to-date' && e.state !== 'restorable').map((e) => e!.stage.name);
      // The engine's order: up to date, else restore from the run-cache, else run.
      const restorable = !frozen && !stage.alwaysChanged && reasons.length && !isForced && deps.cache ? await deps.cache.restorable(stage, fingerprintOf(stage.kind, inputs)) : undefined;
      restoredOuts = restorable && 'entry' in restorable ? Object.fromEntries(Object.entries(restorable.entry.outs).map(([p, o]) => [p, o.hash])) : undefined;
      entry = frozen
        ? { stage, state: 'up-to-date', reasons: [FROZEN_REASON] }
        : restorable && 'entry' in restorable
        ? { stage, state: 'restorable', reasons: [`restored from cache: same inputs as run ${restorable.entry.runId}`] }
        : reasons.length
        ? { stage, state: 'stale', reasons: restorable && restorable.missing !== 'no run-cache entry' ? [...reasons, `cached run cannot be restored: ${restorable.missing}`] : reasons }
        : staleUp.length
          ? { stage, state: 'after-upstream', reasons: staleUp.map((n) => `upstream ${n} will run; its outputs may change`) }
          : { stage, state: 'up-to-date', reasons: [] };
    } catch (e) {
      entry = e instanceof ImageNotPresent ? { stage, state: 'stale', reasons: [(e as Error).message] } : { stage, state: 'unknown', reasons: [(e as Error).message] };
    }
    if (entry.state === 'restorable' && restoredOuts) Object.assign(known, restoredOuts);
    byName.set(stage.name, entry);
    out.push(entry);
  }
  return out;
}
