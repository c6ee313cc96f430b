/**
 * checkTriggers on fixtures (test/fixtures/triggers): schedule due / not
 * due at a fixed `now`, drift from run records and from a newer report
 * file, the live metric below / above / within bounds / missing. Files are
 * served by a fake reader so modification times are fixed too.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeFiles } from '../../../src/core/node-files';
import type { Pipeline } from '../../../src/core/pipeline/model';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import type { RunRecord } from '../../../src/core/run/record';
import type { TriggerFileReader, TriggerResult } from '../../../src/core/triggers';
import { checkTriggers } from '../../../src/core/triggers';

const fixtures = path.join(__dirname, '../../fixtures/triggers');
const root = path.join(fixtures, 'project');

function loadPipeline(): Pipeline {
  const r = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(root, 'mlci.yaml'), 'utf8'), root, files: nodeFiles });
  assert.deepEqual(r.problems.filter((p) => p.severity === 'error'), []);
  return r.pipeline!;
}

const run = (name: string): RunRecord => JSON.parse(readFileSync(path.join(fixtures, 'runs', `${name}.json`), 'utf8')) as RunRecord;

/** Serves `files` (pipeline-relative path -> fixture path and mtime) and nothing else. */
function reader(files: Record<string, { fixture: string; modified: string }>): TriggerFileReader {
  return (abs) => {
    const rel = path.relative(root, abs).split(path.sep).join('/');
    const f = files[rel];
    return f ? { text: readFileSync(path.join(root, f.fixture), 'utf8'), modified: new Date(f.modified) } : undefined;
  };
}

const only = (results: TriggerResult[], trigger: TriggerResult['trigger']) => {
  const r = results.find((x) => x.trigger === trigger);
  assert.ok(r, `no ${trigger} result`);
  return r;
};

