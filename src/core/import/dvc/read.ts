/**
 * Reading a DVC project for import: `dvc.yaml` (required), the params file
 * DVC reads by default (`params.yaml`), and `dvc.lock` (to compare the
 * commands DVC last ran with the ones the import writes). Files are read
 * through the FileProbe port; YAML errors carry file, line and column.
 */
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { markPythonNumbers } from '../../pipeline/python-text';
import type { FileProbe } from '../../ports';

export class DvcImportError extends Error {}

export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** A YAML file as data; undefined when absent; DvcImportError naming line and column when not YAML. */
export function readYaml(files: FileProbe, dir: string, rel: string): unknown {
  const text = files.readText(path.join(dir, rel));
  if (text === undefined) return undefined;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = lines.linePos(e.pos[0]);
    throw new DvcImportError(`${rel}:${pos.line}:${pos.col}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  markPythonNumbers(doc, data); // vars and foreach/matrix values in dvc.yaml print as DVC prints them
  return data;
}

export interface DvcProject {
  dvc: Obj;
  /** Values of params.yaml ({} when there is none). */
  params: Obj;
  hasParams: boolean;
  /** `stages` of dvc.lock by DVC stage name, when the lock exists. */
  lock?: Record<string, Obj>;
}

export function readDvcProject(files: FileProbe, dir: string): DvcProject {
  const dvc = readYaml(files, dir, 'dvc.yaml');
  if (dvc === undefined) throw new DvcImportError(`no dvc.yaml in ${dir}: give the folder of a DVC project (mlci import dvc DIR)`);
  const root = obj(dvc);
  if (!root || !obj(root.stages)) throw new DvcImportError('dvc.yaml has no stages: a mapping `stages:` of stage names to stages is expected');
  const params = readYaml(files, dir, 'params.yaml');
  const lock = obj(readYaml(files, dir, 'dvc.lock'));
  const lockStages = obj(lock?.stages) as Record<string, Obj> | undefined;
  return { dvc: root, params: obj(params) ?? {}, hasParams: params !== undefined, ...(lockStages ? { lock: lockStages } : {}) };
}
