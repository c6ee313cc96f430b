/**
 * What the editor features need to know about a pipeline (its stages,
 * declared metrics, params file), read from the lenient scan so it is
 * available while the document does not parse: completion inside
 * `needs: [` must still list the stages.
 */
import type { Path, ScanEntry } from './yaml-scan';
import { entryIndex } from './entry-index';

export interface StageFact {
  name: string;
  kind?: string;
  description?: string;
  keyStart: number;
  keyEnd: number;
  needs: string[];
  /** `metrics.names` of the stage. */
  metricNames: string[];
}

export interface MetricFact {
  name: string;
  goal?: string;
  description?: string;
  /** Declared in the top-level `metrics` map (else only in a stage's `metrics.names`). */
  topLevel: boolean;
}

export interface PipelineFacts {
  stages: StageFact[];
  stageByName: Map<string, StageFact>;
  metrics: Map<string, MetricFact>;
  /** The params file as written (default `params.yaml`). */
  paramsFile: string;
}

export function pipelineFacts(entries: readonly ScanEntry[]): PipelineFacts {
  const index = entryIndex(entries);
  const scalarAt = (path: Path) => index.at(path)?.scalar;
  const items = (path: Path) => itemsOf(entries, path);
  const keyed = (path: Path) => index.children(path).filter((e) => e.keyStart !== undefined && typeof e.path[path.length] === 'string');

  const stages: StageFact[] = keyed(['stages']).filter((e) => e.path[1] !== '<<').map((e) => {
    const name = e.path[1] as string;
    const kind = scalarAt(['stages', name, 'kind']);
    const description = scalarAt(['stages', name, 'description']);
    return {
      name, keyStart: e.keyStart!, keyEnd: e.keyEnd!,
      ...(kind ? { kind } : {}), ...(description ? { description } : {}),
      needs: items(['stages', name, 'needs']),
      metricNames: items(['stages', name, 'metrics', 'names']),
    };
  });
  const metrics = new Map<string, MetricFact>();
  for (const e of keyed(['metrics'])) {
    const name = e.path[1] as string;
    const goal = scalarAt(['metrics', name, 'goal']);
    const description = scalarAt(['metrics', name, 'description']);
    metrics.set(name, { name, topLevel: true, ...(goal ? { goal } : {}), ...(description ? { description } : {}) });
  }
  for (const s of stages) for (const m of s.metricNames) if (!metrics.has(m)) metrics.set(m, { name: m, topLevel: false });
  return { stages, stageByName: new Map(stages.map((s) => [s.name, s])), metrics, paramsFile: scalarAt(['params']) ?? 'params.yaml' };
}

/** The keys of the mapping at `path` (direct children), in document order. */
export function keysOf(entries: readonly ScanEntry[], path: Path): string[] {
  return entryIndex(entries).children(path).filter((e) => typeof e.path[path.length] === 'string').map((e) => e.path[path.length] as string);
}

/** The scalar items of the list at `path`. */
export function itemsOf(entries: readonly ScanEntry[], path: Path): string[] {
  return entryIndex(entries).children(path).filter((e) => typeof e.path[path.length] === 'number' && e.scalar !== undefined).map((e) => e.scalar!);
}
