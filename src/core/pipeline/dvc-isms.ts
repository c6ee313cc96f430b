/**
 * DVC habits written in mlci.yaml: DVC's key names on a stage, and DVC's
 * list form of `metrics`. The schema layer reports them; this says what
 * mlci calls the same thing and builds the quick fix.
 */
import type { Fix } from '../problems';
import type { JsonPath, PipelineSource } from './source';
import { locate } from './source';

/** DVC stage keys -> mlci's. */
const STAGE_KEYS: Record<string, string> = { cmd: 'run', wdir: 'workdir', desc: 'description' };

/** A DVC key on a stage: the message tail and the rename fix; undefined for other keys. */
export function dvcStageKey(src: PipelineSource, path: JsonPath, key: string): { message: string; fix: Fix } | undefined {
  if (path.length !== 2 || path[0] !== 'stages') return undefined;
  const mlci = STAGE_KEYS[key];
  if (!mlci) return undefined;
  const span = locate(src, [...path, key], 'key');
  return {
    message: `did you mean '${mlci}'? ('${key}' is DVC's name for it; mlci.yaml calls it '${mlci}')`,
    fix: { title: `Rename '${key}' to '${mlci}'`, edits: [{ start: span.start, end: span.end, text: mlci }], preferred: true },
  };
}

const plain = (p: string) => (/^[A-Za-z0-9_./-]+$/.test(p) ? p : JSON.stringify(p));

/** DVC's `metrics: [a.json, {b.json: {cache: false}}]` -> `{ file: a.json }` or `{ files: [...] }`. */
export function dvcMetricsList(src: PipelineSource, path: JsonPath, value: unknown): { message: string; fix?: Fix } | undefined {
  if (path.length !== 3 || path[0] !== 'stages' || path[2] !== 'metrics' || !Array.isArray(value)) return undefined;
  const files: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') files.push(item);
    else if (item && typeof item === 'object' && !Array.isArray(item)) files.push(...Object.keys(item));
  }
  const text = files.length === 1 ? `{ file: ${plain(files[0])} }` : `{ files: [${files.map(plain).join(', ')}] }`;
  const span = locate(src, path);
  return {
    message: `a list of metrics files is DVC's form; mlci writes ${text}`,
    ...(files.length ? { fix: { title: `Change to ${text}`, edits: [{ start: span.start, end: span.end, text }], preferred: true } } : {}),
  };
}
