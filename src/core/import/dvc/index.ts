/**
 * `mlci import dvc`: a DVC project's dvc.yaml -> an mlci.yaml that runs the
 * same commands in the same order. Templates mlci has (matrix, vars, `${}`)
 * are kept; foreach, and `${}` uses mlci does not read, are expanded the
 * way DVC expands them. `needs` are inferred from deps and outs. Whatever
 * has no equivalent becomes a `# dvc:` comment at its place and a line of
 * the summary. dvc.lock, when present, is compared with the commands the
 * import writes (a difference means dvc.yaml changed since `dvc repro`).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Document, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Pair } from 'yaml';
import { normalizeRel } from '../../paths';
import type { FileProbe } from '../../ports';
import type { Scope } from '../../pipeline/interpolate';
import { paramValue, parseParams } from '../../params';
import { assignScope, setPythonText } from '../../pipeline/python-text';
import { instanceSuffix } from '../../pipeline/templates';
import type { Obj } from './read';
import { DvcImportError, obj, readDvcProject } from './read';
import { dvcMatrixSuffix, foreachItems, mlciAccepts, resolveDvcDeep, resolveDvcString } from './resolve';
import type { StageComments } from './stage';
import { convertStage, underWdir } from './stage';

export { DvcImportError } from './read';

export interface DvcImportOptions {
  /** Absolute folder of the DVC project (holds dvc.yaml); mlci.yaml is written for this folder. */
  dir: string;
  files: FileProbe;
  image?: string;
  env?: Record<string, string>;
}

export interface DvcImportResult {
  text: string;
  /** The summary: what was imported, how, and what was left as comments. */
  notes: string[];
  /** mlci stage names (instances included), in order. */
  stages: string[];
}

interface Instance {
  /** mlci name (`train@lr=0.1`) and DVC's (`train@0.1`), for the lock. */
  name: string;
  dvcName: string;
  /** The written stage it belongs to. */
  owner: string;
  cmd: unknown;
  deps: string[];
  outs: string[];
  /** DVC's working folder of the stage (dvc.lock's paths are relative to it). */
  wdir: string;
}

interface Written {
  name: string;
  body: Obj;
  comments: StageComments;
  instances: string[];
}

const SAFE = /[^A-Za-z0-9_.@=,-]/g;

