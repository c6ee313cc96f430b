/**
 * DVC's templating, resolved the way `dvc repro` does, for what mlci keeps
 * as templates (to infer needs and compare with dvc.lock) and for what it
 * cannot keep (foreach, and `${}` uses mlci's interpolation does not
 * accept, such as a mapping unpacked into a command as `--key value`).
 */
import { interpolate, itemTexts, lookup, refParts, scalarText } from '../../pipeline/interpolate';
import { pythonTextAt } from '../../pipeline/python-text';
import type { Scope } from '../../pipeline/interpolate';
import type { Obj } from './read';
import { obj } from './read';

/** DVC writes a mapping in `cmd` as `--key value` arguments (`parsing.bool: store_true`, lists as several values). */
function unpackArgs(v: Obj, prefix = ''): string {
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    const flag = `--${prefix}${k}`;
    if (x === true) out.push(flag);
    else if (x === false || x === null || x === undefined) continue;
    else if (Array.isArray(x)) out.push(`${flag} ${itemTexts(x).map((t, i) => t ?? JSON.stringify(x[i])).join(' ')}`);
    else if (obj(x)) out.push(unpackArgs(x as Obj, `${prefix}${k}.`));
    else out.push(`${flag} ${scalarText(x, pythonTextAt(v, k)) ?? String(x)}`);
  }
  return out.filter(Boolean).join(' ');
}

export type Resolved = { ok: true; value: unknown } | { ok: false; message: string };

/** One string under DVC's rules; in `cmd` a mapping unpacks into arguments. */
export function resolveDvcString(s: string, scope: Scope, inCmd: boolean): Resolved {
  const r = interpolate(s, scope);
  if (r.ok) return { ok: true, value: r.value };
  if (!inCmd) return { ok: false, message: r.error.message };
  let failure: string | undefined;
  const out = s.replace(/(\\)?\$\{([^}]*)\}/g, (m, esc: string | undefined, expr: string) => {
    if (esc) return m.slice(1);
    const parts = refParts(expr);
    const hit = parts ? lookup(scope, parts) : { found: false };
    if (!hit.found) {
      failure = `'${m}' names nothing in params.yaml, vars or the foreach/matrix item`;
      return m;
    }
    const o = obj(hit.value);
    if (o) return unpackArgs(o);
    if (Array.isArray(hit.value)) return itemTexts(hit.value).map((t, i) => t ?? JSON.stringify((hit.value as unknown[])[i])).join(' ');
    return scalarText(hit.value, hit.text) ?? '';
  });
  return failure ? { ok: false, message: failure } : { ok: true, value: out };
}

/** A whole stage body under DVC's rules; failures are collected, the text is kept. */
export function resolveDvcDeep(v: unknown, scope: Scope, failures: string[], inCmd = false): unknown {
  if (typeof v === 'string') {
    if (!v.includes('${')) return v;
    const r = resolveDvcString(v, scope, inCmd);
    if (!r.ok) failures.push(r.message);
    return r.ok ? r.value : v;
  }
  if (Array.isArray(v)) return v.map((x) => resolveDvcDeep(x, scope, failures, inCmd));
  const o = obj(v);
  if (!o) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(o)) {
    let key = k;
    if (k.includes('${')) {
      const r = resolveDvcString(k, scope, false);
      if (r.ok && typeof r.value === 'string') key = r.value;
      else if (!r.ok) failures.push(r.message);
    }
    out[key] = resolveDvcDeep(x, scope, failures, inCmd || k === 'cmd');
  }
  return out;
}

/** Does mlci's own interpolation accept every `${}` of this body in this scope? */
export function mlciAccepts(v: unknown, scope: Scope): boolean {
  if (typeof v === 'string') return !v.includes('${') || interpolate(v, scope).ok;
  if (Array.isArray(v)) return v.every((x) => mlciAccepts(x, scope));
  const o = obj(v);
  return !o || Object.entries(o).every(([k, x]) => mlciAccepts(k, scope) && mlciAccepts(x, scope));
}

/** DVC's foreach: a list (keys are scalar values or indexes) or a mapping (keys are its keys). */
/** A foreach's items with DVC's keys; `text` is a number item's Python text (1.0), for `${item}`. */
export function foreachItems(value: unknown): Array<{ key: string; item: unknown; text?: string }> | undefined {
  if (Array.isArray(value)) return itemTexts(value).map((text, i) => ({ key: text ?? String(i), item: value[i], ...(text !== undefined && typeof value[i] === 'number' ? { text } : {}) }));
  const o = obj(value);
  return o ? Object.entries(o).map(([key, item]) => ({ key, item })) : undefined;
}

/** DVC's name suffix of a matrix combination: scalar values, `name` plus index otherwise, joined with '-'. */
export function dvcMatrixSuffix(keys: string[], combo: unknown[], indexes: number[]): string {
  return keys.map((k, i) => scalarText(combo[i]) ?? `${k}${indexes[i]}`).join('-');
}
