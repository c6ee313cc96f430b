/** Hover documentation, go to definition and the outline, on the churn example. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { definitionAt } from '../../../src/adapters/vscode/language/model/definition';
import { hoverAt } from '../../../src/adapters/vscode/language/model/hover';
import { gateLabel, outline } from '../../../src/adapters/vscode/language/model/outline';
import { fieldDoc, keysAt, schemaAt } from '../../../src/adapters/vscode/language/model/schema';
import { scanYaml } from '../../../src/adapters/vscode/language/model/yaml-scan';

const churn = readFileSync(path.join(__dirname, '../../../examples/churn/mlci.yaml'), 'utf8');

/** Offset of the `n`th (0-based) occurrence of `needle` outside comments, plus `delta`. */
function at(needle: string, n = 0, delta = 1): number {
  let found = -1;
  let from = 0;
  for (let k = 0; k <= n; ) {
    found = churn.indexOf(needle, from);
    assert.ok(found >= 0, `no ${needle} #${n}`);
    from = found + 1;
    const line = churn.slice(churn.lastIndexOf('\n', found) + 1, found);
    if (!line.includes('#')) k++;
  }
  return found + delta;
}

describe('schema lookups', () => {
  it('follows $ref, items and stage maps to the field schema', () => {
    assert.equal(schemaAt(['stages', 'x', 'needs', 0])?.ref, 'stageName');
    assert.deepEqual(schemaAt(['stages', 'x', 'kind'])?.enum, ['test', 'data', 'train', 'evaluate', 'drift', 'custom', 'service', 'deliver']);
    assert.equal(schemaAt(['stages', 'x', 'nope']), undefined);
  });

  it('picks the gate form from the keys around', () => {
    const keys = (p: readonly (string | number)[]) => (p.length === 4 ? ['metric', 'max_gap', 'against'] : []);
    assert.match(schemaAt(['stages', 'e', 'gates', 0, 'metric'], keys)!.description!, /against/);
    assert.deepEqual(keysAt(schemaAt(['stages', 'e', 'gates', 0])!, ['drift']).map((k) => k.name), ['drift', 'name', 'severity']);
  });

  it('field docs carry values, default and an example', () => {
    const doc = fieldDoc(schemaAt(['defaults', 'network'])!, 'network');
    assert.match(doc, /- `bridge`: /);
    assert.match(doc, /Default: `none`/);
    assert.match(fieldDoc(schemaAt(['stages', 'x', 'resources', 'cpus'])!, 'cpus'), /```yaml\ncpus: /);
  });
});

describe('hover', () => {
  it('a key shows its schema description', () => {
    const h = hoverAt(churn, at('kind: test'));
    assert.ok(h);
    assert.equal(churn.slice(h.start, h.end), 'kind');
    assert.match(h.markdown, /What the stage is/);
  });

  it('a stage name, as a key or in a reference, shows the stage', () => {
    const key = hoverAt(churn, at('  train:', 0, 3));
    assert.equal(key?.stage, 'train');
    assert.match(key!.markdown, /\*\*train\*\* · train stage/);
    assert.match(key!.markdown, /needs: `unit-tests`, `validate-data`/);
    assert.match(key!.markdown, /needed by: `evaluate`/);
    const ref = hoverAt(churn, at('needs: [train]', 0, 9));
    assert.equal(ref?.stage, 'train');
    assert.equal(churn.slice(ref!.start, ref!.end), 'train');
  });

  it('an enum value shows what it means, then the field', () => {
    const h = hoverAt(churn, at('network: none', 0, 10));
    assert.match(h!.markdown, /^`none`: No network/);
  });

  it('a metric shows its goal', () => {
    assert.match(hoverAt(churn, at('metric: accuracy', 0, 10))!.markdown, /goal: `max`/);
  });

  it('nothing on comments', () => {
    assert.equal(hoverAt(churn, 3), undefined);
  });
});

describe('go to definition', () => {
  it('from a needs entry, a gate and a trigger to the stage key', () => {
    for (const [needle, delta] of [['needs: [train]', 9], ['against: train', 10], ['stage: train', 8], ['drift: drift   ', 8]] as const) {
      const d = definitionAt(churn, at(needle, 0, delta));
      assert.ok(d && d.kind === 'stage', needle);
      assert.equal(churn.slice(d.start, d.end), needle.includes('drift') ? 'drift' : 'train');
      assert.equal(churn.slice(d.start - 2, d.start), '  ', 'the key of the stage');
    }
  });

  it('from a path to the file', () => {
    assert.deepEqual(definitionAt(churn, at('models/model.json')), { kind: 'file', path: 'models/model.json', originStart: at('models/model.json', 0, 0), originEnd: at('models/model.json', 0, 17) });
    assert.equal(definitionAt(churn, at('metrics: metrics/eval.json', 0, 10))?.kind, 'file');
    assert.equal(definitionAt(churn, at('kind: train', 0, 7)), undefined);
  });
});

describe('outline', () => {
  it('lists sections, the five stages with their kind, and gates', () => {
    const o = outline(scanYaml(churn));
    assert.deepEqual(o.map((n) => n.name), ['version', 'name', 'params', 'defaults', 'metrics', 'stages', 'triggers', 'ci']);
    const stages = o.find((n) => n.name === 'stages')!;
    assert.deepEqual(stages.children.map((s) => `${s.name}:${s.detail}`), ['unit-tests:test', 'validate-data:data', 'train:train', 'evaluate:evaluate', 'drift:drift']);
    const evaluate = stages.children[3];
    assert.deepEqual(evaluate.children.map((g) => g.name), ['accuracy ≥ 0.75', 'f1 drop ≤ 0.02 vs main', 'loss converges (train)', 'accuracy gap ≤ 0.05 vs train', 'stability ≥ 0.5 vs main (train)']);
    for (const n of [stages, ...stages.children, ...evaluate.children]) {
      assert.ok(n.start <= n.selectionStart && n.selectionEnd <= n.end, `${n.name}: selection inside range`);
    }
    assert.equal(churn.slice(evaluate.selectionStart, evaluate.selectionEnd), 'evaluate');
  });

  it('labels every gate form', () => {
    const g = (o: Record<string, string>) => gateLabel((k) => o[k], 0);
    assert.equal(g({ metric: 'a', min: '1', max: '2' }), '1 ≤ a ≤ 2');
    assert.equal(g({ drift: 'd' }), 'no drift in d');
    assert.equal(g({ name: 'floor', metric: 'a', min: '1' }), 'floor');
    assert.equal(g({}), 'gate 1');
  });
});