export function importDvc(opts: DvcImportOptions): DvcImportResult {
  const project = readDvcProject(opts.files, opts.dir);
  const notes: string[] = [];
  const top: string[] = [];

  // The values `${}` reads: params.yaml, then top-level vars (DVC's order).
  const scope: Scope = { ...project.params };
  const topVars = project.dvc.vars;
  loadVars(topVars, scope, opts, notes);

  const written: Written[] = [];
  const instances: Instance[] = [];
  let foreachCount = 0;
  let matrixKept = 0;
  let expandedTemplates = 0;
  for (const [name, rawDef] of Object.entries(obj(project.dvc.stages)!)) {
    const def = obj(rawDef);
    if (!def) {
      top.push(`dvc: stage ${name} is not a mapping; not imported`);
      notes.push(`stage ${name}: not a mapping in dvc.yaml, left out`);
      continue;
    }
    const local: Scope = { ...scope };
    if (def.vars !== undefined) loadVars(def.vars, local, opts, notes);

    if (def.foreach !== undefined) {
      foreachCount++;
      let source: unknown = def.foreach;
      if (typeof source === 'string') {
        const r = resolveDvcString(source, local, false);
        source = r.ok ? r.value : undefined;
      }
      const items = foreachItems(source);
      const doDef = obj(def.do);
      if (!items || !doDef) {
        top.push(`dvc: stage ${name}: foreach ${JSON.stringify(def.foreach)} could not be expanded; not imported`);
        notes.push(`stage ${name}: foreach could not be expanded (${typeof def.foreach === 'string' ? `${def.foreach} is not a list or mapping` : 'no do: block'}), left out`);
        continue;
      }
      items.forEach(({ key, item, text }, i) => {
        const failures: string[] = [];
        const itemScope: Scope = { ...local, key, item };
        setPythonText(itemScope, 'item', text);
        const resolved = resolveDvcDeep(doDef, itemScope, failures) as Obj;
        const instance = `${name}@${key.replace(SAFE, '_')}`;
        const c = convertStage(resolved, {});
        if (i === 0) c.comments.stage.unshift(`dvc: stages ${name}@... expanded from foreach over ${items.map((x) => x.key).join(', ')}`);
        for (const f of failures) c.comments.stage.push(`dvc: ${f}`);
        written.push({ name: instance, body: c.body, comments: c.comments, instances: [instance] });
        instances.push({ name: instance, dvcName: `${name}@${key}`, owner: instance, cmd: resolved.cmd, deps: c.deps, outs: c.outs, wdir: wdirOf(resolved) });
      });
      notes.push(`stage ${name}: foreach expanded into ${items.length} stages (${items.map((x) => `${name}@${x.key.replace(SAFE, '_')}`).join(', ')})`);
      continue;
    }

    if (def.matrix !== undefined) {
      const axes = matrixAxes(def.matrix, local);
      if (!axes) {
        top.push(`dvc: stage ${name}: matrix ${JSON.stringify(def.matrix)} could not be expanded; not imported`);
        notes.push(`stage ${name}: matrix values are not lists, left out`);
        continue;
      }
      const { matrix: _m, vars: _v, ...template } = def;
      void _m;
      void _v;
      const combos = product(axes.values);
      const keep = combos.every(({ combo }) => mlciAccepts(template, { ...local, item: Object.fromEntries(axes.keys.map((k, i) => [k, combo[i]])) }));
      const names: string[] = [];
      for (const { combo, indexes } of combos) {
        const item = Object.fromEntries(axes.keys.map((k, i) => [k, combo[i]]));
        const failures: string[] = [];
        const resolved = resolveDvcDeep(template, { ...local, item }, failures) as Obj;
        const instance = `${name}@${instanceSuffix(axes.keys, combo, indexes)}`;
        const c = convertStage(resolved, {});
        names.push(instance);
        instances.push({ name: instance, dvcName: `${name}@${dvcMatrixSuffix(axes.keys, combo, indexes)}`, owner: keep ? name : instance, cmd: resolved.cmd, deps: c.deps, outs: c.outs, wdir: wdirOf(resolved) });
        if (!keep) {
          if (names.length === 1) c.comments.stage.unshift(`dvc: stages ${name}@... expanded from a matrix whose \${} mlci cannot keep as a template`);
          for (const f of failures) c.comments.stage.push(`dvc: ${f}`);
          written.push({ name: instance, body: c.body, comments: c.comments, instances: [instance] });
        }
      }
      if (keep) {
        matrixKept++;
        const c = convertStage(template, { matrix: def.matrix, ...(def.vars !== undefined ? { vars: def.vars } : {}) });
        written.push({ name, body: c.body, comments: c.comments, instances: names });
        notes.push(`stage ${name}: matrix kept as an mlci matrix (${names.length} stages: ${names.join(', ')})`);
      } else {
        expandedTemplates++;
        notes.push(`stage ${name}: matrix expanded into ${names.length} stages (its \${} uses DVC-only forms)`);
      }
      continue;
    }

    // A plain stage: `${}` kept when mlci reads it the same, else expanded.
    const failures: string[] = [];
    const resolved = resolveDvcDeep(def, local, failures) as Obj;
    const keep = JSON.stringify(def).includes('${') ? mlciAccepts(def, local) : true;
    const c = convertStage(keep ? def : resolved, keep && def.vars !== undefined ? { vars: def.vars } : {});
    const r = convertStage(resolved, {});
    if (!keep) {
      expandedTemplates++;
      c.comments.stage.push('dvc: ${} expanded here (it uses a DVC-only form, e.g. a mapping unpacked into the command)');
      for (const f of failures) c.comments.stage.push(`dvc: ${f}`);
      notes.push(`stage ${name}: \${} expanded (DVC-only form)`);
    }
    written.push({ name, body: c.body, comments: c.comments, instances: [name] });
    instances.push({ name, dvcName: name, owner: name, cmd: resolved.cmd, deps: r.deps, outs: r.outs, wdir: wdirOf(resolved) });
  }

  inferNeeds(written, instances, notes);
  compareLock(project.lock, instances, notes, opts);

  for (const k of Object.keys(project.dvc)) {
    if (k === 'stages' || k === 'vars') continue;
    top.push(`dvc: top-level ${k}: ${JSON.stringify(project.dvc[k])} (not imported: mlci has no top-level ${k})`);
    notes.push(`top-level ${k}: no mlci equivalent, kept as a comment`);
  }

  const text = render(written, topVars, opts, top, instances);
  const dropped = written.reduce((n, w) => n + w.comments.stage.length + Object.values(w.comments.fields).flat().length, 0);
  notes.unshift(`imported ${instances.length} stage${instances.length === 1 ? '' : 's'} from dvc.yaml` +
    (foreachCount ? `, ${foreachCount} foreach expanded` : '') + (matrixKept ? `, ${matrixKept} matrix kept` : '') + (expandedTemplates ? `, ${expandedTemplates} template${expandedTemplates === 1 ? '' : 's'} expanded` : '') +
    (dropped + top.length ? `; ${dropped + top.length} thing${dropped + top.length === 1 ? '' : 's'} without an mlci equivalent left as '# dvc:' comments` : ''));
  return { text, notes, stages: instances.map((i) => i.name) };
}

