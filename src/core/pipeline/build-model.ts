/**
 * Plain data (already checked by the schema, possibly with problems) ->
 * the typed Pipeline model. Every accessor checks the type it reads, so
 * wrong-typed input yields an absent field, never an exception.
 */
import type {
  BuildSpec, CacheSpec, CiSpec, EngineSpec, ColumnExpectation, DataFormat, DriftColumnSpec, DriftSpec, Expectations, Gate, GateKind, ImportanceSpec, Network, OutOptions, Pipeline,
  Plot, Resources, Stage, StageExecutor, StageKind, Triggers,
} from './model';
import { paramRefs } from './param-refs';
import type { SlurmOptions } from '../ports';
import { CONTAINER_KINDS, DEFAULT_BASELINE, DEFAULT_PARAMS_FILE, LOCAL_ENGINE, STAGE_EXECUTORS, STAGE_KINDS } from './model';
import { deliverOf, linkServiceDeps, probesOf, serviceOf } from './service-model';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
const oneOf = <T extends string>(v: unknown, allowed: readonly T[], dflt: T): T => (allowed.includes(v as T) ? (v as T) : dflt);

function envOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v) ?? {})) {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  }
  return out;
}

function resourcesOf(v: unknown): Resources {
  const o = obj(v) ?? {};
  const r: Resources = {};
  const cpus = num(o.cpus);
  if (cpus !== undefined) r.cpus = cpus;
  if (typeof o.memory === 'string' || typeof o.memory === 'number') r.memory = o.memory;
  const timeout = str(o.timeout);
  if (timeout !== undefined) r.timeout = timeout;
  const pids = num(o.pids);
  if (pids !== undefined) r.pids = pids;
  if (o.gpus === 'all' || (typeof o.gpus === 'number' && Number.isInteger(o.gpus) && o.gpus > 0)) r.gpus = o.gpus;
  else if (Array.isArray(o.gpus)) r.gpus = o.gpus.map((g) => String(g));
  return r;
}

/** `slurm:` of the defaults and the stage, merged (the stage wins; `extra` options add up). */
function slurmOf(defaults: unknown, own: unknown): SlurmOptions | undefined {
  const d = obj(defaults) ?? {};
  const o = obj(own) ?? {};
  const out: SlurmOptions = {};
  for (const k of ['partition', 'account', 'qos', 'constraint'] as const) {
    const v = str(o[k]) ?? str(d[k]);
    if (v !== undefined) out[k] = v;
  }
  const runtime = str(o.runtime) ?? str(d.runtime);
  if (runtime === 'host' || runtime === 'docker') out.runtime = runtime;
  const extra = [...strList(d.extra), ...strList(o.extra)];
  if (extra.length) out.extra = extra;
  return Object.keys(out).length ? out : undefined;
}

/** `build: DIR` or `build: { context, dockerfile, args, target }`; undefined when absent or unreadable. */
export function buildOf(v: unknown, owner: string): BuildSpec | undefined {
  if (typeof v === 'string') return { context: v, dockerfile: 'Dockerfile', args: {}, owner };
  const o = obj(v);
  if (!o) return undefined;
  const spec: BuildSpec = { context: str(o.context) ?? '.', dockerfile: str(o.dockerfile) ?? 'Dockerfile', args: envOf(o.args), owner };
  const target = str(o.target);
  if (target !== undefined) spec.target = target;
  return spec;
}

function gateKind(g: Obj): GateKind {
  if ('importance' in g) return 'importance';
  if ('converges' in g) return 'convergence';
  if ('drift' in g) return 'drift';
  if ('max_drop' in g) return 'regression';
  if ('max_gap' in g || 'against' in g) return 'overfitting';
  if ('metric' in g) return 'threshold';
  return 'unknown';
}

