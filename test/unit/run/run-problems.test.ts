/** Run failures with a place (a failed build, a GPU request) become problems at build:/gpus: and the Dockerfile line. */
import { strict as assert } from 'node:assert';
import { parsePipelineText } from '../../../src/core/pipeline/parse';
import type { RunRecord } from '../../../src/core/run/record';
import { runProblems } from '../../../src/core/run/run-problems';

const yaml = 'version: 1\ndefaults:\n  build: env\nstages:\n  a:\n    run: x\n  b:\n    run: y\n  gpu:\n    image: busybox\n    run: nvidia-smi\n    resources: { gpus: all }\n';

function record(stages: RunRecord['stages']): RunRecord {
  return { version: 1, id: 'r1', pipeline: 'mlci.yaml', status: 'failed', startedAt: '', executor: 'docker', params: {}, metrics: {}, history: {}, stages } as unknown as RunRecord;
}

describe('run problems', () => {
  it('puts a failed shared build once at build: and once at the Dockerfile line, and a GPU failure at gpus:', () => {
    const source = parsePipelineText('mlci.yaml', yaml).source!;
    const build = { path: ['defaults', 'build'], message: 'image build failed at Step 2/3 : RUN exit 3', dockerfile: { file: 'env/Dockerfile', line: 2 } };
    const problems = runProblems(record([
      { name: 'a', kind: 'custom', status: 'failed', cached: false, problem: build },
      { name: 'b', kind: 'custom', status: 'failed', cached: false, problem: build },
      { name: 'gpu', kind: 'custom', status: 'failed', cached: false, problem: { path: ['stages', 'gpu', 'resources', 'gpus'], message: 'no GPU runtime' } },
      { name: 'ok', kind: 'custom', status: 'passed', cached: false },
    ]), 'mlci.yaml', source, (rel) => (rel === 'env/Dockerfile' ? 'FROM x\nRUN exit 3\nRUN y\n' : undefined));
    assert.deepEqual(problems.map((p) => [p.code, p.file, p.line, p.column, p.endLine, p.endColumn]), [
      ['build-failed', 'mlci.yaml', 3, 3, 3, 8],
      ['build-failed', 'env/Dockerfile', 2, 1, 2, 11],
      ['run-failed', 'mlci.yaml', 12, 18, 12, 22],
    ]);
    assert.match(problems[0].message, /Step 2\/3 .*\(run r1, stages a, b\)$/);
  });
});
