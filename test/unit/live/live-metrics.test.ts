/**
 * Live metrics through the bundled CLI (`mlci run --events`, local executor,
 * real files): a stage logging DVCLive-format files over a few seconds sends
 * stage-metrics events while it runs (before its stage-end), with steps and
 * values as written; an early convergence gate stops a diverging training
 * and the record says why. The same scenario runs in Docker in
 * test/docker/live-metrics.test.ts.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { metricsEvents, repo, runWithEvents, stageEnd, trainingWorkspace } from './helpers';
import type { CliEvent } from '../../../src/protocol/cli-events';

describe('live metrics (process, local executor)', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('streams the steps a stage logs (DVCLive files) while it runs, before the stage ends', async () => {
    const dir = trainingWorkspace({ steps: 8, pause: 0.4, diverge: false, image: 'python:3.12-slim' });
    dirs.push(dir);
    const r = await runWithEvents(dir, ['--executor', 'local']);
    assert.equal(r.code, 0, r.stderr);
    const end = stageEnd(r.events, 'train')!;
    assert.equal(end.e.stage.status, 'passed');
    const live = metricsEvents(r.events);
    const before = live.filter((m) => m.at < end.at);
    assert.ok(before.length >= 3, `updates while running: ${before.length}`);
    // Every step arrives once, in order, with the value written.
    const points = live.flatMap((m) => m.update.points.filter((p) => p.name === 'loss'));
    assert.deepEqual(points.map((p) => p.step), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(points[3]!.value, 0.25);
    assert.ok(live.some((m) => m.update.sources.includes('dvclive/plots/metrics/loss.tsv')));
    const last = live[live.length - 1]!.update;
    assert.equal(last.step, 7);
    assert.equal(last.latest.loss, 1 / 8);
    // At most a few updates a second.
    for (let i = 1; i < live.length; i++) assert.ok(live[i]!.update.at - live[i - 1]!.update.at >= 200, 'updates are at least 200 ms apart');
  });

  it('a second run does not show the first run\'s files as new values', async () => {
    const dir = trainingWorkspace({ steps: 5, pause: 0.3, diverge: false, image: 'python:3.12-slim' });
    dirs.push(dir);
    const first = await runWithEvents(dir, ['--executor', 'local']);
    assert.equal(first.code, 0, first.stderr);
    const again = await runWithEvents(dir, ['--executor', 'local', '--force']);
    assert.equal(again.code, 0, again.stderr);
    const points = metricsEvents(again.events).flatMap((m) => m.update.points);
    assert.deepEqual(points.filter((p) => p.name === 'loss').map((p) => p.step), [0, 1, 2, 3, 4]);
  });

  it('an early convergence gate stops a diverging training and records why', async () => {
    const dir = trainingWorkspace({ steps: 40, pause: 0.3, diverge: true, image: 'python:3.12-slim' });
    dirs.push(dir);
    const r = await runWithEvents(dir, ['--executor', 'local']);
    assert.equal(r.code, 1, r.stderr);
    const end = stageEnd(r.events, 'train')!.e.stage;
    assert.ok(end.durationMs! < 9000, `stopped long before its 12 s of training (${end.durationMs} ms)`);
    assert.equal(end.status, 'failed');
    assert.match(end.reason!, /^stopped early: loss did not converge: the mean of the last 2 points \d+ is not below the mean of the first 2 1\.5/);
    const run = (r.events.find((s) => s.e.type === 'run-end')!.e as Extract<CliEvent, { type: 'run-end' }>).run;
    const gate = run.gates!.find((g) => g.stage === 'train')!;
    assert.equal(gate.status, 'failed');
    assert.match(gate.reason, /\(stopped the stage early\)$/);
    assert.ok(run.history.train!.length >= 4, 'the live series is kept on the record');
    const log = r.events.flatMap((s) => (s.e.type === 'stage-log' ? [s.e.text] : [])).join('');
    assert.match(log, /stopping train at step \d+: early gate .* is already broken/);
  });
});