function gatesOf(v: unknown): Gate[] {
  if (!Array.isArray(v)) return [];
  const out: Gate[] = [];
  v.forEach((raw, index) => {
    const g = obj(raw);
    if (!g) return;
    const gate: Gate = { index, kind: gateKind(g), severity: g.severity === 'warning' ? 'warning' : 'error' };
    const set = <K extends keyof Gate>(k: K, val: Gate[K] | undefined) => {
      if (val !== undefined) gate[k] = val;
    };
    set('name', str(g.name));
    set('metric', str(g.metric));
    set('min', num(g.min));
    set('max', num(g.max));
    set('maxDrop', num(g.max_drop));
    set('relative', bool(g.relative));
    set('requireBaseline', bool(g.require_baseline));
    set('baseline', str(g.baseline));
    set('converges', str(g.converges));
    set('window', num(g.window));
    set('early', bool(g.early));
    set('stage', str(g.stage));
    set('maxGap', num(g.max_gap));
    set('against', str(g.against));
    set('drift', str(g.drift));
    set('minTrain', num(g.min_train));
    set('importance', str(g.importance));
    set('leakage', num(g.leakage));
    set('unused', bool(g.unused));
    set('alpha', num(g.alpha));
    set('stability', num(g.stability));
    const mins = obj(g.min);
    if (mins) {
      const minFeatures: Record<string, number> = {};
      for (const [k, v] of Object.entries(mins)) if (num(v) !== undefined) minFeatures[k] = num(v)!;
      gate.minFeatures = minFeatures;
    }
    out.push(gate);
  });
  return out;
}

const FORMATS: readonly DataFormat[] = ['csv', 'jsonl', 'parquet', 'auto'];

function expectOf(v: unknown): Expectations | undefined {
  const e = obj(v);
  if (!e) return undefined;
  const columns: Record<string, ColumnExpectation> = {};
  for (const [name, c] of Object.entries(obj(e.columns) ?? {})) columns[name] = (obj(c) ?? {}) as ColumnExpectation;
  const rows = obj(e.rows);
  const out: Expectations = { format: oneOf(e.format, FORMATS, 'auto'), columns };
  const file = str(e.file);
  if (file !== undefined) out.file = file;
  const delimiter = str(e.delimiter);
  if (delimiter !== undefined) out.delimiter = delimiter;
  if (rows) out.rows = { ...(num(rows.min) !== undefined ? { min: num(rows.min) } : {}), ...(num(rows.max) !== undefined ? { max: num(rows.max) } : {}) };
  return out;
}

function driftOf(v: unknown): DriftSpec {
  const d = obj(v) ?? {};
  const columns: Record<string, DriftColumnSpec> = {};
  for (const [name, c] of Object.entries(obj(d.columns) ?? {})) {
    const o = obj(c) ?? {};
    const spec: DriftColumnSpec = { test: oneOf(o.test, ['auto', 'ks', 'chisquare', 'wasserstein', 'psi', 'jensenshannon'] as const, 'auto') };
    const threshold = num(o.threshold);
    if (threshold !== undefined) spec.threshold = threshold;
    if (o.type === 'number' || o.type === 'category') spec.type = o.type;
    if (o.ignore === true) spec.ignore = true;
    columns[name] = spec;
  }
  const out: DriftSpec = { share: num(d.share) ?? 0.5, columns, exclude: strList(d.exclude), format: oneOf(d.format, FORMATS, 'auto') };
  if (Array.isArray(d.include)) out.include = strList(d.include);
  const delimiter = str(d.delimiter);
  if (delimiter !== undefined) out.delimiter = delimiter;
  const report = str(d.report);
  if (report !== undefined) out.report = report;
  return out;
}

/** `outs` items: a path, or a one-key map `{PATH: {cache, persist, desc}}` (dvc.yaml's form). */
function outsOf(v: unknown): { outs: string[]; options: Record<string, OutOptions> } {
  const outs: string[] = [];
  const options: Record<string, OutOptions> = {};
  for (const item of Array.isArray(v) ? v : typeof v === 'string' ? [v] : []) {
    if (typeof item === 'string') {
      outs.push(item);
      continue;
    }
    const entries = Object.entries(obj(item) ?? {});
    if (entries.length !== 1) continue; // the schema reports it
    const [p, raw] = entries[0];
    const o = obj(raw) ?? {};
    const opt: OutOptions = { cache: bool(o.cache) ?? true, persist: bool(o.persist) ?? false };
    const desc = str(o.desc);
    if (desc !== undefined) opt.desc = desc;
    outs.push(p);
    options[p] = opt;
  }
  return { outs, options };
}

/** `metrics`: a path, `{ file }`, or `{ files: [...] }` (several metrics files). */
function metricsFilesOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  const o = obj(v);
  if (!o) return [];
  return [...new Set([...(typeof o.file === 'string' ? [o.file] : []), ...strList(o.files)])];
}

