/**
 * `mlci sweep --executor slurm` on the REAL one-node cluster: each swept
 * stage is ONE array job (`--array=0-N%jobs`), a task per combination, each
 * combination's record naming its task and holding its own log and metrics;
 * Ctrl+C cancels every task of the arrays.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunRecord } from '../../src/core/run/record';
import { copyExample, records, requireCluster, runCli, slurmEnv, startCli, tempDir, until, writePipeline } from './cluster';

/** Every job (and array task) Slurm still has whose name starts with `mlci:<id>:`. */
function jobsNamed(id: string): { key: string; state: string; name: string }[] {
  const out = execFileSync('squeue', ['-h', '-r', '-t', 'all', '-O', 'JobID:|,ArrayJobID:|,ArrayTaskID:|,State:|,Name:|'], { env: slurmEnv(), encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => {
    const [jobId, arrayId, task, state, name] = l.split('|').map((s) => s.trim());
    return { key: task && task !== 'N/A' ? `${arrayId}_${task}` : jobId!, state: state!, name: name! };
  }).filter((j) => j.name.startsWith(`mlci:${id}:`));
}

/** The sweep's id from its first combination's record (tag `sweep:<id>`), once one is written. */
function sweepIdOf(dir: string): string | undefined {
  const runs = path.join(dir, '.mlci', 'runs');
  for (const id of existsSync(runs) ? readdirSync(runs) : []) {
    try {
      const r = JSON.parse(readFileSync(path.join(runs, id, 'run.json'), 'utf8')) as RunRecord;
      const tag = r.tags?.find((t) => t.startsWith('sweep:'));
      if (tag) return tag.slice('sweep:'.length);
    } catch {
      // Not written yet.
    }
  }
  return undefined;
}

const combos = (dir: string): RunRecord[] => records(dir).filter((r) => r.tags?.some((t) => t.startsWith('sweep:')) && r.overrides);

describe('slurm executor: a sweep as one array job per stage', function () {
  this.timeout(300_000);
  before(function () {
    requireCluster(this);
  });

  it('runs each swept stage of 3 combinations as one array of 3 tasks, 2 at once, with the metrics of a local sweep', () => {
    const onSlurm = copyExample();
    const local = copyExample();
    const grid = ['--grid', 'lr=0.5,0.1,0.05', '--jobs', '2'];
    const s = runCli(onSlurm, ['sweep', '--executor', 'slurm', ...grid]);
    assert.equal(s.status, 0, s.stdout + s.stderr);
    const l = runCli(local, ['sweep', '--executor', 'local', ...grid]);
    assert.equal(l.status, 0, l.stdout + l.stderr);
    const runs = combos(onSlurm).sort((a, b) => a.name!.localeCompare(b.name!));
    const localRuns = combos(local).sort((a, b) => a.name!.localeCompare(b.name!));
    assert.equal(runs.length, 3);
    assert.deepEqual(runs.map((r) => r.metrics), localRuns.map((r) => r.metrics));
    for (const stage of ['train', 'evaluate']) {
      const keys = runs.map((r) => r.stages.find((st) => st.name === stage)!.job?.id ?? '');
      for (const k of keys) assert.match(k, /^\d+_\d$/, `${stage}: ${keys.join(' ')}`);
      // One array per stage, task i for combination i.
      assert.equal(new Set(keys.map((k) => k.split('_')[0])).size, 1, `${stage}: ${keys.join(' ')}`);
      assert.deepEqual(keys.map((k) => k.split('_')[1]), ['0', '1', '2']);
      for (const r of runs) assert.equal(r.stages.find((st) => st.name === stage)!.job!.state, 'COMPLETED');
      // --jobs 2 is the array's throttle (%2).
      const shown = execFileSync('scontrol', ['show', 'job', keys[0]!.split('_')[0]!], { env: slurmEnv(), encoding: 'utf8' });
      assert.match(shown, /ArrayTaskThrottle=2/);
    }
    // Each combination's log is its own task's output.
    runs.forEach((r, i) => {
      const log = readFileSync(path.join(onSlurm, '.mlci', 'runs', r.id, 'logs', 'train.log'), 'utf8');
      assert.match(log, new RegExp(`params: lr=${['0.5', '0.1', '0.05'][i]} `), log);
    });
    assert.equal(existsSync(path.join(onSlurm, '.mlci', 'slurm')), false, 'the sweep\'s job files are removed');
    const sweepId = /sweep (\S+): 3 combinations/.exec(s.stdout)![1]!;
    assert.deepEqual(jobsNamed(sweepId).filter((j) => j.state === 'PENDING' || j.state === 'RUNNING'), []);
  });

  it('Ctrl+C cancels every task of the sweep\'s arrays, running and waiting', async () => {
    const dir = tempDir('sweep-cancel');
    writePipeline(dir, `version: 1
params: params.yaml
defaults: { image: python:3.12-slim }
stages:
  train:
    run: echo training; sleep 120
    params: [lr]
  report:
    needs: [train]
    run: echo report
    params: [lr]
`);
    writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.1\n');
    const child = startCli(dir, ['sweep', '--executor', 'slurm', '--grid', 'lr=0.1,0.2,0.3', '--jobs', '1']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    try {
      const sweepId = await until('the sweep to start', () => sweepIdOf(dir));
      await until('a task running', () => jobsNamed(sweepId).some((j) => j.state === 'RUNNING'), 120_000);
      // %1: one task runs, the others wait in the same array.
      const train = jobsNamed(sweepId).filter((j) => j.name.endsWith(':train'));
      assert.equal(train.filter((j) => j.state === 'RUNNING').length, 1, JSON.stringify(train));
      assert.equal(new Set(train.map((j) => j.key.split('_')[0])).size, 1, JSON.stringify(train));
      child.kill('SIGINT');
      assert.equal(await exited, 130, out);
      const live = await until('no live task', () => {
        const l = jobsNamed(sweepId).filter((j) => j.state === 'PENDING' || j.state === 'RUNNING');
        return l.length ? undefined : l;
      }, 30_000);
      assert.deepEqual(live, []);
      assert.ok(jobsNamed(sweepId).every((j) => j.state === 'CANCELLED'), JSON.stringify(jobsNamed(sweepId)));
      assert.equal(existsSync(path.join(dir, '.mlci', 'slurm')), false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
