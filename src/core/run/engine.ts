/**
 * The run engine: executes a plan in DAG order, up to `jobs` stages at
 * once, skipping stages whose inputs match the lock file, and records the
 * run. Container stages go to the ContainerRunner port (Docker or host
 * processes); `data` and `drift` stages run in the engine through the
 * built-in executors. A failing stage stops its downstream stages while
 * independent branches finish (`failFast` stops starting new stages
 * instead). Cancellation stops running stages and marks the rest.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ParamValue } from '../params';
import { parseParams, pickParams } from '../params';
import { metricFormatsOf } from '../metric-format';
import type { Pipeline, Stage, StageExecutor } from '../pipeline/model';
import { CONTAINER_KINDS, IMAGE_KINDS } from '../pipeline/model';
import type { ServiceEvent } from './services';
import { RunServices } from './services';
import { junitXml, runProbes } from '../probe/run-probes';
import { writeFileAtomic } from './atomic';
import type { ArrayTask, ContainerRunner, Git, SchedulerJob, StageOutcome, StageSpec } from '../ports';
import { depPaths, envOf, fingerprintOf, outPaths, paramsOf, specOf, staleReasons } from './fingerprint';
import type { StageInputs } from './fingerprint';
import type { ImageMap } from './images';
import { mapImage } from './images';
import type { LockFile, LockStage } from './lockfile';
import { readLock, writeLock } from './lockfile';
import type { HistoryRow, Metrics } from './metrics';
import { readHistoryFile, readMetricsFile } from './metrics';
import { keepPlots } from '../plots/record';
import { EarlyGateWatch, earlyGates } from '../live/early';
import { gateName } from '../gates/name';
import { LiveTail } from '../live/tail';
import type { LiveUpdate } from '../live/types';
import { makePlan } from './plan';
import type { RunOrigin, RunRecord, StageRecord } from './record';
import { classifyRun, initialKind } from './kind';
import { RUN_RECORD_VERSION } from './record';
import { parseDuration, parseSize } from './units';
import { parseJunit } from './junit';
import { SecretMasker } from './mask';
import { containedPath } from '../files/contain';
import { FILE_LIMITS, readRegularFile, readRegularFileSync } from '../files/regular-file';
import { StageLog } from './stage-log';
import { sanitizeValue } from './record-safety';
import { isSecretName } from './secrets';
import type { ImportanceReport } from '../importance/types';
import { readImportancesFile } from '../importance/file';
import type { BaselineProvider } from '../gates';
import { evaluateGates } from '../gates';
import { FixableError, describeFsError, fsErrorFile } from '../fixable-error';
import { lockPath } from './lockfile';
import type { StageCache } from '../cache/stage-cache';
import type { TreeEntry, TreeFilter } from '../hash';
import { BuildFailedError, BuildSession } from '../build/session';
import type { BuiltImage } from '../build/session';
import { cacheMounts } from '../build/caches';
import type { PipelineSource } from '../pipeline/source';
import { folderChange, isFolderDep, rememberFolderDeps } from './dep-files';
import { engineOf, transferPaths } from './placement';
import { locate, nodeInfo } from '../pipeline/source';
import type { BuildRecord, DeliveryRecord } from './record';

/** What the engine needs to hash paths (the FileHasher). */
export interface PathHasher {
  hashPath(absPath: string): Promise<{ hash: string } | undefined>;
  /** Files below a folder with their hashes (build contexts); the FileHasher has it. */
  listFiles?(root: string, filter?: TreeFilter): Promise<TreeEntry[]>;
  save(): Promise<void>;
}

/** What the engine needs from the run store. */
export interface RunSink {
  create(record: RunRecord): Promise<void> | void;
  update(record: RunRecord): Promise<void> | void;
  openLog(runId: string, stage: string): { write(chunk: string): void; close(): Promise<void> | void };
  /** Where the run's record lives, for messages about a failed write. */
  recordFile?(runId: string): string;
  /** Keeps a copy of a plot file with the run; returns where, relative to the run folder. */
  savePlot?(runId: string, stage: string, plotPath: string, bytes: Uint8Array): Promise<string>;
}

export interface BuiltinResult {
  passed: boolean;
  /** Lines for the stage log (one per check). */
  lines: string[];
  /** A report to keep with the run (data checks, drift report). */
  report?: unknown;
  metrics?: Metrics;
  /** Feature dependencies a data stage measured (`importance:`). */
  importance?: ImportanceReport;
}

/** Engine-run stage kinds: `data` (expect checks) and `drift`. */
export type BuiltinExecutor = (stage: Stage, root: string, signal: AbortSignal) => Promise<BuiltinResult>;

export type EngineEvent =
  | { type: 'plan'; stages: string[] }
  | { type: 'stage-start'; stage: string; reason: string; engine?: string }
  | { type: 'stage-log'; stage: string; stream: 'stdout' | 'stderr'; text: string }
  /** A scheduler runner's batch job moved: queued (reason, position), running (node), ended. */
  | { type: 'stage-job'; stage: string; job: SchedulerJob }
  | { type: 'stage-end'; stage: StageRecord }
  | { type: 'build-start'; owner: string; tag: string }
  | { type: 'build-log'; owner: string; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'build-end'; build: BuildRecord }
  | { type: 'run-end'; run: RunRecord }
  /** What a running stage logged since the last such event (history, DVCLive, MLflow): a few per second at most. */
  | { type: 'stage-metrics'; update: LiveUpdate }
  /** Something mlci could not do that the user should hear about at once (a write failed). */
  | { type: 'warning'; message: string }
  /** A service stage started, turned healthy, failed or was removed. */
  | ServiceEvent;

export interface EngineDeps {
  runner: ContainerRunner;
  hasher: PathHasher;
  sink: RunSink;
  git?: Git;
  builtins: Partial<Record<'data' | 'drift', BuiltinExecutor>>;
  /** Measures a data stage's `importance:` again, for a stage that did not run and left no measurement behind. */
  measureImportance?: (stage: Stage, root: string, signal: AbortSignal) => Promise<ImportanceReport | undefined>;
  /**
   * The content-addressed cache (`.mlci/cache/`): outputs are stored after a
   * stage passes, and a stage whose fingerprint has a run-cache entry is
   * restored instead of run. Without it every stale stage runs.
   */
  cache?: StageCache;
  /**
   * The runner of a named engine (`engine: gpu`, `--engine gpu`); it throws
   * with the engine's name and reason when the engine is unknown or
   * unreachable. Without it, stages placed on a named engine fail.
   */
  runnerFor?: (engine: string) => Promise<ContainerRunner>;
  /**
   * The runner of an executor a stage names (`executor: slurm` in the
   * pipeline file or its defaults) other than the run's own; it throws, with
   * what to fix, when that executor is unreachable. Without it, stages
   * naming another executor fail.
   */
  executorFor?: (executor: StageExecutor) => Promise<ContainerRunner>;
  /** A named engine's `jobs` (stages at once on it), when it declares one; undefined when unknown or unlimited. */
  engineJobs?: (engine: string) => Promise<number | undefined>;
}