function plotsOf(v: unknown): Plot[] {
  if (!Array.isArray(v)) return [];
  const out: Plot[] = [];
  for (const item of v) {
    if (typeof item === 'string') {
      out.push({ path: item });
      continue;
    }
    for (const [p, flags] of Object.entries(obj(item) ?? {})) {
      const f = obj(flags) ?? {};
      const plot: Plot = { path: p };
      if (typeof f.template === 'string') plot.template = f.template;
      if (typeof f.x === 'string') plot.x = f.x;
      if (typeof f.y === 'string' || Array.isArray(f.y)) plot.y = typeof f.y === 'string' ? f.y : strList(f.y);
      if (typeof f.title === 'string') plot.title = f.title;
      if (typeof f.x_label === 'string') plot.xLabel = f.x_label;
      if (typeof f.y_label === 'string') plot.yLabel = f.y_label;
      out.push(plot);
    }
  }
  return out;
}

function importanceOf(v: unknown): ImportanceSpec | undefined {
  const o = obj(v);
  const target = str(o?.target);
  if (!o || target === undefined) return undefined;
  const out: ImportanceSpec = { target, format: oneOf(o.format, FORMATS, 'auto'), exclude: strList(o.exclude) };
  const file = str(o.file);
  if (file !== undefined) out.file = file;
  const delimiter = str(o.delimiter);
  if (delimiter !== undefined) out.delimiter = delimiter;
  if (Array.isArray(o.features)) out.features = strList(o.features);
  const report = str(o.report);
  if (report !== undefined) out.report = report;
  return out;
}

function stageOf(name: string, raw: unknown, defaults: Obj, paramsFile: string): Stage {
  const s = obj(raw) ?? {};
  const kind: StageKind = oneOf(s.kind, STAGE_KINDS, 'custom');
  const metrics = s.metrics;
  const metricsObj = obj(metrics);
  const outs = outsOf(s.outs);
  const stage: Stage = {
    name,
    kind,
    run: strList(s.run),
    caches: [...new Set([...strList(defaults.caches), ...strList(s.caches)])],
    env: { ...envOf(defaults.env), ...envOf(s.env) },
    secrets: [...new Set([...strList(defaults.secrets), ...strList(s.secrets)])],
    network: oneOf<Network>(s.network ?? defaults.network, ['none', 'bridge', 'host'], 'none'),
    resources: { ...resourcesOf(defaults.resources), ...resourcesOf(s.resources) },
    ...(slurmOf(defaults.slurm, s.slurm) ? { slurm: slurmOf(defaults.slurm, s.slurm)! } : {}),
    workdir: str(s.workdir) ?? '.',
    needs: strList(s.needs),
    deps: strList(s.deps),
    params: [...new Set(paramRefs(s.params, [], paramsFile).map((r) => r.key))],
    outs: outs.outs,
    outOptions: outs.options,
    metricsFiles: metricsFilesOf(metrics),
    plots: plotsOf(s.plots),
    frozen: s.frozen === true,
    alwaysChanged: s.always_changed === true,
    metricNames: metricsObj ? strList(metricsObj.names) : [],
    reports: {},
    gates: gatesOf(s.gates),
  };
  const set = <K extends keyof Stage>(k: K, val: Stage[K] | undefined) => {
    if (val !== undefined) stage[k] = val;
  };
  set('description', str(s.description));
  // The nearest of image/build wins: a stage's own `image` overrides the default `build`, and the reverse.
  // A test stage of probes alone runs no container (mlci sends the requests), and a deliver stage pushes its service's image: no image of their own.
  if ((kind === 'test' && s.probe !== undefined && s.run === undefined) || kind === 'deliver') { /* no image */ }
  else if (s.build !== undefined) set('build', buildOf(s.build, name));
  else if (str(s.image) !== undefined) set('image', str(s.image));
  else if (defaults.build !== undefined) set('build', buildOf(defaults.build, 'defaults'));
  else set('image', str(defaults.image));
  set('metricsFile', stage.metricsFiles[0]);
  set('history', str(s.history));
  const junit = str(obj(s.reports)?.junit);
  if (junit !== undefined) stage.reports.junit = junit;
  set('expect', expectOf(s.expect));
  set('reference', str(s.reference));
  set('current', str(s.current));
  if (kind === 'drift' || s.drift !== undefined) stage.drift = driftOf(s.drift);
  set('importance', importanceOf(s.importance));
  set('importances', str(s.importances));
  if (kind === 'service') set('service', serviceOf(s));
  if (s.probe !== undefined) set('probes', probesOf(s.probe));
  if (kind === 'deliver') set('deliver', deliverOf(s));
  const engine = str(s.engine) ?? str(defaults.engine);
  if (engine !== undefined && engine !== LOCAL_ENGINE) stage.engine = engine;
  const executor = str(s.executor) ?? str(defaults.executor);
  // Only `run` commands have executors: data/drift run in mlci, services and deliveries on Docker.
  if ((STAGE_EXECUTORS as readonly string[]).includes(executor ?? '') && CONTAINER_KINDS.includes(kind)) stage.executor = executor as StageExecutor;
  return stage;
}

