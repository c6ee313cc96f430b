/**
 * Stage templates, expanded before the model is built: `vars` (values for
 * `${}`), `${}` interpolation in a stage's strings, and `matrix` (one stage
 * per combination, named `train@lr=0.1,model=a`). The values `${}` reads
 * come from the params file, the top-level and stage `vars`, and `item`
 * (the matrix combination), as in DVC. Params-file keys a stage reads
 * through `${}` join its `params`, so changing them reruns it.
 *
 * Instances keep their template's structure, so a problem found in an
 * instance is reported at the template's text (see `origin`).
 */
import type { ParamValue } from '../params';
import { parseParams } from '../params';
import { escapeReason, resolveIn } from '../paths';
import type { FileProbe } from '../ports';
import type { ProblemCode } from '../problems';
import { hasTemplate, interpolate, scalarText } from './interpolate';
import { assignScope, pythonTextAt, setPythonText } from './python-text';
import type { Scope } from './interpolate';
import type { JsonPath } from './source';

type Obj = Record<string, unknown>;

export interface TemplateIssue {
  code: ProblemCode;
  path: JsonPath;
  message: string;
  /** Text inside the value to point at (the `${...}` as written). */
  needle?: string;
}

export interface Expansion {
  /** The data with template stages replaced by their instances. */
  data: Obj;
  /** Instance name -> the template stage it came from. */
  origin: Map<string, string>;
  /** Template stage name -> its instances, in order (for `needs` and run targets). */
  groups: Map<string, string[]>;
  issues: TemplateIssue[];
}

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** A cheap test: does any stage use templating at all? */
function usesTemplates(data: Obj, stages: Obj): boolean {
  if (data.vars !== undefined) return true;
  for (const s of Object.values(stages)) {
    const o = obj(s);
    if (o && (o.matrix !== undefined || o.vars !== undefined)) return true;
  }
  return JSON.stringify(stages).includes('${');
}

/** A matrix value as it appears in the instance name: text for scalars, the key and index otherwise. */
export function instanceSuffix(keys: string[], combo: unknown[], indexes: number[]): string {
  return keys.map((k, i) => {
    const text = scalarText(combo[i]);
    return `${k}=${text !== undefined ? text.replace(/[^A-Za-z0-9_.-]/g, '_') : String(indexes[i])}`;
  }).join(',');
}

interface Sources {
  scope: Scope;
  /** Top-level variable -> where it was defined (for clash messages). */
  where: Map<string, string>;
}

export function expandTemplates(data: Obj, root: string, files: FileProbe, paramsFile: string): Expansion {
  const stages = obj(data.stages);
  const empty: Expansion = { data, origin: new Map(), groups: new Map(), issues: [] };
  if (!stages || !usesTemplates(data, stages)) return empty;
  const issues: TemplateIssue[] = [];

  // The params file is the first source of values, as in DVC (params.yaml).
  const base: Sources = { scope: {}, where: new Map() };
  const paramKeys = new Set<string>();
  if (!escapeReason(paramsFile)) {
    const text = files.readText(resolveIn(root, paramsFile));
    const parsed = text !== undefined ? parseParams(text) : undefined;
    if (parsed?.ok) {
      for (const k of Object.keys(parsed.params.values)) {
        assignScope(base.scope, parsed.params.values, k);
        base.where.set(k, paramsFile);
        paramKeys.add(k);
      }
    }
  }
  loadVars(data.vars, ['vars'], base, { root, files, paramsFile, issues });

  const out: Obj = {};
  const origin = new Map<string, string>();
  const groups = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(stages)) {
    const s = obj(raw);
    if (!s || (s.matrix === undefined && s.vars === undefined && !JSON.stringify(s).includes('${'))) {
      out[name] = raw;
      continue;
    }
    const local: Sources = { scope: { ...base.scope }, where: new Map(base.where) };
    loadVars(s.vars, ['stages', name, 'vars'], local, { root, files, paramsFile, issues });
    const { matrix, vars: _vars, ...body } = s;
    void _vars;
    const fromParams = (used: string[]) => used.filter((u) => paramKeys.has(u.split('.')[0]) && local.where.get(u.split('.')[0]) === paramsFile && !u.startsWith('item.'));
    if (matrix === undefined) {
      const used: string[] = [];
      out[name] = withParams(interpolateDeep(body, local.scope, ['stages', name], issues, used), fromParams(used));
      continue;
    }
    const axes = matrixAxes(matrix, local.scope, ['stages', name, 'matrix'], issues);
    if (!axes) continue;
    const names: string[] = [];
    for (const { combo, indexes } of product(axes.values)) {
      const instance = `${name}@${instanceSuffix(axes.keys, combo, indexes)}`;
      if (instance in stages || instance in out) {
        issues.push({ code: 'invalid-template', path: ['stages', name, 'matrix'], message: `the matrix of '${name}' makes the stage name '${instance}' twice (or a stage of that name exists): give its values distinct names` });
        continue;
      }
      const item: Obj = {};
      axes.keys.forEach((k, i) => {
        item[k] = combo[i];
        setPythonText(item, k, pythonTextAt(axes.values[i], indexes[i]!));
      });
      const used: string[] = [];
      out[instance] = withParams(interpolateDeep(body, { ...local.scope, item }, ['stages', name], issues, used), fromParams(used));
      origin.set(instance, name);
      names.push(instance);
    }
    groups.set(name, names);
  }
  if (groups.size) expandNeeds(out, groups);
  return { data: { ...data, stages: out }, origin, groups, issues };
}

