/**
 * `mlci run --executor slurm` through the bundled CLI (node dist/cli.js)
 * against a REAL one-node Slurm cluster (slurmctld + slurmd from Debian's
 * slurm-wlm, started by scripts/ci/slurm.sh): the example pipeline as batch
 * jobs with the same metrics as host processes, a failing job, a job killed
 * by its time limit, and Ctrl+C leaving no job behind.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { copyExample, jobsOf, records, requireCluster, runCli, startCli, tempDir, until, writePipeline } from './cluster';

describe('slurm executor: stages as batch jobs on a real cluster', function () {
  this.timeout(300_000);
  before(function () {
    requireCluster(this);
  });

  it('runs the example pipeline as jobs, with the metrics host processes give', () => {
    const onSlurm = copyExample();
    const local = copyExample();
    const s = runCli(onSlurm, ['run', '--executor', 'slurm']);
    assert.equal(s.status, 0, s.stdout + s.stderr);
    const l = runCli(local, ['run', '--executor', 'local']);
    assert.equal(l.status, 0, l.stdout + l.stderr);
    const [rs] = records(onSlurm);
    const [rl] = records(local);
    assert.equal(rs!.executor, 'slurm');
    assert.equal(rs!.status, 'passed');
    assert.deepEqual(rs!.metrics, rl!.metrics);
    assert.ok(Object.keys(rs!.metrics).includes('accuracy'));
    // Every command stage is a job with an id, a node and times; built-in stages (data, drift) run in mlci.
    for (const st of rs!.stages) {
      if (st.kind === 'data' || st.kind === 'drift') {
        assert.equal(st.job, undefined, st.name);
        continue;
      }
      assert.match(st.job?.id ?? '', /^\d+$/, `${st.name}: ${JSON.stringify(st.job)}`);
      assert.equal(st.job!.state, 'COMPLETED');
      assert.ok(st.job!.node, st.name);
      assert.equal(typeof st.job!.queuedMs, 'number');
      assert.equal(typeof st.job!.ranMs, 'number');
    }
    const ids = rs!.stages.flatMap((st) => (st.job ? [st.job.id] : []));
    assert.equal(new Set(ids).size, ids.length, 'one job per stage');
    // The job output is in the run log.
    const log = readFileSync(path.join(onSlurm, '.mlci', 'runs', rs!.id, 'logs', 'train.log'), 'utf8');
    assert.match(log, /train metrics: loss/);
    // Where the job ran is said: "running on NODE" when a poll saw it run, or
    // "completed on NODE" when it started and ended between two polls (a
    // second-long job under the watcher's back-off can do that).
    assert.match(s.stdout, new RegExp(`train: job ${rs!.stages.find((st) => st.name === 'train')!.job!.id} (running|completed) on ${rs!.stages.find((st) => st.name === 'train')!.job!.node}`));
    // A second run runs nothing: every stage is up to date, and the jobs it submitted with the plan are withdrawn.
    const again = runCli(onSlurm, ['run', '--executor', 'slurm']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /\(5 up to date\)/);
    const second = records(onSlurm)[1]!;
    assert.deepEqual(jobsOf(second.id).map((j) => j.state), ['CANCELLED', 'CANCELLED', 'CANCELLED']);
    // Only evaluate reads threshold: its job runs although train's job (its dependency) never does.
    const params = path.join(onSlurm, 'params.yaml');
    writeFileSync(params, readFileSync(params, 'utf8').replace(/^threshold: .*$/m, 'threshold: 0.4'));
    const third = runCli(onSlurm, ['run', '--executor', 'slurm']);
    assert.equal(third.status, 0, third.stdout + third.stderr);
    const r3 = records(onSlurm)[2]!;
    assert.deepEqual(r3.stages.map((st) => `${st.name}:${st.status}`), ['unit-tests:cached', 'validate-data:cached', 'train:cached', 'evaluate:passed', 'drift:cached']);
    assert.equal(r3.stages.find((st) => st.name === 'evaluate')!.job?.state, 'COMPLETED');
  });

  it('a failing job fails its stage with the exit code and skips what needs it', () => {
    const dir = tempDir('fail');
    writePipeline(dir, `version: 1
defaults: { image: python:3.12-slim }
stages:
  bad:
    run: echo going down; echo on stderr >&2; exit 3
  after:
    needs: [bad]
    run: echo never
`);
    const r = runCli(dir, ['run', '--executor', 'slurm']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const [rec] = records(dir);
    const bad = rec!.stages.find((s) => s.name === 'bad')!;
    assert.equal(bad.status, 'failed');
    assert.equal(bad.exitCode, 3);
    assert.equal(bad.job?.state, 'FAILED');
    assert.match(bad.reason ?? '', /exited with code 3/);
    assert.equal(rec!.stages.find((s) => s.name === 'after')!.status, 'skipped');
    const log = readFileSync(path.join(dir, '.mlci', 'runs', rec!.id, 'logs', 'bad.log'), 'utf8');
    assert.match(log, /going down/);
    assert.match(log, /on stderr/);
    assert.deepEqual(jobsOf(rec!.id).filter((j) => j.state === 'PENDING' || j.state === 'RUNNING'), []);
  });

  it('submits the whole DAG at once; Ctrl+C scancels the running job and the ones waiting on it', async () => {
    const dir = tempDir('cancel');
    writePipeline(dir, `version: 1
defaults: { image: python:3.12-slim }
stages:
  long:
    run: echo started; sleep 120
    outs: [never.txt]
  after:
    needs: [long]
    run: touch after.txt
    outs: [after.txt]
`);
    const child = startCli(dir, ['run', '--executor', 'slurm']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const runId = await until('the run record', () => records(dir)[0]?.id);
    await until('the job running', () => jobsOf(runId).some((j) => j.state === 'RUNNING'), 120_000);
    // The downstream stage is already a job, waiting for the first.
    assert.deepEqual(jobsOf(runId).map((j) => `${j.name}:${j.state}`).sort(), [`mlci:${runId}:after:PENDING`, `mlci:${runId}:long:RUNNING`]);
    const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    child.kill('SIGINT');
    const code = await exited;
    assert.notEqual(code, 0, out);
    const rec = records(dir)[0]!;
    assert.equal(rec.status, 'cancelled', out);
    assert.equal(rec.stages[0]!.status, 'cancelled');
    const live = await until('no live job', () => {
      const l = jobsOf(runId).filter((j) => !['CANCELLED', 'COMPLETED', 'FAILED'].includes(j.state));
      return l.length === 0 ? [] : undefined;
    }, 30_000);
    assert.deepEqual(live, []);
    assert.deepEqual(jobsOf(runId).map((j) => j.state), ['CANCELLED', 'CANCELLED']);
    assert.equal(existsSync(path.join(dir, 'never.txt')), false);
  });

  it('a killed mlci leaves its jobs queued: mlci runs --cancel finds them by name, the next run cancels them too', async () => {
    const start = async (dir: string) => {
      writePipeline(dir, `version: 1
defaults: { image: python:3.12-slim }
stages:
  long:
    run: sleep 120
  after:
    needs: [long]
    run: echo after
`);
      const child = startCli(dir, ['run', '--executor', 'slurm']);
      const runId = await until('the run record', () => records(dir)[0]?.id);
      await until('the job running', () => jobsOf(runId).some((j) => j.state === 'RUNNING'), 120_000);
      const gone = new Promise((r) => child.on('close', r));
      child.kill('SIGKILL');
      await gone;
      assert.equal(jobsOf(runId).filter((j) => j.state === 'RUNNING' || j.state === 'PENDING').length, 2, 'SIGKILL cancels nothing by itself');
      return runId;
    };
    const dir = tempDir('killed');
    const runId = await start(dir);
    const c = runCli(dir, ['runs', '--cancel', runId.slice(0, 15)]);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, new RegExp(`cancelled 2 jobs of run ${runId}`));
    await until('jobs cancelled', () => jobsOf(runId).every((j) => j.state === 'CANCELLED'), 30_000);

    const dir2 = tempDir('killed2');
    const runId2 = await start(dir2);
    const other = tempDir('next');
    writePipeline(other, 'version: 1\ndefaults: { image: python:3.12-slim }\nstages:\n  quick:\n    run: "true"\n');
    const next = runCli(other, ['run', '--executor', 'slurm']);
    assert.equal(next.status, 0, next.stdout + next.stderr);
    await until('the killed run\'s jobs cancelled by the next run', () => jobsOf(runId2).every((j) => j.state === 'CANCELLED'), 30_000);
    const none = runCli(dir, ['runs', '--cancel', runId]);
    assert.match(none.stdout, /has no queued or running job/);
  });

  it('a job over its time limit ends TIMEOUT: the stage times out (Slurm checks limits about once a minute)', () => {
    const dir = tempDir('timeout');
    writePipeline(dir, `version: 1
defaults: { image: python:3.12-slim }
stages:
  slow:
    run: sleep 300
    resources: { timeout: 1s }
`);
    const r = runCli(dir, ['run', '--executor', 'slurm']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const st = records(dir)[0]!.stages[0]!;
    assert.equal(st.status, 'failed');
    assert.equal(st.job?.state, 'TIMEOUT');
    assert.equal(st.outcome?.kind, 'timeout');
    assert.match(st.reason ?? '', /timed out after 1s; raise resources.timeout/);
  });
});
