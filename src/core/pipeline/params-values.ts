/**
 * The params values a run judges a pipeline with: its params file read
 * from disk. The CLI's commands and the extension's in-host status read
 * them here, so both judge with the same values.
 */
import path from 'node:path';
import { linkEscape } from '../files/contain';
import { nodeFiles } from '../node-files';
import type { ParamValue } from '../params';
import { parseParams } from '../params';
import type { Pipeline } from './model';

/**
 * `{}` when the file is absent or unparsable (validation reports that);
 * throws the PathEscapeError of a params file linked out of the workspace.
 */
export function pipelineParamValues(root: string, pipeline: Pick<Pipeline, 'paramsFile'>): Record<string, ParamValue> {
  const paramsFile = path.resolve(root, pipeline.paramsFile);
  // The default params.yaml is no path of the pipeline text, so the validator's link check does not see it.
  const escape = linkEscape(root, paramsFile, pipeline.paramsFile);
  if (escape) throw escape;
  const text = nodeFiles.readText(paramsFile);
  const parsed = text !== undefined ? parseParams(text) : undefined;
  return parsed?.ok ? parsed.params.values : {};
}
