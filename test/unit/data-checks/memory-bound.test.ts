/**
 * The bound, measured as it ships: `mlci run` (the built dist/cli.js) runs a
 * data stage with 13 checks (types, nulls, uniqueness, bounds, allowed
 * values, mean, std, a median) on a generated CSV of N rows and of 4N rows,
 * each in its own process, and the peak RSS of each process is compared.
 * Held in memory, the 3N extra rows' typed columns alone would take
 * 3N x 36 bytes (four float64 columns and one int32 column of codes); the
 * streamed checks must grow by less than half of that. Nothing is timed.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const N = 500_000;
const MiB = 1024 * 1024;

const PIPELINE = `version: 1
stages:
  check:
    kind: data
    expect:
      file: data.csv
      rows: { min: 1 }
      columns:
        id: { type: integer, unique: true, nulls: 0 }
        tenure: { type: number, min: 0, max: 120, nulls: 0, mean: { min: 50, max: 70 }, quantiles: { "0.5": { min: 40, max: 80 } } }
        charges: { type: number, min: 0, std: { min: 10, max: 50 } }
        plan: { type: category, in: [basic, plus, pro] }
        churned: { type: boolean, null_share: 0.01 }
`;

/** Prints the process's peak RSS (bytes) on stderr as it exits. */
const PRELOAD = `process.on('exit', () => require('node:fs').writeSync(2, '\\nMAXRSS ' + process.resourceUsage().maxRSS * 1024 + '\\n'));\n`;

function writeProject(dir: string, rows: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'mlci.yaml'), PIPELINE);
  let seed = 11;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const plans = ['basic', 'plus', 'pro'];
  const fd = openSync(path.join(dir, 'data.csv'), 'w');
  writeSync(fd, 'id,tenure,charges,plan,churned\n');
  let block: string[] = [];
  for (let i = 0; i < rows; i++) {
    block.push(`${i},${Math.floor(rnd() * 120)},${(10 + rnd() * 100).toFixed(2)},${plans[Math.floor(rnd() * 3)]},${rnd() < 0.3}`);
    if (block.length === 50_000 || i === rows - 1) {
      writeSync(fd, block.join('\n') + '\n');
      block = [];
    }
  }
  closeSync(fd);
}

/** Runs the data stage; its peak RSS in MiB. */
function peakRss(dir: string, preload: string, rows: number): number {
  const r = spawnSync(process.execPath, ['--require', preload, CLI, 'run', 'check', '--executor', 'local', '--force'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, `mlci run failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, new RegExp(`${rows} rows`), r.stdout);
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  assert.ok(m, `no MAXRSS line in stderr:\n${r.stderr}`);
  return Number(m[1]) / MiB;
}

describe('data checks: memory bounded by the chunk, not the file (dist/cli.js)', function () {
  this.timeout(180_000);
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mlci-data-rss-'));
    const b = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it(`a file of 4N rows needs not much more than one of N (N = ${N.toLocaleString('en')})`, () => {
    const preload = path.join(root, 'maxrss.cjs');
    writeFileSync(preload, PRELOAD);
    writeProject(path.join(root, 'n'), N);
    writeProject(path.join(root, 'n4'), 4 * N);
    const small = peakRss(path.join(root, 'n'), preload, N);
    const large = peakRss(path.join(root, 'n4'), preload, 4 * N);
    const heldColumns = (3 * N * 36) / MiB;
    const growth = large - small;
    console.log(`      peak RSS: ${small.toFixed(1)} MiB for ${N} rows, ${large.toFixed(1)} MiB for ${4 * N} rows (+${growth.toFixed(1)} MiB; the extra rows' columns alone: ${heldColumns.toFixed(1)} MiB)`);
    assert.ok(growth < heldColumns / 2, `peak RSS grew by ${growth.toFixed(1)} MiB from ${N} to ${4 * N} rows: not bounded (held, the extra rows' columns alone take ${heldColumns.toFixed(1)} MiB)`);
  });
});