function triggersOf(v: unknown): Triggers | undefined {
  const t = obj(v);
  if (!t) return undefined;
  const out: Triggers = { schedule: strList(t.schedule) };
  const drift = str(t.drift);
  if (drift !== undefined) out.drift = drift;
  const m = obj(t.metric);
  if (m) {
    out.metric = {};
    const name = str(m.name);
    if (name !== undefined) out.metric.name = name;
    const source = str(m.source);
    if (source !== undefined) out.metric.source = source;
    const below = num(m.below);
    if (below !== undefined) out.metric.below = below;
    const above = num(m.above);
    if (above !== undefined) out.metric.above = above;
  }
  return out;
}

function ciOf(v: unknown): CiSpec {
  const c = obj(v) ?? {};
  const ci: CiSpec = {
    provider: c.provider === 'gitlab' ? 'gitlab' : 'github',
    baseline: str(c.baseline) ?? DEFAULT_BASELINE,
    runner: str(c.runner) ?? 'ubuntu-latest',
    node: typeof c.node === 'number' ? String(c.node) : str(c.node) ?? '20',
    uploadLogs: c.upload_logs === true,
    requireBaseline: bool(c.require_baseline) ?? false,
  };
  const mlci = typeof c.mlci === 'number' ? String(c.mlci) : str(c.mlci);
  if (mlci !== undefined) ci.mlci = mlci;
  if (Array.isArray(c.stages)) ci.stages = strList(c.stages);
  const file = str(c.file);
  if (file !== undefined) ci.file = file;
  return ci;
}

function cacheOf(v: unknown): CacheSpec {
  const c = obj(v) ?? {};
  const remotes: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(c.remotes) ?? {})) if (typeof x === 'string') remotes[k] = x;
  const remote = str(c.remote);
  return remote !== undefined ? { remote, remotes } : { remotes };
}

export function enginesOf(v: unknown): Record<string, EngineSpec> {
  const out: Record<string, EngineSpec> = {};
  for (const [name, raw] of Object.entries(obj(v) ?? {})) {
    const o = obj(raw) ?? {};
    const e: EngineSpec = {};
    const host = str(o.host);
    if (host !== undefined) e.host = host;
    const remote = bool(o.remote);
    if (remote !== undefined) e.remote = remote;
    const jobs = num(o.jobs);
    if (jobs !== undefined && Number.isInteger(jobs) && jobs >= 1) e.jobs = jobs;
    out[name] = e;
  }
  return out;
}

export function buildPipeline(file: string, data: unknown): Pipeline {
  const root = obj(data) ?? {};
  const defaults = obj(root.defaults) ?? {};
  const paramsFile = str(root.params) ?? DEFAULT_PARAMS_FILE;
  const stages = Object.entries(obj(root.stages) ?? {}).map(([name, raw]) => stageOf(name, raw, defaults, paramsFile));
  linkServiceDeps(stages);
  const metrics: Pipeline['metrics'] = {};
  for (const [name, m] of Object.entries(obj(root.metrics) ?? {})) {
    const o = obj(m) ?? {};
    metrics[name] = {
      ...(o.goal === 'max' || o.goal === 'min' ? { goal: o.goal } : {}),
      ...(str(o.description) !== undefined ? { description: str(o.description) } : {}),
      ...(str(o.format) !== undefined ? { format: str(o.format) } : {}),
    };
  }
  const pipeline: Pipeline = {
    file,
    version: num(root.version) ?? 1,
    paramsFile,
    paramsFileExplicit: typeof root.params === 'string',
    metrics,
    stages,
    stageByName: new Map(stages.map((s) => [s.name, s])),
    ci: ciOf(root.ci),
    cache: cacheOf(root.cache),
    engines: enginesOf(root.engines),
  };
  const name = str(root.name);
  if (name !== undefined) pipeline.name = name;
  const triggers = triggersOf(root.triggers);
  if (triggers) pipeline.triggers = triggers;
  return pipeline;
}
