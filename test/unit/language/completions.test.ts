/** Completion candidates at a cursor (marked ¦), from the schema and the pipeline's own names. */
import { strict as assert } from 'node:assert';
import type { ParamsFile } from '../../../src/core/params';
import type { Candidate, CompletionResult } from '../../../src/adapters/vscode/language/model/completions';
import { completionsAt } from '../../../src/adapters/vscode/language/model/completions';

const PARAMS: ParamsFile = { keys: ['lr', 'epochs', 'model', 'model.depth'], values: { lr: 0.1, epochs: 3, model: { depth: 4 } } };

function complete(marked: string, params: ParamsFile = PARAMS): CompletionResult {
  const offset = marked.indexOf('¦');
  const r = completionsAt({ text: marked.slice(0, offset) + marked.slice(offset + 1), offset, params });
  assert.ok(r, `no completion context at ${JSON.stringify(marked.slice(Math.max(0, offset - 30), offset))}`);
  return r;
}
const labels = (r: CompletionResult): string[] => r.items.map((i) => i.label);
const item = (r: CompletionResult, label: string): Candidate => {
  const c = r.items.find((i) => i.label === label);
  assert.ok(c, `no item ${label} in ${labels(r).join(', ')}`);
  return c;
};

const PIPE = `version: 1
metrics:
  accuracy: { goal: max, description: Share of right answers }
  loss: { goal: min }
stages:
  unit-tests:
    kind: test
    run: python -m unittest
  train:
    kind: train
    run: python train.py
    metrics: { file: m.json, names: [acc_train, loss] }
  watch:
    kind: drift
    reference: a.csv
    current: b.csv
`;

