/**
 * The typed parts of service, probe and deliver stages, read defensively
 * from data that may still have schema problems (a wrong-typed field is
 * absent here; the schema layer reported it).
 */
import { parseDuration } from '../run/units';
import type { DeliverSpec, ProbeJsonExpect, ProbeSpec, ServiceSpec, Stage } from './model';
import { DEFAULT_ARTIFACT_TYPE, DEFAULT_DELIVER_TAG } from './model';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export const DEFAULT_HEALTH_TIMEOUT = '60s';
export const DEFAULT_HEALTH_INTERVAL = '500ms';

/** `port`, `host_port` and `health` of a service stage; undefined without a usable port. */
export function serviceOf(s: Obj): ServiceSpec | undefined {
  const port = int(s.port);
  if (port === undefined) return undefined;
  const h = obj(s.health) ?? {};
  const timeout = str(h.timeout) ?? DEFAULT_HEALTH_TIMEOUT;
  const spec: ServiceSpec = {
    port,
    health: {
      timeout,
      timeoutMs: parseDuration(timeout) ?? parseDuration(DEFAULT_HEALTH_TIMEOUT)!,
      intervalMs: parseDuration(str(h.interval) ?? DEFAULT_HEALTH_INTERVAL) ?? 500,
    },
  };
  const http = str(h.http);
  if (http !== undefined) spec.health.http = http;
  const cmd = str(h.cmd);
  if (cmd !== undefined) spec.health.cmd = cmd;
  const hostPort = int(s.host_port);
  if (hostPort !== undefined) spec.hostPort = hostPort;
  return spec;
}

/** A probe's default name: its path as a metric-friendly word (`/predict` -> `predict`). */
function defaultName(method: string, p: string, index: number): string {
  const word = p.replace(/\?.*$/, '').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return word ? (method === 'GET' ? word : `${method.toLowerCase()}_${word}`) : `probe${index + 1}`;
}

function jsonExpect(v: unknown): Record<string, ProbeJsonExpect> | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const out: Record<string, ProbeJsonExpect> = {};
  for (const [k, x] of Object.entries(o)) {
    const range = obj(x);
    if (range) {
      const b: { min?: number; max?: number } = {};
      if (num(range.min) !== undefined) b.min = num(range.min);
      if (num(range.max) !== undefined) b.max = num(range.max);
      out[k] = b;
    } else if (x === null || ['string', 'number', 'boolean'].includes(typeof x)) out[k] = x as ProbeJsonExpect;
  }
  return out;
}

/** The `probe:` list of a test stage (one request or a list); names made unique. */
export function probesOf(v: unknown): ProbeSpec[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  const out: ProbeSpec[] = [];
  const seen = new Set<string>();
  list.forEach((raw, index) => {
    const p = obj(raw);
    if (!p) return;
    const method = (str(p.method) ?? 'GET').toUpperCase();
    const path = str(p.path) ?? '/';
    let name = str(p.name) ?? defaultName(method, path, index);
    for (let n = 2; seen.has(name); n++) name = `${str(p.name) ?? defaultName(method, path, index)}_${n}`;
    seen.add(name);
    const e = obj(p.expect) ?? {};
    const probe: ProbeSpec = {
      index, name, service: str(p.service) ?? '', method, path,
      headers: Object.fromEntries(Object.entries(obj(p.headers) ?? {}).filter(([, x]) => typeof x === 'string')) as Record<string, string>,
      expect: { count: Math.max(1, int(e.count) ?? 1) },
    };
    if ('json' in p) probe.json = p.json;
    const body = str(p.body);
    if (body !== undefined) probe.body = body;
    const status = int(e.status);
    if (status !== undefined) probe.expect.status = status;
    const json = jsonExpect(e.json);
    if (json) probe.expect.json = json;
    const lat = obj(e.latency_ms);
    if (lat) {
      probe.expect.latencyMs = {};
      for (const k of ['p50', 'p95', 'max'] as const) if (num(lat[k]) !== undefined) probe.expect.latencyMs[k] = num(lat[k]);
    }
    out.push(probe);
  });
  return out;
}

/** `service`, `registry`, `tag` of a deliver stage. */
export function deliverOf(s: Obj): DeliverSpec | undefined {
  const service = str(s.service);
  const registry = str(s.registry);
  if (service === undefined || registry === undefined) return undefined;
  const spec: DeliverSpec = { service, registry, tag: str(s.tag) ?? DEFAULT_DELIVER_TAG };
  const a = obj(s.artifact);
  const files = Array.isArray(a?.files) ? a.files.filter((f): f is string => typeof f === 'string') : [];
  if (a && files.length) {
    spec.artifact = { files, type: str(a.type) ?? DEFAULT_ARTIFACT_TYPE };
    const tag = str(a.tag);
    if (tag !== undefined) spec.artifact.tag = tag;
  }
  return spec;
}

/**
 * Stages that need a service also depend on what it serves: its deps join
 * theirs (for hashing only; the pipeline file's `deps` stay as written).
 */
export function linkServiceDeps(stages: Stage[]): void {
  const byName = new Map(stages.map((s) => [s.name, s]));
  for (const stage of stages) {
    const services = stage.needs.map((n) => byName.get(n)).filter((s): s is Stage => s?.kind === 'service');
    if (!services.length) continue;
    const extra = [...new Set(services.flatMap((s) => s.deps))].filter((d) => !stage.deps.includes(d));
    if (extra.length) stage.serviceDeps = extra;
    stage.serviceSpecs = Object.fromEntries(services.map((s) => [s.name, { run: s.run, image: s.image ?? null, build: s.build ?? null, env: Object.fromEntries(Object.entries(s.env).filter(([k]) => !s.secrets.includes(k))), service: s.service ?? null }]));
  }
}

/** The latency metrics a probe stage records: `probe.<name>.p50_ms`, `p95_ms`, `max_ms` per probe. */
export function probeMetricNames(stage: Pick<Stage, 'probes'>): string[] {
  return (stage.probes ?? []).flatMap((p) => ['p50_ms', 'p95_ms', 'max_ms'].map((k) => `probe.${p.name}.${k}`));
}
