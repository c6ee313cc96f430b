/**
 * A stage's fingerprint: everything that decides whether it must rerun.
 * Command, image (by ID, so a rebuilt `latest` counts), env without secrets,
 * the params values it reads, the content of its deps, and for engine-run
 * stages their check spec. Resources and network do not change results and
 * are left out. Comparing the parts with the lock entry gives the reasons a
 * person reads in `mlci status` and `--dry-run`.
 */
import { createHash } from 'node:crypto';
import type { ParamValue } from '../params';
import { paramValue } from '../params';
import type { Stage } from '../pipeline/model';
import { splitParamKey } from '../pipeline/param-refs';
import { publicEnv } from './secrets';
import type { LockStage } from './lockfile';

export interface StageInputs {
  cmd: string[];
  image?: string;
  imageId?: string;
  /** Content hash of the stage's `build:` (Dockerfile, sent context files, args, target). */
  build?: string;
  env: Record<string, string>;
  params: Record<string, ParamValue | null>;
  deps: Record<string, string | null>;
  spec?: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Stable JSON: keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function fingerprintOf(kind: string, inputs: StageInputs): string {
  return sha256(canonicalJson({ kind, ...inputs, imageId: inputs.imageId ?? inputs.image ?? null }));
}

/** The paths whose content a stage reads: its deps plus the data files of data and drift stages. */
export function depPaths(stage: Stage): string[] {
  const out = [...stage.deps, ...(stage.serviceDeps ?? [])];
  if (stage.kind === 'data' && stage.expect?.file) out.push(stage.expect.file);
  if (stage.kind === 'data' && stage.importance?.file) out.push(stage.importance.file);
  if (stage.kind === 'drift') {
    if (stage.reference) out.push(stage.reference);
    if (stage.current) out.push(stage.current);
  }
  return [...new Set(out)];
}

/** The paths a stage writes: outs, metrics, history, reports, drift report. */
export function outPaths(stage: Stage): string[] {
  const out = [...stage.outs];
  out.push(...stage.metricsFiles, ...stage.plots.map((p) => p.path));
  if (stage.history) out.push(stage.history);
  if (stage.reports.junit) out.push(stage.reports.junit);
  if (stage.drift?.report) out.push(stage.drift.report);
  if (stage.kind === 'data' && stage.importance?.report) out.push(stage.importance.report);
  if (stage.importances) out.push(stage.importances);
  return [...new Set(out)];
}

/**
 * The values of the params a stage reads: keys of the pipeline's params
 * file from `values` (overrides applied), `file:key` and `file:` (a whole
 * file) through `readFile`, each file read once.
 */
export function paramsOf(stage: Stage, values: Record<string, ParamValue>, readFile?: (file: string) => Record<string, ParamValue> | undefined): Record<string, ParamValue | null> {
  const out: Record<string, ParamValue | null> = {};
  const files = new Map<string, Record<string, ParamValue> | undefined>();
  for (const k of stage.params) {
    const { file, name } = splitParamKey(k);
    if (file === undefined) {
      out[k] = paramValue(values, k) ?? null;
      continue;
    }
    if (!files.has(file)) files.set(file, readFile?.(file));
    const other = files.get(file);
    out[k] = other === undefined ? null : name === '' ? other : paramValue(other, name) ?? null;
  }
  return out;
}

export function envOf(stage: Stage): Record<string, string> {
  return publicEnv(stage.env, stage.secrets);
}

export function specOf(stage: Stage): string | undefined {
  // `importance` joins the hash only when present, so existing lock files stay up to date.
  if (stage.kind === 'data') return sha256(canonicalJson(stage.importance ? { expect: stage.expect ?? null, importance: stage.importance } : stage.expect ?? null));
  if (stage.kind === 'drift') return sha256(canonicalJson({ drift: stage.drift ?? null }));
  if (stage.kind === 'service') return sha256(canonicalJson({ service: stage.service ?? null }));
  if (stage.kind === 'deliver') return sha256(canonicalJson({ deliver: stage.deliver ?? null }));
  // Probes and the services they reach (port, health, command): a changed request or server reruns the probes.
  if (stage.probes?.length) return sha256(canonicalJson({ probes: stage.probes, services: stage.serviceSpecs ?? null }));
  return undefined;
}

function short(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

function isSection(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** `param data_split.test_size changed (0.2 -> 0.3)` per changed leaf of a section, at most 5 and a count of the rest. */
function sectionChanges(prefix: string, a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (key: string, x: unknown, y: unknown) => {
    if (canonicalJson(x) === canonicalJson(y)) return;
    if (isSection(x) && isSection(y)) {
      // A whole-file param's key ends in ':' (config/extra.json:), its keys follow it directly.
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(`${key}${key.endsWith(':') ? '' : '.'}${k}`, x[k], y[k]);
      return;
    }
    out.push(`param ${key} changed (${short(x ?? 'unset')} -> ${short(y ?? 'unset')})`);
  };
  walk(prefix, a, b);
  return out.length > 5 ? [...out.slice(0, 5), `${out.length - 5} more keys of param ${prefix} changed`] : out;
}

/**
 * Why a stage must run, compared with its lock entry; [] when up to date.
 * Output hashes are checked by the caller (they need the file system).
 */
export function staleReasons(inputs: StageInputs, lock: LockStage | undefined, opts: { buildChange?: () => string } = {}): string[] {
  if (!lock) return ['never run'];
  const reasons: string[] = [];
  if (canonicalJson(inputs.cmd) !== canonicalJson(lock.cmd ?? [])) reasons.push('command changed');
  const was = lock.image_id ?? lock.image;
  const now = inputs.imageId ?? inputs.image;
  if (inputs.build !== undefined && lock.build !== undefined && inputs.build !== lock.build) {
    // A new content hash: say which file made the image change, not just its ID.
    reasons.push(opts.buildChange?.() ?? 'image rebuilt: build context changed');
  } else if (inputs.build !== undefined && inputs.imageId === undefined) {
    reasons.push(`image ${inputs.image ?? ''} is not on the engine: it will be built`);
  } else if ((was ?? null) !== (now ?? null)) {
    // The local executor reports the image ID 'local': switching between
    // containers and host processes changes the environment, say so plainly.
    if (now === 'local' && was !== undefined) reasons.push('ran in a container before, now as a host process (local executor)');
    else if (was === 'local' && now !== undefined) reasons.push(`ran as a host process before, now in image ${inputs.image}`);
    else reasons.push(lock.image !== inputs.image ? `image changed (${lock.image ?? 'none'} -> ${inputs.image ?? 'none'})` : `image ${inputs.image} was rebuilt`);
  }
  const envKeys = new Set([...Object.keys(lock.env ?? {}), ...Object.keys(inputs.env)]);
  for (const k of [...envKeys].sort()) if ((lock.env ?? {})[k] !== inputs.env[k]) reasons.push(`env ${k} changed`);
  const paramKeys = new Set([...Object.keys(lock.params ?? {}), ...Object.keys(inputs.params)]);
  for (const k of [...paramKeys].sort()) {
    const a = (lock.params ?? {})[k];
    const b = inputs.params[k];
    if (canonicalJson(a) === canonicalJson(b)) continue;
    // A whole section (`params: [data_split]`): name the keys inside it that changed.
    const inner = isSection(a) && isSection(b) ? sectionChanges(k, a, b) : [];
    if (inner.length) reasons.push(...inner);
    else reasons.push(`param ${k} changed (${short(a ?? 'unset')} -> ${short(b ?? 'unset')})`);
  }
  const depKeys = new Set([...Object.keys(lock.deps ?? {}), ...Object.keys(inputs.deps)]);
  for (const k of [...depKeys].sort()) {
    const a = (lock.deps ?? {})[k];
    const b = inputs.deps[k];
    if (a === b) continue;
    if (a === undefined) reasons.push(`dep ${k} added`);
    else if (b === undefined) reasons.push(`dep ${k} removed`);
    else if (b === null) reasons.push(`dep ${k} missing`);
    else reasons.push(`dep ${k} changed`);
  }
  if ((lock.spec ?? undefined) !== inputs.spec) reasons.push('checks changed');
  return reasons;
}
