/**
 * `mlci init` and `mlci dag` through the bundled CLI as a process: init on
 * a copy of the example (without its mlci.yaml) writes exactly what the
 * editor's New Pipeline writes for the same files (the shared scaffoldFor),
 * which validates without a problem; a second init refuses to overwrite;
 * dag prints the example's graph as text, Mermaid and DOT.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scaffoldFor } from '../../../src/core/scaffold';
import { scaffoldFiles } from '../../../src/cli/commands/init';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
const example = path.join(repo, 'examples/churn');
const mlci = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', MLCI_PROG: 'mlci' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('mlci init and mlci dag (bundled CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-init-'));
    cpSync(example, dir, { recursive: true, filter: (src) => path.relative(example, src) !== 'mlci.yaml' && !/(^|\/)(\.mlci|models)(\/|$)/.test(path.relative(example, src)) });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('init writes the New Pipeline scaffold for the folder; it validates cleanly; a second init refuses', () => {
    const expected = scaffoldFor(scaffoldFiles(dir), readFileSync(path.join(dir, 'params.yaml'), 'utf8'));
    const r = mlci(['init'], dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'wrote mlci.yaml with 4 stages: unit-tests, validate-data, train, evaluate\nnext: mlci validate  |  mlci dag  |  mlci run\n');
    const written = readFileSync(path.join(dir, 'mlci.yaml'), 'utf8');
    assert.equal(written, expected);
    assert.match(written, /params: \[lr, epochs, l2, seed, threshold\]/);
    const v = mlci(['validate', 'mlci.yaml'], dir);
    assert.equal(v.code, 0, v.out + v.err);
    assert.match(v.out, /0 errors, 0 warnings/);
    const again = mlci(['init'], dir);
    assert.equal(again.code, 2);
    assert.equal(again.err, "mlci init: mlci.yaml exists already: edit it, check it with 'mlci validate', or overwrite it with 'mlci init --force'\n");
    assert.equal(mlci(['init', '--print'], dir).out, expected);
  });

  it('dag prints the example as text, Mermaid and DOT', () => {
    const f = ['-f', path.join(example, 'mlci.yaml')];
    assert.equal(mlci(['dag', ...f], dir).out, [
      ' 1. unit-tests (test)',
      '    validate-data (data)',
      '    drift (drift)',
      ' 2. train (train)  <- unit-tests, validate-data',
      ' 3. evaluate (evaluate)  <- train',
      '',
    ].join('\n'));
    const m = mlci(['dag', ...f, '--format', 'mermaid'], dir).out;
    assert.match(m, /^flowchart TD\n/);
    assert.match(m, /^ {2}s2\["train<br\/><small>train<\/small>"\]$/m);
    assert.deepEqual(m.split('\n').filter((l) => l.includes('-->')), ['  s0 --> s2', '  s1 --> s2', '  s2 --> s3']);
    const d = mlci(['dag', ...f, '--format', 'dot'], dir).out;
    assert.match(d, /^digraph "churn-model" \{/);
    assert.match(d, /^ {2}"train" -> "evaluate";$/m);
    const bad = mlci(['dag', ...f, '--format', 'png'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--format must be one of text, mermaid, dot, not 'png'/);
  });
});
