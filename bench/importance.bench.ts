/**
 * Feature dependencies on a generated CSV of 1,000,000 rows x 20 features
 * and a target (16 numeric features, 4 categorical; the class target 0/1/2
 * depends on f01, f02 and c01, the rest is noise; ~130 MB): mlci's
 * measureDependencies (the data stage's `importance:`) vs Debian's pandas
 * `read_csv` + numpy/scipy/scikit-learn computing the same numbers
 * (Sturges bins, mutual_info_score, the G-test, spearmanr, pearsonr,
 * Cramér's V), in the same run. Each side runs in its own child process so
 * its peak RSS (getrusage maxrss) is its own; times are taken inside each
 * process around the work (interpreter start-up excluded on both sides).
 * The run also reports how far mlci's numbers are from the reference's.
 *
 * mlci is measured twice: the TypeScript sources through tsx (as the other
 * benches do; tsx's compiler adds ~40 MB to the process) and the shipped
 * bundle, `node dist/cli.js importance FILE --target target --format json`,
 * timed from process start to exit (Node's start-up included) with a
 * preloaded hook that reports the peak RSS at exit.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../src/core/experiments/grid';
import { median, type BenchResult } from './timing';

const PYTHON = '/usr/bin/python3';
const NUMERIC = 16;
const CATEGORICAL = 4;

export function writeImportanceCsv(file: string, rows: number): number {
  const next = seededRandom(7);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const header = [...Array.from({ length: NUMERIC }, (_, k) => `f${String(k + 1).padStart(2, '0')}`), ...Array.from({ length: CATEGORICAL }, (_, k) => `c${k + 1}`), 'target'].join(',');
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    let chunk = header + '\n';
    for (let r = 0; r < rows; r++) {
      const f: number[] = [];
      for (let k = 0; k < NUMERIC; k++) f.push(normal() * (1 + k / 10) + k);
      const c = Array.from({ length: CATEGORICAL }, (_, k) => Math.floor(next() * (3 + k)));
      const score = f[0]! - 0 + 0.5 * (f[1]! - 1.1) + (c[0] === 0 ? 1 : 0) + normal();
      const target = score < -0.5 ? 0 : score < 1 ? 1 : 2;
      chunk += f.map((x, k) => x.toFixed(k % 3 === 0 ? 3 : 5)).join(',') + ',' + c.map((x, k) => `l${k}${x}`).join(',') + `,${target}\n`;
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
}

function nodeScript(measureModule: string): string {
  return `
const { measureDependencies } = require(${JSON.stringify(measureModule)});
async function main() {
  const t0 = performance.now();
  const r = await measureDependencies(process.argv[2], { target: 'target', format: 'auto', exclude: [] }, { file: 'bench.csv' });
  const ms = performance.now() - t0;
  const features = {};
  for (const f of r.features) features[f.feature] = { mi: f.mutualInfo && f.mutualInfo.value, mi_p: f.mutualInfo && f.mutualInfo.pvalue, s: f.spearman && f.spearman.value, p: f.pearson && f.pearson.value, v: f.cramersV && f.cramersV.value };
  console.log(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, features }));
}
main().catch((e) => { console.error(e); process.exit(1); });
`;
}

const PYTHON_SCRIPT = `
import json, resource, sys, time
import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import contingency as ct
from sklearn.metrics import mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
t_read = time.perf_counter()
y = df['target'].to_numpy()
out = {}
for name in df.columns:
    if name == 'target':
        continue
    x = df[name]
    if pd.api.types.is_numeric_dtype(x):
        xv = x.to_numpy(dtype=float)
        edges = np.histogram_bin_edges(xv, bins='sturges')
        lab = np.clip(np.searchsorted(edges, xv, side='right') - 1, 0, len(edges) - 2)
    else:
        xv = None
        lab = x.to_numpy()
    mi = mutual_info_score(y, lab)
    table = contingency_matrix(lab, y)
    g = stats.chi2_contingency(table, correction=False, lambda_='log-likelihood')
    entry = {'mi': float(mi), 'mi_p': float(g[1])}
    if xv is not None:
        entry['s'] = float(stats.spearmanr(xv, y)[0])
        entry['p'] = float(stats.pearsonr(xv, y)[0])
    else:
        entry['v'] = float(ct.association(table, method='cramer'))
    out[name] = entry
t1 = time.perf_counter()
print(json.dumps({'ms': (t1 - t0) * 1000, 'readMs': (t_read - t0) * 1000, 'maxRssKb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 'features': out}))
`;

interface Run {
  ms: number;
  readMs?: number;
  maxRssKb: number;
  features: Record<string, { mi?: number; mi_p?: number; s?: number; p?: number; v?: number }>;
}

function lastJsonLine(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
}

function agreement(a: Run, b: Run): string {
  let worst = 0;
  let n = 0;
  for (const [name, x] of Object.entries(a.features)) {
    const y = b.features[name];
    if (!y) continue;
    for (const k of ['mi', 'mi_p', 's', 'p', 'v'] as const) {
      const u = x[k];
      const v = y[k];
      if (typeof u !== 'number' || typeof v !== 'number') continue;
      n++;
      if (u !== v) worst = Math.max(worst, Math.abs(u - v) / Math.max(Math.abs(v), 1e-300));
    }
  }
  return `${n} numbers compared with scipy/scikit-learn: largest relative difference ${worst.toExponential(1)}`;
}

/** Preloaded into the shipped CLI: one JSON line on stderr at exit with the time since start and the peak RSS. */
const EXIT_HOOK = `process.on('exit', () => { require('fs').writeSync(2, '\\n' + JSON.stringify({ ms: performance.now(), maxRssKb: process.resourceUsage().maxRSS }) + '\\n'); });`;

