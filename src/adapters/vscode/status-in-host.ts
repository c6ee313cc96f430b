/**
 * The tree's up-to-date status computed in the extension host, with the
 * code `mlci status` runs (src/adapters/stage-status.ts, bundled as
 * dist/status.js and loaded on the first status), instead of a CLI process
 * per pipeline. A status process cost 0.3 s from a shell and 0.6-3.9 s from
 * the extension host at startup (Node's start and the CLI's chunks compiled
 * again, competing with the workbench for the cores), while the status
 * itself is tens of milliseconds on the example: stats against the stat
 * cache (read, never written), the lock, and one image inspect per image
 * over the engine's socket. The walks give the event loop a turn every few
 * milliseconds (core/hash/yielder.ts), as for runs in the CLI.
 *
 * Only where the answer needs nothing the CLI process has and the host has
 * not: an engine reached by plain HTTP (a unix socket or tcp without TLS;
 * ssh:// and TLS need the Docker client, which only the CLI bundles) and no
 * stage placed on a named engine (`canJudgeInHost`, src/adapters/host-status.ts).
 * Elsewhere the run service asks `mlci status` as before.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { StageStatusEntry } from '../../core/run/status';
import type { ExecutorChoice } from '../engine-deps';
import type { Pipeline } from '../../core/pipeline/model';
import { imageMappingSpecs, parseImageMapping } from '../../core/run/images';
import { pipelineParamValues } from '../../core/pipeline/params-values';
import { validatePipeline } from '../../core/pipeline/validate';
import { nodeFiles } from '../../core/node-files';
import { readPipelineFile } from './registry';
import type { PipelineEntry } from './registry';
import type * as StageStatusModule from '../stage-status';

type StatusBundle = typeof StageStatusModule;

/** dist/status.js, required once (beside dist/extension.js; the vsix ships it). */
let bundle: StatusBundle | undefined;
export function loadBundle(distDir: string): StatusBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle beside this one, by path: esbuild must not inline it
  bundle ??= require(path.join(distDir, 'status.js')) as StatusBundle;
  if (typeof bundle.stageStatus !== 'function') throw new Error('dist/status.js has no stageStatus: rebuild (npm run build)');
  return bundle;
}

/**
 * The pipeline as `mlci status` reads it: from disk. The registry's
 * validation is that unless an editor holds unsaved text under the
 * pipeline's folder (the registry reads open documents as typed); then the
 * saved files are validated again here. Undefined when they have errors
 * (the CLI would refuse them too).
 */
async function savedPipeline(entry: PipelineEntry): Promise<Pipeline | undefined> {
  const prefix = entry.root + path.sep;
  const dirty = vscode.workspace.textDocuments.some((d) => d.isDirty && d.uri.scheme === 'file' && d.uri.fsPath.startsWith(prefix));
  let result = entry.result;
  if (dirty) {
    const read = await readPipelineFile(entry.uri.fsPath);
    if ('problem' in read) throw new Error(read.problem);
    result = validatePipeline({ file: path.basename(entry.uri.fsPath), text: read.text, root: entry.root, files: nodeFiles });
  }
  return result.pipeline && !result.problems.some((p) => p.severity === 'error') ? result.pipeline : undefined;
}

/**
 * The status of `entry`'s stages as `mlci status --read-only --executor
 * EXECUTOR` answers it with `env`: nothing written, nothing pulled. Lines
 * the CLI would print on standard error go to `note`.
 */
export async function statusInHost(distDir: string, entry: PipelineEntry, executor: ExecutorChoice, env: NodeJS.ProcessEnv, note: (line: string) => void): Promise<StageStatusEntry[] | undefined> {
  const pipeline = await savedPipeline(entry);
  if (!pipeline) return undefined;
  const params = pipelineParamValues(entry.root, pipeline);
  const imageMap = parseImageMapping(imageMappingSpecs(env));
  const { stageStatus } = loadBundle(distDir);
  return stageStatus({ pipeline, root: entry.root, params, executor, imageMap, readOnly: true, env, ...(env.DOCKER_HOST ? { dockerHost: env.DOCKER_HOST } : {}), note });
}
