import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expCommand } from '../../../src/cli/commands/exp';
import type { CliIo } from '../../../src/cli/command';
import { defaultBaseline } from '../../../src/core/experiments/baseline';
import { RunStore } from '../../../src/core/run/store';
import type { RunRecord } from '../../../src/core/run/record';

const PIPELINE = `version: 1
metrics:
  accuracy: { goal: max }
stages:
  train:
    kind: train
    image: python:3.12-slim
    run: python train.py
`;

function rec(id: string, minute: number, accuracy: number, lr: number): RunRecord {
  return { version: 1, id, pipeline: 'mlci.yaml', status: 'passed', startedAt: `2026-11-27T06:${String(minute).padStart(2, '0')}:00.000Z`, executor: 'local', params: { lr }, metrics: { accuracy }, history: {}, stages: [] };
}

async function exp(cwd: string, argv: string[], isTTY = false): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd, env: {}, isTTY };
  const { parseArgs } = await import('node:util');
  const parsed = parseArgs({ args: argv, options: expCommand.options, allowPositionals: true });
  const code = await expCommand.run({ values: parsed.values as Record<string, unknown>, positionals: parsed.positionals }, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mlci exp (CLI)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-exp-'));
    writeFileSync(path.join(dir, 'mlci.yaml'), PIPELINE);
    const store = new RunStore(dir);
    await store.create(rec('r1', 1, 0.8, 0.5));
    await store.create(rec('r2', 2, 0.7, 0.1));
    await store.create(rec('r3', 3, 0.9, 0.01));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaultBaseline: pinned unless it is the target, else the previous run that has metrics', () => {
    const runs = [{ id: 'c', metrics: { f1: 1 } }, { id: 'b', metrics: { f1: 0.9 } }, { id: 'a', metrics: { f1: 0.8 } }];
    assert.equal(defaultBaseline(runs, 'c', undefined), 'b');
    assert.equal(defaultBaseline(runs, 'c', 'a'), 'a');
    assert.equal(defaultBaseline(runs, 'a', 'a'), undefined);
    assert.equal(defaultBaseline(runs, 'c', 'gone'), 'b');
    // A sweep's shared-stages record (no metrics) is passed over.
    const sweep: Array<{ id: string; metrics: Record<string, number> }> = [{ id: 'd', metrics: { f1: 1 } }, { id: 'shared', metrics: {} }, { id: 'b', metrics: { f1: 0.9 } }];
    assert.equal(defaultBaseline(sweep, 'd', undefined), 'b');
    assert.equal(defaultBaseline([{ id: 'd', metrics: {} }, { id: 'x', metrics: {} }], 'd', undefined), 'x');
  });

  it('defaultBaseline passes over history: a cached run between two experiments is not the baseline', () => {
    const stage = (status: 'passed' | 'cached') => [{ name: 'train', kind: 'train', status, cached: status === 'cached' }];
    const runs = [
      { id: 'c', metrics: { f1: 1 }, stages: stage('passed'), status: 'passed' as const },
      { id: 'b-cached', metrics: { f1: 0.9 }, stages: stage('cached'), status: 'passed' as const },
      { id: 'b-tests', metrics: { f1: 0.9 }, stages: stage('passed'), status: 'passed' as const, kind: 'tests' as const },
      { id: 'a', metrics: { f1: 0.9 }, stages: stage('passed'), status: 'passed' as const },
    ];
    assert.equal(defaultBaseline(runs, 'c', undefined), 'a');
    // Only history before it: the closest run with metrics still serves.
    assert.equal(defaultBaseline(runs.slice(0, 2), 'c', undefined), 'b-cached');
  });

  it('list: experiments only, history said on stderr; --all lists every run with its kind', async () => {
    const store = new RunStore(dir);
    await store.create({ ...rec('r4', 4, 0.9, 0.01), kind: 'cached', stages: [{ name: 'train', kind: 'train', status: 'cached', cached: true }] });
    await store.create({ ...rec('r5', 5, 0.9, 0.01), kind: 'tests', origin: 'test-explorer' });
    // Written before records had a kind: a shared-stages step is known by its name and sweep tag, a fully cached run by its stages.
    await store.create({ ...rec('r6', 6, 0.9, 0.01), name: 'sweep shared stages (prep)', tags: ['sweep:s1'], metrics: {} });
    await store.create({ ...rec('r7', 7, 0.9, 0.01), stages: [{ name: 'train', kind: 'train', status: 'cached', cached: true }] });
    let r = await exp(dir, ['list']);
    assert.deepEqual(r.out.split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['r3', 'r2', 'r1']);
    assert.equal(r.err, "4 history runs not shown (2 cached: nothing ran, 1 Test Explorer run, 1 sweep's shared stages): --all lists them");
    r = await exp(dir, ['list', '--all']);
    assert.deepEqual(r.out.split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 3).join(' ')), ['r7 passed cached', 'r6 passed shared-stages', 'r5 passed tests', 'r4 passed cached', 'r3 passed experiment', 'r2 passed experiment', 'r1 passed experiment']);
    assert.equal(r.err, '');
    r = await exp(dir, ['list', '--format', 'md']);
    assert.equal(r.out.split('\n').length, 5, 'header, rule and 3 experiments');
    // The default diff: the last experiment (r3) against the one before (r2), not against history.
    r = await exp(dir, ['diff', '--format', 'json']);
    assert.deepEqual(JSON.parse(r.out).runs.map((x: { id: string }) => x.id), ['r2', 'r3']);
  });

  it('list with only history says there are no experiments yet and what it hid', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'mlci-exp-empty-'));
    try {
      writeFileSync(path.join(empty, 'mlci.yaml'), PIPELINE);
      await new RunStore(empty).create({ ...rec('h1', 1, 0.9, 0.01), kind: 'cached' });
      const r = await exp(empty, ['list']);
      assert.equal(r.out, 'no experiments yet: mlci run');
      assert.equal(r.err, '1 history run not shown (1 cached: nothing ran): --all lists them');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('diff: last run vs the previous one, then vs the pinned baseline', async () => {
    let r = await exp(dir, ['diff']);
    assert.match(r.out, /r2 \[baseline\]\s+r3/);
    assert.match(r.out, /accuracy \(max\)\s+0\.7\s+0\.9 \+0\.2 \(\+28\.57%\) ↑/);
    await exp(dir, ['pin', 'r1']);
    assert.equal(readFileSync(path.join(dir, '.mlci', 'baseline'), 'utf8').trim(), 'r1');
    r = await exp(dir, ['diff', '--format', 'md']);
    assert.match(r.out, /baseline `r1`/);
    r = await exp(dir, ['diff', 'r3', 'r2', '--only-diff', '--format', 'json']);
    const json = JSON.parse(r.out);
    assert.deepEqual(json.runs.map((x: { id: string }) => x.id), ['r3', 'r2']);
    assert.equal(json.rows.find((x: { key: string }) => x.key === 'accuracy').cells[1].verdict, 'worse');
  });

  it('list, rename, tag, show, rm (--yes needed off a terminal)', async () => {
    await exp(dir, ['rename', 'r2', 'low lr']);
    await exp(dir, ['tag', 'r2', 'keep', 'small']);
    let r = await exp(dir, ['list']);
    assert.match(r.out.split('\n')[1]!, /^r3\s+passed/);
    assert.match(r.out, /r2\s+passed\s+low lr/);
    r = await exp(dir, ['show', 'r2']);
    assert.match(r.out, /run r2 "low lr": passed/);
    assert.match(r.out, /tags keep, small/);
    await assert.rejects(exp(dir, ['rm', 'r2']), /pass --yes/);
    r = await exp(dir, ['rm', 'r2', '--yes']);
    assert.match(r.out, /removed r2/);
    assert.deepEqual((await new RunStore(dir).list()).map((x) => x.id), ['r3', 'r1']);
  });

  it('reads an MLflow file store read-only', async () => {
    const mlruns = path.resolve(__dirname, '../../fixtures/mlflow/mlruns');
    const r = await exp(dir, ['list', '--mlflow', mlruns]);
    assert.match(r.out, /bold-fox-1/);
    assert.doesNotMatch(r.out, /deleted-run-3/);
    const d = await exp(dir, ['diff', '0f1e', 'a1b2', '--mlflow', mlruns]);
    assert.match(d.out, /accuracy \(max\)\s+0\.81\s+0\.77 -0\.04 .*↓/);
    await assert.rejects(exp(dir, ['pin', '0f1e', '--mlflow', mlruns]), /read-only/);
  });
});
