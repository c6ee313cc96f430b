/**
 * Which values name something else: a stage, a metric, a params key or a
 * file. Read from the schema's definitions (`stageName`, `metricName`,
 * `path`), so a field added to the schema with one of them is covered,
 * plus the two fields the schema types as plain strings.
 */
import type { Resolved } from './schema';
import { schemaAt } from './schema';
import type { Seg } from './yaml-scan';

export type RefKind = 'stage' | 'metric' | 'param' | 'path';

export function refKindAt(path: readonly Seg[], node: Resolved | undefined = schemaAt(path)): RefKind | undefined {
  if (path[0] === 'stages' && path.length === 4 && path[2] === 'params' && typeof path[3] === 'number') return 'param';
  // `metrics: metrics/eval.json`, the short form of `metrics: { file }`.
  if (path[0] === 'stages' && path.length === 3 && path[2] === 'metrics') return 'path';
  // `outs: [models/model.json]`: an item is a path or `{ PATH: { cache, persist } }`.
  if (path[0] === 'stages' && path.length === 4 && path[2] === 'outs' && typeof path[3] === 'number') return 'path';
  switch (node?.ref) {
    case 'stageName': return 'stage';
    case 'metricName': return 'metric';
    case 'path': return 'path';
    default: return undefined;
  }
}

/** References that must name a `drift` stage (gate `drift`, `triggers.drift`). */
export function wantsDriftStage(path: readonly Seg[]): boolean {
  return path[path.length - 1] === 'drift' && (path[0] === 'triggers' || path[2] === 'gates');
}
