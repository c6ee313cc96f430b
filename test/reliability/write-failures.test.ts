/**
 * Write failures (issue 11, point 4), with the bundled CLI as a process on
 * real file systems: mlci.lock replaced by a directory mid-run or before
 * it, a full disk (a real 2 MB tmpfs), a directory at the hash cache's
 * path, a corrupt lock file. Each time: a clear message naming the file and
 * what to do, the run summary printed, the record finalised, never a stack
 * trace or an internal error.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probe } from './figures';
import { buildCli, crashed, mlci, removeWorkspace, runRecords, workspace } from './helpers';

const PIPELINE = (run: string) => `version: 1
defaults: { image: busybox }
stages:
  make:
    run: ${run}
    outs: [out.txt]
`;

describe('reliability: write failures are reported and the record finalised (process)', function () {
  this.timeout(120_000);
  before(buildCli);
  const dirs: string[] = [];
  after(() => dirs.forEach(removeWorkspace));
  const ws = (files: Record<string, string>) => {
    const d = workspace('write', files);
    dirs.push(d);
    return d;
  };

  it('mlci.lock turned into a directory during the run: summary printed, exit 3, the record names the file and is finalised', async () => {
    const dir = ws({ 'mlci.yaml': PIPELINE('[echo made > out.txt, rm -f mlci.lock, mkdir mlci.lock]') });
    await probe('mlci.lock becomes a directory mid-run', async () => {
      const r = await mlci(['run', '--executor', 'local'], dir);
      const crash = crashed(r);
      if (crash) return { how: 'crash', detail: crash };
      assert.equal(r.code, 3, r.out + r.err);
      assert.match(r.out, /run \S+: passed in .* \(1 passed\)/, 'the summary is printed');
      assert.match(r.err, /could not write mlci\.lock: a directory is in the way of the file .*mlci\.lock: remove or rename that directory/);
      const [record] = runRecords(dir);
      if (!record || record.status === 'running') return { how: 'corrupt', detail: `record left ${record?.status}` };
      assert.equal(record.status, 'passed');
      assert.match(record.errors?.[0] ?? '', /mlci\.lock/);
      return undefined;
    });
  });

  it('mlci.lock a directory before the run, or corrupt: exit 3 with advice from run and status, nothing run', async () => {
    const dir = ws({ 'mlci.yaml': PIPELINE('echo made > out.txt') });
    mkdirSync(path.join(dir, 'mlci.lock'));
    await probe('mlci.lock is a directory', async () => {
      const r = await mlci(['run', '--executor', 'local'], dir);
      const crash = crashed(r);
      if (crash) return { how: 'crash', detail: crash };
      assert.equal(r.code, 3, r.err);
      assert.match(r.err, /^mlci run: cannot use the lock file: a directory is in the way of the file .*mlci\.lock: remove or rename that directory \[EISDIR\]$/m);
      assert.doesNotMatch(r.err, /unexpected|internal/);
      return undefined;
    });
    rmdirSync(path.join(dir, 'mlci.lock'));
    writeFileSync(path.join(dir, 'mlci.lock'), '<<<<<<< HEAD\nstages: [\n');
    for (const cmd of ['run', 'status']) {
      await probe(`corrupt mlci.lock (${cmd})`, async () => {
        const r = await mlci([cmd, '--executor', 'local'], dir);
        const crash = crashed(r);
        if (crash) return { how: 'crash', detail: crash };
        assert.equal(r.code, 3, r.err);
        assert.match(r.err, new RegExp(`^mlci ${cmd}: .*mlci\\.lock is not valid YAML .*: fix it \\(a merge conflict\\?\\), or delete it to recompute every stage$`, 'm'));
        return undefined;
      });
    }
    assert.equal(runRecords(dir).filter((r) => r.status === 'running').length, 0);
  });

  it('a directory at .mlci/state/hashes.json: the run passes and a warning names the cache and what to do', async () => {
    const dir = ws({ 'mlci.yaml': PIPELINE('cat data.txt > out.txt').replace('outs:', 'deps: [data.txt]\n    outs:'), 'data.txt': 'x\n' });
    // Old enough to be cached (files written within the last second are not: racy git).
    const past = new Date(Date.now() - 3600_000);
    utimesSync(path.join(dir, 'data.txt'), past, past);
    mkdirSync(path.join(dir, '.mlci/state/hashes.json'), { recursive: true });
    await probe('hashes.json is a directory', async () => {
      const r = await mlci(['run', '--executor', 'local'], dir);
      const crash = crashed(r);
      if (crash) return { how: 'crash', detail: crash };
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /could not save the hash cache \(the next run re-hashes its files\): a directory is in the way of the file .*hashes\.json: remove or rename that directory/);
      const st = await mlci(['status', '--executor', 'local'], dir);
      assert.equal(st.code, 0, st.err);
      assert.match(st.err, /warning: could not save the hash cache/);
      return undefined;
    });
  });

  it('runs / exp list: an unreadable run.json is named on stderr, a run whose process was killed reads cancelled, not running', async () => {
    const dir = ws({ 'mlci.yaml': PIPELINE('echo made > out.txt') });
    const first = await mlci(['run', '--executor', 'local'], dir);
    assert.equal(first.code, 0, first.err);
    const [record] = runRecords(dir);
    const file = path.join(dir, '.mlci/runs', record!.id, 'run.json');
    const killed = JSON.parse(readFileSync(file, 'utf8'));
    killed.status = 'running';
    delete killed.finishedAt;
    killed.owner = { pid: 999_999_999, host: os.hostname() };
    writeFileSync(file, JSON.stringify(killed));
    mkdirSync(path.join(dir, '.mlci/runs/20200101-000000-dead'));
    writeFileSync(path.join(dir, '.mlci/runs/20200101-000000-dead/run.json'), '{"version": 1, "id": ');
    for (const args of [['runs'], ['exp', 'list', '--all']]) {
      await probe(`mlci ${args.join(' ')} with an unreadable and a killed run`, async () => {
        const r = await mlci(args, dir);
        const crash = crashed(r);
        if (crash) return { how: 'crash', detail: crash };
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /^mlci: skipped run 20200101-000000-dead: corrupt run record .*run\.json/m);
        assert.doesNotMatch(r.out, /\brunning\b/);
        assert.match(r.out, /cancelled/);
        return undefined;
      });
    }
  });

  it('the run store unwritable (.mlci/runs is a file): exit 3 naming it, nothing run', async () => {
    const dir = ws({ 'mlci.yaml': PIPELINE('echo made > out.txt') });
    mkdirSync(path.join(dir, '.mlci'));
    writeFileSync(path.join(dir, '.mlci/runs'), 'not a folder');
    await probe('.mlci/runs is a file', async () => {
      const r = await mlci(['run', '--executor', 'local'], dir);
      const crash = crashed(r);
      if (crash) return { how: 'crash', detail: crash };
      assert.equal(r.code, 3, r.err);
      assert.match(r.err, /cannot record the run, so nothing was run: .*runs/);
      return undefined;
    });
  });

  it('a full disk (a real 2 MB tmpfs filled by the stage): summary, exit 3, "disk is full" advice; after freeing space the run is not left running', async function () {
    const mnt = mkdtempSync(path.join(os.tmpdir(), 'mlci-rel-full-'));
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mount.status !== 0) {
      rmSync(mnt, { recursive: true, force: true });
      if (process.env.CI === 'true') throw new Error(`cannot mount a tmpfs for the full-disk probe: ${mount.stderr}`);
      this.skip();
    }
    try {
      writeFileSync(path.join(mnt, 'mlci.yaml'), PIPELINE('[echo made > out.txt, "dd if=/dev/zero of=fill bs=64k 2>/dev/null || true"]'));
      await probe('disk full during the run', async () => {
        const r = await mlci(['run', '--executor', 'local'], mnt);
        const crash = crashed(r);
        if (crash) return { how: 'crash', detail: crash };
        assert.equal(r.code, 3, r.out + r.err);
        assert.match(r.out, /run \S+: passed/);
        assert.match(r.err, /the disk holding .* is full: free some space, then run again/);
        rmSync(path.join(mnt, 'fill'));
        const runs = await mlci(['runs'], mnt);
        assert.equal(runs.code, 0, runs.err);
        assert.doesNotMatch(runs.out, /running/);
        const [record] = runRecords(mnt);
        if (!record || record.status === 'running') return { how: 'corrupt', detail: `record left ${record?.status}` };
        return undefined;
      });
    } finally {
      execFileSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});
