/**
 * Where a stage's container runs (a named engine) and what travels to an
 * engine that cannot see the workspace: the stage's declared inputs (deps,
 * the params files it reads) and outputs (outs, metrics, plots, reports).
 */
import type { Pipeline, Stage } from '../pipeline/model';
import { CONTAINER_KINDS, LOCAL_ENGINE } from '../pipeline/model';
import { splitParamKey } from '../pipeline/param-refs';
import { depPaths, outPaths } from './fingerprint';

/** The named engine of a container stage (`--engine` wins over `engine:`); undefined for the local one and engine-run kinds. */
export function engineOf(stage: Stage, override: string | undefined): string | undefined {
  if (!CONTAINER_KINDS.includes(stage.kind)) return undefined;
  const name = override ?? stage.engine;
  return name === undefined || name === LOCAL_ENGINE ? undefined : name;
}

/** Paths (relative to the workspace) a remote engine needs before the stage and sends back after it. */
export function transferPaths(stage: Stage, pipeline: Pick<Pipeline, 'paramsFile'>): { inputs: string[]; outputs: string[] } {
  const inputs = new Set(depPaths(stage));
  for (const k of stage.params) inputs.add(splitParamKey(k).file ?? pipeline.paramsFile);
  return { inputs: [...inputs], outputs: outPaths(stage) };
}
