import { strict as assert } from 'node:assert';
import path from 'node:path';
import { importMlflow, paramFromText, parseMetricLines } from '../../../src/core/experiments/mlflow';

const fixture = path.resolve(__dirname, '../../fixtures/mlflow/mlruns');

describe('experiments: MLflow file store import', () => {
  const { runs, skipped } = importMlflow(fixture);
  const byName = (n: string) => runs.find((r) => r.name === n)!;

  it('reads the live runs of live experiments, newest first, skipping deleted ones', () => {
    assert.deepEqual(skipped, []);
    assert.deepEqual(runs.map((r) => r.name), ['quick-test', 'calm-owl-2', 'bold-fox-1']);
    assert.ok(!runs.some((r) => r.name === 'deleted-run-3' || r.name === 'trashed-run'));
  });

  it('maps meta.yaml: ids, status, times, experiment', () => {
    const r = byName('bold-fox-1');
    assert.equal(r.id, '0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    assert.equal(r.status, 'passed');
    assert.equal(r.startedAt, new Date(1732690100000).toISOString());
    assert.equal(r.finishedAt, new Date(1732690160000).toISOString());
    assert.equal(r.pipeline, 'mlflow:churn');
    assert.equal(r.source.experimentId, '412345678901234567');
    assert.equal(byName('calm-owl-2').status, 'failed');
    const running = byName('quick-test');
    assert.equal(running.status, 'running');
    assert.equal(running.finishedAt, undefined);
    assert.equal(running.source.experimentName, 'Default');
  });

  it('params as numbers when numeric, metrics = latest value, history by step, git from tags', () => {
    const r = byName('bold-fox-1');
    assert.deepEqual(r.params, { epochs: 100, lr: 0.1, optimizer: 'adam' });
    assert.deepEqual(r.metrics, { accuracy: 0.81, loss: 0.41 });
    assert.deepEqual(r.history.mlflow, [{ step: 0, loss: 0.69 }, { step: 1, loss: 0.52 }, { step: 2, loss: 0.41, accuracy: 0.81 }]);
    assert.deepEqual(r.git, { commit: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432', dirty: false });
    assert.deepEqual(r.tags, ['stage=baseline']);
    const owl = byName('calm-owl-2');
    assert.equal(owl.metrics.accuracy, 0.77, 'same step: the later timestamp wins');
    assert.ok(Number.isNaN(owl.metrics['val/loss']), 'nested key with Python nan');
    assert.equal(owl.git, undefined);
    assert.deepEqual(byName('quick-test').metrics, { score: 0.5 });
    assert.deepEqual(byName('quick-test').history, {}, 'one step is not a series');
  });

  it('parses values and metric lines like MLflow', () => {
    assert.equal(paramFromText('1e-3'), 0.001);
    assert.equal(paramFromText('0x10'), '0x10');
    assert.equal(paramFromText(''), '');
    assert.equal(paramFromText('[1, 2]'), '[1, 2]');
    assert.deepEqual(parseMetricLines('m', '5 0.5\n'), [{ timestamp: 5, value: 0.5, step: 0 }]);
    assert.throws(() => parseMetricLines('m', '1 2 3 4'), /metric 'm' is malformed/);
    assert.throws(() => importMlflow(path.join(fixture, 'nope')), /no MLflow file store/);
  });
});
