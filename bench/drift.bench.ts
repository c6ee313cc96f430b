/**
 * Drift detection on two generated CSVs of 1,000,000 rows x 20 columns
 * (12 float, 8 short categorical; ~120 MB each, the current one shifted on
 * a few columns): mlci's detectDrift end to end vs Debian's pandas
 * `read_csv` + scipy on the same files, in the same run. Each side runs in
 * its own child process so its peak RSS (getrusage maxrss: the process and
 * all its threads) can be read without the other side's memory in it.
 *
 * Work on each side:
 *  - Python (the baseline the goal is stated against, drift-facts.md):
 *    read both files, then ks_2samp + wasserstein_distance per numeric
 *    column, chi2_contingency + jensenshannon (base 2) per categorical one.
 *  - mlci "p-value tests": detectDrift with `ks` on every numeric column and
 *    `chisquare` on every categorical one (the expensive statistics; one
 *    test per column, so less work than the baseline's two).
 *  - mlci "default tests": detectDrift with no per-column settings: with
 *    more than 1,000 reference rows Evidently's rule picks the normalised
 *    Wasserstein distance and Jensen-Shannon, what a user gets by default.
 *  - once, the "p-value tests" without worker threads (the pool's effect).
 * Times are measured inside each process around the work (interpreter and
 * module start-up excluded on both sides); peak RSS is the whole process.
 * The run also checks that mlci's KS, Wasserstein and Jensen-Shannon
 * numbers agree with scipy's on these columns.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../src/core/experiments/grid';
import { median, type BenchResult } from './timing';

const PYTHON = '/usr/bin/python3'; // Debian's interpreter, where python3-scipy / python3-pandas live

export const FLOAT_COLUMNS = 12;
export const CATEGORY_COLUMNS = 8;

/** mulberry32 (the sweeps' generator): both files are the same on every machine. */
const rng = seededRandom;

/** Levels and their weights for category column k (4 to 11 short labels). */
function levels(k: number): { labels: string[]; cumulative: number[] } {
  const n = 4 + (k % 8);
  const labels = Array.from({ length: n }, (_, i) => String.fromCharCode(97 + i) + String(k));
  const weights = labels.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((s, w) => s + w, 0);
  let acc = 0;
  return { labels, cumulative: weights.map((w) => (acc += w / total)) };
}

/**
 * The shift in the current file (documented so the expected verdicts are
 * clear): f01 mean +0.25 sd, f02 spread x1.3, f03 mean +0.02 sd (tiny: KS on
 * 1M rows still flags it, the normalised Wasserstein does not); c01's first
 * level loses a third of its share to the others; c02 gains a new level "zz"
 * in 2% of rows. Every other column has the reference distribution. f04 and
 * c04 have 0.1% missing cells on both sides.
 */
