/**
 * Go to definition: a stage name used in a reference leads to the stage's
 * key; a path leads to the file (the adapter checks it exists).
 */
import { keysOf, pipelineFacts } from './facts';
import { refKindAt } from './refs';
import { schemaAt } from './schema';
import type { ScanEntry } from './yaml-scan';
import { scanYaml } from './yaml-scan';

export type Definition =
  | { kind: 'stage'; name: string; start: number; end: number; originStart: number; originEnd: number }
  | { kind: 'file'; path: string; originStart: number; originEnd: number };

export function definitionAt(text: string, offset: number, entries: ScanEntry[] = scanYaml(text)): Definition | undefined {
  let at: ScanEntry | undefined;
  for (const e of entries) if (e.value === 'scalar' && e.valueStart <= offset && offset <= e.valueEnd) at = e;
  if (!at || !at.scalar) return undefined;
  const origin = { originStart: at.valueStart, originEnd: at.valueEnd };
  const ref = refKindAt(at.path, schemaAt(at.path, (p) => keysOf(entries, [...p])));
  if (ref === 'stage') {
    const stage = pipelineFacts(entries).stageByName.get(at.scalar);
    return stage ? { kind: 'stage', name: stage.name, start: stage.keyStart, end: stage.keyEnd, ...origin } : undefined;
  }
  if (ref === 'path') return { kind: 'file', path: at.scalar, ...origin };
  return undefined;
}