interface VarsEnv {
  root: string;
  files: FileProbe;
  paramsFile: string;
  issues: TemplateIssue[];
}

/** `vars`: a list of mappings and params-file paths (`file` or `file:key1,key2`), or one mapping. */
function loadVars(raw: unknown, at: JsonPath, into: Sources, env: VarsEnv): void {
  if (raw === undefined) return;
  const items = Array.isArray(raw) ? raw : [raw];
  items.forEach((item, i) => {
    const path = Array.isArray(raw) ? [...at, i] : at;
    const define = (k: string, container: Record<string, unknown>, from: string) => {
      const before = into.where.get(k);
      if (before !== undefined && before !== from) {
        env.issues.push({ code: 'invalid-template', path, message: `variable '${k}' from ${from} is already defined in ${before}: each name may be defined once` });
        return;
      }
      assignScope(into.scope, container, k);
      into.where.set(k, from);
    };
    if (typeof item === 'string') {
      const colon = item.indexOf(':');
      const file = colon >= 0 ? item.slice(0, colon) : item;
      const keys = colon >= 0 ? item.slice(colon + 1).split(',').map((k) => k.trim()).filter(Boolean) : undefined;
      if (file === env.paramsFile && !keys) return; // read already
      if (escapeReason(file)) {
        env.issues.push({ code: 'path-escapes-workspace', path, message: `vars file '${file}' is not allowed: ${escapeReason(file)}` });
        return;
      }
      const text = env.files.readText(resolveIn(env.root, file));
      if (text === undefined) {
        env.issues.push({ code: 'params-file-missing', path, message: `vars file '${file}' does not exist or cannot be read` });
        return;
      }
      const parsed = parseParams(text);
      if (!parsed.ok) {
        env.issues.push({ code: 'params-file-invalid', path, message: `vars file '${file}' cannot be read: ${parsed.message}` });
        return;
      }
      const values: Record<string, ParamValue> = parsed.params.values;
      for (const k of keys ?? Object.keys(values)) {
        if (!(k in values)) env.issues.push({ code: 'unknown-variable', path, message: `vars file '${file}' has no key '${k}'` });
        else if (file !== env.paramsFile) define(k, values, `'${file}'`);
      }
      return;
    }
    const m = obj(item);
    if (!m) {
      env.issues.push({ code: 'wrong-type', path, message: 'a vars entry is a mapping of names to values, or the path of a params file (file or file:key1,key2)' });
      return;
    }
    for (const k of Object.keys(m)) define(k, m, `vars`);
  });
}