export function writeDriftCsvs(dir: string, rows = 1_000_000): { reference: string; current: string; bytes: number } {
  const cats = Array.from({ length: CATEGORY_COLUMNS }, (_, k) => levels(k + 1));
  const header = [
    ...Array.from({ length: FLOAT_COLUMNS }, (_, k) => `f${String(k + 1).padStart(2, '0')}`),
    ...Array.from({ length: CATEGORY_COLUMNS }, (_, k) => `c${String(k + 1).padStart(2, '0')}`),
  ].join(',');
  const write = (file: string, seed: number, shifted: boolean): number => {
    const next = rng(seed);
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const fd = openSync(file, 'w');
    let bytes = 0;
    try {
      let chunk = header + '\n';
      for (let r = 0; r < rows; r++) {
        let line = '';
        for (let k = 1; k <= FLOAT_COLUMNS; k++) {
          const sd = 1 + k / 10;
          let z = normal();
          if (shifted && k === 1) z += 0.25;
          if (shifted && k === 2) z *= 1.3;
          if (shifted && k === 3) z += 0.02;
          const missing = k === 4 && next() < 0.001;
          line += (missing ? '' : (k * 10 + sd * z).toFixed(k % 3 === 0 ? 3 : 5)) + ',';
        }
        for (let k = 1; k <= CATEGORY_COLUMNS; k++) {
          const { labels, cumulative } = cats[k - 1]!;
          let u = next();
          if (shifted && k === 1 && u < cumulative[0]!) u = u < (cumulative[0]! * 2) / 3 ? u : cumulative[0]! + next() * (1 - cumulative[0]!);
          let label = labels[labels.length - 1]!;
          for (let i = 0; i < cumulative.length; i++) if (u < cumulative[i]!) { label = labels[i]!; break; }
          if (shifted && k === 2 && next() < 0.02) label = 'zz';
          if (k === 4 && next() < 0.001) label = '';
          line += label + (k < CATEGORY_COLUMNS ? ',' : '\n');
        }
        chunk += line;
        if (chunk.length > 1 << 20) {
          bytes += writeSync(fd, chunk);
          chunk = '';
        }
      }
      bytes += writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    return bytes;
  };
  const reference = path.join(dir, 'reference.csv');
  const current = path.join(dir, 'current.csv');
  const bytes = write(reference, 1, false) + write(current, 2, true);
  return { reference, current, bytes };
}

/** The mlci side: detectDrift on the two files, timed in-process; prints one JSON line. */
function nodeScript(detectModule: string): string {
  return `
const { detectDrift } = require(${JSON.stringify(detectModule)});
async function main() {
  const [reference, current, mode] = process.argv.slice(2);
  const columns = {};
  if (mode.startsWith('pvalue')) {
    for (let k = 1; k <= ${FLOAT_COLUMNS}; k++) columns['f' + String(k).padStart(2, '0')] = { test: 'ks' };
    for (let k = 1; k <= ${CATEGORY_COLUMNS}; k++) columns['c' + String(k).padStart(2, '0')] = { test: 'chisquare' };
  }
  const t0 = performance.now();
  const opts = mode === 'pvalue-one-thread' ? { workers: 0 } : {};
  const r = await detectDrift(reference, current, { share: 0.5, columns, exclude: [], format: 'auto' }, opts);
  const ms = performance.now() - t0;
  const cols = r.columns.map((c) => ({ name: c.name, test: c.test, statistic: c.statistic, pvalue: c.pvalue, distance: c.distance, drifted: c.drifted }));
  console.log(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, datasetDrift: r.datasetDrift, columns: cols }));
}
main().catch((e) => { console.error(e); process.exit(1); });
`;
}

/** The baseline: pandas read_csv of both files, then scipy per column; prints one JSON line. */
const PYTHON_SCRIPT = `
import json, resource, sys, time
import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

t0 = time.perf_counter()
ref = pd.read_csv(sys.argv[1])
cur = pd.read_csv(sys.argv[2])
t_read = time.perf_counter()
out = {}
for name in ref.columns:
    a = ref[name].dropna()
    b = cur[name].dropna()
    if pd.api.types.is_numeric_dtype(a):
        x, y = a.to_numpy(), b.to_numpy()
        ks = stats.ks_2samp(x, y)
        out[name] = {"ks": float(ks.statistic), "ks_p": float(ks.pvalue), "w1": float(stats.wasserstein_distance(x, y))}
    else:
        keys = list(dict.fromkeys(list(a.unique()) + list(b.unique())))
        rc = a.value_counts().reindex(keys, fill_value=0).to_numpy()
        cc = b.value_counts().reindex(keys, fill_value=0).to_numpy()
        chi2 = stats.chi2_contingency(np.vstack([rc, cc]))
        out[name] = {"chi2": float(chi2[0]), "chi2_p": float(chi2[1]), "js": float(jensenshannon(rc / rc.sum(), cc / cc.sum(), base=2))}
t1 = time.perf_counter()
print(json.dumps({"ms": (t1 - t0) * 1000, "readMs": (t_read - t0) * 1000,
                  "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "columns": out}))
`;

interface NodeRun {
  ms: number;
  maxRssKb: number;
  datasetDrift: boolean;
  columns: { name: string; test: string; statistic: number; pvalue?: number; distance?: number; drifted: boolean }[];
}
interface PythonRun {
  ms: number;
  readMs: number;
  maxRssKb: number;
  columns: Record<string, { ks?: number; ks_p?: number; w1?: number; js?: number }>;
}

function lastJsonLine<T>(cmd: string, args: string[]): T {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${path.basename(args[args.length - 3] ?? '')} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as T;
}

function pythonHasPandas(): boolean {
  return spawnSync(PYTHON, ['-c', 'import pandas, scipy, numpy'], { encoding: 'utf8' }).status === 0;
}

/** Largest relative difference between mlci's numbers and scipy's on the same columns. */
function agreement(pvalue: NodeRun, dflt: NodeRun, py: PythonRun): string {
  let worst = 0;
  let n = 0;
  const rel = (a: number | undefined, b: number | undefined): void => {
    if (a === undefined || b === undefined) return;
    n++;
    if (a === b) return;
    worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));
  };
  for (const c of pvalue.columns) {
    if (c.test !== 'ks') continue;
    rel(c.statistic, py.columns[c.name]?.ks);
    rel(c.pvalue, py.columns[c.name]?.ks_p);
  }
  for (const c of dflt.columns) {
    if (c.test === 'wasserstein') rel(c.statistic, py.columns[c.name]?.w1);
    if (c.test === 'jensenshannon') rel(c.statistic, py.columns[c.name]?.js);
  }
  return `${n} KS statistics/p-values, Wasserstein and Jensen-Shannon distances compared with scipy: largest relative difference ${worst.toExponential(1)}`;
}

/**
 * Measured by sampling RSS through a run (bundled, 2 cores): the peak is at
 * the end of the reads, when both tables are whole.
 */
const MEMORY_NOTE = 'both tables at once: 12 float columns x 8 B + 8 category columns x 4 B (Int32 codes) x 1M rows x 2 files = 256 MB, '
  + 'plus ~45 MB for the process and ~25 MB per worker; passing 0.5x needs 1-byte codes while a dictionary is small (-48 MB) '
  + 'or counting categories while reading (-64 MB)';

