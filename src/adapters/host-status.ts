/**
 * When the extension host can compute a pipeline's status itself
 * (src/adapters/vscode/status-in-host.ts) and give the answer `mlci status`
 * would: when every engine it must ask answers plain HTTP (a unix socket,
 * tcp without TLS). ssh:// and TLS engines need the Docker client, which
 * only the CLI bundles, and so does a stage placed on a named engine (it
 * may be either); those pipelines are judged by the CLI process.
 */
import type { Pipeline } from '../core/pipeline/model';
import { CONTAINER_KINDS } from '../core/pipeline/model';
import { engineOf } from '../core/run/placement';
import { plainEngine } from './docker/engine-http';
import type { ExecutorChoice } from './engine-deps';

/** `env`: the environment a CLI started by the extension gets (the host's, with the settings' variables). */
export function canJudgeInHost(pipeline: Pick<Pipeline, 'stages'>, executor: ExecutorChoice, env: NodeJS.ProcessEnv): boolean {
  if (pipeline.stages.some((s) => engineOf(s, undefined) !== undefined)) return false;
  const asksDocker = executor === 'auto' || executor === 'docker' || pipeline.stages.some((s) => s.executor === 'docker' && CONTAINER_KINDS.includes(s.kind));
  return !asksDocker || plainEngine(env.DOCKER_HOST ? { host: env.DOCKER_HOST } : {}, env) !== undefined;
}
