/**
 * `mlci validate` as a process: the built CLI (dist/cli.js) is spawned
 * with real files, and its exit code, text and JSON output are checked.
 * The bundle is built once before the suite (esbuild, ~0.2 s).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');

function mlci(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('mlci validate (process)', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-cli-'));
    writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.1\n');
    writeFileSync(path.join(dir, 'ok.mlci.yaml'), 'version: 1\nstages:\n  hello:\n    image: busybox\n    run: echo hi\n');
    writeFileSync(path.join(dir, 'mlci.yaml'), [
      'version: 1',
      'stages:',
      '  train:',
      '    image: busybox',
      '    run: echo train',
      '    params: [lr, epochs]',
      '    deps: [data/missing.csv]',
      '  eval:',
      '    image: busybox',
      '    run: echo eval',
      '    needs: [trian]',
      '',
    ].join('\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints file:line:col: severity code: message and a summary, exit 1 on errors', () => {
    const r = mlci(['validate', 'mlci.yaml'], dir);
    assert.equal(r.code, 1, r.err);
    const lines = r.out.trim().split('\n');
    assert.deepEqual(lines.slice(0, -1).map((l) => l.replace(/: [^:]+$/, '').replace(/^(\S+: \S+ \S+).*/, '$1')), [
      'mlci.yaml:6:18: error unknown-param',
      'mlci.yaml:7:12: warning missing-dep',
      'mlci.yaml:11:13: error unknown-stage',
    ]);
    assert.match(lines[2], /did you mean 'train'\?/);
    assert.equal(lines[lines.length - 1], '2 errors, 1 warning in 1 file');
  });

  it('exits 0 when there are no errors', () => {
    const r = mlci(['validate', 'ok.mlci.yaml'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(r.out.trim(), '0 errors, 0 warnings in 1 file');
  });

  it('finds the pipeline files of the folder when none is named', () => {
    const r = mlci(['validate'], dir);
    assert.equal(r.code, 1);
    assert.match(r.out, /in 2 files$/m);
  });

  it('prints JSON with --format json', () => {
    const r = mlci(['validate', '--format', 'json', 'mlci.yaml'], dir);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.equal(j.summary.errors, 2);
    assert.equal(j.summary.warnings, 1);
    const p = j.files[0].problems[2];
    assert.deepEqual([p.code, p.severity, p.line, p.column, p.endLine, p.endColumn], ['unknown-stage', 'error', 11, 13, 11, 18]);
    assert.equal(p.fixes[0].title, "Change to 'train'");
  });

  it('gives a clear error and exit 2 for a missing file, without a stack trace', () => {
    const r = mlci(['validate', 'nope.yaml'], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read 'nope\.yaml': no such file/);
    assert.doesNotMatch(r.err + r.out, /\bat .+:\d+:\d+\)?$/m);
  });

  it('gives a clear error for an unreadable file and for a folder', () => {
    const sub = path.join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    let r = mlci(['validate', 'sub'], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /it is a folder/);
    if (process.getuid?.() !== 0) {
      const f = path.join(dir, 'locked.mlci.yaml');
      writeFileSync(f, 'version: 1\n');
      chmodSync(f, 0);
      r = mlci(['validate', 'locked.mlci.yaml'], dir);
      assert.match(r.err, /permission denied/);
    }
  });

  it('exits 2 when no pipeline file exists', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'mlci-empty-'));
    const r = mlci(['validate'], empty);
    assert.equal(r.code, 2);
    assert.match(r.err, /no pipeline file found/);
    rmSync(empty, { recursive: true });
  });

  it('answers --help, <command> --help, --version, and rejects unknown options', () => {
    assert.match(mlci(['--help'], dir).out, /Commands:\n(?:\s+\S+ .*\n)*\s+validate\s+check pipeline files/);
    assert.match(mlci(['validate', '--help'], dir).out, /^Usage: mlci validate/);
    assert.match(mlci(['--version'], dir).out.trim(), /^\d+\.\d+\.\d+$/);
    const bad = mlci(['validate', '--frmat', 'json'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /Unknown option '--frmat'/);
    const unknown = mlci(['valdate'], dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command 'valdate'/);
  });

  it('validates the example project without errors', () => {
    const r = mlci(['validate', 'examples/churn/mlci.yaml'], repo);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^0 errors, 0 warnings in 1 file$/m);
  });
});
