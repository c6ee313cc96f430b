/**
 * Everything the run engine needs for one workspace, built the same way for
 * the CLI and the extension (each has its own composition root; this is
 * the shared recipe): the runner, the hasher with its stat cache, the run
 * store, git, and the built-in stage executors.
 */
import path from 'node:path';
import { containedPath } from '../core/files/contain';
import type { ContainerRunner } from '../core/ports';
import type { EngineDeps } from '../core/run/engine';
import { FileHasher } from '../core/hash';
import { RunStore, ensureMlciDir } from '../core/run/store';
import { StageCache } from '../core/cache/stage-cache';
import { parseLinkPreference } from '../core/cache/link';
import { RecordStore } from '../core/cache/run-cache';
import { cacheRoot } from '../core/cache/layout';
import { LocalRunner } from './local/local-runner';
import type { EngineSpec, Pipeline, StageExecutor } from '../core/pipeline/model';
import { engineJobsOf, engineRunners } from './engines';
import type { BaselineProvider } from '../core/gates';

export type ExecutorChoice = 'docker' | 'local' | 'slurm' | 'auto';

export function stateFile(root: string): string {
  // `.mlci/state` linked out of the workspace would make the hash cache write there.
  return containedPath(root, path.join(root, '.mlci', 'state', 'hashes.json'));
}

export async function createEngineDeps(root: string, runner: ContainerRunner, engines: Record<string, EngineSpec> = {}): Promise<EngineDeps & { store: RunStore }> {
  const store = new RunStore(root);
  // Runs left 'running' by a killed process are marked cancelled.
  await store.markInterrupted().catch(() => undefined);
  // git, the stage executors (drift, data checks, ...) load here, not with
  // this module: `mlci status` imports it and needs none of them.
  const [{ SimpleGitAdapter }, { builtinExecutors, measureStageImportance }] = await Promise.all([import('./git/simple-git-adapter'), import('../core/run/builtins')]);
  const hasher = new FileHasher(stateFile(root));
  const cache = new StageCache(root, hasher, parseLinkPreference(process.env.MLCI_CACHE_LINK));
  return { runner, hasher, sink: store, store, git: new SimpleGitAdapter(), builtins: builtinExecutors(), measureImportance: measureStageImportance, cache, runnerFor: engineRunners(engines), engineJobs: engineJobsOf(engines), executorFor: stageExecutors() };
}

/**
 * Runners for stages whose `executor:` differs from the run's, made on
 * first use and kept: `docker` never falls back to host processes (the
 * pipeline file asked for Docker), an unreachable one fails those stages.
 */
export function stageExecutors(dockerHost?: string): (executor: StageExecutor) => Promise<ContainerRunner> {
  const made = new Map<StageExecutor, Promise<ContainerRunner>>();
  return (executor) => {
    let r = made.get(executor);
    if (!r) {
      r = chooseRunner(executor, dockerHost ? { dockerHost } : {}).catch((e: unknown) => {
        throw new Error(`executor ${executor} (executor: in the pipeline file): ${(e as Error).message}`);
      });
      made.set(executor, r);
    }
    return r;
  };
}

/**
 * What `status` needs: the runner (image IDs), the hasher with its stat
 * cache, and the cache (what a run would restore). `readOnly` (the
 * extension's status, plans in Restricted Mode): the stat cache is read but
 * never written, and nothing under .mlci/ is created. `dockerHost`: the
 * engine of stages whose `executor: docker` differs from the run's (default:
 * the Docker client's own, DOCKER_HOST).
 */
export async function createStatusDeps(root: string, runner: ContainerRunner, opts: { readOnly?: boolean; dockerHost?: string } = {}): Promise<{ runner: ContainerRunner; hasher: FileHasher; cache: StageCache; executorFor: (executor: StageExecutor) => Promise<ContainerRunner> }> {
  const hasher = new FileHasher(stateFile(root));
  if (opts.readOnly) hasher.save = async () => undefined;
  else await ensureMlciDir(root);
  return { runner, hasher, cache: new StageCache(root, hasher, parseLinkPreference(process.env.MLCI_CACHE_LINK)), executorFor: stageExecutors(opts.dockerHost) };
}

