/**
 * Editor support for what issue 15 adds to stages (from the schema, like
 * every field): completion offers `frozen`, `always_changed`, `matrix`,
 * `vars` and `plots` in a stage and the known plot templates as values;
 * hover explains them.
 */
import { strict as assert } from 'node:assert';
import { completionsAt } from '../../../src/adapters/vscode/language/model/completions';
import { hoverAt } from '../../../src/adapters/vscode/language/model/hover';

const PIPE = `version: 1
defaults: { image: python:3.12-slim }
stages:
  train:
    matrix:
      lr: [0.1, 0.01]
    run: python train.py --lr \${item.lr}
    frozen: true
    plots:
      - plots/cm.json:
          template: confusion
`;

function labelsAt(text: string, offset: number): string[] {
  return (completionsAt({ text, offset })?.items ?? []).map((i) => i.label);
}

describe('editor support for templates and DVC fields', () => {
  it('completes the new stage keys on a new line of a stage', () => {
    const text = PIPE.replace('    frozen: true\n', '    frozen: true\n    \n');
    const offset = text.indexOf('    \n') + 4;
    const labels = labelsAt(text, offset);
    for (const k of ['always_changed', 'vars', 'metrics']) assert.ok(labels.includes(k), `${k} in ${labels.join(', ')}`);
    assert.ok(!labels.includes('frozen') && !labels.includes('matrix'), 'keys already written are not offered');
  });

  it('completes plot templates', () => {
    const text = PIPE.replace('template: confusion', 'template: ');
    const labels = labelsAt(text, text.indexOf('template: ') + 'template: '.length);
    assert.deepEqual(labels, ['linear', 'scatter', 'confusion', 'confusion_normalized', 'bar', 'roc', 'precision_recall', 'smooth', 'simple']);
  });

  it('inside ${...}: matrix items, vars and params keys, closing the brace', () => {
    const text = `vars:\n  - out_dir: models\n${PIPE.replace('version: 1\n', 'version: 1\n').replace('--lr ${item.lr}', '--lr ${it')}`;
    const offset = text.indexOf('${it') + 4;
    const r = completionsAt({ text, offset, params: { keys: ['train', 'train.epochs'], values: { train: { epochs: 3 } } } });
    assert.ok(r);
    const byLabel = new Map(r.items.map((i) => [i.label, i]));
    assert.equal(byLabel.get('item.lr')?.insertText, 'item.lr}');
    assert.equal(byLabel.get('item.lr')?.detail, 'matrix: [0.1,0.01]');
    assert.equal(byLabel.get('train.epochs')?.detail, 'params: 3');
    assert.equal(byLabel.get('out_dir')?.detail, 'vars: "models"');
    assert.equal(r.context.prefix, 'it');
  });

  it('hover explains matrix, frozen and plots', () => {
    for (const [key, re] of [['matrix:', /one stage per combination/], ['frozen:', /Never rerun/], ['plots:', /Plot files the stage writes/]] as const) {
      const h = hoverAt(PIPE, PIPE.indexOf(key) + 1);
      assert.ok(h, key);
      assert.match(h.markdown, re);
    }
  });
});