describe('checkTriggers', () => {
  const pipeline = loadPipeline();
  const none = reader({});

  describe('schedule (0 3 * * 1: Mondays 03:00 UTC)', () => {
    it('is not due before the next Monday after the last training run', () => {
      const r = only(checkTriggers(pipeline, root, [run('trained')], new Date('2026-11-20T12:00:00Z'), none).results, 'schedule');
      assert.equal(r.fired, false);
      assert.match(r.reason, /next: '0 3 \* \* 1' at 2026-11-23T03:00:00.000Z/);
    });

    it('is due once a Monday 03:00 passed since the last training run', () => {
      const r = only(checkTriggers(pipeline, root, [run('trained')], new Date('2026-11-23T04:00:00Z'), none).results, 'schedule');
      assert.equal(r.fired, true);
      assert.match(r.reason, /2026-11-23T03:00:00.000Z came after the last training run 20261116-100000-trained/);
    });

    it('fires when no training run is recorded', () => {
      const check = checkTriggers(pipeline, root, [], new Date('2026-11-20T12:00:00Z'), none);
      assert.equal(only(check.results, 'schedule').fired, true);
      assert.equal(check.fire, true);
      assert.match(only(check.results, 'schedule').reason, /no successful training run/);
    });

    it('does not count runs whose train stage was cached or failed as training', () => {
      // Newer runs did not retrain: the last training is still 2026-11-16, so Monday 23rd is due.
      const r = only(checkTriggers(pipeline, root, [run('cached-drifted'), run('train-failed'), run('trained')], new Date('2026-11-23T04:00:00Z'), none).results, 'schedule');
      assert.equal(r.fired, true);
      assert.match(r.reason, /20261116-100000-trained/);
    });
  });

  describe('drift', () => {
    it('fires when the latest run with the drift stage reports dataset drift', () => {
      const r = only(checkTriggers(pipeline, root, [run('trained'), run('cached-drifted')], new Date('2026-11-20T12:00:00Z'), none).results, 'drift');
      assert.equal(r.fired, true);
      assert.match(r.reason, /reports dataset drift \(50% of the tested columns drifted\) in run 20261118-100000-cached/);
    });

    it('does not fire when the latest report says no drift', () => {
      const r = only(checkTriggers(pipeline, root, [run('trained')], new Date('2026-11-20T12:00:00Z'), none).results, 'drift');
      assert.equal(r.fired, false);
      assert.match(r.reason, /no dataset drift/);
    });

    it('prefers the report file on disk when it is newer than the runs', () => {
      const files = reader({ 'metrics/drift.json': { fixture: 'metrics/drift-none.json', modified: '2026-11-19T00:00:00Z' } });
      const r = only(checkTriggers(pipeline, root, [run('cached-drifted')], new Date('2026-11-20T12:00:00Z'), files).results, 'drift');
      assert.equal(r.fired, false);
      assert.match(r.reason, /in metrics\/drift.json/);
    });

    it('ignores a report file older than the latest run', () => {
      const files = reader({ 'metrics/drift.json': { fixture: 'metrics/drift-none.json', modified: '2026-11-17T00:00:00Z' } });
      assert.equal(only(checkTriggers(pipeline, root, [run('cached-drifted')], new Date('2026-11-20T12:00:00Z'), files).results, 'drift').fired, true);
    });

    it('fires from the report file when no run has a drift report', () => {
      const files = reader({ 'metrics/drift.json': { fixture: 'metrics/drift-yes.json', modified: '2026-11-17T00:00:00Z' } });
      assert.equal(only(checkTriggers(pipeline, root, [], new Date('2026-11-20T12:00:00Z'), files).results, 'drift').fired, true);
    });

    it('does not fire, and says so, when there is no drift report at all', () => {
      const r = only(checkTriggers(pipeline, root, [run('train-failed')], new Date('2026-11-20T12:00:00Z'), none).results, 'drift');
      assert.equal(r.fired, false);
      assert.match(r.reason, /has no drift report yet/);
    });
  });

  describe('metric (live.accuracy below 0.8 or above 0.99)', () => {
    const at = (fixture: string) => reader({ 'monitoring/live.json': { fixture, modified: '2026-11-20T00:00:00Z' } });
    const metric = (fixture: string) => only(checkTriggers(pipeline, root, [run('trained')], new Date('2026-11-20T12:00:00Z'), at(fixture)).results, 'metric');

    it('fires below the lower bound', () => {
      const r = metric('monitoring/live-low.json');
      assert.equal(r.fired, true);
      assert.match(r.reason, /live live.accuracy = 0.72 is below 0.8/);
    });

    it('fires above the upper bound', () => {
      const r = metric('monitoring/live-high.json');
      assert.equal(r.fired, true);
      assert.match(r.reason, /is above 0.99/);
    });

    it('does not fire within the bounds', () => {
      assert.equal(metric('monitoring/live-ok.json').fired, false);
    });

    it('does not fire when the live metrics file is missing, and names it', () => {
      const r = only(checkTriggers(pipeline, root, [run('trained')], new Date('2026-11-20T12:00:00Z'), none).results, 'metric');
      assert.equal(r.fired, false);
      assert.match(r.reason, /monitoring\/live.json does not exist/);
    });
  });

  it('fires overall when any trigger fires, and reports every trigger', () => {
    const check = checkTriggers(pipeline, root, [run('trained')], new Date('2026-11-20T12:00:00Z'), reader({ 'monitoring/live.json': { fixture: 'monitoring/live-low.json', modified: '2026-11-20T00:00:00Z' } }));
    assert.deepEqual(check.results.map((r) => [r.trigger, r.fired]), [['schedule', false], ['drift', false], ['metric', true]]);
    assert.equal(check.fire, true);
  });

  it('has no results and does not fire without triggers', () => {
    const check = checkTriggers({ ...pipeline, triggers: undefined }, root, [], new Date(), none);
    assert.deepEqual(check, { fire: false, results: [] });
  });
});
