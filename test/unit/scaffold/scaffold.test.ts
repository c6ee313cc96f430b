/** The "New Pipeline" scaffold: it must validate, and reflect what the repository holds. */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import { scaffoldPipeline } from '../../../src/core/scaffold';

function check(files: Record<string, string>, paramKeys?: string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-scaffold-'));
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), t);
  }
  const text = scaffoldPipeline({ files: Object.keys(files), ...(paramKeys ? { paramKeys } : {}) });
  const r = validatePipeline({ file: 'mlci.yaml', text, root: dir, files: nodeFiles });
  rmSync(dir, { recursive: true, force: true });
  return { text, problems: r.problems, pipeline: r.pipeline! };
}

describe('New Pipeline scaffold', () => {
  it('builds tests, data check, train and evaluate stages from an ML repository, and it validates cleanly', () => {
    const r = check({
      'src/train.py': '', 'src/evaluate.py': '', 'tests/test_model.py': '', 'data/train.csv': 'a\n1\n', 'params.yaml': 'lr: 0.1\nepochs: 3\n',
    }, ['lr', 'epochs']);
    assert.deepEqual(r.problems.map((p) => `${p.code}: ${p.message}`), []);
    assert.deepEqual(r.pipeline.stages.map((s) => `${s.name}:${s.kind}`), ['unit-tests:test', 'validate-data:data', 'train:train', 'evaluate:evaluate']);
    assert.deepEqual(r.pipeline.stages[2].needs, ['unit-tests', 'validate-data']);
    assert.deepEqual(r.pipeline.stages[2].params, ['lr', 'epochs']);
    assert.match(r.text, /^# mlci pipeline/);
  });

  it('gives a single placeholder stage for an empty repository, still valid', () => {
    const r = check({ 'README.md': '' });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.pipeline.stages.map((s) => s.name), ['hello']);
  });

  it('ignores vendored folders', () => {
    const r = check({ 'node_modules/x/train.py': '', '.venv/lib/eval.py': '', 'train.py': '' });
    assert.deepEqual(r.problems, []);
    assert.equal(r.pipeline.stages.find((s) => s.name === 'train')!.run[0], 'python train.py');
    assert.equal(r.pipeline.stageByName.has('evaluate'), false);
  });

  it('proposes build: for a repository with a Dockerfile, and the pipeline validates with the stages on that image', () => {
    const r = check({ 'docker/Dockerfile': 'FROM python:3.12-slim\nCOPY requirements.txt /tmp/\n', 'docker/requirements.txt': 'numpy\n', 'src/train.py': '' });
    assert.deepEqual(r.problems.map((p) => `${p.code}: ${p.message}`), []);
    assert.match(r.text, /^ {2}build: docker +# the stage image, built from docker\/Dockerfile/m);
    assert.deepEqual(r.pipeline.stages.map((s) => [s.name, s.build?.context, s.image]), [['train', 'docker', undefined]]);
  });

  it('with only a requirements file, keeps the slim image and shows the Dockerfile and build: that would install it', () => {
    const r = check({ 'requirements.txt': 'scikit-learn\n', 'train.py': '' });
    assert.deepEqual(r.problems, []);
    assert.equal(r.pipeline.stages[0].image, 'python:3.12-slim');
    assert.match(r.text, /# requirements\.txt lists this project's packages/);
    assert.match(r.text, /# {3}RUN pip install -r \/tmp\/requirements\.txt/);
    assert.match(r.text, /# build: env/);
    const conda = check({ 'environment.yml': 'name: x\n', 'train.py': '' });
    assert.match(conda.text, /conda env update -n base -f \/tmp\/environment\.yml/);
    const plain = check({ 'train.py': '' });
    assert.doesNotMatch(plain.text, /build:/);
  });
});
