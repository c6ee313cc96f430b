/**
 * The pipeline graph as the DAG webview draws it: src/core/pipeline/dag.ts's
 * layers, each stage's line in the file and its status. No vscode import, so
 * the Chromium tests build the same payload the extension posts.
 */
import { dagNodes } from '../../../core/pipeline/dag';
import { pathKey, spanOf } from '../../../core/pipeline/source';
import type { ValidateResult } from '../../../core/pipeline/validate';
import type { DagPayload, DagStatus } from '../../../protocol/dag-panel';

/** The graph's colour for the Pipelines tree's status word (tree.ts stageState's labels). */
export function dagStatusOf(label: string): DagStatus {
  if (label === 'running' || label.startsWith('queued')) return 'running';
  if (label === 'failed' || label.startsWith('gate failed')) return 'failed';
  if (label === 'cancelled' || label === 'not run') return 'skipped';
  if (label === 'stale' || label === 'may run' || label === 'restorable') return 'stale';
  if (label === 'passed' || label === 'up to date' || label === 'restored' || label.startsWith('healthy')) return 'passed';
  return 'never';
}

export interface DagPayloadOptions {
  /** The file as shown (relative to the workspace) and its absolute path. */
  file: string;
  path: string;
  canRun: boolean;
  /** The tree's status word for a stage (undefined: never run / not known yet). */
  statusText(stage: string): string | undefined;
}

export function dagPayloadOf(result: ValidateResult, o: DagPayloadOptions): DagPayload {
  const pipeline = result.pipeline;
  const source = result.source;
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  const nodes = pipeline ? dagNodes(pipeline) : [];
  return {
    file: o.file,
    path: o.path,
    ...(pipeline?.name ? { name: pipeline.name } : {}),
    canRun: o.canRun && errors === 0,
    ...(errors ? { note: `${o.file} has ${errors} error${errors === 1 ? '' : 's'} (see Problems): the graph shows what could be read, and nothing runs from it until they are fixed.` } : !pipeline ? { note: `${o.file} could not be read as a pipeline.` } : {}),
    nodes: nodes.map((n) => {
      const key = source?.index.get(pathKey(['stages', n.name]));
      const text = o.statusText(n.name) ?? 'never run';
      return {
        name: n.name,
        kind: n.kind,
        layer: n.layer,
        needs: n.needs,
        status: dagStatusOf(text),
        statusText: text,
        line: key?.keyStart !== undefined && source ? spanOf(source, key.keyStart, key.keyStart).line : 0,
      };
    }),
  };
}
