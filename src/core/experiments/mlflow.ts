/**
 * Read-only import of an MLflow FILE STORE (`mlruns/`), as written by
 * MLflow 2.x's FileStore (mlflow/store/tracking/file_store.py):
 *
 *   mlruns/<experiment_id>/meta.yaml            experiment: name, lifecycle_stage...
 *   mlruns/<experiment_id>/<run_id>/meta.yaml   run: run_name, status (int), start_time,
 *                                               end_time (ms), lifecycle_stage
 *   .../<run_id>/params/<key>                   the value text (no newline)
 *   .../<run_id>/metrics/<key>                  lines `timestamp value step`
 *                                               (step missing in old files: 0)
 *   .../<run_id>/tags/<key>                     e.g. mlflow.runName, mlflow.source.git.commit
 *   mlruns/.trash/<experiment_id>/              deleted experiments (skipped)
 *
 * Keys containing `/` are subfolders there, as MLflow writes them. Deleted
 * runs (lifecycle_stage: deleted) are skipped, like MLflow's default view.
 * Nothing is ever written to the MLflow folder.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { FILE_LIMITS, readRegularFileSync } from '../files/regular-file';
import path from 'node:path';
import { parse } from 'yaml';
import type { ParamValue } from '../params';
import type { RunRecord, RunStatus } from '../run/record';
import { RUN_RECORD_VERSION } from '../run/record';

/** mlflow.entities.RunStatus numbers as the file store persists them. */
const MLFLOW_STATUS: Record<number, RunStatus> = { 1: 'running', 2: 'running', 3: 'passed', 4: 'failed', 5: 'cancelled' };
const STATUS_NAMES: Record<string, RunStatus> = { RUNNING: 'running', SCHEDULED: 'running', FINISHED: 'passed', FAILED: 'failed', KILLED: 'cancelled' };

/** The history series name for MLflow metrics (RunRecord.history is per stage). */
export const MLFLOW_HISTORY = 'mlflow';

export interface MlflowSource {
  kind: 'mlflow';
  experimentId: string;
  experimentName: string;
  /** Absolute run folder. */
  dir: string;
}

export type ImportedRun = RunRecord & { source: MlflowSource };

export interface MlflowImport {
  runs: ImportedRun[];
  /** Folders that looked like runs or experiments but could not be read, with why. */
  skipped: Array<{ dir: string; reason: string }>;
}

