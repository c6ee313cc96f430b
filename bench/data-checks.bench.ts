/**
 * Data checks throughput: a generated 1,000,000-row CSV (an id, two numbers,
 * a category, a boolean) checked with bounds, nulls, uniqueness, allowed
 * values, mean/std and quantiles; rows per second, and pandas computing
 * the same statistics on the same file as the baseline (when Debian's
 * python3-pandas is installed), and the peak memory (RSS) of each side:
 * mlci streams the file in chunks, pandas loads it whole. Peak RSS is the
 * process's, after a warm-up run and the timed runs (so interpreter,
 * libraries and code are included on both sides). mlci runs bundled (as it ships), and once
 * more with the file read in parts on the drift workers (off by default:
 * see src/core/data-checks/read-in-parts.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Expectations } from '../src/core/pipeline/model';
import { median, type BenchResult } from './timing';

const ROWS = 1_000_000;
/** Timed runs of each side (after one warm-up run); the medians are compared. */
const RUNS = 3;

/** bench/data-checks-entry.ts and the drift worker, bundled as scripts/build.mjs bundles the CLI. */
async function bundleEntry(dir: string): Promise<string> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: { 'data-checks': path.join(__dirname, 'data-checks-entry.ts'), 'drift-worker': path.join(__dirname, '..', 'src', 'core', 'drift', 'detect', 'worker.ts') },
    outdir: dir, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error',
  });
  return path.join(dir, 'data-checks.js');
}

export async function benchDataChecks(): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-data-'));
  const file = path.join(dir, 'data.csv');
  try {
    let seed = 11;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const fd = openSync(file, 'w');
    writeSync(fd, 'id,tenure,charges,plan,churned\n');
    const plans = ['basic', 'plus', 'pro'];
    let block: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      block.push(`${i},${Math.floor(rnd() * 120)},${(10 + rnd() * 100).toFixed(2)},${plans[Math.floor(rnd() * 3)]},${rnd() < 0.3}`);
      if (block.length === 50_000) {
        writeSync(fd, block.join('\n') + '\n');
        block = [];
      }
    }
    closeSync(fd);
    const expect: Expectations = {
      file, format: 'csv', rows: { min: ROWS },
      columns: {
        id: { type: 'integer', unique: true, nulls: 0 },
        tenure: { type: 'number', min: 0, max: 120, nulls: 0, mean: { min: 50, max: 70 }, quantiles: { '0.5': { min: 40, max: 80 } } },
        charges: { type: 'number', min: 0, std: { min: 10, max: 50 } },
        plan: { type: 'category', in: ['basic', 'plus', 'pro'] },
        churned: { type: 'boolean', null_share: 0.01 },
      },
    };
    const bundle = await bundleEntry(dir);
    const run = (workers: string): { ms: number; rssMb: number } => {
      const out = execFileSync(process.execPath, [bundle, file, JSON.stringify(expect), String(RUNS), workers], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const { times, maxRssMb } = JSON.parse(out) as { times: number[]; maxRssMb: number };
      return { ms: median(times), rssMb: maxRssMb };
    };
    const { ms, rssMb } = run('default');
    const { ms: partsMs, rssMb: partsRssMb } = run('2');
    const sizeMb = statSync(file).size / (1024 * 1024);
    const results: BenchResult[] = [
      { name: 'data checks, 1,000,000 rows x 5 columns (13 checks), bundled', ms, note: `(file ${sizeMb.toFixed(1)} MB)` },
      { name: 'data checks peak memory (RSS, streamed in chunks)', value: rssMb, unit: 'MB' },
      { name: 'data checks, the file read in 2 parts on the drift workers (opt-in)', ms: partsMs, note: `(${os.availableParallelism()} cores; loaded whole: peak RSS ${partsRssMb.toFixed(0)} MB)` },
      { name: 'data checks throughput', value: ROWS / (ms / 1000), unit: 'rows/s' },
    ];
    const script = path.join(dir, 'pandas_checks.py');
    writeFileSync(script, `import sys, time, resource, pandas as pd
times = []
for i in range(${RUNS + 1}):
    t = time.perf_counter()
    d = pd.read_csv(sys.argv[1])
    ok = len(d) >= ${ROWS} and d.id.is_unique and d.tenure.between(0, 120).all() and 50 <= d.tenure.mean() <= 70 and 40 <= d.tenure.quantile(0.5) <= 80 and 10 <= d.charges.std() <= 50 and d.plan.isin(['basic','plus','pro']).all() and d.churned.isna().mean() <= 0.01
    times.append(time.perf_counter() - t)
    del d
times = sorted(times[1:])
print(times[len(times) // 2], ok, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
`);
    try {
      const out = execFileSync('/usr/bin/python3', [script, file], { encoding: 'utf8' }).trim().split(' ');
      const pandasMs = Number(out[0]) * 1000;
      const pandasRssMb = Number(out[2]);
      results.push(
        { name: 'pandas read_csv + the same checks (baseline)', ms: pandasMs },
        { name: 'pandas peak memory (RSS, the file loaded whole)', value: pandasRssMb, unit: 'MB' },
        { name: 'mlci data checks / pandas', ratio: ms / pandasMs, goal: 0.5 },
        { name: 'mlci data checks peak memory / pandas', ratio: rssMb / pandasRssMb },
        { name: 'mlci data checks in 2 parts on workers / pandas', ratio: partsMs / pandasMs },
      );
    } catch {
      results.push({ name: 'pandas baseline', note: 'skipped: /usr/bin/python3 with pandas is not installed (apt install python3-pandas)' });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
