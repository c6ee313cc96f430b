/**
 * LocalRunner.removeStray: process groups of stages registered by a dead
 * mlci process are killed; those of a live owner, of a run live in this
 * process, or whose leader pid now belongs to another process (start time
 * differs) are left alone. Real process groups (detached `sh`).
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalRunner } from '../../src/adapters/local/local-runner';
import { currentProcess, processStartTime } from '../../src/core/run/process-identity';

function group(): Promise<number> {
  const child = spawn('sh', ['-c', 'sleep 60 & sleep 60'], { detached: true, stdio: 'ignore' });
  child.unref();
  return new Promise((resolve) => child.once('spawn', () => resolve(child.pid!)));
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local runner: stages left by a dead mlci process', () => {
  let registry: string;
  const groups: number[] = [];
  before(() => {
    registry = mkdtempSync(path.join(os.tmpdir(), 'mlci-stray-'));
  });
  after(() => {
    for (const g of groups) if (groupAlive(g)) process.kill(-g, 'SIGKILL');
    rmSync(registry, { recursive: true, force: true });
  });

  it('kills the groups of dead owners only', async () => {
    const deadOwner = { pid: 999_999_999, host: os.hostname() };
    const reusedOwner = { ...currentProcess(), start: 'another-start' };
    const [stray, live, mine, reused] = [await group(), await group(), await group(), await group()];
    groups.push(stray, live, mine, reused);
    const entry = (pgid: number, owner: object, runId: string, start = processStartTime(pgid)) =>
      writeFileSync(path.join(registry, `${pgid}.json`), JSON.stringify({ pgid, start, owner, runId, stage: 's' }));
    mkdirSync(registry, { recursive: true });
    entry(stray, deadOwner, 'r1');
    entry(live, currentProcess(), 'r2');
    entry(mine, deadOwner, 'live-here');
    entry(reused, reusedOwner, 'r4', 'not-the-leader-start');
    const runner = new LocalRunner({ registryDir: registry });
    const killed = await runner.removeStray((id) => id === 'live-here');
    assert.equal(killed, 1);
    // The leader is this test's child: gone once reaped.
    for (let i = 0; i < 40 && groupAlive(stray); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(groupAlive(stray), false, 'the dead owner\'s group, background job included');
    assert.equal(groupAlive(live), true);
    assert.equal(groupAlive(mine), true);
    assert.equal(groupAlive(reused), true, 'a leader pid with another start time is not the stage');
  });

  it('registers a running stage and unregisters it when it ends', async () => {
    const runner = new LocalRunner({ registryDir: registry });
    const { readdirSync } = await import('node:fs');
    const before = readdirSync(registry).length;
    let during = 0;
    const result = await runner.run({ runId: 'r', stage: 's', image: 'x', commands: ['sleep 0.3'], workspace: registry, workdir: '.', env: {}, network: 'none' } as never, () => undefined);
    void during;
    assert.deepEqual(result.outcome, { kind: 'exited', exitCode: 0 });
    assert.equal(readdirSync(registry).length, before);
    const p = runner.run({ runId: 'r', stage: 's', image: 'x', commands: ['sleep 1'], workspace: registry, workdir: '.', env: {}, network: 'none' } as never, () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    during = readdirSync(registry).length;
    assert.equal(during, before + 1);
    await p;
  });
});
