/**
 * Incremental validation (src/core/pipeline/incremental.ts) equals a full
 * validation: random edit sequences (single characters typed, deleted or
 * replaced, YAML punctuation inserted, whole lines removed) on the real
 * example, a templated pipeline (matrix, vars, ${}) and a generated
 * 60-stage pipeline; after every edit the incremental result, fed the
 * state of the previous call, must have the same problems (codes, ranges,
 * messages, fixes), the same model and the same position index as
 * validatePipeline on the same text. The test also counts how often the
 * splice path was taken, so it cannot pass by always falling back.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { nodeFiles } from '../../../src/core/node-files';
import type { IncrementalState } from '../../../src/core/pipeline/incremental';
import { validateIncremental } from '../../../src/core/pipeline/incremental';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import type { ValidateResult } from '../../../src/core/pipeline/validate';
import { generatePipeline } from '../../../bench/gen-pipeline';

const repo = path.join(__dirname, '../../..');
const docs = [
  { name: 'example', dir: path.join(repo, 'examples/churn'), text: readFileSync(path.join(repo, 'examples/churn/mlci.yaml'), 'utf8') },
  { name: 'templates', dir: path.join(repo, 'test/fixtures/validate/94-valid-matrix-vars'), text: readFileSync(path.join(repo, 'test/fixtures/validate/94-valid-matrix-vars/mlci.yaml'), 'utf8') },
  { name: 'generated', dir: path.join(repo, 'examples/churn'), text: generatePipeline(60) },
];

type Edit = { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; len: number } | { kind: 'replace'; at: number; text: string } | { kind: 'dropline'; at: number };

const chars = fc.oneof(
  fc.constantFrom('a', 'z', '0', '9', '_', '.', '/', ' ', ':', '-', '\n', '#', '[', ']', '{', '}', ',', '"', "'", '$', '&', '*', '|', '>', '\t', '!', 'x: 1', '\n    ', 'needs: [s1]', '&a', '*a'),
  fc.string({ maxLength: 3 }),
);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: chars }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: chars }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dropline' as const), at: fc.nat() }) },
);

function apply(text: string, e: Edit): string {
  const at = text.length ? e.at % (text.length + 1) : 0;
  switch (e.kind) {
    case 'insert':
      return text.slice(0, at) + e.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.len);
    case 'replace':
      return text.slice(0, at) + e.text + text.slice(at + 1);
    case 'dropline': {
      const start = text.lastIndexOf('\n', at - 1) + 1;
      const nl = text.indexOf('\n', at);
      return text.slice(0, start) + (nl < 0 ? '' : text.slice(nl + 1));
    }
  }
}

/** Everything a caller sees, as plain data (Maps as entry lists, in order). */
function observable(r: ValidateResult): unknown {
  return JSON.parse(JSON.stringify({
    problems: r.problems,
    pipeline: r.pipeline,
    index: r.source ? [...r.source.index] : undefined,
    lineStarts: r.source?.lineStarts,
  }, (_k, v: unknown) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v)));
}

describe('incremental validation', function () {
  this.timeout(300_000);
  let reused = 0;
  let edits = 0;

  for (const doc of docs) {
    it(`equals a full validation after every edit of random edit sequences (${doc.name})`, () => {
      fc.assert(
        fc.property(fc.array(edit, { minLength: 1, maxLength: 12 }), (seq) => {
          const input = (text: string) => ({ file: 'mlci.yaml', text, root: doc.dir, files: nodeFiles });
          let text = doc.text;
          let state: IncrementalState | undefined = validateIncremental(input(text)).state;
          for (const e of seq) {
            text = apply(text, e);
            const inc = validateIncremental(input(text), state);
            edits++;
            if (inc.reused) reused++;
            assert.deepEqual(observable(inc.result), observable(validatePipeline(input(text))), `after ${JSON.stringify(e)}:\n${text}`);
            state = inc.state;
          }
        }),
        { numRuns: doc.name === 'generated' ? 60 : 150, seed: 17 },
      );
    });
  }

  it('took the splice path for a good share of the edits (the property above is not all fallbacks)', () => {
    assert.ok(edits > 1000, `${edits} edits`);
    assert.ok(reused / edits > 0.3, `only ${reused} of ${edits} edits reused the last parse`);
  });

  it('reuses the parse for a one-character edit inside a stage of a 1,000-stage file, and gives the full result', () => {
    const text = generatePipeline(1000);
    const input = (t: string) => ({ file: 'mlci.yaml', text: t, root: path.join(repo, 'examples/churn'), files: nodeFiles });
    const first = validateIncremental(input(text));
    const at = text.indexOf('--stage 500') + '--stage 50'.length;
    const edited = text.slice(0, at) + '7' + text.slice(at + 1);
    const inc = validateIncremental(input(edited), first.state);
    assert.equal(inc.reused, true);
    assert.deepEqual(observable(inc.result), observable(validatePipeline(input(edited))));
    assert.deepEqual(inc.result.pipeline?.stageByName.get('s500')?.run, ['python src/step.py --stage 507']);
  });
});
