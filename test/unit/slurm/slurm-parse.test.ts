/**
 * The Slurm adapter's pure parts: squeue lines (as Slurm 22.05 prints them
 * for `-h -r -t all -O ...:|`, captured from the test cluster), job states
 * to stage outcomes, and resources to sbatch options.
 */
import { strict as assert } from 'node:assert';
import { batchScript, jobName, parseJobName, resourceArgs, slurmTime } from '../../../src/adapters/slurm/job-script';
import { outcomeOf } from '../../../src/adapters/slurm/slurm-runner';
import { exitCodeOf, parseSqueue } from '../../../src/adapters/slurm/squeue';
import type { StageSpec } from '../../../src/core/ports';

// JobID|ArrayJobID|ArrayTaskID|State|Reason|NodeList|exit_code|SubmitTime|StartTime|EndTime|Partition|Name|Comment|
const LINES = [
  '1|1|N/A|FAILED|NonZeroExitCode|vm|768|2026-12-04T04:50:48|2026-12-04T04:50:48|2026-12-04T04:50:49|debug|mlci:r1:bad|mlci run=r1 stage=bad owner=vm/42/abc:1|',
  '6|6|1|PENDING|JobArrayTaskLimit||0|2026-12-04T04:51:34|N/A|N/A|debug|mlci:r2:train|mlci run=r2 a|b|',
  '7|6|0|RUNNING|None|vm|0|2026-12-04T04:51:34|2026-12-04T04:51:35|2027-12-04T04:51:35|debug|mlci:r2:train||',
].join('\n');

const spec = (over: Partial<StageSpec> = {}): StageSpec => ({ runId: 'r', stage: 's', image: 'python:3.12-slim', commands: ['echo hi'], workspace: '/w', workdir: '.', env: {}, network: 'none', ...over });

describe('slurm: squeue lines and job states', () => {
  it('reads jobs and array tasks with keys scancel takes', () => {
    const jobs = parseSqueue(LINES);
    assert.deepEqual(jobs.map((j) => j.key), ['1', '6_1', '6_0']);
    assert.equal(jobs[0]!.state, 'FAILED');
    assert.equal(jobs[0]!.exitStatus, 768);
    assert.equal(jobs[0]!.comment, 'mlci run=r1 stage=bad owner=vm/42/abc:1');
    assert.equal(jobs[1]!.comment, 'mlci run=r2 a|b', 'a | inside the comment (the last field) is kept');
    assert.equal(jobs[1]!.reason, 'JobArrayTaskLimit');
    assert.equal(jobs[1]!.startTime, undefined, 'a pending job has no start');
    assert.equal(jobs[2]!.reason, '');
    assert.equal(jobs[2]!.endTime, undefined, 'a running job has only its expected end');
    assert.equal(jobs[2]!.node, 'vm');
  });

  it('turns wait statuses into shell exit codes', () => {
    assert.equal(exitCodeOf(768), 3);
    assert.equal(exitCodeOf(9), 137);
    assert.equal(exitCodeOf(0), 0);
  });

  it('maps end states to outcomes with the reason', () => {
    const [failed] = parseSqueue(LINES);
    assert.deepEqual(outcomeOf(failed!), { kind: 'exited', exitCode: 3 });
    assert.deepEqual(outcomeOf({ ...failed!, state: 'COMPLETED', exitStatus: 0 }), { kind: 'exited', exitCode: 0 });
    assert.deepEqual(outcomeOf({ ...failed!, state: 'TIMEOUT', reason: 'TimeLimit' }), { kind: 'timeout' });
    assert.equal(outcomeOf({ ...failed!, state: 'OUT_OF_MEMORY', exitStatus: 0 }).kind, 'oom');
    for (const [state, words] of [['NODE_FAIL', /node vm failed/], ['PREEMPTED', /preempted/], ['CANCELLED', /cancelled outside mlci/], ['BOOT_FAIL', /did not boot/]] as const) {
      const o = outcomeOf({ ...failed!, state, reason: 'Why' });
      assert.equal(o.kind, 'error', state);
      assert.match((o as { message: string }).message, words);
      assert.match((o as { message: string }).message, /\(Why\)/);
    }
  });
});

describe('slurm: stages as sbatch options and scripts', () => {
  it('maps resources and slurm: options, extra last', () => {
    assert.deepEqual(resourceArgs(spec({ cpus: 1.5, memoryBytes: 1024 ** 3, timeoutMs: 90 * 60_000 + 1, gpus: 2, slurm: { partition: 'gpu', account: 'lab', qos: 'hi', constraint: 'a100', extra: ['--exclusive'] } })), [
      '--cpus-per-task=2', '--mem=1024M', '--time=1:30:01', '--gres=gpu:2', '--partition=gpu', '--account=lab', '--qos=hi', '--constraint=a100', '--exclusive',
    ]);
    assert.deepEqual(resourceArgs(spec({ gpus: ['0', '1', '2'] })), ['--gres=gpu:3']);
    assert.deepEqual(resourceArgs(spec()), []);
    assert.equal(slurmTime(1000), '0:00:01');
  });

  it('names jobs so a run and stage are found again', () => {
    assert.equal(jobName('20261204-1', 'train@lr=0.1'), 'mlci:20261204-1:train@lr=0.1');
    assert.deepEqual(parseJobName('mlci:20261204-1:a b'), { runId: '20261204-1', stage: 'a b' });
    assert.equal(parseJobName('wrap'), undefined);
    assert.equal(jobName('r', 'a:b|c'), 'mlci:r:a_b_c');
  });

  it('host scripts cd and run the stage script; docker scripts remove their container on scancel', () => {
    const host = batchScript(spec({ commands: ['echo a', 'false'] }), 'host', "/w/it's");
    assert.match(host, /^#!\/bin\/sh\ncd '\/w\/it'\\''s' \|\| exit 1\nset -e\necho a\n/);
    const docker = batchScript(spec({ env: { A: 'secret-value' }, user: '1:1' }), 'docker', '/w');
    assert.match(docker, /trap 'docker rm -f "\$name"/);
    assert.match(docker, /-e 'A'/);
    assert.doesNotMatch(docker, /secret-value/, 'env values travel in the job environment, not the script');
    assert.match(docker, /'python:3.12-slim' sh -c/);
  });
});
