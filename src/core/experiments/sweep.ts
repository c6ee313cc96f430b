/**
 * Running a sweep: one pipeline run per combination of params.
 *
 * 1. Shared stages first, once, in the real workspace with the normal
 *    engine (the lock is updated, so they are cached from then on): every
 *    stage that reads no swept param and has no upstream stage that does.
 * 2. Each combination then runs in its own copy of the pipeline folder
 *    (`.mlci/sweeps/<sweep>/<n>/`, on the workspace's filesystem so data
 *    files can be hard-linked), with the overridden values written into the
 *    copy's params file (stages read that file themselves) and `writeLock:
 *    false`. The copy carries the lock and the shared stages' outputs, so
 *    the shared stages are cached there and only the swept ones run.
 * 3. Records go to the REAL workspace's run store (`mlci exp list` shows
 *    them) with `overrides`, a name `sweep 3/4 lr=0.01 l2=0` and the tag
 *    `sweep:<id>`; git info is the real workspace's. The shared step's
 *    record is history (kind `shared-stages`), not an experiment. With one
 *    combination (`mlci run --set`) there is one record: the shared step
 *    writes the combination's record, named by its overrides, and the
 *    combination completes it (foldShared). Combinations run
 *    `jobs` at a time; on a scheduler (Slurm) they all start at once, each
 *    stage one array job with a task per combination, and the scheduler
 *    runs `jobs` tasks at a time. Copies are removed afterwards unless `keepCopies`.
 *
 * The real workspace's lock and outputs only ever reflect the shared
 * stages: a sweep never leaves one combination's model behind as if it
 * were the workspace's.
 */
import { rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { FILE_LIMITS, readRegularFileSync } from '../files/regular-file';
import path from 'node:path';
import type { ParamValue } from '../params';
import type { Pipeline } from '../pipeline/model';
import type { EngineDeps, EngineEvent, RunOptions, RunSink } from '../run/engine';
import { runPipeline } from '../run/engine';
import { outPaths } from '../run/fingerprint';
import { classifyRun, SHARED_STAGES_NAME_PREFIX } from '../run/kind';
import type { RunRecord } from '../run/record';
import type { Combination } from './grid';
import { describeCombination } from './grid';
import { applyParsed } from './overrides';
import { renderParamsText } from './params-file';
import { copyWorkspace, underAny } from './workspace-copy';

export interface SweepOptions {
  sweepId: string;
  /** The real pipeline folder. */
  root: string;
  pipelineFile: string;
  pipeline: Pipeline;
  params: Record<string, ParamValue>;
  combinations: Combination[];
  /** Combinations at once (default 1); with `engines`, at once on each engine. */
  jobs?: number;
  /** `mlci sweep --engines a,b`: combinations spread over these engines (`local` is DOCKER_HOST's). */
  engines?: string[];
  /** Stages at once inside one combination (default 1: combinations are the parallelism). */
  stageJobs?: number;
  newRunId: () => string;
  /**
   * Fields passed through to every runPipeline call. `baseline` should be
   * built for the real workspace: a copy is no git work tree, so a provider
   * made there would find no committed baseline metrics.
   */
  run?: Pick<RunOptions, 'imageMap' | 'user' | 'failFast' | 'baseline' | 'origin'>;
  signal?: AbortSignal;
  keepCopies?: boolean;
  /** The run's name when there is one combination (`mlci run --set --name`); default: the overrides ("lr=0.01"). */
  name?: string;
  onEvent?: (e: SweepEvent) => void;
}

export type SweepEvent =
  | { type: 'shared-start'; stages: string[] }
  | { type: 'shared-end'; run: RunRecord }
  | { type: 'combination-start'; index: number; total: number; name: string; runId: string }
  | { type: 'combination-end'; index: number; total: number; run: RunRecord }
  | { type: 'engine'; index: number | 'shared'; event: EngineEvent };

export interface SweepDeps {
  /** Engine deps for a folder: the real workspace or a combination's copy. */
  depsFor(root: string): Promise<EngineDeps>;
  /** The real workspace's run store: every record is written there. */
  sink: RunSink;
}

export interface SweepResult {
  /** The shared-stages run, when there were shared stages. */
  shared?: RunRecord;
  runs: RunRecord[];
}

/**
 * The combination's record with the shared step's part folded in: the
 * shared stages as they ran in the workspace (in the copy they were merely
 * up to date), their reports and metrics, the start time of the whole run,
 * and the kind recomputed over all of it.
 */
export function foldShared(shared: RunRecord, run: RunRecord): RunRecord {
  const fromShared = new Map(shared.stages.map((s) => [s.name, s]));
  const stages = run.stages.map((s) => fromShared.get(s.name) ?? s);
  const folded: RunRecord = {
    ...run,
    startedAt: shared.startedAt,
    stages,
    metrics: { ...shared.metrics, ...run.metrics },
    stageMetrics: { ...shared.stageMetrics, ...run.stageMetrics },
  };
  // Plots of the shared stages as the shared step kept them; the copy's own plots for the rest.
  const ownPlots = new Set((run.plots ?? []).map((p) => p.stage));
  const plots = [...(shared.plots ?? []).filter((p) => !ownPlots.has(p.stage)), ...(run.plots ?? [])];
  if (plots.length) folded.plots = plots;
  const reports = { ...shared.reports, ...run.reports };
  if (Object.keys(reports).length) folded.reports = reports;
  // A finished run gets its kind again: the shared step may have run what the copy found up to date.
  if (run.kind) folded.kind = classifyRun(folded, {});
  return folded;
}

/** A sink that completes the record the shared step created (same id) instead of creating a second. */
function foldInto(shared: RunRecord, sink: RunSink): RunSink {
  return {
    create: (r) => sink.update(foldShared(shared, r)),
    update: (r) => sink.update(foldShared(shared, r)),
    openLog: (id, stage) => sink.openLog(id, stage),
    ...(sink.savePlot ? { savePlot: sink.savePlot.bind(sink) } : {}),
  };
}

/** Whether a stage reading `stageKey` sees a change of `swept` (one is the other or contains it). */
function overlaps(stageKey: string, swept: string): boolean {
  return stageKey === swept || swept.startsWith(`${stageKey}.`) || stageKey.startsWith(`${swept}.`);
}

/** Stages that read a swept key, and everything downstream of them. */
export function affectedStages(pipeline: Pipeline, sweptKeys: readonly string[]): Set<string> {
  const affected = new Set(pipeline.stages.filter((s) => s.params.some((p) => sweptKeys.some((k) => overlaps(p, k)))).map((s) => s.name));
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of pipeline.stages) {
      if (!affected.has(s.name) && s.needs.some((n) => affected.has(n))) {
        affected.add(s.name);
        grew = true;
      }
    }
  }
  return affected;
}

