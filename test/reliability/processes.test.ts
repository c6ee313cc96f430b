/**
 * Runaway and dead processes (issue 11, point 6) with the bundled CLI and
 * the local executor, real processes and signals:
 * - a stage left running by a SIGKILLed CLI is found and killed by the next
 *   run (before, it ran on and overwrote an output later);
 * - Ctrl+C kills the stage's whole process group, background jobs included;
 * - a catastrophic regex in a data check neither blocks nor ignores Ctrl+C;
 * - concurrent runs are refused while one lives;
 * - kill cycles: SIGKILL at random moments, then a run: no corrupt record,
 *   no record left 'running', no stray process, the lock free.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { figures, probe, scale } from './figures';
import { alive, buildCli, cli, crashed, mlci, removeWorkspace, runRecords, waitFor, workspace } from './helpers';

const LONG = `version: 1
defaults: { image: busybox }
stages:
  long:
    run: ["echo $$ > stage.pid", "sleep 300 & echo $! > bg.pid", "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do echo tick >> out.txt; sleep 1; done"]
    outs: [out.txt]
  quick:
    run: echo quick > quick.txt
    outs: [quick.txt]
`;

function startRun(dir: string, args: string[] = []) {
  const child = spawn(process.execPath, [cli, 'run', '--executor', 'local', ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
  return { child, done };
}

const pidIn = (dir: string, file: string) => Number(readFileSync(path.join(dir, file), 'utf8').trim());

describe('reliability: runaway and dead processes (local executor, process)', function () {
  this.timeout(300_000);
  before(buildCli);
  const dirs: string[] = [];
  const pids: number[] = [];
  after(() => {
    for (const p of pids) {
      try {
        process.kill(-p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    dirs.forEach(removeWorkspace);
  });
  const ws = (files: Record<string, string>) => {
    const d = workspace('proc', files);
    dirs.push(d);
    return d;
  };

  it('a stage left running by a SIGKILLed CLI is killed (its whole group) by the next run, and the old run reads cancelled', async () => {
    const dir = ws({ 'mlci.yaml': LONG });
    await probe('SIGKILL the CLI mid-stage, then run again', async () => {
      const { child, done } = startRun(dir, ['long']);
      assert.ok(await waitFor(() => existsSync(path.join(dir, 'bg.pid')) && existsSync(path.join(dir, 'out.txt')), 30_000), 'the stage started');
      const stagePid = pidIn(dir, 'stage.pid');
      const bgPid = pidIn(dir, 'bg.pid');
      pids.push(stagePid);
      child.kill('SIGKILL');
      await done;
      assert.ok(alive(stagePid), 'the stage outlives the killed CLI (its own process group)');
      const next = await mlci(['run', '--executor', 'local', 'quick'], dir);
      const crash = crashed(next);
      if (crash) return { how: 'crash', detail: crash };
      assert.equal(next.code, 0, next.out + next.err);
      assert.match(next.err, /stopped 1 stage process group left running by an mlci process that was killed/);
      if (!(await waitFor(() => !alive(stagePid) && !alive(bgPid), 5000))) return { how: 'leak', detail: `stage ${stagePid} or its background job ${bgPid} still alive` };
      const size = readFileSync(path.join(dir, 'out.txt'), 'utf8').length;
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(readFileSync(path.join(dir, 'out.txt'), 'utf8').length, size, 'nothing writes the output any more');
      const records = runRecords(dir);
      const killed = records.find((r) => r.stages.some((s) => s.name === 'long'));
      if (!killed || killed.status === 'running') return { how: 'corrupt', detail: `killed run reads ${killed?.status}` };
      assert.equal(killed.status, 'cancelled');
      return undefined;
    });
  });

  it('Ctrl+C kills the stage\'s whole process group, background jobs included (exit 130)', async () => {
    const dir = ws({ 'mlci.yaml': LONG });
    await probe('SIGINT mid-stage', async () => {
      const { child, done } = startRun(dir, ['long']);
      assert.ok(await waitFor(() => existsSync(path.join(dir, 'bg.pid')), 30_000));
      const bgPid = pidIn(dir, 'bg.pid');
      pids.push(bgPid);
      const t0 = Date.now();
      child.kill('SIGINT');
      const r = await done;
      assert.equal(r.code, 130, r.err);
      assert.ok(Date.now() - t0 < 10_000);
      if (!(await waitFor(() => !alive(bgPid), 3000))) return { how: 'leak', detail: `background job ${bgPid} survived Ctrl+C` };
      return undefined;
    });
  });

  it('a catastrophic regex (^(a+)+$ on 34 a\'s and !) in a data check finishes (no block) with a failed check', async () => {
    const dir = ws({
      'mlci.yaml': 'version: 1\nstages:\n  check:\n    kind: data\n    deps: [v.csv]\n    expect:\n      file: v.csv\n      columns:\n        v: { regex: "^(a+)+$" }\n',
      'v.csv': `v\n${'a'.repeat(34)}!\n${'a'.repeat(40)}!\n`,
    });
    await probe('catastrophic regex', async () => {
      const r = await mlci(['run', '--executor', 'local'], dir, { hangMs: 60_000 });
      if (r.hung) return { how: 'hang', detail: 'mlci run did not finish in 60 s' };
      const crash = crashed(r);
      if (crash) return { how: 'crash', detail: crash };
      assert.equal(r.code, 1, r.out + r.err);
      assert.match(r.out, /check: failed: data checks failed/);
      return undefined;
    });
  });

  it('concurrent runs are refused while one lives (exit 3, naming it), then the lock is free', async () => {
    const dir = ws({ 'mlci.yaml': LONG });
    const { child, done } = startRun(dir, ['long']);
    assert.ok(await waitFor(() => existsSync(path.join(dir, 'stage.pid')), 30_000));
    const n = scale(4, 20);
    const others = await Promise.all(Array.from({ length: n }, () => mlci(['run', '--executor', 'local', 'quick'], dir)));
    for (const r of others) {
      await probe('a concurrent run', () => {
        const crash = crashed(r);
        if (crash) return { how: 'crash', detail: crash };
        if (r.code !== 3 || !/another mlci run is in progress .*\(run \S+, mlci run, pid \d+/.test(r.err)) return { how: 'other', detail: `exit ${r.code}: ${r.err.trim()}` };
        return undefined;
      });
    }
    child.kill('SIGINT');
    await done;
    const after = await mlci(['run', '--executor', 'local', 'quick'], dir);
    assert.equal(after.code, 0, after.err);
  });

  it('kill cycles: SIGKILL at random moments, then a run: records intact, none left running, no stray process, lock free', async () => {
    const dir = ws({ 'mlci.yaml': LONG.replace('1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30', '1 2 3') });
    const cycles = scale(2, 30);
    for (let i = 0; i < cycles; i++) {
      writeFileSync(path.join(dir, 'cycle.txt'), String(i));
      await probe(`kill cycle ${i}`, async () => {
        const { child, done } = startRun(dir, ['--force']);
        await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 2500)));
        const stagePid = existsSync(path.join(dir, 'stage.pid')) ? pidIn(dir, 'stage.pid') : undefined;
        child.kill('SIGKILL');
        await done;
        const next = await mlci(['run', '--executor', 'local', 'quick'], dir);
        const crash = crashed(next);
        if (crash) return { how: 'crash', detail: crash };
        if (next.code !== 0) return { how: 'other', detail: `next run exit ${next.code}: ${next.err.trim()}` };
        let records;
        try {
          records = runRecords(dir);
        } catch (e) {
          return { how: 'corrupt', detail: (e as Error).message };
        }
        const running = records.filter((r) => r.status === 'running');
        if (running.length) return { how: 'corrupt', detail: `${running.length} record(s) left running` };
        if (stagePid !== undefined && !(await waitFor(() => !alive(stagePid), 3000))) return { how: 'leak', detail: `stage ${stagePid} survived` };
        return undefined;
      });
      try {
        const { rmSync } = await import('node:fs');
        rmSync(path.join(dir, 'stage.pid'), { force: true });
        rmSync(path.join(dir, 'bg.pid'), { force: true });
      } catch {
        // nothing
      }
    }
    assert.equal(figures.lost.filter((l) => l.probe.startsWith('kill cycle')).length, 0);
  });
});
