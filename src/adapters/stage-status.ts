/**
 * The status of a loaded pipeline's stages, as `mlci status` answers it: the
 * one recipe behind the CLI command and the extension's tree, which computes
 * it in the extension host (dist/status.js, loaded on the first status)
 * instead of starting a CLI process per look.
 *
 * The extension host passes what a CLI it started would have in its
 * environment: `env` (MLCI_ENGINES, the image map's source) and `dockerHost`
 * (the engine of mlci.dockerHost, a plain socket or tcp address there).
 */
import type { ParamValue } from '../core/params';
import type { Pipeline } from '../core/pipeline/model';
import type { ContainerRunner } from '../core/ports';
import type { ImageMap } from '../core/run/images';
import type { StageStatusEntry } from '../core/run/status';
import { pipelineStatus } from '../core/run/status';
import { LocalRunner } from './local/local-runner';
import { createStatusDeps, stateFile } from './engine-deps';
import type { ExecutorChoice } from './engine-deps';
import { engineRunners } from './engines';

export interface StageStatusRequest {
  pipeline: Pipeline;
  root: string;
  params: Record<string, ParamValue>;
  targets?: string[];
  executor: ExecutorChoice;
  imageMap: ImageMap;
  /** Write nothing: the stat cache under .mlci/ is read, never written, and no folder is created. */
  readOnly: boolean;
  env: NodeJS.ProcessEnv;
  /**
   * The engine to ask, as DOCKER_HOST writes it; unset: the Docker client's
   * own defaults (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH of this
   * process), as the CLI has them.
   */
  dockerHost?: string;
  /** Lines for standard error (an unreachable engine with `auto`). */
  note: (line: string) => void;
}

/**
 * The stages' status. The stat cache is saved unless `readOnly`; a failure
 * to save goes to `onSaveError` (the answer stands: the next look re-hashes).
 */
export async function stageStatus(req: StageStatusRequest, onSaveError?: (e: NodeJS.ErrnoException, file: string) => void): Promise<StageStatusEntry[]> {
  const runner = await statusRunner(req.executor, req.dockerHost, req.note);
  const deps = await createStatusDeps(req.root, runner, { readOnly: req.readOnly, ...(req.dockerHost ? { dockerHost: req.dockerHost } : {}) });
  // Stages on named engines are judged there (images built and pulled on that engine), as mlci run would run them.
  const runnerFor = runner.name === 'docker' ? engineRunners(req.pipeline.engines, req.env) : undefined;
  const entries = await pipelineStatus({ pipeline: req.pipeline, root: req.root, params: req.params, targets: req.targets ?? [], imageMap: req.imageMap }, { ...deps, ...(runnerFor ? { runnerFor } : {}) });
  await deps.hasher.save().catch((e: NodeJS.ErrnoException) => onSaveError?.(e, stateFile(req.root)));
  return entries;
}

/**
 * Image IDs for status come from the engine, never by pulling. With `auto`
 * and no engine answering, container stages are "unknown: engine
 * unreachable" rather than judged as host processes (which would call every
 * stage that last ran in a container stale).
 */
async function statusRunner(choice: ExecutorChoice, dockerHost: string | undefined, note: (l: string) => void): Promise<ContainerRunner> {
  // Slurm stages see images as host processes do ('local'): judged without asking the cluster.
  if (choice === 'local' || choice === 'slurm') return new LocalRunner();
  const { DockerRunner } = await import('./docker/docker-runner');
  const docker = new DockerRunner({ pingTimeoutMs: 2000, ...(dockerHost ? { host: dockerHost } : {}) });
  try {
    await docker.check();
    return docker;
  } catch (e) {
    if (e instanceof Error && e.name === 'DockerClientLoadError') throw e;
    if (choice === 'docker') throw e;
    note(`mlci: ${(e as Error).message.split('. ')[0]}: the images of container stages are not checked`);
    const unreachable = (): never => {
      throw new Error(`image not checked: the Docker engine at ${docker.where} is unreachable`);
    };
    return { name: 'docker', where: docker.where, check: async () => unreachable(), resolveImage: async () => unreachable(), imageIdIfPresent: async () => unreachable(), run: async () => unreachable(), removeStray: async () => 0 };
  }
}
