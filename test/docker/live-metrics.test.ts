/**
 * Live metrics with a real Docker engine: a training stage in
 * mlci-test/python:3.12-slim writes DVCLive-format files over a few seconds;
 * the stage-metrics events (what the tree and panels show) arrive before
 * the stage ends, and an early convergence gate stops a diverging training,
 * leaving no container behind.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { metricsEvents, repo, runWithEvents, stageEnd, trainingWorkspace } from '../unit/live/helpers';

describe('live metrics (process, Docker engine)', function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  before(async function () {
    try {
      await new Docker().ping();
    } catch (e) {
      // Under CI the engine is part of the machine: its absence fails, never skips.
      if (process.env.CI === 'true') throw new Error(`no Docker engine (DOCKER_HOST=${process.env.DOCKER_HOST ?? ''}): ${(e as Error).message}`);
      this.skip();
    }
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('updates arrive while the container trains, before the stage ends', async () => {
    const dir = trainingWorkspace({ steps: 8, pause: 0.5, diverge: false, image: 'python:3.12-slim' });
    dirs.push(dir);
    const r = await runWithEvents(dir, ['--executor', 'docker']);
    assert.equal(r.code, 0, r.stderr);
    const end = stageEnd(r.events, 'train')!;
    const live = metricsEvents(r.events);
    assert.ok(live.filter((m) => m.at < end.at && m.update.points.length).length >= 2, 'updates before the stage ended');
    assert.deepEqual(live.flatMap((m) => m.update.points.filter((p) => p.name === 'loss').map((p) => p.step)), [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('an early gate stops a diverging training in its container and records why', async () => {
    const dir = trainingWorkspace({ steps: 60, pause: 0.3, diverge: true, image: 'python:3.12-slim' });
    dirs.push(dir);
    const r = await runWithEvents(dir, ['--executor', 'docker']);
    assert.equal(r.code, 1, r.stderr);
    const end = stageEnd(r.events, 'train')!.e.stage;
    assert.equal(end.status, 'failed');
    assert.match(end.reason!, /^stopped early: loss did not converge/);
    assert.ok(end.durationMs! < 15_000, `stopped long before its 18 s of training (${end.durationMs} ms)`);
    const left = await new Docker().listContainers({ all: true, filters: { label: [`mlci.stage=train`] } });
    const runId = (r.events.find((s) => s.e.type === 'run-end')!.e as { run: { id: string } }).run.id;
    assert.deepEqual(left.filter((c) => c.Labels['mlci.run'] === runId), [], 'no container left');
  });
});