function matrixAxes(raw: unknown, scope: Scope, at: JsonPath, issues: TemplateIssue[]): { keys: string[]; values: unknown[][] } | undefined {
  const m = obj(raw);
  if (!m || Object.keys(m).length === 0) {
    issues.push({ code: 'invalid-template', path: at, message: 'matrix is a mapping from names to lists of values, e.g. matrix: { lr: [0.1, 0.01] }' });
    return undefined;
  }
  const keys: string[] = [];
  const values: unknown[][] = [];
  for (const [k, v] of Object.entries(m)) {
    let list = v;
    if (typeof v === 'string' && hasTemplate(v)) {
      const r = interpolate(v, scope);
      if (!r.ok) {
        issues.push({ code: r.error.code, path: [...at, k], message: r.error.message, needle: r.error.needle });
        return undefined;
      }
      list = r.value;
    }
    if (!Array.isArray(list) || list.length === 0) {
      // A value of the wrong type is the schema's to report; an empty list or a ${} to a non-list is ours.
      if (list === v && !(Array.isArray(v) || typeof v === 'string')) return undefined;
      issues.push({ code: 'invalid-template', path: [...at, k], message: `matrix '${k}' must be a non-empty list of values (or \${name} of a list in the params file or vars)` });
      return undefined;
    }
    keys.push(k);
    values.push(list);
  }
  return { keys, values };
}

/** Every combination, the first axis varying slowest (like itertools.product). */
function* product(axes: unknown[][]): Generator<{ combo: unknown[]; indexes: number[] }> {
  const idx = axes.map(() => 0);
  if (axes.some((a) => a.length === 0)) return;
  for (;;) {
    yield { combo: idx.map((j, i) => axes[i][j]), indexes: [...idx] };
    let i = axes.length - 1;
    while (i >= 0 && ++idx[i] === axes[i].length) idx[i--] = 0;
    if (i < 0) return;
  }
}

function interpolateDeep(v: unknown, scope: Scope, path: JsonPath, issues: TemplateIssue[], used: string[]): unknown {
  if (typeof v === 'string') {
    if (!hasTemplate(v)) return v;
    const r = interpolate(v, scope);
    if (!r.ok) {
      issues.push({ code: r.error.code, path, message: r.error.message, needle: r.error.needle });
      return v;
    }
    used.push(...r.used);
    return r.value;
  }
  if (Array.isArray(v)) return v.map((x, i) => interpolateDeep(x, scope, [...path, i], issues, used));
  const o = obj(v);
  if (!o) return v;
  const copy: Obj = {};
  for (const [k, x] of Object.entries(o)) {
    // Keys name paths too (`- models/\${item.lr}.pkl: { persist: true }`), as in DVC.
    let key = k;
    if (hasTemplate(k)) {
      const r = interpolate(k, scope);
      if (!r.ok) issues.push({ code: r.error.code, path: [...path, k], message: r.error.message, needle: r.error.needle });
      else if (typeof r.value === 'string') {
        key = r.value;
        used.push(...r.used);
      }
    }
    copy[key] = interpolateDeep(x, scope, [...path, k], issues, used);
  }
  return copy;
}

/** Params-file keys read through `${}` become params of the stage (appended: earlier indexes keep their positions). */
function withParams(stage: unknown, keys: string[]): unknown {
  const s = obj(stage);
  if (!s || keys.length === 0) return stage;
  const list = Array.isArray(s.params) ? [...s.params] : s.params === undefined ? [] : undefined;
  if (!list) return stage;
  for (const k of keys) if (!list.includes(k)) list.push(k);
  return { ...s, params: list };
}

/** `needs: [train]` on a template means every instance: the first replaces it, the rest are appended. */
function expandNeeds(stages: Obj, groups: Map<string, string[]>): void {
  for (const [name, raw] of Object.entries(stages)) {
    const s = obj(raw);
    if (!s || !Array.isArray(s.needs) || !s.needs.some((n) => typeof n === 'string' && groups.has(n))) continue;
    const needs = [...s.needs];
    const extra: string[] = [];
    needs.forEach((n, i) => {
      const g = typeof n === 'string' ? groups.get(n) : undefined;
      if (!g || g.length === 0) return;
      needs[i] = g[0];
      extra.push(...g.slice(1));
    });
    stages[name] = { ...s, needs: [...needs, ...extra.filter((e) => !needs.includes(e))] };
  }
}