describe('completion candidates', () => {
  it('stage names in `needs: [` while the document does not parse, without the stage itself or those listed', () => {
    assert.deepEqual(labels(complete(PIPE.replace('    run: python train.py\n', '    needs: [¦\n    run: python train.py\n'))), ['unit-tests', 'watch']);
    assert.deepEqual(labels(complete(PIPE.replace('    run: python train.py\n', '    needs: [unit-tests, ¦]\n    run: python train.py\n'))), ['watch']);
    const r = complete(PIPE.replace('    run: python train.py\n', '    needs:\n      - ¦\n    run: python train.py\n'));
    assert.equal(item(r, 'unit-tests').detail, 'test stage');
  });

  it('stage references that must be drift stages list drift stages first', () => {
    const r = complete(`${PIPE}triggers:\n  drift: ¦\n`);
    assert.equal([...r.items].sort((a, b) => a.sortText!.localeCompare(b.sortText!))[0].label, 'watch');
    assert.deepEqual(labels(complete(`${PIPE}ci:\n  stages: [train, ¦]\n`)), ['unit-tests', 'watch']);
  });

  it('keys of a stage on a new line, without those it has, the ones its kind ignores last', () => {
    const r = complete(PIPE.replace('    run: python train.py\n', '    run: python train.py\n    ¦\n'));
    const ls = labels(r);
    assert.ok(!ls.includes('kind') && !ls.includes('run') && !ls.includes('metrics'), ls.join());
    assert.ok(ls.includes('needs') && ls.includes('gates'));
    assert.match(item(r, 'expect').detail!, /no effect on train stages/);
    assert.ok(item(r, 'expect').sortText! > item(r, 'needs').sortText!);
    assert.match(item(r, 'needs').documentation!, /Stages that must finish/);
  });

  it('insert texts follow the value type: choice, flow list, nested block, list of mappings', () => {
    const r = complete(PIPE.replace('    run: python train.py\n', '    run: python train.py\n    ¦\n'));
    assert.equal(item(r, 'network').insertText, 'network: ${1|none,bridge,host|}');
    assert.equal(item(r, 'needs').insertText, 'needs: [$0]');
    assert.equal(item(r, 'needs').retrigger, true);
    assert.equal(item(r, 'resources').insertText, 'resources:\n  $0');
    assert.equal(item(r, 'gates').insertText, 'gates:\n  - $0');
    assert.equal(item(r, 'description').insertText, 'description: ');
  });

  it('an existing key under the cursor is replaced by name only', () => {
    const r = complete(PIPE.replace('    run: python train.py', '    ru¦n: python train.py'));
    assert.equal(r.context.keyHasColon, true);
    assert.equal(item(r, 'run').insertText, 'run');
  });

  it('new stage skeletons where a stage name goes', () => {
    const r = complete(`${PIPE}  ¦`);
    assert.deepEqual(labels(r), ['test stage', 'data stage', 'train stage', 'evaluate stage', 'drift stage', 'custom stage']);
    assert.match(item(r, 'data stage').insertText, /^\$\{1:validate-data\}:\n {2}kind: data\n/);
    assert.match(item(r, 'data stage').documentation!, /rows: \{ min: 1 \}/);
  });

  it('top-level keys', () => {
    const r = complete('¦');
    assert.deepEqual(labels(r), ['version', 'name', 'params', 'vars', 'defaults', 'metrics', 'stages', 'triggers', 'ci', 'cache', 'engines']);
    assert.ok(item(r, 'version').sortText! < item(r, 'name').sortText!, 'required keys first');
  });

  it('enum values, with their descriptions', () => {
    const r = complete(PIPE.replace('    kind: train', '    kind: ¦'));
    assert.deepEqual(labels(r), ['test', 'data', 'train', 'evaluate', 'drift', 'custom', 'service', 'deliver']);
    assert.match(item(r, 'data').documentation!, /engine checks a data file/);
    assert.equal(item(r, 'custom').detail, 'default');
    const afterColon = complete(PIPE.replace('    kind: train', '    kind:¦'));
    assert.equal(item(afterColon, 'test').insertText, ' test', 'a space after the colon');
    assert.deepEqual(labels(complete(`${PIPE}ci:\n  provider: ¦`)), ['github', 'gitlab']);
    assert.deepEqual(labels(complete(PIPE.replace('    current: b.csv\n', '    current: b.csv\n    drift:\n      columns:\n        x: { test: ¦ }\n'))), ['auto', 'ks', 'chisquare', 'wasserstein', 'psi', 'jensenshannon']);
    assert.deepEqual(labels(complete(`${PIPE}defaults:\n  network: "¦`)), ['none', 'bridge', 'host']);
  });

  it('metric names in gates, the stage\'s own first', () => {
    const r = complete(PIPE.replace('names: [acc_train, loss] }\n', 'names: [acc_train, loss] }\n    gates:\n      - { metric: ¦ }\n'));
    const order = [...r.items].sort((a, b) => a.sortText!.localeCompare(b.sortText!)).map((i) => i.label);
    assert.deepEqual(order, ['loss', 'acc_train', 'accuracy']);
    assert.equal(item(r, 'accuracy').detail, 'metric, goal: max');
    assert.equal(item(r, 'accuracy').documentation, 'Share of right answers');
  });

  it('gate keys: every form for a new gate, the fitting forms once a key is there', () => {
    const base = PIPE.replace('    metrics: { file', '    gates:\n      - ¦\n    metrics: { file');
    const fresh = labels(complete(base));
    for (const k of ['metric', 'min', 'max_drop', 'converges', 'max_gap', 'against', 'drift', 'severity']) assert.ok(fresh.includes(k), `${k} in ${fresh.join()}`);
    const conv = labels(complete(PIPE.replace('    metrics: { file', '    gates:\n      - { converges: loss, ¦ }\n    metrics: { file')));
    assert.deepEqual(conv, ['early', 'window', 'stage', 'name', 'severity']);
    const block = labels(complete(PIPE.replace('    metrics: { file', '    gates:\n      - metric: loss\n        max_gap: 1\n        ¦\n    metrics: { file')));
    assert.deepEqual(block, ['against', 'min_train', 'baseline', 'name', 'severity']);
  });

  it('params keys in a stage\'s `params`, without those listed, with their values', () => {
    const r = complete(PIPE.replace('    run: python train.py\n', '    params: [lr, ¦]\n    run: python train.py\n'));
    assert.deepEqual(labels(r), ['epochs', 'model', 'model.depth']);
    assert.match(item(r, 'epochs').documentation!, /epochs: 3/);
  });

  it('defaults and examples for free values, quoted when YAML would read another type', () => {
    const node = complete('ci:\n  node: ¦');
    assert.equal(item(node, '20').insertText, '"20"', 'ci.node is a string');
    assert.equal(item(node, '20').detail, 'default');
    const share = complete('stages:\n  d:\n    kind: drift\n    drift:\n      share: ¦');
    assert.equal(item(share, '0.5').insertText, '0.5');
    const cron = complete('triggers:\n  schedule: ¦');
    assert.ok(cron.items.every((i) => i.insertText.startsWith('"')), 'cron expressions are quoted');
  });

  it('nothing for paths, comments and block scalars', () => {
    assert.deepEqual(labels(complete(PIPE.replace('    run: python train.py\n', '    deps: [¦]\n'))), []);
    assert.equal(completionsAt({ text: 'version: 1 # ', offset: 13 }), undefined);
  });

  it('a list key on a blank line under it offers items with their dash', () => {
    const r = complete(PIPE.replace('    run: python train.py\n', '    needs:\n      ¦\n'));
    assert.equal(item(r, 'unit-tests').insertText, '- unit-tests');
  });
});