function loadVars(raw: unknown, scope: Scope, opts: DvcImportOptions, notes: string[]): void {
  if (raw === undefined) return;
  for (const item of Array.isArray(raw) ? raw : [raw]) {
    if (typeof item === 'string') {
      const [file, keyList] = item.split(':');
      const text = opts.files.readText(`${opts.dir}/${file}`);
      const parsed = text === undefined ? undefined : parseParams(text);
      if (!parsed?.ok) {
        notes.push(`vars file ${file}: ${text === undefined ? 'not found' : 'not YAML or JSON'}; its values are missing`);
        continue;
      }
      const keys = keyList ? keyList.split(',').map((k) => k.trim()) : Object.keys(parsed.params.values);
      for (const k of keys) if (k in parsed.params.values) assignScope(scope, parsed.params.values, k);
    } else {
      const m = obj(item) ?? {};
      for (const k of Object.keys(m)) assignScope(scope, m, k);
    }
  }
}

function matrixAxes(raw: unknown, scope: Scope): { keys: string[]; values: unknown[][] } | undefined {
  const m = obj(raw);
  if (!m) return undefined;
  const keys: string[] = [];
  const values: unknown[][] = [];
  for (const [k, v] of Object.entries(m)) {
    const r = typeof v === 'string' ? resolveDvcString(v, scope, false) : { ok: true as const, value: v };
    if (!r.ok || !Array.isArray(r.value) || r.value.length === 0) return undefined;
    keys.push(k);
    values.push(r.value);
  }
  return { keys, values };
}

function product(axes: unknown[][]): Array<{ combo: unknown[]; indexes: number[] }> {
  let out: Array<{ combo: unknown[]; indexes: number[] }> = [{ combo: [], indexes: [] }];
  for (const axis of axes) out = out.flatMap((p) => axis.map((v, i) => ({ combo: [...p.combo, v], indexes: [...p.indexes, i] })));
  return out;
}

const norm = (p: string) => normalizeRel(p.replace(/\/+$/, ''));
const overlaps = (a: string, b: string) => a === b || a.startsWith(b + '/') || b.startsWith(a + '/');

/** A stage needs the producers of what it reads; a full set of a template's instances is written as the template's name. */
function inferNeeds(written: Written[], instances: Instance[], notes: string[]): void {
  const ownerOf = new Map(written.flatMap((w) => w.instances.map((i) => [i, w] as const)));
  for (const w of written) {
    const needs = new Set<string>();
    for (const inst of instances.filter((i) => i.owner === w.name || (w.instances.length === 1 && i.name === w.name))) {
      for (const dep of inst.deps) {
        if (dep.includes('${')) continue;
        for (const other of instances) {
          if (ownerOf.get(other.name) === w) continue;
          if (other.outs.some((o) => !o.includes('${') && overlaps(norm(o), norm(dep)))) needs.add(other.name);
        }
      }
    }
    if (needs.size === 0) continue;
    const list: string[] = [];
    for (const n of needs) {
      const owner = ownerOf.get(n)!;
      if (owner.instances.length > 1 && owner.instances.every((i) => needs.has(i))) {
        if (!list.includes(owner.name)) list.push(owner.name);
      } else list.push(n);
    }
    w.body = { ...(w.body.description !== undefined ? { description: w.body.description } : {}), ...(w.body.matrix !== undefined ? { matrix: w.body.matrix } : {}), needs: list, ...w.body };
    notes.push(`needs inferred: ${w.name} needs ${list.join(', ')}`);
  }
}