export interface RunOptions {
  runId: string;
  name?: string;
  /** Absolute pipeline folder (the workspace mounted into containers). */
  root: string;
  /** Pipeline file relative to the workspace, for the record. */
  pipelineFile: string;
  pipeline: Pipeline;
  params: Record<string, ParamValue>;
  overrides?: Record<string, ParamValue>;
  targets: string[];
  downstream?: boolean;
  /** true: force every planned stage; a list: force those. */
  force?: boolean | string[];
  jobs?: number;
  imageMap?: ImageMap;
  failFast?: boolean;
  /** uid:gid for containers. */
  user?: string;
  signal?: AbortSignal;
  onEvent?: (e: EngineEvent) => void;
  /** Persist lock and records (false for sweeps that must not move the lock). */
  writeLock?: boolean;
  /** Build images with --no-cache / --pull. */
  build?: { noCache?: boolean; pull?: boolean };
  /** The pipeline file's source, to name the line a failure points at (`gpus:`, `build:`). */
  source?: PipelineSource;
  /**
   * Where regression gates read baseline values (a git ref's committed
   * metrics, or the pinned run). Without it, regression gates are skipped.
   */
  baseline?: BaselineProvider;
  /** Who started the run, recorded on it ('test-explorer' makes it history, not an experiment). */
  origin?: RunOrigin;
  /** Part of a sweep: its shared-stages step (history) or a combination (an experiment). See kind.ts. */
  step?: 'shared-stages' | 'combination';
  /**
   * Run `kind: deliver` stages (mlci deliver). Without it they are left out
   * of the plan: a delivery happens from a verified commit only.
   */
  deliver?: (stage: Stage, ctx: { image: string; imageId?: string; log: (text: string) => void; signal: AbortSignal }) => Promise<{ passed: boolean; reason?: string; delivery?: DeliveryRecord }>;
  /** `--engine NAME`: every container stage runs on this engine, whatever its `engine:` says. */
  engine?: string;
  /** A sweep's combination on a scheduler: its stages are tasks of the sweep's array jobs (runner.openArrays). */
  arrayTask?: ArrayTask;
}

export interface StagePlanEntry {
  stage: Stage;
  reasons: string[];
  inputs: StageInputs;
}

/** How stage inputs get their built images: build them (a run) or only look (status). */
export interface StageBuilds {
  session: BuildSession;
  mode: 'run' | 'peek';
}

/** Inputs of a stage as they are now (deps hashed, image resolved by the runner, built or looked up). */
export async function stageInputs(stage: Stage, root: string, deps: Pick<EngineDeps, 'runner' | 'hasher'>, params: Record<string, ParamValue>, imageMap: ImageMap | undefined, signal?: AbortSignal, known?: Record<string, string>, builds?: StageBuilds, opts: { pull?: boolean } = {}): Promise<StageInputs> {
  const hashes: Record<string, string | null> = {};
  // `known`: hashes a dry run predicts for paths an upstream restore will write.
  for (const p of depPaths(stage)) hashes[p] = known?.[p] ?? (await deps.hasher.hashPath(inWorkspace(root, p)))?.hash ?? null;
  const inputs: StageInputs = { cmd: stage.run, env: envOf(stage), params: paramsOf(stage, params, (file) => readParamsFile(root, file)), deps: hashes };
  if (IMAGE_KINDS.includes(stage.kind) && stage.build && builds) {
    if (builds.mode === 'run') {
      const built = await builds.session.ensure(stage.build);
      inputs.image = built.tag;
      inputs.imageId = built.imageId;
      inputs.build = built.hash;
    } else {
      const { inputs: b, imageId } = await builds.session.peek(stage.build);
      inputs.image = b.tag;
      inputs.build = b.hash;
      if (imageId) inputs.imageId = imageId;
    }
  } else if (IMAGE_KINDS.includes(stage.kind) && stage.build) {
    // No builder (host processes): like `image:`, the build is ignored.
    inputs.imageId = await deps.runner.resolveImage('build', undefined, signal);
  } else if (IMAGE_KINDS.includes(stage.kind) && stage.image) {
    inputs.image = mapImage(imageMap ?? new Map(), stage.image);
    if (opts.pull === false && deps.runner.imageIdIfPresent) {
      // Looking, not running: an image the engine lacks is a reason, not a download.
      const id = await deps.runner.imageIdIfPresent(inputs.image);
      if (id === undefined) throw new ImageNotPresent(inputs.image);
      inputs.imageId = id;
    } else inputs.imageId = await deps.runner.resolveImage(inputs.image, undefined, signal);
  }
  const spec = specOf(stage);
  if (spec) inputs.spec = spec;
  return inputs;
}

/** A build session for the pipeline's `build:` images, when the runner can build (Docker). */
export function buildSessionFor(pipeline: Pipeline, root: string, deps: Pick<EngineDeps, 'runner' | 'hasher'>, imageMap: ImageMap | undefined, extra: Partial<ConstructorParameters<typeof BuildSession>[0]> = {}): BuildSession | undefined {
  const builder = deps.runner.builder;
  const lister = deps.hasher.listFiles ? { listFiles: deps.hasher.listFiles.bind(deps.hasher) } : undefined;
  if (!builder || !lister || !pipeline.stages.some((s) => s.build)) return undefined;
  return new BuildSession({ root, pipelineName: pipelineLabel(pipeline), imageMap: imageMap ?? new Map(), builder, lister, ...extra });
}