function shippedCli(file: string, hook: string): Run {
  const cli = path.join(__dirname, '..', 'dist', 'cli.js');
  const r = spawnSync(process.execPath, ['--require', hook, cli, 'importance', file, '--target', 'target', '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`mlci importance failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const m = JSON.parse(r.stderr.trim().split('\n').pop()!) as { ms: number; maxRssKb: number };
  return { ms: m.ms, maxRssKb: m.maxRssKb, features: {} };
}

export async function benchImportance(): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-importance-'));
  try {
    const rows = Number(process.env.MLCI_BENCH_IMPORTANCE_ROWS ?? 1_000_000);
    const file = path.join(dir, 'bench.csv');
    const g0 = Date.now();
    const bytes = writeImportanceCsv(file, rows);
    const genMs = Date.now() - g0;
    const nodeFile = path.join(dir, 'mlci-importance.ts');
    writeFileSync(nodeFile, nodeScript(path.join(__dirname, '..', 'src', 'core', 'importance', 'measure')));
    const pyFile = path.join(dir, 'baseline.py');
    writeFileSync(pyFile, PYTHON_SCRIPT);
    const withPython = spawnSync(PYTHON, ['-c', 'import pandas, scipy, sklearn'], { encoding: 'utf8' }).status === 0;
    if (!existsSync(path.join(__dirname, '..', 'dist', 'cli.js'))) spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build.mjs')], { stdio: 'ignore' });
    const hook = path.join(dir, 'exit-hook.cjs');
    writeFileSync(hook, EXIT_HOOK);
    const node: Run[] = [];
    const cli: Run[] = [];
    const py: Run[] = [];
    for (let round = 0; round < 3; round++) {
      node.push(lastJsonLine(process.execPath, ['--require', require.resolve('tsx/cjs'), nodeFile, file]));
      cli.push(shippedCli(file, hook));
      if (withPython) py.push(lastJsonLine(PYTHON, [pyFile, file]));
    }
    const ms = (runs: Run[]) => median(runs.map((r) => r.ms));
    const rss = (runs: Run[]) => Math.max(...runs.map((r) => r.maxRssKb)) / 1024;
    const results: BenchResult[] = [
      { name: `importance data: ${rows.toLocaleString('en-US')} rows x ${NUMERIC + CATEGORICAL} features + target`, note: `(${(bytes / 1e6).toFixed(0)} MB, generated in ${genMs} ms)` },
      { name: 'importance mlci (sources via tsx): MI + G-test, Spearman, Pearson, Cramér\'s V', ms: ms(node), note: `peak RSS ${rss(node).toFixed(0)} MB` },
      { name: 'importance mlci shipped CLI (dist/cli.js), process start to exit', ms: ms(cli), note: `peak RSS ${rss(cli).toFixed(0)} MB` },
    ];
    if (!withPython) {
      results.push({ name: 'importance pandas + scipy + scikit-learn baseline', note: `skipped: ${PYTHON} lacks pandas/scipy/sklearn (bash scripts/ci/apt.sh python3-sklearn python3-pandas)` });
      return results;
    }
    results.push(
      { name: 'importance pandas read_csv + scipy + scikit-learn, same numbers', ms: ms(py), note: `peak RSS ${rss(py).toFixed(0)} MB; read_csv ${median(py.map((r) => r.readMs ?? 0)).toFixed(0)} ms` },
      // The goals are the shipped CLI's (what users run); the sources through
      // tsx carry its compiler (~40-60 MB more RSS): shown, not judged.
      { name: 'importance time ratio mlci (tsx) / pandas+scipy+sklearn', ratio: ms(node) / ms(py) },
      { name: 'importance peak RSS ratio mlci (tsx, compiler included) / pandas+scipy+sklearn', ratio: rss(node) / rss(py) },
      { name: 'importance time ratio shipped CLI / pandas+scipy+sklearn (goal <= 0.5)', ratio: ms(cli) / ms(py), goal: 0.5 },
      { name: 'importance peak RSS ratio shipped CLI / pandas+scipy+sklearn (goal <= 0.5)', ratio: rss(cli) / rss(py), goal: 0.5 },
      { name: 'importance agreement', note: agreement(node[0]!, py[0]!) },
    );
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
