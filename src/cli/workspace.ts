/**
 * Finding and loading the pipeline a command works on: `--file`, else
 * `mlci.yaml` in the current folder, else the only pipeline file below it.
 * A pipeline with validation errors is not run: its problems are printed
 * and the command stops, since running a half-understood pipeline could
 * write outputs to the wrong places.
 */
import path from 'node:path';
import { PathEscapeError } from '../core/files/contain';
import { FILE_LIMITS, readRegularFileSync } from '../core/files/regular-file';
import { nodeFiles } from '../core/node-files';
import type { ParamValue } from '../core/params';
import type { Pipeline } from '../core/pipeline/model';
import { validatePipeline } from '../core/pipeline/validate';
import { pipelineParamValues } from '../core/pipeline/params-values';
import type { Problem } from '../core/problems';
import type { PipelineSource } from '../core/pipeline/source';
import { CliError } from './errors';
import { findPipelineFiles } from './find-pipelines';
import { readFailure } from './commands/validate';

export interface LoadedPipeline {
  /** Absolute path of the pipeline file. */
  file: string;
  /** Absolute pipeline folder: the workspace. */
  root: string;
  /** The file as shown to the user (relative to cwd). */
  shown: string;
  pipeline: Pipeline;
  params: Record<string, ParamValue>;
  warnings: Problem[];
  /** The parsed file, to name lines in run failures (`gpus:`, `build:`). */
  source?: PipelineSource;
}

/** Exit code for "could not run": invalid pipeline, engine unreachable, lock held. */
export const EXIT_CANNOT_RUN = 3;

export async function resolvePipelineFile(cwd: string, file: string | undefined): Promise<string> {
  if (file) return path.resolve(cwd, file);
  if (nodeFiles.stat(path.join(cwd, 'mlci.yaml')) === 'file') return path.join(cwd, 'mlci.yaml');
  const found = await findPipelineFiles(cwd);
  if (found.length === 1) return path.join(cwd, found[0]);
  if (found.length === 0) throw new CliError(`no pipeline file here: create mlci.yaml in ${cwd}, or pass --file`, EXIT_CANNOT_RUN);
  throw new CliError(`several pipeline files under ${cwd}: ${found.join(', ')}; choose one with --file`, EXIT_CANNOT_RUN);
}

export async function loadPipeline(cwd: string, fileOpt: string | undefined, out: (line: string) => void): Promise<LoadedPipeline> {
  const file = await resolvePipelineFile(cwd, fileOpt);
  const shown = path.relative(cwd, file) || path.basename(file);
  let text: string;
  try {
    text = readRegularFileSync(file, FILE_LIMITS.pipeline, shown);
  } catch (e) {
    throw new CliError(readFailure(shown, e), EXIT_CANNOT_RUN);
  }
  const root = path.dirname(file);
  const result = validatePipeline({ file: shown, text, root, files: nodeFiles });
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (errors.length || !result.pipeline) {
    for (const p of errors) out(`${p.file}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}`);
    throw new CliError(`${shown} has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix them first (mlci validate ${shown})`, EXIT_CANNOT_RUN);
  }
  let params: Record<string, ParamValue>;
  try {
    params = pipelineParamValues(root, result.pipeline);
  } catch (e) {
    if (e instanceof PathEscapeError) throw new CliError(e.message, EXIT_CANNOT_RUN);
    throw e;
  }
  return { file, root, shown, pipeline: result.pipeline, params, warnings: result.problems.filter((p) => p.severity === 'warning'), ...(result.source ? { source: result.source } : {}) };
}