function readYaml(file: string): Record<string, unknown> {
  const value: unknown = parse(readRegularFileSync(file, FILE_LIMITS.record));
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file} is not a YAML mapping`);
  return value as Record<string, unknown>;
}

/** Files below `dir` as `key → text`, keys being relative paths with `/` (MLflow's nested keys). */
function readKeyFiles(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    // Dot-files are editor/VCS leftovers (.gitkeep, .DS_Store), never MLflow keys worth showing.
    if (e.name.startsWith('.')) continue;
    const key = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of readKeyFiles(path.join(dir, e.name), key)) out.set(k, v);
    else if (e.isFile()) out.set(key, readRegularFileSync(path.join(dir, e.name), FILE_LIMITS.record));
  }
  return out;
}

/** A param value: a number when the text is one (MLflow stores every param as text). */
export function paramFromText(text: string): ParamValue {
  const t = text.trim();
  if (t !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return text;
}

interface MetricPoint {
  timestamp: number;
  value: number;
  step: number;
}

/** Metric file lines `timestamp value step`; a malformed line is an error naming the key. */
export function parseMetricLines(key: string, text: string): MetricPoint[] {
  return text.split('\n').filter((l) => l.trim()).map((line) => {
    const parts = line.trim().split(' ');
    if (parts.length !== 2 && parts.length !== 3) throw new Error(`metric '${key}' is malformed: expected 2 or 3 fields, got ${parts.length}`);
    // Python writes nan/inf as "nan"/"inf"; Number() does not read those.
    const v = parts[1]!.toLowerCase();
    const value = v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(parts[1]);
    return { timestamp: Number(parts[0]), value, step: parts.length === 3 ? Number(parts[2]) : 0 };
  });
}

/** MLflow's "latest" value: the point with the largest (step, timestamp, value). */
function latest(points: MetricPoint[]): number | undefined {
  let best: MetricPoint | undefined;
  for (const p of points) {
    if (!best || p.step > best.step || (p.step === best.step && (p.timestamp > best.timestamp || (p.timestamp === best.timestamp && p.value > best.value)))) best = p;
  }
  return best?.value;
}

function iso(ms: unknown): string | undefined {
  const n = typeof ms === 'number' ? ms : typeof ms === 'string' ? Number(ms) : NaN;
  return Number.isFinite(n) && n > 0 ? new Date(n).toISOString() : undefined;
}

function statusOf(raw: unknown): RunStatus {
  if (typeof raw === 'number') return MLFLOW_STATUS[raw] ?? 'failed';
  if (typeof raw === 'string') return STATUS_NAMES[raw.toUpperCase()] ?? MLFLOW_STATUS[Number(raw)] ?? 'failed';
  return 'failed';
}

function readRun(dir: string, experimentId: string, experimentName: string): ImportedRun | undefined {
  const meta = readYaml(path.join(dir, 'meta.yaml'));
  if (meta.lifecycle_stage === 'deleted') return undefined;
  const id = String(meta.run_id ?? meta.run_uuid ?? path.basename(dir));
  const tags = readKeyFiles(path.join(dir, 'tags'));
  const params: Record<string, ParamValue> = {};
  for (const [k, v] of readKeyFiles(path.join(dir, 'params'))) params[k] = paramFromText(v);

  const metrics: Record<string, number> = {};
  const byStep = new Map<number, Record<string, number>>();
  for (const [k, text] of readKeyFiles(path.join(dir, 'metrics'))) {
    const points = parseMetricLines(k, text);
    const last = latest(points);
    if (last !== undefined) metrics[k] = last;
    // History: one row per step; several points at one step: the latest timestamp wins.
    for (const p of [...points].sort((a, b) => a.timestamp - b.timestamp)) {
      const row = byStep.get(p.step) ?? { step: p.step };
      row[k] = p.value;
      byStep.set(p.step, row);
    }
  }
  const history: Record<string, Array<Record<string, number>>> = {};
  // A single step is a final value, not a series.
  if (byStep.size > 1) history[MLFLOW_HISTORY] = [...byStep.keys()].sort((a, b) => a - b).map((s) => byStep.get(s)!);

  const name = (typeof meta.run_name === 'string' && meta.run_name) || tags.get('mlflow.runName');
  const commit = tags.get('mlflow.source.git.commit')?.trim();
  const branch = tags.get('mlflow.source.git.branch')?.trim();
  // User tags become `key=value` run tags when they fit the store's tag rules; mlflow.* are system tags.
  const userTags = [...tags].filter(([k]) => !k.startsWith('mlflow.')).map(([k, v]) => `${k}=${v.trim()}`).filter((t) => /^[^\s,]{1,64}$/u.test(t));
  const startedAt = iso(meta.start_time) ?? new Date(0).toISOString();
  const finishedAt = iso(meta.end_time);
  return {
    version: RUN_RECORD_VERSION,
    id,
    ...(name ? { name } : {}),
    pipeline: `mlflow:${experimentName}`,
    status: statusOf(meta.status),
    startedAt,
    ...(finishedAt ? { finishedAt } : {}),
    executor: 'local',
    ...(commit ? { git: { commit, ...(branch ? { branch } : {}), dirty: false } } : {}),
    params,
    metrics,
    history,
    stages: [],
    ...(userTags.length ? { tags: userTags } : {}),
    source: { kind: 'mlflow', experimentId, experimentName, dir },
  };
}

/**
 * Every live run of every live experiment under `mlrunsDir`, newest first.
 * Unreadable experiments or runs are reported in `skipped`, not thrown: one
 * broken folder must not hide the rest.
 */
export function importMlflow(mlrunsDir: string): MlflowImport {
  const root = path.resolve(mlrunsDir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`no MLflow file store at ${root} (expected an mlruns/ folder)`);
  const runs: ImportedRun[] = [];
  const skipped: MlflowImport['skipped'] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    // .trash holds deleted experiments; models/ is the model registry, not runs.
    if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'models') continue;
    const expDir = path.join(root, e.name);
    if (!existsSync(path.join(expDir, 'meta.yaml'))) continue;
    let exp: Record<string, unknown>;
    try {
      exp = readYaml(path.join(expDir, 'meta.yaml'));
    } catch (err) {
      skipped.push({ dir: expDir, reason: (err as Error).message });
      continue;
    }
    if (exp.lifecycle_stage === 'deleted') continue;
    const expId = String(exp.experiment_id ?? e.name);
    const expName = String(exp.name ?? expId);
    for (const r of readdirSync(expDir, { withFileTypes: true })) {
      if (!r.isDirectory() || !existsSync(path.join(expDir, r.name, 'meta.yaml'))) continue;
      try {
        const run = readRun(path.join(expDir, r.name), expId, expName);
        if (run) runs.push(run);
      } catch (err) {
        skipped.push({ dir: path.join(expDir, r.name), reason: (err as Error).message });
      }
    }
  }
  runs.sort((a, b) => (a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1));
  return { runs, skipped };
}
