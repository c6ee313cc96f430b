/**
 * `${}` writes numbers into text as DVC does (Python's str(), booleans as
 * true/false), compared with test/fixtures/python-str/golden.json, which
 * Debian's /usr/bin/python3 wrote (golden.py beside it): through a params
 * file, vars in mlci.yaml, a matrix, and `mlci import dvc`'s expansion.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importDvc } from '../../../src/core/import/dvc';
import { nodeFiles } from '../../../src/core/node-files';
import { parseParams } from '../../../src/core/params';
import { interpolate } from '../../../src/core/pipeline/interpolate';
import { pythonNumber } from '../../../src/core/pipeline/python-text';
import { validatePipeline } from '../../../src/core/pipeline/validate';

interface Row { yaml: string; type: 'int' | 'float' | 'bool'; python: string }
const GOLDEN = path.join(__dirname, '../../fixtures/python-str/golden.json');
const rows = (JSON.parse(readFileSync(GOLDEN, 'utf8')) as { rows: Row[] }).rows;

describe('${} numbers as Python writes them (golden table from python3)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mlci-pytext-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`the golden table has the cases that differ from JavaScript's String() (${rows.length} rows)`, () => {
    const differ = rows.filter((r) => r.type !== 'bool' && String(Number(r.yaml.replace(/^([-+]?)\.(inf|nan)$/i, (_m, s: string, w: string) => `${s}${w === 'inf' ? 'Infinity' : 'NaN'}`))) !== r.python);
    assert.ok(differ.length >= 20, `only ${differ.length} rows differ from String(): the table would prove little`);
  });

  it('a params file value inside a longer string: every row as python3 wrote it', () => {
    const wrong: string[] = [];
    for (const r of rows) {
      const parsed = parseParams(`v: ${r.yaml}\n`);
      assert.ok(parsed.ok, r.yaml);
      const out = interpolate('x=${v};', parsed.params.values);
      const got = out.ok ? out.value : `error: ${out.error.message}`;
      if (got !== `x=${r.python};`) wrong.push(`${r.yaml} (${r.type}): python3 ${r.python}, mlci ${String(got)}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('pythonNumber: floats and ints by the number alone', () => {
    for (const r of rows.filter((x) => x.type === 'float' && !/inf|nan/i.test(x.yaml))) assert.equal(pythonNumber(Number(r.yaml), true), r.python, r.yaml);
    for (const r of rows.filter((x) => x.type === 'int' && Number.isSafeInteger(Number(x.yaml)))) assert.equal(pythonNumber(Number(r.yaml), false), r.python, r.yaml);
  });

  it('vars and a matrix in mlci.yaml, and a list item', () => {
    const pick = (yaml: string) => rows.find((r) => r.yaml === yaml)!;
    const [one, tiny, big, pi] = [pick('1.0'), pick('1e-5'), pick('12345678901234567890'), pick(String(Math.PI))];
    const text = [
      'version: 1',
      'defaults: { image: busybox }',
      'vars:',
      `  - { one: ${one.yaml}, big: ${big.yaml}, rates: [${one.yaml}, ${tiny.yaml}] }`,
      'stages:',
      '  a:',
      '    run: echo ${one} ${big} ${rates.0} ${rates[1]}',
      '  b:',
      `    matrix: { lr: [${one.yaml}, ${pi.yaml}] }`,
      '    run: echo ${item.lr}',
      '',
    ].join('\n');
    const v = validatePipeline({ file: 'mlci.yaml', text, root: dir, files: nodeFiles });
    assert.deepEqual(v.problems.filter((p) => p.severity === 'error').map((p) => p.message), []);
    const runs = v.pipeline!.stages.map((s) => [s.run].flat().join(' && '));
    assert.deepEqual(runs, [`echo ${one.python} ${big.python} ${one.python} ${tiny.python}`, `echo ${one.python}`, `echo ${pi.python}`]);
  });

  it('mlci import dvc: foreach items and a mapping unpacked into cmd print as dvc repro writes them', () => {
    const project = mkdtempSync(path.join(dir, 'dvc-'));
    writeFileSync(path.join(project, 'params.yaml'), 'args:\n  lr: 1.0\n  decay: 0.00001\n  fast: true\n');
    writeFileSync(path.join(project, 'dvc.yaml'), [
      'stages:',
      '  train:',
      '    foreach: [1.0, 2.5e-6]',
      '    do:',
      '      cmd: python train.py --scale ${item} ${args}',
      '',
    ].join('\n'));
    const result = importDvc({ dir: project, files: nodeFiles });
    assert.match(result.text, /python train\.py --scale 1\.0 --lr 1\.0 --decay 1e-05 --fast/);
    assert.match(result.text, /python train\.py --scale 2\.5e-06 --lr 1\.0 --decay 1e-05 --fast/);
  });
});
