/**
 * A stage's `params` entries in both forms mlci reads:
 *   - lr, train.epochs            keys of the pipeline's params file
 *   - config/model.yaml:layers    a key of another params file
 *   - config/model.yaml:          the whole of another file
 *   - { config/model.yaml: [layers, depth] } or { config/model.yaml: null }
 *                                 DVC's form for the same
 * Each becomes one normalised key (`lr`, `config/model.yaml:layers`,
 * `config/model.yaml:`) with the JSON path it was written at.
 */
import type { JsonPath } from './source';

export interface ParamRef {
  /** Normalised key: `key` (pipeline params file), `file:key`, or `file:` (whole file). */
  key: string;
  /** The file, when not the pipeline's params file. */
  file?: string;
  /** The key inside the file; '' for the whole file. */
  name: string;
  at: JsonPath;
  /** In DVC's mapping form, the file key's path (file problems are shown there). */
  fileAt?: JsonPath;
}

/** `file:key` only when the part before the colon names a params file, so keys with colons still work. */
const FILE_PREFIX = /^([^:]+\.(?:ya?ml|json|toml|py)):(.*)$/;

export function splitParamKey(key: string): { file?: string; name: string } {
  const m = FILE_PREFIX.exec(key);
  return m ? { file: m[1], name: m[2] } : { name: key };
}

export function paramRefs(raw: unknown, base: JsonPath, defaultFile: string): ParamRef[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const out: ParamRef[] = [];
  const add = (file: string | undefined, name: string, at: JsonPath, fileAt?: JsonPath) => {
    const where = fileAt ? { at, fileAt } : { at };
    if (file === undefined || file === defaultFile) {
      if (name === '' && file !== undefined) out.push({ key: `${file}:`, file, name, ...where });
      else out.push({ key: name, name, ...where });
    } else out.push({ key: `${file}:${name}`, file, name, ...where });
  };
  items.forEach((item, i) => {
    const at = Array.isArray(raw) ? [...base, i] : base;
    if (typeof item === 'string') {
      const { file, name } = splitParamKey(item);
      add(file, name, at);
      return;
    }
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return;
    for (const [file, keys] of Object.entries(item as Record<string, unknown>)) {
      const fileAt = [...at, file];
      if (keys === null || keys === undefined || (Array.isArray(keys) && keys.length === 0)) add(file, '', fileAt, fileAt);
      else if (Array.isArray(keys)) keys.forEach((k, j) => typeof k === 'string' && add(file, k, [...fileAt, j], fileAt));
      else if (typeof keys === 'string') add(file, keys, fileAt, fileAt);
    }
  });
  return out;
}
