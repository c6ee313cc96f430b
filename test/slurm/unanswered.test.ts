/**
 * When Slurm stops answering while a run follows its jobs, on the REAL
 * one-node cluster: the mlci process gets its own copy of the cluster's
 * slurm.conf, and once the job runs that copy is pointed at a port no
 * controller listens on, so every client command mlci runs from then on
 * (squeue, scancel) really fails the way it does when the controller is
 * down ("Unable to contact slurm controller"); the cluster itself and the
 * job keep going. Also: a run leaves no scratch files in .mlci/slurm.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { jobsOf, records, requireCluster, runCli, slurmEnv, startCli, tempDir, until, writePipeline } from './cluster';

/** The run's id once its folder exists (run.json may not be written yet: records() would throw then). */
function runFolderOf(dir: string): string | undefined {
  const runs = path.join(dir, '.mlci', 'runs');
  return existsSync(runs) ? readdirSync(runs)[0] : undefined;
}

describe('slurm executor: a cluster that stops answering, scratch files', function () {
  this.timeout(300_000);
  before(function () {
    requireCluster(this);
  });

  it('fails the stage with the failing command and its error once squeue has failed for MLCI_SLURM_GIVE_UP_S', async () => {
    const dir = tempDir('unanswered');
    writePipeline(dir, `version: 1
defaults: { image: python:3.12-slim }
stages:
  long:
    run: echo started; sleep 90
`);
    const conf = path.join(dir, 'slurm.conf');
    copyFileSync(slurmEnv().SLURM_CONF!, conf);
    const child = startCli(dir, ['run', '--executor', 'slurm'], { ...slurmEnv(), SLURM_CONF: conf, MLCI_SLURM_GIVE_UP_S: '5' });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    let job: { id: string } | undefined;
    try {
      const runId = await until('the run folder', () => runFolderOf(dir));
      [job] = await until('the job running', () => {
        const j = jobsOf(runId).filter((x) => x.state === 'RUNNING');
        return j.length ? j : undefined;
      }, 120_000);
      // From now on this mlci's Slurm commands reach no controller.
      appendFileSync(conf, '\nSlurmctldPort=6999\n');
      const code = await exited;
      assert.equal(code, 1, out);
      const st = records(dir)[0]!.stages[0]!;
      assert.equal(st.status, 'failed');
      assert.match(st.reason ?? '', /Slurm stopped answering: squeue failed on every poll for \d+ s \(\d+ tries\): `squeue [^`]*` failed \(exit 1\): .*Unable to contact slurm controller/);
      assert.match(st.reason ?? '', new RegExp(`Job ${job!.id} may still be queued or running`));
      assert.equal(st.job?.id, job!.id);
      // The job itself was never touched: the cluster still runs it.
      assert.equal(jobsOf(runId).find((j) => j.id === job!.id)?.state, 'RUNNING');
    } finally {
      child.kill('SIGKILL');
      if (job) execFileSync('scancel', [job.id], { env: slurmEnv() });
    }
    await until('the job cancelled', () => jobsOf(records(dir)[0]!.id).every((j) => j.state === 'CANCELLED'), 30_000);
  });

  it('removes the run\'s job scripts and output files from .mlci/slurm; the output stays in the run log', () => {
    const dir = tempDir('scratch');
    writePipeline(dir, `version: 1
defaults: { image: python:3.12-slim }
stages:
  hello:
    run: echo hello from the node; echo warned >&2
  bad:
    needs: [hello]
    run: echo failing; exit 2
`);
    const r = runCli(dir, ['run', '--executor', 'slurm']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const [rec] = records(dir);
    assert.equal(existsSync(path.join(dir, '.mlci', 'slurm')), false, 'no scratch folder left');
    const logs = path.join(dir, '.mlci', 'runs', rec!.id, 'logs');
    assert.match(readFileSync(path.join(logs, 'hello.log'), 'utf8'), /hello from the node[\s\S]*warned/);
    assert.match(readFileSync(path.join(logs, 'bad.log'), 'utf8'), /failing/);
  });
});
