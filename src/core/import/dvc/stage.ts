/**
 * One DVC stage -> one mlci stage mapping. Paths move from the stage's
 * `wdir` to the pipeline folder (DVC resolves deps, outs and params files
 * against `wdir`; mlci against the pipeline file's folder). What mlci has
 * no field for becomes a comment at that stage, never silently dropped.
 */
import path from 'node:path';
import type { Obj } from './read';
import { obj } from './read';

export interface StageComments {
  /** Comment lines above the stage. */
  stage: string[];
  /** Comment lines above a field of the stage, by mlci field name. */
  fields: Record<string, string[]>;
}

const OUT_OPTIONS = ['cache', 'persist', 'desc'];
const PLOT_FIELDS = ['template', 'x', 'y', 'title', 'x_label', 'y_label'];
const TEMPLATES = new Set(['linear', 'scatter', 'confusion', 'confusion_normalized', 'bar', 'roc', 'precision_recall', 'smooth', 'simple']);

const oneLine = (v: unknown) => JSON.stringify(v);

/** `wdir`-relative -> pipeline-relative; templates (`${}`) are kept as text. */
export function underWdir(wdir: string, p: string): string {
  if (wdir === '.' || wdir === '') return p;
  const joined = path.posix.join(wdir, p);
  return p.endsWith('/') && !joined.endsWith('/') ? `${joined}/` : joined;
}

function pathItems(v: unknown): Array<{ path: string; flags: Obj }> {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  const out: Array<{ path: string; flags: Obj }> = [];
  for (const item of items) {
    if (typeof item === 'string') out.push({ path: item, flags: {} });
    else for (const [p, f] of Object.entries(obj(item) ?? {})) out.push({ path: p, flags: obj(f) ?? {} });
  }
  return out;
}

export interface ConvertedStage {
  body: Obj;
  comments: StageComments;
  /** Paths the stage reads and writes (pipeline-relative), for needs. */
  deps: string[];
  outs: string[];
}

export function convertStage(def: Obj, keepTemplates: { matrix?: unknown; vars?: unknown }): ConvertedStage {
  const comments: StageComments = { stage: [], fields: {} };
  const note = (field: string, line: string) => (comments.fields[field] ??= []).push(`dvc: ${line}`);
  const body: Obj = {};
  const wdir = typeof def.wdir === 'string' ? path.posix.normalize(def.wdir) : '.';
  const deps: string[] = [];
  const outs: string[] = [];

  if (typeof def.desc === 'string') body.description = def.desc;
  if (keepTemplates.matrix !== undefined) body.matrix = keepTemplates.matrix;
  if (keepTemplates.vars !== undefined) body.vars = keepTemplates.vars;
  if (typeof def.cmd === 'string' || Array.isArray(def.cmd)) body.run = def.cmd;
  if (wdir !== '.') body.workdir = wdir;

  const depList = pathItems(def.deps).map((d) => underWdir(wdir, d.path));
  if (depList.length) body.deps = depList;
  deps.push(...depList);

  // params: keys of params.yaml in wdir, or { file: [keys] | null }.
  const params: string[] = [];
  const defaultParams = underWdir(wdir, 'params.yaml');
  for (const item of Array.isArray(def.params) ? def.params : []) {
    if (typeof item === 'string') params.push(defaultParams === 'params.yaml' ? item : `${defaultParams}:${item}`);
    else for (const [file, keys] of Object.entries(obj(item) ?? {})) {
      const f = underWdir(wdir, file);
      if (/\.(toml|py)$/.test(f)) note('params', `params file '${f}' is ${f.endsWith('.py') ? 'Python' : 'TOML'}: mlci reads YAML and JSON params files; convert it to YAML and list it here`);
      else if (Array.isArray(keys) && keys.length) for (const k of keys) params.push(`${f}:${String(k)}`);
      else params.push(`${f}:`);
    }
  }
  if (params.length) body.params = params;

  const outItems: unknown[] = [];
  for (const o of pathItems(def.outs)) {
    const p = underWdir(wdir, o.path);
    outs.push(p);
    const keep: Obj = {};
    for (const k of OUT_OPTIONS) if (k in o.flags) keep[k] = o.flags[k];
    if (keep.cache === true) delete keep.cache;
    if (keep.persist === false) delete keep.persist;
    const rest = Object.keys(o.flags).filter((k) => !OUT_OPTIONS.includes(k));
    if (rest.length) note('outs', `${p}: ${rest.map((k) => `${k}: ${oneLine(o.flags[k])}`).join(', ')} (no mlci equivalent)`);
    outItems.push(Object.keys(keep).length ? { [p]: keep } : p);
  }
  if (outItems.length) body.outs = outItems;

  const metrics = pathItems(def.metrics);
  if (metrics.length) {
    const files = metrics.map((m) => underWdir(wdir, m.path));
    outs.push(...files);
    body.metrics = files.length === 1 ? { file: files[0] } : { files };
    for (const m of metrics) {
      const flags = Object.keys(m.flags).filter((k) => !(k === 'cache' && m.flags.cache === false) && !(k === 'persist' && m.flags.persist === false));
      if (flags.length) note('metrics', `${m.path}: ${flags.map((k) => `${k}: ${oneLine(m.flags[k])}`).join(', ')} (no mlci equivalent)`);
    }
  }

  const plots: unknown[] = [];
  for (const p of pathItems(def.plots)) {
    const file = underWdir(wdir, p.path);
    outs.push(file);
    const keep: Obj = {};
    for (const k of PLOT_FIELDS) {
      const v = p.flags[k];
      if (v === undefined) continue;
      if (k === 'template' && (typeof v !== 'string' || !TEMPLATES.has(v))) {
        note('plots', `${file}: template ${oneLine(v)} is a custom template file; mlci knows ${[...TEMPLATES].join(', ')}`);
        continue;
      }
      if (k === 'x' && typeof v !== 'string') {
        note('plots', `${file}: x ${oneLine(v)} (only a field name is kept)`);
        continue;
      }
      keep[k] = v;
    }
    const rest = Object.keys(p.flags).filter((k) => !PLOT_FIELDS.includes(k) && !(k === 'cache' && p.flags.cache === false));
    if (rest.length) note('plots', `${file}: ${rest.map((k) => `${k}: ${oneLine(p.flags[k])}`).join(', ')} (no mlci equivalent)`);
    plots.push(Object.keys(keep).length ? { [file]: keep } : file);
  }
  if (plots.length) body.plots = plots;

  if (def.frozen === true) body.frozen = true;
  if (def.always_changed === true) body.always_changed = true;
  if (def.meta !== undefined) comments.stage.push(`dvc: meta: ${oneLine(def.meta)} (no mlci equivalent)`);
  const known = new Set(['cmd', 'wdir', 'deps', 'params', 'outs', 'metrics', 'plots', 'frozen', 'always_changed', 'desc', 'meta', 'vars', 'matrix']);
  for (const k of Object.keys(def)) if (!known.has(k)) comments.stage.push(`dvc: ${k}: ${oneLine(def[k])} (not imported: no mlci equivalent)`);
  return { body, comments, deps, outs };
}