/** The cache with its hasher and the run store, for commands that run no stage (checkout, cache). */
export async function createCacheDeps(root: string): Promise<{ cache: StageCache; hasher: FileHasher; store: RunStore }> {
  await ensureMlciDir(root);
  const hasher = new FileHasher(stateFile(root));
  return { cache: new StageCache(root, hasher, parseLinkPreference(process.env.MLCI_CACHE_LINK)), hasher, store: new RunStore(root) };
}

export class EngineUnreachable extends Error {
  constructor(message: string, readonly where: string) {
    super(message);
  }
}

/**
 * Docker when asked (or when `auto` and the engine answers), else host
 * processes. `note` receives the explanation when `auto` falls back. The
 * Docker adapter (and dockerode) is loaded only here, on first use.
 */
export async function chooseRunner(choice: ExecutorChoice, opts: { dockerHost?: string; note?: (line: string) => void } = {}): Promise<ContainerRunner> {
  if (choice === 'local') return new LocalRunner();
  if (choice === 'slurm') {
    // Loaded on first use, like the Docker adapter; never an automatic choice.
    const { SlurmRunner } = await import('./slurm/slurm-runner');
    const slurm = new SlurmRunner();
    try {
      await slurm.check();
    } catch (e) {
      throw new EngineUnreachable((e as Error).message, slurm.where);
    }
    return slurm;
  }
  const { DockerRunner, DockerClientLoadError } = await import('./docker/docker-runner');
  const docker = new DockerRunner(opts.dockerHost ? { host: opts.dockerHost } : {});
  try {
    await docker.check();
    return docker;
  } catch (e) {
    // A client that did not load is a bug in the build, not an engine state:
    // it must fail loudly, never turn `auto` into host processes.
    if (e instanceof DockerClientLoadError) throw e;
    if (choice === 'docker') throw new EngineUnreachable((e as Error).message, docker.where);
    opts.note?.(`${(e as Error).message.split('\n')[0]}`);
    opts.note?.('running stages as host processes instead (executor local); images are ignored');
    return new LocalRunner();
  }
}

/** The uid:gid containers run as, so files they write belong to the user (Linux/macOS). */
export function hostUser(): string | undefined {
  return typeof process.getuid === 'function' && typeof process.getgid === 'function' ? `${process.getuid()}:${process.getgid()}` : undefined;
}

/**
 * Baselines for regression gates: a git ref's committed metrics files
 * (`baseline: main`, read through git, trying origin/<ref> too), or the
 * pinned experiment (`baseline: pinned`, `mlci exp pin`). Outside a git
 * repository only the pinned run can serve.
 */
export async function createBaseline(root: string, pipeline: Pick<Pipeline, 'stageByName' | 'file'> & { cache?: Pipeline['cache'] }, store: RunStore): Promise<BaselineProvider> {
  const [{ GitBaseline, RecordBaseline, routeBaselines, CommitRecordBaseline, firstBaseline }, { readPinned }, { gitFileReader, gitRefResolver, repoRelative }, { remoteBaseline }] = await Promise.all([
    import('../core/gates'),
    import('../core/experiments/baseline'),
    import('./git/ref-reader'),
    import('./remote-baseline'),
  ]);
  const dirInRepo = await repoRelative(root, root).catch(() => undefined);
  // The committed metrics file first, then the cache's record of the ref's
  // commit (gitignored metrics), then the configured remote's record of it.
  const records = new RecordStore(cacheRoot(root));
  const resolve = gitRefResolver(root);
  const git: BaselineProvider = dirInRepo === undefined ? { metric: async () => undefined } : firstBaseline(
    firstBaseline(
      new GitBaseline(gitFileReader(root), pipeline, dirInRepo),
      new CommitRecordBaseline(resolve, (commit) => records.getCommit(commit, pipeline.file)),
    ),
    remoteBaseline(root, pipeline, records, resolve),
  );
  const pinnedId = await readPinned(root).catch(() => undefined);
  const pinnedRecord = pinnedId ? await store.get(pinnedId).catch(() => undefined) : undefined;
  return routeBaselines(git, pinnedRecord ? new RecordBaseline(pinnedRecord) : undefined);
}