/** The run-log name of a build: `build.<owner>`, with what a file name cannot hold (matrix stages' `@`, `=`) replaced. */
export function buildLogName(owner: string): string {
  return `build.${owner.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** The pipeline's name for image tags and volume names: `name:`, else the file's base name. */
export function pipelineLabel(pipeline: Pick<Pipeline, 'name' | 'file'>): string {
  return pipeline.name ?? path.basename(pipeline.file).replace(/(\.mlci)?\.ya?ml$/, '') ?? 'pipeline';
}

/** Values of a params file other than the pipeline's (`file:key` params); undefined when unreadable (validation reported it). */
function readParamsFile(root: string, file: string): Record<string, ParamValue> | undefined {
  let text: string;
  try {
    text = readRegularFileSync(inWorkspace(root, file), FILE_LIMITS.params, file);
  } catch {
    return undefined;
  }
  const parsed = parseParams(text);
  return parsed.ok ? parsed.params.values : undefined;
}

/** Why a frozen stage is not run, shown in status and run output. */
export const FROZEN_REASON = 'frozen: never rerun (frozen: true in the pipeline file)';

/**
 * A pipeline path, absolute, once it is known to stay inside the workspace
 * after symlinks (a stage may have made `reports -> /outside` since the
 * pipeline was validated); a PathEscapeError otherwise.
 */
function inWorkspace(root: string, p: string): string {
  return containedPath(root, path.resolve(root, p), p);
}

/** Status found an image the engine does not have: the stage runs (after a pull). */
export class ImageNotPresent extends Error {
  constructor(readonly image: string) {
    super(`image ${image} is not on the engine (a run pulls it)`);
  }
}

/** Reasons to run, including outputs that are missing or changed since the lock. */
export async function reasonsFor(stage: Stage, inputs: StageInputs, lock: LockStage | undefined, root: string, hasher: PathHasher, known?: Record<string, string>, session?: BuildSession): Promise<string[]> {
  if (stage.frozen) return [];
  const buildChange = session && stage.build ? async () => session.changeSince(root, lock?.build, await session.resolve(stage.build!)) : undefined;
  const change = buildChange && lock?.build && inputs.build && lock.build !== inputs.build ? await buildChange() : undefined;
  const reasons = staleReasons(inputs, lock, change ? { buildChange: () => change } : {});
  // `dep src/ changed: logs.py`: name the files that changed below a folder dep.
  for (const [dep, was] of Object.entries(lock?.deps ?? {})) {
    const now = inputs.deps[dep];
    if (!was || !now || was === now || !isFolderDep(dep)) continue;
    const i = reasons.indexOf(`dep ${dep} changed`);
    const what = i < 0 ? undefined : await folderChange(root, inWorkspace(root, dep), was, hasher);
    if (what) reasons[i] = `dep ${dep} changed: ${what}`;
  }
  if (stage.alwaysChanged) reasons.push('always changed (always_changed: true)');
  if (reasons.length || !lock) return reasons;
  for (const out of outPaths(stage)) {
    const h = known?.[out] !== undefined ? { hash: known[out] } : await hasher.hashPath(inWorkspace(root, out));
    if (!h) reasons.push(`output ${out} missing`);
    else if (lock.outs?.[out] !== undefined && lock.outs[out] !== h.hash) reasons.push(`output ${out} changed`);
  }
  return reasons;
}

function containerFailure(outcome: StageOutcome, timeout?: string): string {
  switch (outcome.kind) {
    case 'exited': return `exited with code ${outcome.exitCode}`;
    case 'oom': return `killed: out of memory (exit ${outcome.exitCode}); raise resources.memory`;
    case 'timeout': return `timed out after ${timeout ?? 'the timeout'}; raise resources.timeout`;
    case 'cancelled': return 'cancelled';
    case 'error': return outcome.message;
  }
}

/** Runs in progress in this process (two workspaces in one extension host), kept by stray cleanup. */
const activeRuns = new Set<string>();

export async function runPipeline(opts: RunOptions, deps: EngineDeps): Promise<RunRecord> {
  // Containers left by a run whose process died (kill -9, a crash) are
  // removed before this run starts; a live run's containers are kept.
  activeRuns.add(opts.runId);
  const executors = new Map<StageExecutor, Promise<ContainerRunner>>();
  const strayWarning = (runner: ContainerRunner, stray: number): void => {
    if (stray > 0 && runner.name === 'local') opts.onEvent?.({ type: 'warning', message: `stopped ${stray} stage process group${stray === 1 ? '' : 's'} left running by an mlci process that was killed` });
    if (stray > 0 && runner.name === 'slurm') opts.onEvent?.({ type: 'warning', message: `cancelled ${stray} Slurm job${stray === 1 ? '' : 's'} left by an mlci process that was killed` });
  };
  // A stage's own `executor:` other than the run's: its runner, made once per run (stray cleanup first, as for the run's).
  const executorOf = (stage: Stage): Promise<ContainerRunner> => {
    const kind = stage.executor;
    if (kind === undefined || kind === deps.runner.name || !CONTAINER_KINDS.includes(stage.kind)) return Promise.resolve(deps.runner);
    let r = executors.get(kind);
    if (!r) {
      r = (async () => {
        if (!deps.executorFor) throw new Error(`stage '${stage.name}' asks for executor ${kind}, which this run cannot use`);
        const runner = await deps.executorFor(kind);
        strayWarning(runner, await runner.removeStray((id) => activeRuns.has(id)).catch(() => 0));
        return runner;
      })();
      executors.set(kind, r);
    }
    return r;
  };
  try {
    strayWarning(deps.runner, await deps.runner.removeStray((id) => activeRuns.has(id)).catch(() => 0));
    return await executeRun(opts, deps, executorOf);
  } finally {
    await deps.runner.endRun?.(opts.runId).catch(() => undefined);
    for (const r of executors.values()) await r.then((runner) => runner.endRun?.(opts.runId)).catch(() => undefined);
    activeRuns.delete(opts.runId);
  }
}

async function executeRun(opts: RunOptions, deps: EngineDeps, executorOf: (stage: Stage) => Promise<ContainerRunner>): Promise<RunRecord> {
  const { pipeline, root } = opts;
  const signal = opts.signal ?? new AbortController().signal;
  const plan = makePlan(pipeline, { targets: opts.targets, downstream: opts.downstream ?? false });
  if (!opts.deliver) {
    const named = plan.stages.filter((s) => s.kind === 'deliver' && opts.targets.includes(s.name));
    if (named.length) throw new FixableError(`${named.map((s) => s.name).join(', ')}: deliver stages run with \`mlci deliver\` (from a verified commit), not \`mlci run\``);
    plan.stages = plan.stages.filter((s) => s.kind !== 'deliver');
  }
  const planned = new Set(plan.stages.map((s) => s.name));
  const forced = (name: string) => opts.force === true || (Array.isArray(opts.force) && opts.force.includes(name));
  const lock: LockFile = readLock(root);
  const git = await deps.git?.info(root).catch(() => undefined);
  const record: RunRecord = {
    version: RUN_RECORD_VERSION,
    id: opts.runId,
    ...(opts.name ? { name: opts.name } : {}),
    pipeline: opts.pipelineFile,
    status: 'running',
    startedAt: new Date().toISOString(),
    executor: deps.runner.name,
    ...(opts.origin ? { origin: opts.origin } : {}),
    ...(initialKind(opts) ? { kind: initialKind(opts)! } : {}),
    ...(git ? { git } : {}),
    // Only what stages read: keys nobody reads (a token left in params.yaml)
    // stay out of the record.
    params: pickParams(opts.params, new Set(pipeline.stages.flatMap((s) => s.params))),
    ...(opts.overrides && Object.keys(opts.overrides).length ? { overrides: opts.overrides } : {}),
    metrics: {},
    ...(Object.keys(metricFormatsOf(pipeline.metrics)).length ? { metricFormats: metricFormatsOf(pipeline.metrics) } : {}),
    history: {},
    stages: plan.stages.map((s) => ({ name: s.name, kind: s.kind, status: 'pending', cached: false })),
  };
  const stageMetrics: Record<string, Metrics> = {};
  // Secrets of every planned stage are masked everywhere: a stage may print
  // another stage's secret (read from a file it wrote).
  const masker = new SecretMasker(plan.stages.flatMap((s) => secretValues(s)));
  const safe = <T>(value: T): T => sanitizeValue(value, masker) as T;
  const recordFile = deps.sink.recordFile?.(opts.runId) ?? `the record of run ${opts.runId}`;
  try {
    await deps.sink.create(safe(record));
  } catch (e) {
    throw new FixableError(`cannot record the run, so nothing was run: ${describeFsError(fsErrorFile(e, recordFile), e)}`);
  }
  opts.onEvent?.({ type: 'plan', stages: plan.stages.map((s) => s.name) });

  // Record and lock writes are serialised: stages finish concurrently. A
  // failed write (a directory in the way, a full disk) does not stop the
  // run: the stages' work is done either way. It is reported once, kept in
  // record.errors, and retried with the next write; the final state is
  // always attempted, so a record is never left 'running' by a live process.
  const writeErrors = new Map<string, string>();
  const noteRunError = (key: string, message: string) => {
    if (writeErrors.has(key)) return;
    writeErrors.set(key, message);
    opts.onEvent?.({ type: 'warning', message: masker.mask(message) });
  };
  const noteWriteError = (what: 'record' | 'lock', file: string, e: unknown) => {
    noteRunError(what, `could not write ${what === 'lock' ? 'mlci.lock' : 'the run record'}: ${describeFsError(file, e)}${what === 'lock' ? '; stages that ran will run again next time' : ''}`);
  };
  // The container engine died or froze: no further stage can start.
  let engineLost = false;
  const noteEngineLost = (message: string) => {
    engineLost = true;
    noteRunError('engine', message);
  };
  let writes: Promise<void> = Promise.resolve();
  const persist = (withLock = false) => {
    writes = writes.then(async () => {
      if (writeErrors.size) record.errors = [...writeErrors.values()];
      try {
        await deps.sink.update(safe(record));
      } catch (e) {
        noteWriteError('record', recordFile, e);
      }
      if (withLock && opts.writeLock !== false) {
        try {
          await writeLock(root, lock, pipeline.stages.map((s) => s.name));
        } catch (e) {
          noteWriteError('lock', lockPath(root), e);
        }
      }
    });
    return writes;
  };
  const entry = (name: string) => record.stages.find((s) => s.name === name)!;

  // Images: each `build:` built once, before the first stage that needs it,
  // its output in logs/build.<owner>.log and streamed as build events.
  const buildLogs = new Map<string, ReturnType<RunSink['openLog']>>();
  const buildStarted = new Map<string, { tag: string; at: number }>();
  const usersOf = (owner: string) => plan.stages.filter((s) => s.build?.owner === owner).map((s) => s.name);
  const sessionFor = (runner: ContainerRunner) => buildSessionFor(pipeline, root, { runner, hasher: deps.hasher }, opts.imageMap, {
    ...(opts.build?.noCache ? { noCache: true } : {}),
    ...(opts.build?.pull ? { pull: true } : {}),
    signal,
    onStart: (owner, tag) => {
      buildStarted.set(owner, { tag, at: Date.now() });
      opts.onEvent?.({ type: 'build-start', owner, tag });
    },
    onLog: (owner, stream, text) => {
      let log = buildLogs.get(owner);
      if (!log) buildLogs.set(owner, (log = deps.sink.openLog(opts.runId, buildLogName(owner))));
      log.write(text);
      opts.onEvent?.({ type: 'build-log', owner, stream, text });
    },
    onEnd: (owner, result) => {
      const started = buildStarted.get(owner);
      const ok = !(result instanceof BuildFailedError);
      const b: BuildRecord = {
        owner,
        tag: ok ? (result as BuiltImage).tag : started?.tag ?? '',
        status: ok ? ((result as BuiltImage).reused ? 'reused' : 'built') : 'failed',
        ...(ok ? { imageId: (result as BuiltImage).imageId } : { reason: result.message }),
        ...(started ? { durationMs: Date.now() - started.at } : {}),
        ...(buildLogs.has(owner) ? { log: `logs/${buildLogName(owner)}.log` } : {}),
        stages: usersOf(owner),
      };
      (record.builds ??= []).push(b);
      opts.onEvent?.({ type: 'build-end', build: b });
      void persist();
    },
  });
  // Each engine builds its own images (`build:` on a remote engine builds there).
  const buildsByRunner = new Map<ContainerRunner, StageBuilds | undefined>();
  const buildsFor = (runner: ContainerRunner): StageBuilds | undefined => {
    if (!buildsByRunner.has(runner)) {
      const s = sessionFor(runner);
      buildsByRunner.set(runner, s ? { session: s, mode: 'run' } : undefined);
    }
    return buildsByRunner.get(runner);
  };
  // Named engines in use by this run: stray cleanup runs once on each, before its first stage.
  /** A stage's own `executor:` (slurm, local) other than the run's, which takes it off the Docker engines. */
  const ownExecutorOf = (stage: Stage) => (stage.executor !== undefined && stage.executor !== deps.runner.name && CONTAINER_KINDS.includes(stage.kind) ? stage.executor : undefined);
  /** The named engine a stage runs on, undefined for the local one (or another executor). */
  const placedOn = (stage: Stage): string | undefined => {
    const own = ownExecutorOf(stage);
    return own && own !== 'docker' ? undefined : engineOf(stage, opts.engine);
  };
  const engineRunners = new Map<string, Promise<ContainerRunner>>();
  const runnerOf = (name: string): Promise<ContainerRunner> => {
    let r = engineRunners.get(name);
    if (!r) {
      r = (async () => {
        if (!deps.runnerFor) throw new Error(`stage placed on engine '${name}', but this run has no named engines`);
        const runner = await deps.runnerFor(name);
        await runner.removeStray((id) => activeRuns.has(id)).catch(() => 0);
        return runner;
      })();
      engineRunners.set(name, r);
    }
    return r;
  };
  /** `mlci.yaml:12` for a JSON path, when the source is known. */
  const where = (p: Array<string | number>): string => {
    if (!opts.source) return '';
    const span = locate(opts.source, p, 'key');
    return ` (${opts.pipelineFile}:${span.line})`;
  };
  const ownPath = (stage: Stage, field: string[]): Array<string | number> => {
    const own = ['stages', stage.name, ...field];
    return !opts.source || nodeInfo(opts.source, own) ? own : ['defaults', ...field];
  };

  const finish = async (rec: StageRecord, withLock = false) => {
    opts.onEvent?.({ type: 'stage-end', stage: safe(rec) });
    await persist(withLock);
  };

  const services = new RunServices(deps.runner, {
    runId: opts.runId,
    root,
    ...(opts.user ? { user: opts.user } : {}),
    signal,
    record: entry,
    openLog: (name) => {
      const log = new StageLog(deps.sink.openLog(opts.runId, name), masker, (stream, text) => opts.onEvent?.({ type: 'stage-log', stage: name, stream, text }));
      return { sink: (stream, text) => log.write(stream, text), close: () => log.close() };
    },
    stageStarted: (rec, reason) => {
      rec.reason = reason;
      opts.onEvent?.({ type: 'stage-start', stage: rec.name, reason: masker.mask(reason) });
      void persist();
    },
    stageEnded: (rec) => finish(rec),
    event: (e) => opts.onEvent?.(e.message ? { ...e, message: masker.mask(e.message) } : e),
    env: (stage) => ({ ...stage.env, ...secretsFromHost(stage.secrets) }),
  });

  /** What the runner gets for a command stage (the image as resolved or built). */
  const containerSpec = (stage: Stage, image: string, cache: { volumes?: { name: string; target: string }[]; env?: Record<string, string> } = {}, svc: { env?: Record<string, string>; network?: string } = {}): StageSpec => {
    const memory = stage.resources.memory !== undefined ? parseSize(stage.resources.memory) : undefined;
    const timeoutMs = stage.resources.timeout ? parseDuration(stage.resources.timeout) : undefined;
    return {
      runId: opts.runId,
      stage: stage.name,
      image,
      commands: stage.run,
      workspace: root,
      workdir: stage.workdir,
      env: { ...cache.env, ...stage.env, ...svc.env, ...secretsFromHost(stage.secrets) },
      network: stage.network,
      ...(svc.network ? { networkName: svc.network } : {}),
      ...(stage.resources.cpus !== undefined ? { cpus: stage.resources.cpus } : {}),
      ...(memory !== undefined ? { memoryBytes: memory } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(stage.resources.pids !== undefined ? { pids: stage.resources.pids } : {}),
      ...(opts.user ? { user: opts.user } : {}),
      ...(stage.resources.gpus !== undefined ? { gpus: stage.resources.gpus } : {}),
      ...(cache.volumes ? { volumes: cache.volumes } : {}),
      ...(stage.slurm ? { slurm: stage.slurm } : {}),
      ...transferPaths(stage, pipeline),
    };
  };

  /** Stages an early gate stopped, with the gate's verdict (their gate results say so). */
  const earlyStops = new Map<string, { index: number; reason: string; expected: string; actual: string }>();

  const runOne = async (stage: Stage): Promise<void> => {
    const rec = entry(stage.name);
    const started = Date.now();
    rec.startedAt = new Date(started).toISOString();
    let inputs: StageInputs;
    let runner = deps.runner;
    // A stage's own `executor:` (slurm, local) other than the run's takes it off the Docker engines.
    const ownExecutor = ownExecutorOf(stage);
    const engineName = placedOn(stage);
    try {
      if (ownExecutor) {
        rec.executor = ownExecutor;
        runner = await executorOf(stage);
      }
      if (engineName !== undefined) {
        rec.engine = engineName;
        runner = await runnerOf(engineName);
      }
      inputs = await stageInputs(stage, root, { runner, hasher: deps.hasher }, opts.params, opts.imageMap, signal, undefined, buildsFor(runner));
    } catch (e) {
      rec.status = signal.aborted ? 'cancelled' : 'failed';
      rec.reason = (e as Error).message;
      if (e instanceof BuildFailedError) {
        const at: Array<string | number> = e.owner === 'defaults' ? ['defaults', 'build'] : ['stages', e.owner, 'build'];
        // Problems point at the `build:` that made the image (the Dockerfile line rides along).
        const field = at;
        rec.reason = `${e.message}${where(field)}${e.lastLines.length ? `\n${e.lastLines.map((l) => `  | ${l}`).join('\n')}` : ''}`;
        rec.problem = { path: field, message: e.message, ...(e.dockerfileLine !== undefined && e.dockerfilePath ? { dockerfile: { file: e.dockerfilePath, line: e.dockerfileLine } } : {}) };
        if (buildLogs.has(e.owner)) rec.log = `logs/${buildLogName(e.owner)}.log`;
      }
      rec.durationMs = Date.now() - started;
      if ((e as { engineLost?: boolean }).engineLost && !signal.aborted) noteEngineLost((e as Error).message);
      return finish(rec);
    }
    const fingerprint = fingerprintOf(stage.kind, inputs);
    rec.fingerprint = fingerprint;
    if (inputs.image) rec.image = inputs.image;
    if (inputs.imageId) rec.imageId = inputs.imageId;
    if (stage.kind === 'service') {
      // Ready, not started: the first stage that needs it and runs starts it (services.ts).
      rec.status = 'cached';
      rec.cached = true;
      rec.reason = 'ready: starts when a stage that needs it runs';
      rec.durationMs = Date.now() - started;
      services.prepare(stage, inputs);
      lock.stages[stage.name] = { fingerprint, cmd: inputs.cmd, ...(inputs.image ? { image: inputs.image } : {}), ...(inputs.imageId ? { image_id: inputs.imageId } : {}), ...(inputs.build ? { build: inputs.build } : {}), env: inputs.env, params: inputs.params, deps: inputs.deps, ...(inputs.spec ? { spec: inputs.spec } : {}), outs: {} };
      return;
    }
    if (stage.kind === 'deliver') return deliverOne(stage, rec, started);
    const reasons = await reasonsFor(stage, inputs, lock.stages[stage.name], root, deps.hasher, undefined, buildsFor(runner)?.session);
    // A frozen stage runs only when forced by name (`--force name`), as
    // `dvc repro -f` leaves frozen stages alone.
    const forcedHere = forced(stage.name) && !(stage.frozen && opts.force === true);
    if (!forcedHere && reasons.length === 0) {
      rec.status = 'cached';
      rec.cached = true;
      rec.reason = stage.frozen ? FROZEN_REASON : 'up to date';
      rec.durationMs = Date.now() - started;
      // Metrics an engine-run stage computed (drift's dataset_drift) live in
      // its run-cache entry, not in a file: without them a cached run would
      // show a false change against the run that computed them.
      fromEntry(stage, deps.cache?.entryFor(stage, fingerprint));
      // A frozen stage may never have run: its metrics may not exist yet.
      if (stage.frozen) await collectOutputs(stage, rec).catch(() => undefined);
      else await collectOutputs(stage, rec);
      return finish(rec);
    }
    // always_changed means "run it": restoring yesterday's outputs would defeat it.
    if (!forcedHere && deps.cache && !stage.alwaysChanged) {
      const restored = await tryRestore(stage, rec, fingerprint);
      if (restored === true) {
        rec.durationMs = Date.now() - started;
        return finish(rec, true);
      }
      if (restored) reasons.push(restored);
    }
    const reason = forcedHere ? 'forced' : reasons.join('; ');
    rec.reason = reason;
    rec.status = 'running';
    rec.log = `logs/${stage.name}.log`;
    opts.onEvent?.({ type: 'stage-start', stage: stage.name, reason: masker.mask(reason), ...(engineName !== undefined ? { engine: engineName } : {}) });
    void persist();
    const log = new StageLog(deps.sink.openLog(opts.runId, stage.name), masker, (stream, text) => opts.onEvent?.({ type: 'stage-log', stage: stage.name, stream, text }));
    const emit = (stream: 'stdout' | 'stderr', text: string) => log.write(stream, text);
    let ok = false;
    try {
      deps.cache?.prepareForRun(stage);
      // The services it needs, started (once per run) and healthy before it runs.
      const svc = await services.ensure(stage);
      if (CONTAINER_KINDS.includes(stage.kind) && stage.run.length) {
        const cache = await volumesFor(stage, runner);
        // Live metrics: followed while the stage runs; an early gate that breaks stops it.
        const stageAbort = new AbortController();
        const onRunAbort = () => stageAbort.abort();
        signal.addEventListener('abort', onRunAbort, { once: true });
        const early = earlyGates(stage.gates, stage.name);
        const watch = early.length ? new EarlyGateWatch(early, (m) => pipeline.metrics[m]?.goal) : undefined;
        const tail = new LiveTail(stage.name, { root, workdir: stage.workdir, ...(stage.history ? { history: stage.history } : {}) }, (update) => {
          opts.onEvent?.({ type: 'stage-metrics', update: safe(update) });
          const broken = watch && !earlyStop ? watch.add(update.points) : undefined;
          if (broken) {
            const step = update.step !== undefined ? ` at step ${update.step}` : '';
            earlyStop = { index: broken.gate.index, reason: broken.verdict.reason, expected: broken.verdict.expected, actual: broken.verdict.actual };
            emit('stderr', `mlci: stopping ${stage.name}${step}: early gate ${gateName(broken.gate, pipeline.ci.baseline)} is already broken: ${broken.verdict.reason}\n`);
            stageAbort.abort();
          }
        }, (message) => emit('stderr', `mlci: ${message}\n`));
        let earlyStop: { index: number; reason: string; expected: string; actual: string } | undefined;
        tail.start();
        const result = await runner.run(containerSpec(stage, inputs.image ?? 'local', cache, svc), emit, stageAbort.signal, (job) => {
          rec.job = job;
          opts.onEvent?.({ type: 'stage-job', stage: stage.name, job });
        }).finally(() => {
          tail.stop();
          signal.removeEventListener('abort', onRunAbort);
        });
        // Without a declared history, what the stage logged live is its history (gates, comparison).
        const liveRows = tail.rows();
        if (!stage.history && liveRows.length) record.history[stage.name] = liveRows;
        rec.outcome = result.outcome;
        if (result.job) rec.job = result.job;
        if (result.transfer) rec.transfer = result.transfer;
        if (result.outcome.kind === 'error' && result.outcome.engineLost && !signal.aborted) noteEngineLost(result.outcome.message);
        if (result.outcome.kind === 'exited' || result.outcome.kind === 'oom') rec.exitCode = result.outcome.exitCode;
        ok = result.outcome.kind === 'exited' && result.outcome.exitCode === 0;
        if (!ok) rec.reason = containerFailure(result.outcome, stage.resources.timeout);
        if (!ok && result.outcome.kind === 'error' && stage.resources.gpus !== undefined && /resources\.gpus/.test(result.outcome.message)) {
          const at = ownPath(stage, ['resources', 'gpus']);
          rec.reason = `${result.outcome.message}${where(at)}`;
          rec.problem = { path: at, message: result.outcome.message };
        }
        if (result.outcome.kind === 'cancelled') rec.status = 'cancelled';
        const stopped = earlyStop as { index: number; reason: string; expected: string; actual: string } | undefined;
        if (stopped && !signal.aborted) {
          // Stopped by its own gate, not by the user: a failure with the gate's reason.
          ok = false;
          rec.status = 'failed';
          rec.reason = `stopped early: ${stopped.reason}`;
          earlyStops.set(stage.name, stopped);
          if (watch && !record.history[stage.name]) record.history[stage.name] = watch.rows();
        }
      } else if (stage.probes?.length) {
        ok = true;
      } else {
        const exec = deps.builtins[stage.kind as 'data' | 'drift'];
        if (!exec) throw new Error(`${stage.kind} stages are not available in this build`);
        const result = await exec(stage, root, signal);
        for (const line of result.lines) emit('stdout', line + '\n');
        if (result.metrics) stageMetrics[stage.name] = result.metrics;
        if (result.report !== undefined) (record.reports ??= {})[stage.name] = result.report;
        if (result.importance) (record.importance ??= {})[stage.name] = result.importance;
        ok = result.passed;
        if (!ok) rec.reason = `${stage.kind === 'data' ? 'data checks' : 'drift'} failed`;
      }
      // Probes: after the stage's own command (when it has one) passed.
      if (ok && stage.probes?.length) {
        const probes = await runProbes(stage, new Map([...svc.hostUrls].map(([k, v]) => [k, { hostUrl: v }])), signal);
        for (const line of probes.lines) emit('stdout', line + '\n');
        stageMetrics[stage.name] = { ...stageMetrics[stage.name], ...probes.metrics };
        (record.reports ??= {})[stage.name] = probes.report;
        if (stage.reports.junit) {
          const file = inWorkspace(root, stage.reports.junit);
          await mkdir(path.dirname(file), { recursive: true });
          await writeFileAtomic(file, junitXml(stage.name, probes.report));
        }
        ok = probes.passed;
        if (!ok) rec.reason = `probe failed: ${probes.report.cases.filter((c) => c.status === 'failed').map((c) => `${c.name}: ${c.message}`).join('; ')}`;
      }
      if (ok) await collectOutputs(stage, rec);
      else if (stage.reports.junit) await collectOutputs(stage, rec).catch(() => undefined);
    } catch (e) {
      ok = false;
      rec.reason = (e as Error).message;
      emit('stderr', `mlci: ${(e as Error).message}\n`);
    } finally {
      await log.close();
    }
    // A service that died while the stage used it is named in the stage's failure.
    const exited = await services.afterStage(stage, !ok);
    if (exited && !ok) rec.reason = `${rec.reason ?? 'failed'}\n${exited}`;
    rec.durationMs = Date.now() - started;
    if (signal.aborted && !ok) rec.status = 'cancelled';
    else if (earlyStops.has(stage.name)) rec.status = 'failed';
    else if (rec.status !== 'cancelled') rec.status = ok ? 'passed' : 'failed';
    if (ok) {
      const outs: Record<string, string> = {};
      for (const o of outPaths(stage)) {
        const h = await deps.hasher.hashPath(inWorkspace(root, o));
        if (h) outs[o] = h.hash;
      }
      lock.stages[stage.name] = {
        fingerprint,
        cmd: inputs.cmd,
        ...(inputs.image ? { image: inputs.image } : {}),
        ...(inputs.imageId ? { image_id: inputs.imageId } : {}),
        ...(inputs.build ? { build: inputs.build } : {}),
        env: inputs.env,
        params: inputs.params,
        deps: inputs.deps,
        ...(inputs.spec ? { spec: inputs.spec } : {}),
        outs,
      };
      await rememberFolderDeps(root, inputs.deps, (d) => inWorkspace(root, d), deps.hasher);
      if (deps.cache) {
        try {
          await deps.cache.save(stage, fingerprint, {
            runId: opts.runId,
            pipeline: opts.pipelineFile,
            ...(git && !git.dirty ? { commit: git.commit } : {}),
            lock: lock.stages[stage.name],
            // Masked and bounded like the record: the cache entry is another record of the run.
            ...(stageMetrics[stage.name] ? { metrics: safe(stageMetrics[stage.name]) } : {}),
            ...(record.history[stage.name] ? { history: safe(record.history[stage.name]) } : {}),
            ...(record.reports?.[stage.name] !== undefined ? { report: safe(record.reports[stage.name]) } : {}),
            // Only what the engine measured: an `importances:` file is an output, read again on restore.
            ...(stage.kind === 'data' && record.importance?.[stage.name] ? { importance: safe(record.importance[stage.name]) } : {}),
          });
        } catch (e) {
          // The stage passed; a cache that cannot take its outputs costs a rerun later, not this run.
          opts.onEvent?.({ type: 'stage-log', stage: stage.name, stream: 'stderr', text: masker.mask(`mlci: could not store the outputs in the cache: ${(e as Error).message}\n`) });
        }
      }
    }
    return finish(rec, ok);
  };

  /** A deliver stage (mlci deliver): the service's image, pushed by the deliver hook. */
  const deliverOne = async (stage: Stage, rec: StageRecord, started: number): Promise<void> => {
    rec.status = 'running';
    rec.cached = false;
    rec.log = `logs/${stage.name}.log`;
    rec.reason = `deliver ${stage.deliver?.service ?? '?'} to ${stage.deliver?.registry ?? '?'}`;
    opts.onEvent?.({ type: 'stage-start', stage: stage.name, reason: rec.reason });
    const log = new StageLog(deps.sink.openLog(opts.runId, stage.name), masker, (stream, text) => opts.onEvent?.({ type: 'stage-log', stage: stage.name, stream, text }));
    try {
      const service = stage.deliver ? pipeline.stageByName.get(stage.deliver.service) : undefined;
      if (!stage.deliver || service?.kind !== 'service') throw new Error(`deliver stage ${stage.name} needs 'service' naming a service stage and a 'registry'`);
      const inputs = services.inputsOf(service.name) ?? await stageInputs(service, root, deps, opts.params, opts.imageMap, signal, undefined, buildsFor(deps.runner));
      if (!inputs.image) throw new Error(`service ${service.name} has no image to deliver`);
      const result = await opts.deliver!(stage, { image: inputs.image, ...(inputs.imageId ? { imageId: inputs.imageId } : {}), log: (text) => log.write('stdout', text), signal });
      rec.status = result.passed ? 'passed' : signal.aborted ? 'cancelled' : 'failed';
      if (result.reason) rec.reason = result.reason;
      if (result.delivery) rec.delivery = result.delivery;
    } catch (e) {
      rec.status = signal.aborted ? 'cancelled' : 'failed';
      rec.reason = (e as Error).message;
      log.write('stderr', `mlci: ${(e as Error).message}\n`);
    } finally {
      await log.close();
    }
    rec.durationMs = Date.now() - started;
    return finish(rec);
  };

  /** Metrics and report of a run-cache entry, for a stage that did not run now. */
  const fromEntry = (stage: Stage, e: { metrics?: Metrics; report?: unknown; importance?: unknown } | undefined) => {
    if (!e) return;
    if (e.metrics) stageMetrics[stage.name] = { ...e.metrics, ...stageMetrics[stage.name] };
    if (e.report !== undefined && record.reports?.[stage.name] === undefined) (record.reports ??= {})[stage.name] = e.report;
    if (e.importance !== undefined && record.importance?.[stage.name] === undefined) (record.importance ??= {})[stage.name] = e.importance as ImportanceReport;
  };

  /**
   * Restores a stage from the run-cache: true when restored, a reason for
   * the run when an entry exists but cannot serve (objects missing or
   * corrupt), undefined when there is none.
   */
  const tryRestore = async (stage: Stage, rec: StageRecord, fingerprint: string): Promise<true | string | undefined> => {
    const cache = deps.cache!;
    const before = cache.problems().length;
    let r;
    try {
      r = await cache.restorable(stage, fingerprint);
      if ('entry' in r) {
        cache.restore(r.entry);
        rec.status = 'restored';
        rec.cached = true;
        rec.reason = `restored from cache: same inputs as run ${r.entry.runId}`;
        lock.stages[stage.name] = { ...r.entry.lock, fingerprint };
        fromEntry(stage, r.entry);
        await collectOutputs(stage, rec);
        return true;
      }
    } catch (e) {
      return `could not restore from the cache (${(e as Error).message})`;
    }
    const corrupt = cache.problems().slice(before).map((p) => `corrupt cache object ${p.key} removed: ${p.reason}`);
    if (r.missing === 'no run-cache entry') return corrupt.length ? corrupt.join('; ') : undefined;
    return [...corrupt, `cached run cannot be restored: ${r.missing}`].join('; ');
  };

  /** Named caches as mlci-owned volumes (Docker only; host processes use the host's own caches). */
  const volumesFor = async (stage: Stage, runner: ContainerRunner): Promise<{ volumes?: { name: string; target: string }[]; env?: Record<string, string> }> => {
    const builder = runner.builder;
    if (!stage.caches.length || !builder) return {};
    const mounts = cacheMounts(pipelineLabel(pipeline), stage.caches);
    for (const m of mounts) await builder.ensureVolume(m.volume, { 'mlci.cache': m.cache, 'mlci.pipeline': pipelineLabel(pipeline) });
    return { volumes: mounts.map((m) => ({ name: m.volume, target: m.target })), env: Object.assign({}, ...mounts.map((m) => m.env)) as Record<string, string> };
  };

  const collectOutputs = async (stage: Stage, rec: StageRecord) => {
    // Test cases of a JUnit report, whether the stage passed or failed (the
    // failing cases are what the user wants to see).
    if (stage.reports.junit && rec.status !== 'cached') {
      try {
        const xml = await readRegularFile(inWorkspace(root, stage.reports.junit), FILE_LIMITS.record, stage.reports.junit);
        (record.reports ??= {})[stage.name] = parseJunit(xml, stage.reports.junit);
      } catch {
        // no report written (the stage failed before its tests ran): nothing to list
      }
    }
    for (const file of stage.metricsFiles) stageMetrics[stage.name] = { ...stageMetrics[stage.name], ...(await readMetricsFile(inWorkspace(root, file), file)) };
    if (stage.history) record.history[stage.name] = await readHistoryFile(inWorkspace(root, stage.history), stage.history) as HistoryRow[];
    if (stage.importances) (record.importance ??= {})[stage.name] = await readImportancesFile(inWorkspace(root, stage.importances), stage.importances);
    if (stage.plots.length && deps.sink.savePlot) {
      const kept = await keepPlots(stage, root, (p, bytes) => deps.sink.savePlot!(opts.runId, stage.name, p, bytes));
      record.plots = [...(record.plots ?? []).filter((r) => r.stage !== stage.name), ...kept];
    }
    // A data stage that did not run now (up to date or restored) measured
    // nothing this run: its run-cache entry's measurement stands in (see
    // fromEntry), else its written report, else it is measured again, since
    // its importance gates must see the dependencies, never a blank.
    if ((rec.status === 'cached' || rec.status === 'restored') && stage.kind === 'data' && stage.importance && !record.importance?.[stage.name]) {
      const saved = stage.importance.report
        ? await readRegularFile(inWorkspace(root, stage.importance.report), FILE_LIMITS.record).then((t) => JSON.parse(t) as ImportanceReport, () => undefined)
        : undefined;
      const measured = saved ?? (deps.measureImportance ? await deps.measureImportance(stage, root, signal) : undefined);
      if (measured) (record.importance ??= {})[stage.name] = measured;
    }
  };

  // A cluster scheduler gets the whole DAG at once: each command stage a job
  // waiting for the jobs of the command stages it needs (through data and
  // drift stages, which run here). The engine still decides, stage by stage,
  // whether a job runs (up to date, restored, upstream failed).
  // Stages with an `executor:` of their own go to that scheduler's plan.
  const commandStages = plan.stages.filter((s) => CONTAINER_KINDS.includes(s.kind) && s.run.length && !s.frozen);
  const byRunner = new Map<ContainerRunner, Stage[]>();
  for (const s of commandStages) {
    const runner = await executorOf(s).catch(() => undefined);
    if (runner?.submitPlan) byRunner.set(runner, [...(byRunner.get(runner) ?? []), s]);
  }
  for (const [runner, jobStages] of byRunner) {
    const isJob = new Set(jobStages.map((s) => s.name));
    const jobAncestors = (name: string, seen = new Set<string>()): string[] => {
      const st = pipeline.stageByName.get(name);
      return (st?.needs ?? []).filter((n) => planned.has(n) && !seen.has(n) && seen.add(n)).flatMap((n) => (isJob.has(n) ? [n] : jobAncestors(n, seen)));
    };
    try {
      await runner.submitPlan!(opts.runId, jobStages.map((s) => ({ spec: containerSpec(s, s.image ? mapImage(opts.imageMap ?? new Map(), s.image) : 'local'), after: [...new Set(jobAncestors(s.name))] })), signal, runner === deps.runner ? opts.arrayTask : undefined);
    } catch (e) {
      // Stages are then submitted one by one as they become ready: said, not fatal.
      opts.onEvent?.({ type: 'warning', message: `could not submit the whole pipeline at once (${(e as Error).message}); submitting stage by stage` });
    }
  }

  // Scheduler: start every stage whose needs are done, up to `jobs` at once,
  // and up to a named engine's own `jobs` on that engine.
  const jobs = Math.max(1, opts.jobs ?? os.cpus().length);
  const engineLimit = new Map<string, number>();
  for (const name of new Set(plan.stages.map(placedOn))) {
    if (name === undefined) continue;
    // An engine that cannot be resolved fails its stages when they start, with the reason.
    const limit = await deps.engineJobs?.(name).catch(() => undefined);
    if (limit !== undefined) engineLimit.set(name, limit);
  }
  const onEngine = new Map<string, number>();
  const state = new Map<string, 'waiting' | 'running' | 'done'>(plan.stages.map((s) => [s.name, 'waiting']));
  // A service still starting for one stage is no failed need for another: that one waits for the same start.
  const good = (name: string) => ['passed', 'cached', 'restored'].includes(entry(name).status) || (entry(name).kind === 'service' && entry(name).status === 'running');
  let stopStarting = false;
  await new Promise<void>((resolve) => {
    let running = 0;
    const pump = () => {
      for (const stage of plan.stages) {
        if (state.get(stage.name) !== 'waiting') continue;
        const needs = stage.needs.filter((n) => planned.has(n));
        const failedNeed = needs.find((n) => state.get(n) === 'done' && !good(n));
        if (failedNeed || signal.aborted || stopStarting || engineLost) {
          const rec = entry(stage.name);
          rec.status = signal.aborted ? 'cancelled' : 'skipped';
          rec.reason = signal.aborted ? 'run cancelled before it started' : engineLost ? 'not run: the container engine was lost' : failedNeed ? `upstream stage ${failedNeed} ${entry(failedNeed).status === 'skipped' ? 'was skipped' : 'failed'}` : 'an earlier stage failed (--fail-fast)';
          state.set(stage.name, 'done');
          void finish(rec);
          continue;
        }
        if (running >= jobs || !needs.every((n) => state.get(n) === 'done')) continue;
        const engine = placedOn(stage);
        if (engine !== undefined && (onEngine.get(engine) ?? 0) >= (engineLimit.get(engine) ?? Infinity)) continue;
        if (engine !== undefined) onEngine.set(engine, (onEngine.get(engine) ?? 0) + 1);
        state.set(stage.name, 'running');
        running++;
        runOne(stage)
          .catch((e) => {
            const rec = entry(stage.name);
            rec.status = 'failed';
            rec.reason = (e as Error).message;
          })
          .finally(() => {
            running--;
            if (engine !== undefined) onEngine.set(engine, onEngine.get(engine)! - 1);
            state.set(stage.name, 'done');
            if (!good(stage.name) && opts.failFast) stopStarting = true;
            pump();
          });
      }
      if (running === 0 && [...state.values()].every((s) => s === 'done')) resolve();
    };
    signal.addEventListener('abort', () => pump(), { once: true });
    pump();
  }).finally(async () => {
    // Always: after success, failure and Ctrl+C (the scheduler returns once running stages stopped).
    for (const problem of await services.teardown()) noteRunError(`service:${problem}`, problem);
    // Ctrl+C: the workspace volume a remote engine holds for this folder goes
    // too (a cancelled run leaves nothing on the engines); the next run sends
    // the inputs again.
    if (signal.aborted) {
      for (const [name, made] of engineRunners) {
        const runner = await made.catch(() => undefined);
        await runner?.releaseWorkspace?.(root).catch((e: unknown) => noteRunError(`engine:${name}`, `could not remove the workspace volume on engine '${name}': ${(e as Error).message}`));
      }
    }
  });

  // Metrics: every stage's, flattened; later stages in the plan win on clashes.
  for (const s of plan.stages) Object.assign(record.metrics, stageMetrics[s.name] ?? {});
  record.stageMetrics = stageMetrics;
  const statuses = record.stages.map((s) => s.status);
  record.status = signal.aborted ? 'cancelled' : statuses.every((s) => s === 'passed' || s === 'cached' || s === 'restored') ? 'passed' : 'failed';
  // Gates of the planned stages, once their metrics are in: a failed gate
  // (severity error) fails a run whose stages all passed, distinctly.
  if (!signal.aborted && plan.stages.some((s) => s.gates.length)) {
    const planned = { ...pipeline, stages: plan.stages };
    const noBaseline: BaselineProvider = { metric: async () => undefined };
    record.gates = await evaluateGates(planned, record, opts.baseline ?? noBaseline);
    for (const g of record.gates) {
      const stop = earlyStops.get(g.stage);
      if (stop && stop.index === g.index) Object.assign(g, { status: 'failed', reason: `${stop.reason} (stopped the stage early)`, expected: stop.expected, actual: stop.actual });
    }
    if (record.status === 'passed' && record.gates.some((g) => g.status === 'failed' && g.severity === 'error')) record.status = 'gate-failed';
  }
  for (const log of buildLogs.values()) await log.close();
  // Nothing ran (every stage up to date): history, not a new experiment.
  record.kind = classifyRun(record, opts);
  record.finishedAt = new Date().toISOString();
  // What this commit's pipeline measured: the baseline other branches
  // compare with when the metrics files are not committed.
  if (deps.cache && git && !git.dirty && opts.writeLock !== false) {
    const good = record.stages.filter((s) => ['passed', 'cached', 'restored'].includes(s.status) && stageMetrics[s.name]);
    if (good.length) {
      await deps.cache.records.mergeCommit({
        commit: git.commit, pipeline: opts.pipelineFile, runId: opts.runId, createdAt: record.finishedAt,
        stageMetrics: Object.fromEntries(good.map((s) => [s.name, stageMetrics[s.name]])),
      }).catch(() => undefined);
    }
  }
  safe(record);
  await persist();
  await writes;
  // A write that failed after the last attempt (the final one) must still reach the caller.
  if (writeErrors.size) record.errors = [...writeErrors.values()];
  try {
    await deps.hasher.save();
  } catch (e) {
    // Only a cache: the next run re-hashes. Said, not fatal.
    opts.onEvent?.({ type: 'warning', message: `could not save the hash cache (the next run re-hashes its files): ${describeFsError(fsErrorFile(e, 'the hash cache'), e)}` });
  }
  opts.onEvent?.({ type: 'run-end', run: record });
  return record;
}

/** Values to mask for a stage: its declared secrets as the host has them, and env values whose names look like credentials. */
function secretValues(stage: Stage): string[] {
  const fromEnv = Object.entries(stage.env).filter(([k]) => isSecretName(k, stage.secrets)).map(([, v]) => v);
  return [...Object.values(secretsFromHost(stage.secrets)), ...fromEnv];
}

function secretsFromHost(names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = process.env[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}