const wdirOf = (stage: Obj): string => (typeof stage.wdir === 'string' && stage.wdir !== '' ? stage.wdir : '.');

/**
 * dvc.lock is what `dvc repro` last ran: each stage's command, the md5 of
 * its deps and the values of its params. The import says where the
 * project has moved on since (a command, a dep or a param value that
 * differs), i.e. which stages DVC itself would rerun, so a user knows
 * whether mlci's first run should match the outputs in the repository.
 */
function compareLock(lock: Record<string, Obj> | undefined, instances: Instance[], notes: string[], opts: DvcImportOptions): void {
  if (!lock) return;
  const names = new Set(instances.map((i) => i.dvcName));
  const before = notes.length;
  // Outputs of DVC stages are in its cache, not the repository, until pulled or reproduced: absent is normal.
  const produced = new Set(instances.flatMap((i) => [...i.outs, ...lockPaths(lock[i.dvcName]?.outs).map((p) => underWdir(i.wdir, p))]));
  for (const inst of instances) {
    const l = lock[inst.dvcName];
    if (!l) {
      notes.push(`dvc.lock has no stage ${inst.dvcName}: DVC has not run it yet`);
      continue;
    }
    if (JSON.stringify(l.cmd) !== JSON.stringify(inst.cmd)) notes.push(`dvc.lock: ${inst.dvcName} last ran ${JSON.stringify(l.cmd)}, the import runs ${JSON.stringify(inst.cmd)} (dvc.yaml or params changed since dvc repro?)`);
    const changed = [...lockDepChanges(l, inst.wdir, produced, opts), ...lockParamChanges(l, inst.wdir, opts)];
    if (changed.length) notes.push(`dvc.lock: ${inst.dvcName} changed since dvc repro ran it: ${changed.join('; ')}`);
  }
  for (const name of Object.keys(lock)) if (!names.has(name)) notes.push(`dvc.lock has stage ${name}, which dvc.yaml no longer defines`);
  if (notes.length === before) notes.push(`dvc.lock: every command, dep and param is as DVC last ran it (${instances.length} stages)`);
}

/** Deps whose md5 (DVC 3's `hash: md5`, of the file's bytes) differs from the lock's; folders (`.dir`) are not checked. */
function lockPaths(entries: unknown): string[] {
  return (Array.isArray(entries) ? entries : []).flatMap((e) => (typeof obj(e)?.path === 'string' ? [obj(e)!.path as string] : []));
}

function lockDepChanges(l: Obj, wdir: string, produced: ReadonlySet<string>, opts: DvcImportOptions): string[] {
  const out: string[] = [];
  for (const d of Array.isArray(l.deps) ? l.deps : []) {
    const dep = obj(d);
    if (!dep || typeof dep.path !== 'string' || dep.hash !== 'md5' || typeof dep.md5 !== 'string' || dep.md5.endsWith('.dir')) continue;
    const shown = underWdir(wdir, dep.path);
    const file = path.join(opts.dir, shown);
    if (opts.files.stat(file) !== 'file') {
      if (!produced.has(shown)) out.push(`${shown} is gone`);
      continue;
    }
    const text = opts.files.readText(file);
    // readText decodes UTF-8: a file that is not text cannot be hashed from it, so it is not judged.
    if (text === undefined || text.includes('\uFFFD')) continue;
    if (createHash('md5').update(text, 'utf8').digest('hex') !== dep.md5) out.push(`${shown} changed`);
  }
  return out;
}

