/**
 * Importance gates and the underfitting half of the overfitting gate, on
 * pipelines built by the real validator and dependencies measured on the
 * iris fixture (with its planted leak, dead column and constant column).
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { readTable } from '../../../src/core/data/read';
import { GitBaseline, RecordBaseline, routeBaselines } from '../../../src/core/gates/baseline';
import { evaluateGates } from '../../../src/core/gates/evaluate';
import { computeDependencies } from '../../../src/core/importance/dependencies';
import type { ImportanceReport } from '../../../src/core/importance/types';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import type { RunRecord } from '../../../src/core/run/record';
import { fakeBaseline, noBaseline, record } from '../gates/helpers';

const IRIS = path.join(__dirname, '..', '..', 'fixtures', 'importance', 'iris.csv');

function pipelineOf(yaml: string) {
  const result = validatePipeline({ file: 'mlci.yaml', text: yaml, root: '/nonexistent', files: { stat: () => 'file', readText: () => undefined } as never });
  const errors = result.problems.filter((p) => p.severity === 'error' && p.code !== 'missing-dep');
  assert.deepEqual(errors.map((p) => `${p.code}: ${p.message}`), []);
  return result.pipeline!;
}

async function iris(): Promise<ImportanceReport> {
  return computeDependencies(await readTable(IRIS), { target: 'species', file: 'iris.csv' });
}

function withImportance(importance: Record<string, ImportanceReport>, stages: Record<string, 'passed' | 'failed'> = { features: 'passed' }): RunRecord {
  return { ...record({ stages }), importance };
}

const DATA_STAGE = `version: 1
stages:
  features:
    kind: data
    importance: { target: species, file: iris.csv }
    gates:
`;

describe('gates: importance', () => {
  it('leakage: the planted row id fails the gate, named with its numbers', async () => {
    const p = pipelineOf(`${DATA_STAGE}      - { importance: features, leakage: 0.95 }\n`);
    const [g] = await evaluateGates(p, withImportance({ features: await iris() }), noBaseline);
    assert.equal(g!.kind, 'importance');
    assert.equal(g!.status, 'failed');
    assert.match(g!.reason, /^possible target leakage: row_id 1 \(MI 1\.1 nats p 1\.85e-60, n 150\)/);
    assert.doesNotMatch(g!.reason, /petal/);
    assert.equal(g!.expected, 'every importance ≤ 0.95');
    assert.equal(g!.actual, 'max row_id 1');
    assert.equal(g!.name, 'features importance: no leakage (≤ 0.95)');
  });

  it('leakage passes once the id is excluded', async () => {
    const p = pipelineOf(`${DATA_STAGE}      - { importance: features, leakage: 0.95 }\n`);
    const table = await readTable(IRIS);
    const report = computeDependencies(table, { target: 'species', file: 'iris.csv', exclude: ['row_id'] });
    const [g] = await evaluateGates(p, withImportance({ features: report }), noBaseline);
    assert.equal(g!.status, 'passed', g!.reason);
  });

  it('unused: flags the random column and the constant one, not the real features', async () => {
    const p = pipelineOf(`${DATA_STAGE}      - { importance: features, unused: true, severity: warning }\n`);
    const [g] = await evaluateGates(p, withImportance({ features: await iris() }), noBaseline);
    assert.equal(g!.status, 'failed');
    assert.equal(g!.severity, 'warning');
    assert.match(g!.reason, /^a data dependency with no value: noise \(no dependency at α=0\.05 \(smallest p-value 0\.364, n 150\)\); constant \(one value \(1\): carries no information\)$/);
  });

  it('min: features that must matter', async () => {
    const p = pipelineOf(`${DATA_STAGE}      - { importance: features, min: { petal_width: 0.5, sepal_width: 0.5, nope: 0.1 } }\n`);
    const [g] = await evaluateGates(p, withImportance({ features: await iris() }), noBaseline);
    assert.equal(g!.status, 'failed');
    assert.equal(g!.reason, 'sepal_width matters less than required: 0.2646 < 0.5; nope must matter (≥ 0.1) but is not in iris.csv');
    assert.equal(g!.actual, 'petal_width 0.8933; sepal_width 0.2646; nope –');
  });

  it('stability: rank correlation with the pinned run, naming what moved', async () => {
    const p = pipelineOf(`${DATA_STAGE}      - { importance: features, stability: 0.9, baseline: pinned }\n`);
    const now = await iris();
    const swapped: ImportanceReport = { ...now, features: now.features.map((f) => ({ ...f, importance: f.feature === 'sepal_width' ? 0.99 : f.feature === 'row_id' ? 0.01 : f.importance })) };
    const pinned = withImportance({ features: swapped });
    const [g] = await evaluateGates(p, withImportance({ features: now }), routeBaselines(noBaseline, new RecordBaseline(pinned)));
    assert.equal(g!.status, 'failed');
    assert.match(g!.reason, /^importances changed order vs the pinned run: rank correlation 0\.\d+ < 0\.9; moved most: /);
    assert.match(g!.reason, /sepal_width #1→#6 \(0\.99→0\.265\)/);
    const [same] = await evaluateGates(p, withImportance({ features: now }), routeBaselines(noBaseline, new RecordBaseline(withImportance({ features: now }))));
    assert.equal(same.status, 'passed');
    assert.equal(same.actual, 'rank correlation 1');
  });

  it("stability vs a git ref reads the stage's importances file as committed there (CSV, or mlci's JSON report)", async () => {
    const p = pipelineOf(`version: 1
stages:
  train:
    kind: train
    image: python:3.12-slim
    run: python train.py
    importances: out/importances.csv
    gates:
      - { importance: train, stability: 0.9, baseline: main }
`);
    const committed: Record<string, string> = { 'main:ml/out/importances.csv': 'feature,importance,std\na,0.5,0.01\nb,0.3,0.01\nc,0.1,0.01\nd,0.05,0.01\n' };
    const git = new GitBaseline(async (ref, rel) => committed[`${ref}:${rel}`], p, 'ml');
    const now: ImportanceReport = { version: 1, source: 'model', file: 'out/importances.csv', problems: [], features: [
      { feature: 'd', importance: 0.6 }, { feature: 'c', importance: 0.4 }, { feature: 'b', importance: 0.2 }, { feature: 'a', importance: 0.1 },
    ] };
    const [g] = await evaluateGates(p, withImportance({ train: now }, { train: 'passed' }), git);
    assert.equal(g!.status, 'failed');
    assert.match(g!.reason, /^importances changed order vs main: rank correlation -1 < 0\.9; moved most: d #4→#1 \(0\.05→0\.6\), a #1→#4 \(0\.5→0\.1\)/);
    assert.deepEqual((await git.importances('main', 'train'))!.map((f) => f.feature), ['a', 'b', 'c', 'd']);
    assert.equal(await git.importances('v0', 'train'), undefined, 'no file at the ref: no baseline');
  });

  it('stability with no baseline importances is skipped, never passed', async () => {
    const p = pipelineOf(`${DATA_STAGE}      - { importance: features, stability: 0.9 }\n`);
    const [g] = await evaluateGates(p, withImportance({ features: await iris() }), noBaseline);
    assert.equal(g!.status, 'skipped');
    assert.match(g!.reason, /no importances for features at main: stability not checked/);
  });

  it('a target that could not be measured fails the gate with the reason; a failed stage skips it', async () => {
    const p = pipelineOf(`${DATA_STAGE}      - { importance: features, leakage: 0.9 }\n`);
    const bad = computeDependencies(await readTable(IRIS), { target: 'constant', file: 'iris.csv' });
    const [g] = await evaluateGates(p, withImportance({ features: bad }), noBaseline);
    assert.equal(g!.status, 'failed');
    assert.equal(g!.reason, 'target "constant" has one value (1): no feature can depend on it');
    const [s] = await evaluateGates(p, withImportance({ features: bad }, { features: 'failed' }), noBaseline);
    assert.equal(s.status, 'skipped');
  });

  it('model importances naming features not in the data fail, with the names', async () => {
    const p = pipelineOf(`version: 1
stages:
  features: { kind: data, importance: { target: species, file: iris.csv } }
  train:
    kind: train
    image: python:3.12-slim
    run: python train.py
    importances: out/importances.csv
    gates:
      - { importance: train, unused: true }
`);
    const model: ImportanceReport = { version: 1, source: 'model', file: 'out/importances.csv', problems: [], features: [
      { feature: 'petal_width', importance: 0.4, std: 0.02 }, { feature: 'sepal_width', importance: 0.01, std: 0.02 }, { feature: 'petal_colour', importance: 0.2 },
    ] };
    const [g] = await evaluateGates(p, withImportance({ features: await iris(), train: model }, { features: 'passed', train: 'passed' }), noBaseline);
    assert.equal(g!.status, 'failed');
    assert.match(g!.reason, /out\/importances\.csv names features not in the data \(features: iris\.csv\): petal_colour/);
    assert.match(g!.reason, /a data dependency with no value: sepal_width \(importance 0\.01 within 2 std \(0\.02\) of zero\)/);
  });

  it('the validator: an importance gate on a stage without importances is an error', () => {
    const result = validatePipeline({ file: 'mlci.yaml', text: `version: 1
stages:
  a: { kind: data, expect: { file: a.csv }, gates: [{ importance: a, leakage: 0.9 }] }
`, root: '/nonexistent', files: { stat: () => 'file', readText: () => undefined } as never });
    assert.ok(result.problems.some((p) => p.code === 'invalid-gate' && /neither 'importance'/.test(p.message)), JSON.stringify(result.problems));
  });

  it('the schema rejects an importance gate that checks nothing and an importance block without target', () => {
    const result = validatePipeline({ file: 'mlci.yaml', text: `version: 1
stages:
  a: { kind: data, importance: { file: a.csv }, gates: [{ importance: a }] }
`, root: '/nonexistent', files: { stat: () => 'file', readText: () => undefined } as never });
    const errors = result.problems.filter((p) => p.severity === 'error');
    assert.ok(errors.length >= 2, JSON.stringify(errors));
  });
});

describe('gates: underfitting (overfitting gate)', () => {
  const yaml = (gate: string) => `version: 1
metrics: { accuracy: { goal: max } }
stages:
  train: { kind: train, image: python:3.12-slim, run: 'true', metrics: train.json }
  evaluate:
    kind: evaluate
    image: python:3.12-slim
    run: 'true'
    metrics: eval.json
    gates:
      - ${gate}
`;
  const run = (train: number, evaluate: number) => record({ stages: { train: 'passed', evaluate: 'passed' }, stageMetrics: { train: { accuracy: train }, evaluate: { accuracy: evaluate } } });

  it('min_train: a training metric below the bound is underfitting, with the numbers', async () => {
    const p = pipelineOf(yaml('{ metric: accuracy, against: train, min_train: 0.8 }'));
    const [g] = await evaluateGates(p, run(0.62, 0.6), noBaseline);
    assert.equal(g!.status, 'failed');
    assert.equal(g!.reason, 'underfitting: accuracy in train is 0.62, below the bound 0.8');
    assert.equal(g!.expected, 'train ≥ 0.8');
    const [ok] = await evaluateGates(p, run(0.9, 0.85), noBaseline);
    assert.equal(ok.status, 'passed');
  });

  it('baseline: train and test both below the baseline is underfitting; one below is not', async () => {
    const p = pipelineOf(yaml('{ metric: accuracy, against: train, max_gap: 0.1, baseline: main }'));
    const base = fakeBaseline({ 'main/train/accuracy': 0.9, 'main/evaluate/accuracy': 0.85 });
    const [g] = await evaluateGates(p, run(0.7, 0.68), base);
    assert.equal(g!.status, 'failed');
    assert.equal(g!.reason, 'underfitting: accuracy is worse than main in both train (0.7 vs 0.9) and evaluate (0.68 vs 0.85)');
    const [ok] = await evaluateGates(p, run(0.8, 0.78), fakeBaseline({ "main/train/accuracy": 0.9, "main/evaluate/accuracy": 0.75 }));
    assert.equal(ok.status, 'passed', ok.reason);
  });
});
