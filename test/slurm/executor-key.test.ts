/**
 * `executor:` in the pipeline file and `slurm: { runtime: docker }`, on the
 * REAL one-node Slurm cluster and the REAL Docker engine (DOCKER_HOST): one
 * pipeline whose stages run in a container here, as a batch job, and as host
 * processes; and a batch job that runs its stage in `docker run` on the node.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobsOf, records, requireCluster, runCli, slurmEnv, tempDir, writePipeline } from './cluster';

/** Skips (fails under CI=true) without a Docker engine answering at DOCKER_HOST. */
function requireDocker(ctx: Mocha.Context): void {
  const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { env: slurmEnv(), encoding: 'utf8', timeout: 20_000 });
  if (r.status === 0) return;
  const msg = `Docker engine not available (${(r.stderr || r.error?.message || '').trim()}); set DOCKER_HOST (eval "$(bash scripts/ci/docker-up.sh)")`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.log(`      skipped: ${msg}`);
  ctx.skip();
}

describe('slurm executor: executor: per stage, and docker run on the node', function () {
  this.timeout(300_000);
  before(function () {
    requireCluster(this);
    requireDocker(this);
  });

  it('runs each stage where its executor: says (docker here, a Slurm job, host processes); a second run is up to date', () => {
    const dir = tempDir('executor-key');
    writePipeline(dir, `version: 1
defaults: { image: python:3.12-slim, executor: docker }
stages:
  prep:
    run: python -c "import socket; print(socket.gethostname())" > where-prep.txt
    outs: [where-prep.txt]
  train:
    needs: [prep]
    executor: slurm
    run: echo "job $SLURM_JOB_ID" > where-train.txt
    deps: [where-prep.txt]
    outs: [where-train.txt]
  report:
    needs: [train]
    executor: local
    run: cat where-prep.txt where-train.txt > report.txt
    deps: [where-train.txt]
    outs: [report.txt]
`);
    // --executor local is the run's executor; each stage's own executor: wins.
    const r = runCli(dir, ['run', '--executor', 'local']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const [rec] = records(dir);
    assert.equal(rec!.executor, 'local');
    const st = (n: string) => rec!.stages.find((s) => s.name === n)!;
    assert.equal(st('prep').executor, 'docker');
    assert.equal(st('prep').job, undefined);
    // In a container: its own hostname, not this machine's.
    const prepHost = readFileSync(path.join(dir, 'where-prep.txt'), 'utf8').trim();
    assert.ok(prepHost && prepHost !== os.hostname(), prepHost);
    assert.equal(st('train').executor, 'slurm');
    assert.match(st('train').job?.id ?? '', /^\d+$/);
    assert.equal(st('train').job!.state, 'COMPLETED');
    assert.equal(readFileSync(path.join(dir, 'where-train.txt'), 'utf8').trim(), `job ${st('train').job!.id}`);
    assert.equal(st('report').executor, undefined, 'the run\'s own executor is not repeated');
    assert.equal(st('report').job, undefined);
    assert.equal(readFileSync(path.join(dir, 'report.txt'), 'utf8'), `${prepHost}\njob ${st('train').job!.id}\n`);
    // Only train became a job.
    assert.deepEqual(jobsOf(rec!.id).map((j) => j.name), [`mlci:${rec!.id}:train`]);
    assert.equal(existsSync(path.join(dir, '.mlci', 'slurm')), false);

    const again = runCli(dir, ['run', '--executor', 'local']);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /\(3 up to date\)/);
    const status = runCli(dir, ['status', '--executor', 'local']);
    assert.equal(status.status, 0, status.stdout + status.stderr);
    assert.doesNotMatch(status.stdout, /stale/, status.stdout);
  });

  it('slurm: { runtime: docker }: the job runs the stage in docker run of its image on the node, and removes the container', () => {
    const dir = tempDir('runtime-docker');
    writePipeline(dir, `version: 1
defaults: { image: python:3.12-slim }
stages:
  train:
    executor: slurm
    slurm: { runtime: docker }
    env: { GREETING: from-the-stage }
    run: python -c "import os, socket; print(socket.gethostname(), os.environ['GREETING'])" | tee in-container.txt
    outs: [in-container.txt]
  bad:
    executor: slurm
    slurm: { runtime: docker }
    run: python -c "raise SystemExit(4)"
`);
    const r = runCli(dir, ['run', '--executor', 'local']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const [rec] = records(dir);
    const train = rec!.stages.find((s) => s.name === 'train')!;
    assert.equal(train.status, 'passed', JSON.stringify(train));
    assert.equal(train.job?.state, 'COMPLETED');
    // In a container on the node (its own hostname, not the node's), with the stage's env.
    const [host, greeting] = readFileSync(path.join(dir, 'in-container.txt'), 'utf8').trim().split(' ');
    assert.notEqual(host, train.job!.node);
    assert.notEqual(host, os.hostname());
    assert.equal(greeting, 'from-the-stage');
    assert.match(readFileSync(path.join(dir, '.mlci', 'runs', rec!.id, 'logs', 'train.log'), 'utf8'), new RegExp(`${host} from-the-stage`));
    const bad = rec!.stages.find((s) => s.name === 'bad')!;
    assert.equal(bad.status, 'failed');
    assert.equal(bad.exitCode, 4);
    assert.equal(bad.job?.state, 'FAILED');
    // `docker run --rm`: no container of the run is left on the engine.
    const left = execFileSync('docker', ['ps', '-a', '-q', '--filter', `label=mlci.run=${rec!.id}`], { env: slurmEnv(), encoding: 'utf8' }).trim();
    assert.equal(left, '');
  });
});