/** Params whose current value differs from the value the lock recorded (`params: {file: {key: value}}`). */
function lockParamChanges(l: Obj, wdir: string, opts: DvcImportOptions): string[] {
  const out: string[] = [];
  for (const [file, recorded] of Object.entries(obj(l.params) ?? {})) {
    const shown = underWdir(wdir, file);
    const text = opts.files.readText(path.join(opts.dir, shown));
    const parsed = text === undefined ? undefined : parseParams(text);
    for (const [key, was] of Object.entries(obj(recorded) ?? {})) {
      const now = parsed?.ok ? paramValue(parsed.params.values, key) : undefined;
      if (canonical(now) !== canonical(was)) out.push(`param ${shown}:${key} ${JSON.stringify(was)} -> ${now === undefined ? 'unset' : JSON.stringify(now)}`);
    }
  }
  return out;
}

/** JSON with sorted keys: a section recorded in another key order is the same section. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x)) ?? 'undefined';
}

function render(written: Written[], topVars: unknown, opts: DvcImportOptions, top: string[], instances: Instance[]): string {
  const usesPython = instances.some((i) => /\bpython/.test(JSON.stringify(i.cmd)));
  const defaults: Obj = { image: opts.image ?? (usesPython ? 'python:3.12-slim' : 'ubuntu:24.04') };
  if (opts.env && Object.keys(opts.env).length) defaults.env = opts.env;
  const root: Obj = { version: 1 };
  if (topVars !== undefined) root.vars = topVars;
  root.defaults = defaults;
  root.stages = Object.fromEntries(written.map((w) => [w.name, w.body]));
  const doc = new Document(root);
  doc.commentBefore = [' Imported from dvc.yaml by `mlci import dvc`: the same commands, in the same order.', ' Lines starting with "dvc:" are what has no mlci equivalent.', ...top.map((t) => ` ${t}`)].join('\n');
  const pairOf = (map: unknown, key: string): Pair | undefined => (isMap(map) ? map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) : undefined);
  const defaultsPair = pairOf(doc.contents, 'defaults');
  const imagePair = defaultsPair && pairOf(defaultsPair.value, 'image');
  if (imagePair && isScalar(imagePair.key) && !opts.image) {
    imagePair.key.commentBefore = ` The image every stage runs in: chosen by the import (${usesPython ? 'the commands run Python' : 'a plain Linux image'}).\n Set your project's image here, or import again with --image IMAGE.`;
  }
  const stagesPair = pairOf(doc.contents, 'stages');
  for (const w of written) {
    const pair = pairOf(stagesPair?.value, w.name);
    if (!pair) continue;
    if (w.comments.stage.length && isScalar(pair.key)) pair.key.commentBefore = w.comments.stage.map((c) => ` ${c}`).join('\n');
    for (const [field, lines] of Object.entries(w.comments.fields)) {
      const fp = pairOf(pair.value, field);
      const target = fp && isScalar(fp.key) ? fp.key : isScalar(pair.key) ? pair.key : undefined;
      if (!target) continue;
      target.commentBefore = [target.commentBefore, ...lines.map((l) => ` ${l}`)].filter(Boolean).join('\n');
    }
  }
  // Short lists and option maps read best in flow style, as in the mlci docs.
  for (const w of written) {
    const pair = pairOf(stagesPair?.value, w.name);
    if (!pair || !isMap(pair.value)) continue;
    for (const p of pair.value.items) {
      const key = isScalar(p.key) ? String(p.key.value) : '';
      if (['needs', 'matrix', 'metrics', 'deps'].includes(key) && (isMap(p.value) || isSeq(p.value))) flowAll(p.value);
      if (key === 'outs' || key === 'plots') for (const item of isSeq(p.value) ? p.value.items : []) if (isMap(item)) for (const q of item.items) if (isMap(q.value)) q.value.flow = true;
    }
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function flowAll(node: unknown): void {
  if (isMap(node) || isSeq(node)) {
    node.flow = true;
    for (const item of node.items) flowAll(isPair(item) ? item.value : item);
  }
}

export function isDvcImportError(e: unknown): e is DvcImportError {
  return e instanceof DvcImportError;
}
