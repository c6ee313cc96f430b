/**
 * One meaning for every pipeline file, whichever reader reads it: the
 * js-yaml fast path (fast-parse.ts) and the `yaml` path (parse.ts) give the
 * same data, problems and indexed keys on random YAML built from the forms
 * pipeline files use, keys chosen to tempt the readers apart (`~`, `1` and
 * `01`, `1.0`, `true`, quoted numbers, `<<` merges), and on mutations of the
 * example pipeline. The fast path may decline a text (the yaml path then
 * reads it); where it answers, it must answer as `yaml` does.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { fastParse } from '../../../src/core/pipeline/fast-parse';
import { parsePipelineText, parseWithYaml } from '../../../src/core/pipeline/parse';

const example = readFileSync(path.join(__dirname, '../../../examples/churn/mlci.yaml'), 'utf8');

const PLAIN_KEYS = ['a', 'b', 'c', 'run', 'deps', 'outs', 'name', 'kind'];
const KEYS = ['a', 'b', 'run', 'deps', '~', 'null', '1', '01', '1.0', '0x1', '-1', '.5', 'true', 'False', '"1"', "'01'", '"~"', 'a b', '.inf', '0o7', '"a"', "'b'", '1e3'];
const SCALARS = ['x', '1', '01', '~', '', 'true', '"q"', "'s'", '1.5', '-.inf', '.nan', 'a: b', '[1, 2]', '{k: v}', '[~, 01]', '"multi\\nline"', '|\n  block\n  text', '>\n  folded'];

/** A block mapping at `indent`, with nested mappings, sequences, anchors and aliases. */
const mapping = (indent: number, depth: number): fc.Arbitrary<string> => {
  const pad = ' '.repeat(indent);
  const value: fc.Arbitrary<string> = depth >= 2
    ? fc.constantFrom(...SCALARS).map((s) => ` ${s.replace(/\n/g, `\n${pad}`)}`)
    : fc.oneof(
      fc.constantFrom(...SCALARS).map((s) => ` ${s.replace(/\n/g, `\n${pad}`)}`),
      fc.constantFrom(' &anc', '').chain((anchor) => mapping(indent + 2, depth + 1).map((m) => `${anchor}\n${m}`)),
      fc.array(fc.constantFrom(...SCALARS.slice(0, 10)), { minLength: 1, maxLength: 3 }).map((items) => `\n${items.map((i) => `${pad}  - ${i}`).join('\n')}`),
      fc.constant(' *anc'),
    );
  const key = fc.oneof({ arbitrary: fc.constantFrom(...PLAIN_KEYS), weight: 6 }, { arbitrary: fc.constantFrom(...KEYS), weight: 1 });
  return fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${pad}${k}:${v}`).join('\n'));
};

function compare(text: string): void {
  const both = parsePipelineText('p.yaml', text);
  const yaml = parseWithYaml('p.yaml', text);
  const problems = (r: typeof both): unknown => r.problems.map((p) => [p.code, p.severity, p.start, p.end]);
  assert.deepEqual(problems(both), problems(yaml), `problems differ on:\n${text}`);
  assert.deepEqual(both.data, yaml.data, `data differ on:\n${text}`);
  if (both.source && yaml.source) {
    assert.deepEqual([...both.source.index.keys()].sort(), [...yaml.source.index.keys()].sort(), `indexed keys differ on:\n${text}`);
  }
}

describe('YAML readers agree (fast path and yaml)', function () {
  this.timeout(180_000);
  it('the tempting keys of the issue: ~ is declined, 1 and 01 are one key (a duplicate)', () => {
    for (const text of ['~: 1\n', 'a:\n  1: x\n  01: y\n', '1.0: a\n', 'true: 1\n']) {
      assert.equal(fastParse(text), undefined, `the fast path must decline ${JSON.stringify(text)}`);
      compare(text);
    }
    assert.ok(parsePipelineText('p.yaml', 'a:\n  1: x\n  01: y\n').problems.some((p) => p.code === 'duplicate-key'));
    assert.deepEqual(parsePipelineText('p.yaml', '"1": a\n\'01\': b\n').data, { 1: 'a', '01': 'b' }); // quoted keys are strings: two keys
  });

  it('random mappings: same data, problems and indexed keys', () => {
    let fast = 0;
    fc.assert(fc.property(mapping(0, 0), (text) => {
      if (fastParse(text)?.data != null) fast++;
      compare(text);
    }), { numRuns: 1500 });
    assert.ok(fast > 100, `the fast path answered only ${fast} of 1500 texts: the test would compare nothing`);
  });

  it('mutations of the example pipeline: same data and problems', () => {
    const lines = example.split('\n');
    fc.assert(fc.property(fc.nat(lines.length - 1), fc.constantFrom(...KEYS), fc.constantFrom(...SCALARS.slice(0, 10)), (at, key, value) => {
      const indent = /^ */.exec(lines[at]!)![0];
      const text = [...lines.slice(0, at + 1), `${indent}${key}: ${value}`, ...lines.slice(at + 1)].join('\n');
      compare(text);
    }), { numRuns: 150 });
  });
});
