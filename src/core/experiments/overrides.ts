/**
 * `--set key=value` overrides of the params file. Keys are dotted paths
 * (`model.lr`) like everywhere else in mlci; values are YAML scalars or
 * flow lists (`0.01`, `true`, `adam`, `[64,32]`) so the value a stage reads
 * is typed the same way as if it had been written in params.yaml. Setting a
 * key the params file does not have is an error (a typo would otherwise
 * silently run the baseline again), with a did-you-mean suggestion.
 */
import { parse } from 'yaml';
import type { ParamValue } from '../params';
import { paramValue } from '../params';

export interface Override {
  key: string;
  value: ParamValue;
}

export class OverrideError extends Error {}

/** Parses one `key=value`; the value is read as YAML (number, boolean, null, string, list). */
export function parseSet(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new OverrideError(`--set expects key=value, not '${text}'`);
  const key = text.slice(0, eq).trim();
  if (!/^[^.\s=]+(\.[^.\s=]+)*$/.test(key)) throw new OverrideError(`invalid params key '${key}' in --set ${text}`);
  return { key, value: parseValue(text.slice(eq + 1)) };
}

/** A value as YAML reads it; an empty value is the empty string (not null: `--set name=` means ""). */
export function parseValue(raw: string): ParamValue {
  const text = raw.trim();
  if (text === '') return '';
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    // Text YAML cannot parse (`a: b: c`) is meant literally.
    return text;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    throw new OverrideError(`--set values are scalars or lists, not mappings: '${raw}' (set the nested keys one by one)`);
  }
  return value as ParamValue;
}

/** Every addressable key of a params object (leaves and inner nodes), dotted. */
export function paramKeys(params: Record<string, ParamValue>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    const key = prefix ? `${prefix}.${k}` : k;
    out.push(key);
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...paramKeys(v, key));
  }
  return out;
}

/** `params` with `key` set, copying only the objects on the path (the input is never changed). */
export function setParam(params: Record<string, ParamValue>, key: string, value: ParamValue): Record<string, ParamValue> {
  // A literal top-level key containing a dot wins, as in paramValue().
  if (Object.prototype.hasOwnProperty.call(params, key) || !key.includes('.')) return { ...params, [key]: value };
  const [head, ...rest] = key.split('.');
  const child = params[head!];
  const inner = child && typeof child === 'object' && !Array.isArray(child) ? child : {};
  return { ...params, [head!]: setParam(inner, rest.join('.'), value) };
}

/** The closest known key by edit distance, when close enough to be a likely typo. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDist) {
      best = k;
      bestDist = d;
    }
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Throws when `key` is not in the params file (naming the closest key). */
export function checkKnown(params: Record<string, ParamValue>, key: string): void {
  if (paramValue(params, key) !== undefined) return;
  const known = paramKeys(params);
  const hint = didYouMean(key, known);
  const list = known.length ? ` (known keys: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''})` : ' (the params file is empty)';
  throw new OverrideError(`unknown params key '${key}'${hint ? `: did you mean '${hint}'?` : list}`);
}

/**
 * Applies `--set` texts to the params: returns the params the stages read and
 * the overrides to record (key → value, in the order given; a repeated key:
 * the last wins). For `mlci run --set` and the sweep.
 */
export function applyOverrides(params: Record<string, ParamValue>, sets: readonly string[]): { params: Record<string, ParamValue>; overrides: Record<string, ParamValue> } {
  return applyParsed(params, sets.map(parseSet));
}

/** applyOverrides for already parsed overrides (the sweep builds them from grids). */
export function applyParsed(params: Record<string, ParamValue>, list: readonly Override[]): { params: Record<string, ParamValue>; overrides: Record<string, ParamValue> } {
  let next = params;
  const overrides: Record<string, ParamValue> = {};
  for (const { key, value } of list) {
    checkKnown(params, key);
    next = setParam(next, key, value);
    overrides[key] = value;
  }
  return { params: next, overrides };
}
