/**
 * The lenient scan must agree with the validator's position index on every
 * document the validator can read (same paths, same key and scalar
 * ranges), and keep going on documents it cannot.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { nodeFiles } from '../../../src/core/node-files';
import { pathKey } from '../../../src/core/pipeline/source';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import type { ScanEntry } from '../../../src/adapters/vscode/language/model/yaml-scan';
import { scanYaml } from '../../../src/adapters/vscode/language/model/yaml-scan';

const fixtures = path.join(__dirname, '../../fixtures/validate');
const READ_ERRORS = ['yaml-syntax', 'tab-indent', 'duplicate-key', 'multiple-documents'];

function at(entries: ScanEntry[], ...p: Array<string | number>): ScanEntry {
  const e = entries.find((x) => pathKey(x.path) === pathKey(p));
  assert.ok(e, `no entry at ${p.join('.')}`);
  return e;
}

describe('yaml scan', () => {
  const cases = readdirSync(fixtures, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  let compared = 0;
  for (const name of cases) {
    const dir = path.join(fixtures, name);
    const file = readdirSync(dir).find((f) => f === 'mlci.yaml' || f.endsWith('.mlci.yaml'));
    if (!file) continue;
    const text = readFileSync(path.join(dir, file), 'utf8');
    const r = validatePipeline({ file, text, root: dir, files: nodeFiles });
    if (!r.source || r.problems.some((p) => READ_ERRORS.includes(p.code))) continue;
    const source = r.source;
    compared++;
    it(`agrees with the validator's index: ${name}`, () => {
      const scan = new Map(scanYaml(text).map((e) => [pathKey(e.path), e]));
      for (const [k, n] of source.index) {
        if (k === '') continue;
        const e = scan.get(k);
        assert.ok(e, `scan misses ${k}`);
        if (n.keyStart !== undefined) assert.deepEqual([e.keyStart, e.keyEnd], [n.keyStart, n.keyEnd], `key range of ${k}`);
        if (n.kind === 'scalar') assert.deepEqual([e.valueStart, e.valueEnd], [n.start, n.end], `value range of ${k}`);
      }
      // Content merged with `<<` is not indexed under the merging path; everything else is.
      for (const k of scan.keys()) if (!k.includes('<<')) assert.ok(source.index.has(k), `scan invents ${k}`);
    });
  }
  it('compared many golden files', () => assert.ok(compared >= 60, `only ${compared}`));

  it('reads a list written at its key\'s column, then the next key', () => {
    const es = scanYaml('stages:\n  a:\n    needs:\n    - x\n    - y\n    run: go\n');
    assert.equal(at(es, 'stages', 'a', 'needs', 1).scalar, 'y');
    assert.equal(at(es, 'stages', 'a', 'run').scalar, 'go');
  });

  it('follows flow collections over several lines', () => {
    const es = scanYaml('a:\n  needs: [\n    x,\n    y\n  ]\n  run: go\n');
    assert.equal(at(es, 'a', 'needs', 1).scalar, 'y');
    assert.equal(at(es, 'a', 'run').scalar, 'go');
  });

  it('skips block scalars, comments and multi-line plain scalars', () => {
    const es = scanYaml('a:\n  run: |\n    key: not a key\n  # c: comment\n  desc: one\n    two: still desc\n  kind: test\n');
    assert.deepEqual(es.map((e) => e.path.join('.')), ['a', 'a.run', 'a.desc', 'a.kind']);
    assert.equal(at(es, 'a', 'run').valueEnd, 'a:\n  run: |\n    key: not a key'.length);
  });

  it('ends an unclosed flow list at the next line back at its key\'s column (as the yaml parser recovers)', () => {
    const es = scanYaml('stages:\n  train:\n    needs: [unit\n    run: go\n  eval:\n    kind: evaluate\n');
    assert.equal(at(es, 'stages', 'train', 'needs', 0).scalar, 'unit');
    assert.equal(at(es, 'stages', 'train', 'run').scalar, 'go');
    assert.equal(at(es, 'stages', 'eval', 'kind').scalar, 'evaluate');
    // A closing bracket at the key's column still closes it.
    const closed = scanYaml('a:\n  needs: [\n    x,\n  ]\n  b: 1\n');
    assert.equal(at(closed, 'a', 'b').scalar, '1');
  });

  it('reads quoted keys, anchors, tags and a leading document marker', () => {
    const es = scanYaml('---\n"quoted key": &a !!str v # c\n\'it\'\'s\': 2\n');
    assert.equal(at(es, 'quoted key').scalar, 'v');
    assert.equal(at(es, "it's").scalar, '2');
  });

  it('stops at a second document', () => {
    const es = scanYaml('a: 1\n---\nb: 2\n');
    assert.deepEqual(es.map((e) => e.path.join('.')), ['a']);
  });

  it('gives each entry the extent of its children', () => {
    const text = 'stages:\n  a:\n    kind: test\n    gates:\n      - { metric: x, min: 1 }\nci: {}\n';
    const es = scanYaml(text);
    assert.equal(text.slice(at(es, 'stages', 'a').keyStart, at(es, 'stages', 'a').end), 'a:\n    kind: test\n    gates:\n      - { metric: x, min: 1 }');
  });
});