const MB = 1024; // maxrss is in KiB on Linux, for both getrusage and process.resourceUsage

export async function benchDrift(): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-drift-'));
  try {
    const rows = 1_000_000;
    const genT0 = Date.now();
    const { reference, current, bytes } = writeDriftCsvs(dir, rows);
    const genMs = Date.now() - genT0;
    // Bundled with its worker as scripts/build.mjs bundles the CLI: the code and the memory that ship
    // (under tsx each worker compiles the TypeScript again, tens of MB of RSS that users never pay).
    const entry = path.join(dir, 'mlci-drift-entry.ts');
    writeFileSync(entry, nodeScript(path.join(__dirname, '..', 'src', 'core', 'drift', 'detect')));
    const esbuild = await import('esbuild');
    await esbuild.build({
      entryPoints: { 'mlci-drift': entry, 'drift-worker': path.join(__dirname, '..', 'src', 'core', 'drift', 'detect', 'worker.ts') },
      outdir: dir, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error',
    });
    const nodeFile = path.join(dir, 'mlci-drift.js');
    const pyFile = path.join(dir, 'baseline.py');
    writeFileSync(pyFile, PYTHON_SCRIPT);
    const nodeArgs = (mode: string): string[] => [nodeFile, reference, current, mode];
    const withPython = pythonHasPandas();

    // Three rounds, the sides interleaved so neither gets a systematically quieter machine.
    const pv: NodeRun[] = [];
    const df: NodeRun[] = [];
    const py: PythonRun[] = [];
    for (let round = 0; round < 3; round++) {
      pv.push(lastJsonLine<NodeRun>(process.execPath, nodeArgs('pvalue')));
      if (withPython) py.push(lastJsonLine<PythonRun>(PYTHON, [pyFile, reference, current]));
      df.push(lastJsonLine<NodeRun>(process.execPath, nodeArgs('default')));
    }
    // Once: the same work on the calling thread only, to show what the worker pool buys.
    const oneThread = lastJsonLine<NodeRun>(process.execPath, nodeArgs('pvalue-one-thread'));
    const ms = (runs: { ms: number }[]): number => median(runs.map((r) => r.ms));
    const rss = (runs: { maxRssKb: number }[]): number => Math.max(...runs.map((r) => r.maxRssKb)) / MB;
    const perSec = (t: number): string => `${Math.round((2 * rows) / (t / 1000)).toLocaleString('en-US')} rows/s`;
    const drifted = (r: NodeRun): string => r.columns.filter((c) => c.drifted).map((c) => c.name).join(' ');
    const results: BenchResult[] = [
      { name: 'drift data: 2 CSVs x 1,000,000 rows x 20 columns', note: `(${(bytes / 1e6).toFixed(0)} MB, generated in ${genMs} ms; ${os.cpus().length} cores)` },
      { name: 'drift mlci, ks + chisquare on every column', ms: ms(pv), note: `peak RSS ${rss(pv).toFixed(0)} MB, ${perSec(ms(pv))}; drifted: ${drifted(pv[0]!)}` },
      { name: 'drift mlci, ks + chisquare, no worker threads (one run)', ms: oneThread.ms, note: `peak RSS ${rss([oneThread]).toFixed(0)} MB` },
      { name: 'drift mlci, default tests (wasserstein + jensenshannon)', ms: ms(df), note: `peak RSS ${rss(df).toFixed(0)} MB, ${perSec(ms(df))}; drifted: ${drifted(df[0]!)}` },
    ];
    if (!withPython) {
      results.push({ name: 'drift pandas + scipy baseline', note: `skipped: ${PYTHON} lacks pandas/scipy (apt-get install python3-pandas python3-scipy)` });
      return results;
    }
    results.push(
      { name: 'drift pandas read_csv + scipy ks/wasserstein/chi2/JS', ms: ms(py), note: `peak RSS ${rss(py).toFixed(0)} MB, ${perSec(ms(py))}; read_csv ${median(py.map((r) => r.readMs)).toFixed(0)} ms` },
      { name: 'drift time ratio mlci ks+chisquare / pandas+scipy (goal <= 0.5)', ratio: ms(pv) / ms(py), goal: 0.5 },
      { name: 'drift time ratio mlci default tests / pandas+scipy (goal <= 0.5)', ratio: ms(df) / ms(py), goal: 0.5 },
      { name: 'drift peak RSS ratio mlci ks+chisquare / pandas+scipy', ratio: rss(pv) / rss(py), goal: 0.5 },
      { name: 'drift time ratio mlci ks+chisquare / pandas+scipy (memory goal\'s time bound)', ratio: ms(pv) / ms(py), goal: 0.25 },
      { name: 'drift peak memory: what dominates', note: MEMORY_NOTE },
      { name: 'drift agreement', note: agreement(pv[0]!, df[0]!, py[0]!) },
    );
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
