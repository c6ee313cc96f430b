/** The workspace lock: one run per pipeline folder, a busy message naming the holder, takeover from dead holders. */
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireWorkspaceLock, readWorkspaceLockHolder } from '../../../src/core/run/workspace-lock';
import { deadPid, tempDirs } from './helpers';
import { processStartTime } from '../../../src/core/run/process-identity';

const REPO = path.resolve(__dirname, '../../..');

/** Starts the child that takes the lock and resolves once it says 'locked'. */
function holdInChild(root: string, runId: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, 'hold-lock-child.ts'), root, runId], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('locked\n')) resolve(child);
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`lock child exited (${code}) before locking: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

describe('workspace lock', function () {
  this.timeout(30_000);
  const tmp = tempDirs('mlci-lock-');
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    tmp.cleanup();
  });

  it('records the holder, refuses a second acquisition with a message naming it, and releases', async () => {
    const root = tmp.make();
    const release = await acquireWorkspaceLock(root, { runId: 'run-a', command: 'mlci run' });
    const infoFile = path.join(root, '.mlci', 'run.lock.json');
    const info = JSON.parse(readFileSync(infoFile, 'utf8'));
    assert.equal(info.pid, process.pid);
    assert.equal(info.runId, 'run-a');
    assert.equal(info.command, 'mlci run');
    assert.ok(!Number.isNaN(Date.parse(info.startedAt)));
    assert.ok(existsSync(path.join(root, '.mlci', 'run.lock')));
    assert.ok(readFileSync(path.join(root, '.mlci', '.gitignore'), 'utf8').includes('*'));
    assert.equal((await readWorkspaceLockHolder(root))?.runId, 'run-a');

    await assert.rejects(acquireWorkspaceLock(root, { runId: 'run-b', command: 'mlci run' }), (e: Error) => {
      assert.equal(e.message, `another mlci run is in progress in ${root} (run run-a, mlci run, pid ${process.pid}, started ${info.startedAt}): wait for it, or stop it`);
      return true;
    });
    assert.equal(JSON.parse(readFileSync(infoFile, 'utf8')).runId, 'run-a', 'a refused acquisition leaves the holder info alone');

    await release();
    await release();
    assert.equal(existsSync(infoFile), false);
    assert.equal(existsSync(path.join(root, '.mlci', 'run.lock.lock')), false);
    const again = await acquireWorkspaceLock(root, { runId: 'run-b', command: 'mlci run' });
    await again();
  });

  it('refuses while another process holds it, and takes it over at once when that process is killed', async () => {
    const root = tmp.make();
    const child = await holdInChild(root, 'child-run');
    children.push(child);
    await assert.rejects(acquireWorkspaceLock(root, { runId: 'parent-run', command: 'mlci run' }),
      new RegExp(`another mlci run is in progress in .* \\(run child-run, mlci run \\(test child\\), pid ${child.pid}, started .*\\): wait for it, or stop it`));

    child.kill('SIGKILL');
    await exited(child);
    const start = Date.now();
    const release = await acquireWorkspaceLock(root, { runId: 'parent-run', command: 'mlci run' });
    assert.ok(Date.now() - start < 5_000, 'taken over by the pid check, not after the 10 s staleness');
    assert.equal((await readWorkspaceLockHolder(root))?.pid, process.pid);
    await release();
  });

  it('never takes over from a live holder, however old the lock looks (a blocked event loop stops the mtime refresh)', async () => {
    const root = tmp.make();
    const child = await holdInChild(root, 'child-run');
    children.push(child);
    // What a holder blocked in a long synchronous step looks like: a lock not refreshed for an hour.
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(path.join(root, '.mlci', 'run.lock.lock'), hourAgo, hourAgo);
    await assert.rejects(acquireWorkspaceLock(root, { runId: 'parent-run', command: 'mlci run' }), /another mlci run is in progress .*\(run child-run, /);
    assert.equal((await readWorkspaceLockHolder(root))?.pid, child.pid);
    child.kill('SIGKILL');
    await exited(child);
  });

  it('takes over when the recorded pid now belongs to another process (pid reused: start time differs)', async () => {
    const root = tmp.make();
    const mlci = path.join(root, '.mlci');
    mkdirSync(path.join(mlci, 'run.lock.lock'), { recursive: true });
    const st = statSync(path.join(mlci, 'run.lock.lock'));
    const other = spawn('sleep', ['30']);
    children.push(other);
    await new Promise((r) => other.once('spawn', r));
    writeFileSync(path.join(mlci, 'run.lock.json'), JSON.stringify({ pid: other.pid, host: os.hostname(), start: 'not-its-start-time', runId: 'old', command: 'mlci run', startedAt: '2026-01-01T00:00:00.000Z', lock: `${st.dev}:${st.ino}:${Math.round(st.birthtimeMs)}` }));
    const release = await acquireWorkspaceLock(root, { runId: 'new', command: 'mlci run' });
    const holder = await readWorkspaceLockHolder(root);
    assert.equal(holder?.runId, 'new');
    assert.equal(holder?.start, processStartTime(process.pid));
    await release();
    other.kill('SIGKILL');
  });

  it('names the folder to remove when the holder is on another host (cannot be checked from here)', async () => {
    const root = tmp.make();
    const mlci = path.join(root, '.mlci');
    mkdirSync(path.join(mlci, 'run.lock.lock'), { recursive: true });
    writeFileSync(path.join(mlci, 'run.lock.json'), JSON.stringify({ pid: 1, host: 'elsewhere.invalid', runId: 'far', command: 'mlci run', startedAt: '2026-01-01T00:00:00.000Z', lock: 'x' }));
    await assert.rejects(acquireWorkspaceLock(root, { runId: 'new', command: 'mlci run' }), /pid 1 on elsewhere\.invalid.*mlci cannot check a process on elsewhere\.invalid from here: if that run is gone, remove .*run\.lock\.lock/);
  });

  it('does not take over on the word of info left by an older holder', async () => {
    // A live process has just made the lock folder and not yet written its
    // info: the file still names the previous (dead) holder and its folder.
    const root = tmp.make();
    const mlci = path.join(root, '.mlci');
    mkdirSync(path.join(mlci, 'run.lock.lock'), { recursive: true });
    const pid = await deadPid();
    writeFileSync(path.join(mlci, 'run.lock.json'), JSON.stringify({ pid, host: os.hostname(), runId: 'old', command: 'mlci run', startedAt: '2026-01-01T00:00:00.000Z', lock: '1:2:3' }));
    await assert.rejects(acquireWorkspaceLock(root, { runId: 'new', command: 'mlci run' }), /another mlci run is in progress .*\(run old, /);
    assert.ok(existsSync(path.join(mlci, 'run.lock.lock')));
  });

  it('takes over a lock folder left without details for over 10 s (its maker was killed before writing them)', async () => {
    const root = tmp.make();
    const lockDir = path.join(root, '.mlci', 'run.lock.lock');
    mkdirSync(lockDir, { recursive: true });
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockDir, old, old);
    const release = await acquireWorkspaceLock(root, { runId: 'new', command: 'mlci run' });
    assert.equal((await readWorkspaceLockHolder(root))?.runId, 'new');
    await release();
  });

  it('says so when the holder left no details', async () => {
    const root = tmp.make();
    mkdirSync(path.join(root, '.mlci', 'run.lock.lock'), { recursive: true });
    await assert.rejects(acquireWorkspaceLock(root, { runId: 'new', command: 'mlci run' }), /another mlci run is in progress in .* \(it is just starting, or left no details in \.mlci\/run\.lock\.json\): wait for it, or stop it/);
  });
});
