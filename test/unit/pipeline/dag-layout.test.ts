/**
 * The pipeline graph's layout (webview/dag/layout.ts, pure) and the status
 * words it colours (dag-model.ts): on the churn example and on a wider
 * generated graph, every stage sits below every stage it needs, no two boxes
 * overlap, and each needs is one edge from the bottom of the needed stage to
 * the top of the stage that needs it.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dagNodes } from '../../../src/core/pipeline/dag';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import { dagStatusOf } from '../../../src/adapters/vscode/panels/dag-model';
import { layoutDag, type LayoutInput } from '../../../webview/dag/layout';

const EXAMPLE = path.join(__dirname, '../../../examples/churn');

function checkLayout(input: LayoutInput[]): ReturnType<typeof layoutDag> {
  const l = layoutDag(input);
  assert.equal(l.nodes.size, input.length);
  for (const n of input) for (const need of n.needs) assert.ok(l.nodes.get(need)!.y + l.nodes.get(need)!.height < l.nodes.get(n.name)!.y, `${need} above ${n.name}`);
  const boxes = [...l.nodes.values()];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(apart, `${a.name} and ${b.name} overlap`);
    }
  }
  for (const b of boxes) assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= l.width && b.y + b.height <= l.height, `${b.name} inside the drawing`);
  assert.equal(l.edges.length, input.reduce((s, n) => s + n.needs.length, 0));
  for (const e of l.edges) {
    const [, x1, y1] = /^M ([\d.]+) ([\d.]+)/.exec(e.d)!.map(Number);
    const [, x2, y2] = /([\d.]+) ([\d.]+)$/.exec(e.d)!.map(Number);
    const from = l.nodes.get(e.from)!;
    const to = l.nodes.get(e.to)!;
    assert.equal(y1, from.y + from.height);
    assert.equal(y2, to.y);
    assert.ok(x1! > from.x && x1! < from.x + from.width && x2! > to.x && x2! < to.x + to.width, `${e.from} -> ${e.to} leaves and enters within the boxes`);
  }
  return l;
}

describe('pipeline graph layout (webview/dag/layout.ts)', () => {
  it("lays out the example: unit-tests, validate-data and drift on top, train under what it needs, evaluate under train", () => {
    const text = readFileSync(path.join(EXAMPLE, 'mlci.yaml'), 'utf8');
    const { pipeline } = validatePipeline({ file: 'mlci.yaml', text, root: EXAMPLE, files: nodeFiles });
    const l = checkLayout(dagNodes(pipeline!));
    assert.deepEqual(l.rows, [['unit-tests', 'validate-data', 'drift'], ['train'], ['evaluate']]);
    // train sits between the two stages it needs.
    const [a, b, t] = ['unit-tests', 'validate-data', 'train'].map((n) => l.nodes.get(n)!);
    assert.ok(t!.x + t!.width / 2 >= a!.x && t!.x + t!.width / 2 <= b!.x + b!.width);
  });

  it('a wide, deep generated graph (60 stages, 8 layers): no overlaps, every edge drawn', () => {
    const input: LayoutInput[] = [];
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 60; i++) {
      const earlier = input.filter((n) => n.layer < Math.floor(i / 8));
      const needs = earlier.length ? [...new Set([0, 1].map(() => earlier[Math.floor(next() * earlier.length)]!.name))] : [];
      const layer = needs.length ? 1 + Math.max(...needs.map((n) => input.find((x) => x.name === n)!.layer)) : 0;
      input.push({ name: `s${i}`, layer, needs });
    }
    const l = checkLayout(input);
    assert.ok(l.rows.length >= 5);
  });

  it('colours the Pipelines tree status words', () => {
    const cases: Record<string, string> = {
      running: 'running', 'queued #2 (Priority)': 'running', failed: 'failed', 'gate failed: f1-floor': 'failed',
      cancelled: 'skipped', 'not run': 'skipped', stale: 'stale', 'may run': 'stale', restorable: 'stale',
      passed: 'passed', 'up to date': 'passed', restored: 'passed', 'healthy · http://127.0.0.1:8080': 'passed',
      'never run': 'never', unknown: 'never',
    };
    for (const [word, status] of Object.entries(cases)) assert.equal(dagStatusOf(word), status, word);
  });
});