export function sweepRunName(index: number, total: number, c: Combination): string {
  return `sweep ${index + 1}/${total} ${describeCombination(c)}`.slice(0, 200);
}

/** Runs `fn` over `items`, at most `limit` at once, results in input order. */
/** Runs `fn` over `items` with one worker per slot (an engine repeated `jobs` times): at most `jobs` at once on each. */
async function pool<T, R, S>(items: readonly T[], slots: readonly S[], fn: (item: T, index: number, slot: S) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (slot: S) => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i, slot);
    }
  };
  await Promise.all(slots.slice(0, items.length).map(worker));
  return results;
}

export async function runSweep(opts: SweepOptions, deps: SweepDeps): Promise<SweepResult> {
  const { pipeline, root } = opts;
  const total = opts.combinations.length;
  if (total === 0) throw new Error('the sweep has no combinations');
  // Validate every combination before running anything: a typo fails fast.
  const prepared = opts.combinations.map((c) => applyParsed(opts.params, c));
  const swept = [...new Set(opts.combinations.flatMap((c) => c.map((o) => o.key)))];
  const affected = affectedStages(pipeline, swept);
  const shared = pipeline.stages.filter((s) => !affected.has(s.name)).map((s) => s.name);
  const tag = `sweep:${opts.sweepId}`;
  const tagged: RunSink = {
    create: (r) => deps.sink.create({ ...r, tags: [...(r.tags ?? []), tag] }),
    update: (r) => deps.sink.update(r),
    openLog: (id, stage) => deps.sink.openLog(id, stage),
    ...(deps.sink.savePlot ? { savePlot: deps.sink.savePlot.bind(deps.sink) } : {}),
  };
  const realDeps = await deps.depsFor(root);
  const result: SweepResult = { runs: [] };
  // One combination (`mlci run --set`) is one run to the user: the shared
  // step writes the combination's own record (same id), and the
  // combination's run then completes that record instead of starting another.
  const single = total === 1 ? { runId: opts.newRunId(), name: opts.name ?? describeCombination(opts.combinations[0]!).slice(0, 200) } : undefined;

  if (shared.length) {
    opts.onEvent?.({ type: 'shared-start', stages: shared });
    const run = await runPipeline({
      ...opts.run,
      ...(single
        ? { runId: single.runId, name: single.name, params: prepared[0]!.params, overrides: prepared[0]!.overrides }
        : { runId: opts.newRunId(), name: `${SHARED_STAGES_NAME_PREFIX} (${shared.join(', ')})`, params: opts.params, step: 'shared-stages' as const }),
      root,
      pipelineFile: opts.pipelineFile,
      pipeline,
      targets: shared,
      jobs: opts.stageJobs ?? 1,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onEvent: (event) => opts.onEvent?.({ type: 'engine', index: 'shared', event }),
    }, { ...realDeps, sink: tagged });
    result.shared = run;
    opts.onEvent?.({ type: 'shared-end', run });
    if (run.status !== 'passed') {
      // --set: the shared step's record is the run's only record (it failed before the swept stages).
      if (single) result.runs = [run];
      return result;
    }
  }

  const copiesDir = path.join(root, '.mlci', 'sweeps', opts.sweepId);
  const outs = pipeline.stages.flatMap(outPaths);
  const paramsRel = pipeline.paramsFile;
  const realGit = realDeps.git;
  // A scheduler (Slurm) runs the combinations as one array job per stage:
  // every combination starts here at once, holding its task of each array,
  // and the scheduler keeps `jobs` tasks running at a time (`%jobs`).
  const scheduler = total > 1 && !opts.engines?.length ? realDeps.runner : undefined;
  const arrays = scheduler?.openArrays ? scheduler : undefined;
  arrays?.openArrays!({ id: opts.sweepId, root, size: total, limit: Math.max(1, opts.jobs ?? 1) });
  try {
    const perEngine = arrays ? total : Math.max(1, opts.jobs ?? 1);
    // Workers interleaved by engine (a, b, a, b...), so a short sweep still uses every engine.
    const engines: (string | undefined)[] = opts.engines?.length ? opts.engines : [undefined];
    // An engine that declares `jobs` takes no more than that many combinations at once.
    const onEach = new Map<string | undefined, number>();
    for (const e of engines) onEach.set(e, Math.min(perEngine, (e === undefined ? undefined : await realDeps.engineJobs?.(e).catch(() => undefined)) ?? perEngine));
    const slots = Array.from({ length: perEngine }, (_, k) => engines.filter((e) => k < onEach.get(e)!)).flat();
    const runs = await pool(prepared, slots, async ({ params, overrides }, index, engine): Promise<RunRecord | undefined> => {
      // Cancelled: combinations not started yet are not started (no empty cancelled records).
      if (opts.signal?.aborted) return undefined;
      const combination = opts.combinations[index]!;
      const copy = path.join(copiesDir, String(index + 1));
      copyWorkspace(root, copy, (rel) => underAny(rel, outs));
      const paramsFile = path.join(copy, paramsRel);
      const text = (() => {
        try {
          return readRegularFileSync(paramsFile, FILE_LIMITS.params);
        } catch {
          return '';
        }
      })();
      writeFileSync(paramsFile, renderParamsText(text, overrides, paramsRel));
      const copyDeps = await deps.depsFor(copy);
      const runId = single?.runId ?? opts.newRunId();
      const name = single?.name ?? sweepRunName(index, total, combination);
      opts.onEvent?.({ type: 'combination-start', index, total, name, runId });
      const run = await runPipeline({
        ...opts.run,
        runId,
        name,
        root: copy,
        pipelineFile: opts.pipelineFile,
        pipeline,
        params,
        overrides,
        targets: [],
        jobs: opts.stageJobs ?? 1,
        writeLock: false,
        ...(engine !== undefined ? { engine } : {}),
        ...(arrays ? { arrayTask: { group: opts.sweepId, index } } : {}),
        ...(single ? {} : { step: 'combination' as const }),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onEvent: (event) => opts.onEvent?.({ type: 'engine', index, event }),
      }, {
        ...copyDeps,
        sink: single && result.shared ? foldInto(result.shared, tagged) : tagged,
        // The copy is not a git work tree: record the real workspace's commit.
        ...(realGit ? { git: { info: () => realGit.info(root) } } : {}),
      });
      const folded = single && result.shared ? foldShared(result.shared, run) : run;
      opts.onEvent?.({ type: 'combination-end', index, total, run: folded });
      if (!opts.keepCopies) {
        rmSync(copy, { recursive: true, force: true });
        // The copy's workspace volume on a remote engine goes with the copy.
        for (const name of new Set(folded.stages.map((s) => s.engine).filter((e): e is string => e !== undefined))) {
          const runner = await copyDeps.runnerFor?.(name).catch(() => undefined);
          await runner?.releaseWorkspace?.(copy).catch(() => undefined);
        }
      }
      return folded;
    });
    result.runs = runs.filter((r): r is RunRecord => r !== undefined);
  } finally {
    await arrays?.closeArrays?.(opts.sweepId).catch(() => undefined);
    if (!opts.keepCopies) {
      rmSync(copiesDir, { recursive: true, force: true });
      // .mlci/sweeps/ itself goes when no other sweep (kept or running) is in it.
      try {
        rmdirSync(path.dirname(copiesDir));
      } catch {
        // Not empty: another sweep's copies.
      }
    }
  }
  return result;
}
