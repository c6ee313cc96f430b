/** Baseline providers: a stage's metrics file at a git ref (through a reader function), and a run record. */
import { strict as assert } from 'node:assert';
import { GitBaseline, RecordBaseline, repoPath, routeBaselines } from '../../../src/core/gates/baseline';
import { evaluateGates } from '../../../src/core/gates/evaluate';
import { fakeBaseline, pipeline, record } from './helpers';

describe('gates: baselines', () => {
  const p = pipeline({ train: { kind: 'train', gates: [], metrics: 'out/train.json' }, evaluate: { gates: [], metrics: './metrics.json' }, data: { gates: [] } });

  /** A reader over "ref:path" -> text that counts reads. */
  const reader = (files: Record<string, string>) => {
    const reads: string[] = [];
    const read = async (ref: string, rel: string) => {
      reads.push(`${ref}:${rel}`);
      return files[`${ref}:${rel}`];
    };
    return { read, reads };
  };

  it("reads the stage's metrics file at the ref, under the pipeline folder, flattened", async () => {
    const { read, reads } = reader({ 'main:ml/out/train.json': '{"loss": 0.3, "val": {"acc": 0.9, "ok": true}, "name": "x"}' });
    const b = new GitBaseline(read, p, 'ml');
    assert.equal(await b.metric('main', 'train', 'loss'), 0.3);
    assert.equal(await b.metric('main', 'train', 'val.acc'), 0.9);
    assert.equal(await b.metric('main', 'train', 'val.ok'), 1);
    assert.equal(await b.metric('main', 'train', 'name'), undefined);
    assert.deepEqual(reads, ['main:ml/out/train.json'], 'one read per (ref, file)');
  });

  it('at the repository root the path is the metrics file itself', async () => {
    const { read, reads } = reader({ 'v1:metrics.json': '{"f1": 0.7}' });
    assert.equal(await new GitBaseline(read, p, '').metric('v1', 'evaluate', 'f1'), 0.7);
    assert.equal(await new GitBaseline(read, p, '.').metric('v1', 'evaluate', 'f1'), 0.7);
    assert.deepEqual(reads, ['v1:metrics.json', 'v1:metrics.json']);
  });

  it('undefined when the file is missing at the ref, the stage has no metrics file, or the stage is unknown', async () => {
    const { read, reads } = reader({});
    const b = new GitBaseline(read, p, '');
    assert.equal(await b.metric('main', 'train', 'loss'), undefined);
    assert.equal(await b.metric('main', 'data', 'rows'), undefined);
    assert.equal(await b.metric('main', 'nope', 'x'), undefined);
    assert.deepEqual(reads, ['main:out/train.json']);
  });

  it('a committed file that is not a JSON object throws, naming ref and path', async () => {
    const { read } = reader({ 'main:out/train.json': '{oops', 'old:out/train.json': '[1]' });
    const b = new GitBaseline(read, p, '');
    await assert.rejects(b.metric('main', 'train', 'loss'), /baseline metrics file main:out\/train.json is not valid JSON/);
    await assert.rejects(b.metric('old', 'train', 'loss'), /must hold a JSON object/);
  });

  it('repoPath joins with forward slashes and normalises', () => {
    assert.equal(repoPath('ml\\proj', 'out\\m.json'), 'ml/proj/out/m.json');
    assert.equal(repoPath('ml', '../shared/m.json'), 'shared/m.json');
    assert.equal(repoPath('', './m.json'), 'm.json');
  });

  it("RecordBaseline reads a run's stage metrics, or its flat metrics in records without them", async () => {
    const b = new RecordBaseline(record({ stageMetrics: { evaluate: { f1: 0.8 } } }));
    assert.equal(await b.metric('pinned', 'evaluate', 'f1'), 0.8);
    assert.equal(await b.metric('pinned', 'train', 'f1'), undefined);
    const old = { metrics: { f1: 0.6 } };
    assert.equal(await new RecordBaseline(old).metric('pinned', 'evaluate', 'f1'), 0.6);
  });

  it('routeBaselines sends `pinned` to the pinned provider and refs to git', async () => {
    const git = fakeBaseline({ 'main/evaluate/f1': 0.7 });
    const both = routeBaselines(git, new RecordBaseline(record({ stageMetrics: { evaluate: { f1: 0.9 } } })));
    assert.equal(await both.metric('main', 'evaluate', 'f1'), 0.7);
    assert.equal(await both.metric('pinned', 'evaluate', 'f1'), 0.9);
    assert.equal(await routeBaselines(git).metric('pinned', 'evaluate', 'f1'), undefined, 'nothing pinned');
    assert.deepEqual(git.asked, ['main/evaluate/f1']);
  });

  it('end to end: a regression gate against a GitBaseline', async () => {
    const gp = pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0.02 }], metrics: 'metrics.json' } }, { f1: 'max' });
    const { read } = reader({ 'main:ml/metrics.json': '{"f1": 0.786}' });
    const [r] = await evaluateGates(gp, record({ stages: { evaluate: 'passed' }, stageMetrics: { evaluate: { f1: 0.755 } } }), new GitBaseline(read, gp, 'ml'));
    assert.equal(r.reason, 'f1 dropped 0.031 vs main (0.786 -> 0.755), more than the allowed 0.02');
  });
});
