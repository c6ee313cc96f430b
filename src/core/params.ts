/**
 * The params file (YAML or JSON; JSON is read as YAML): hyperparameters
 * that stages list by key. Nested keys are addressed with dots
 * (`model.lr`); a literal top-level key containing a dot wins if present.
 */
import { LineCounter, isScalar, parseDocument, visit } from 'yaml';
import { markPythonNumbers } from './pipeline/python-text';
import { RESERVED_KEY, RESERVED_KEY_MESSAGE } from './pipeline/reserved-key';

export type ParamValue = string | number | boolean | null | ParamValue[] | { [k: string]: ParamValue };

export interface ParamsFile {
  values: Record<string, ParamValue>;
  /** Every addressable key, leaves and inner nodes ("model", "model.lr"). */
  keys: string[];
}

export type ParamsParse = { ok: true; params: ParamsFile } | { ok: false; message: string; line?: number; column?: number };

function collectKeys(obj: Record<string, ParamValue>, prefix: string, out: string[]): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    out.push(key);
    if (v && typeof v === 'object' && !Array.isArray(v)) collectKeys(v, key, out);
  }
}

export function parseParams(text: string): ParamsParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lineCounter.linePos(e.pos[0]);
    return { ok: false, message: e.message.split('\n')[0], line: pos.line, column: pos.col };
  }
  let reserved: number | undefined;
  visit(doc, {
    Pair(_k, pair) {
      if (isScalar(pair.key) && pair.key.value === RESERVED_KEY && pair.key.range) {
        reserved = pair.key.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (reserved !== undefined) {
    const pos = lineCounter.linePos(reserved);
    return { ok: false, message: RESERVED_KEY_MESSAGE, line: pos.line, column: pos.col };
  }
  let values: unknown;
  try {
    values = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
  if (values === null || values === undefined) values = {};
  if (typeof values !== 'object' || Array.isArray(values)) return { ok: false, message: 'the params file must be a mapping of keys to values' };
  markPythonNumbers(doc, values); // `${}` writes 1.0 as DVC does, not as 1
  const keys: string[] = [];
  collectKeys(values as Record<string, ParamValue>, '', keys);
  return { ok: true, params: { values: values as Record<string, ParamValue>, keys } };
}

/** The value of `key` (dotted path), or undefined when absent. */
export function paramValue(params: Record<string, ParamValue>, key: string): ParamValue | undefined {
  if (Object.prototype.hasOwnProperty.call(params, key)) return params[key];
  let cur: ParamValue | undefined = params;
  for (const part of key.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, ParamValue>)[part];
  }
  return cur;
}

/**
 * Only the values of `keys` (dotted paths), nested as in the params file:
 * what run records keep, so keys no stage reads (a token someone put in
 * params.yaml, a large unrelated table) never reach a record.
 */
export function pickParams(params: Record<string, ParamValue>, keys: Iterable<string>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const key of keys) {
    const value = paramValue(params, key);
    if (value === undefined) continue;
    if (Object.prototype.hasOwnProperty.call(params, key)) {
      setOwn(out, key, structuredClone(value));
      continue;
    }
    const parts = key.split('.');
    let cur: Record<string, ParamValue> = out;
    for (const part of parts.slice(0, -1)) {
      const next = Object.prototype.hasOwnProperty.call(cur, part) ? cur[part] : undefined;
      if (next && typeof next === 'object' && !Array.isArray(next)) cur = next;
      else cur = setOwn(cur, part, {}) as Record<string, ParamValue>;
    }
    setOwn(cur, parts[parts.length - 1], structuredClone(value));
  }
  return out;
}

/** obj[key] = value as an own property, even for '__proto__'. */
function setOwn(obj: Record<string, ParamValue>, key: string, value: ParamValue): ParamValue {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}
