/**
 * The shipped CLI bundle (dist/cli.js, which loads dist/cli.mjs and its
 * chunks on demand): it runs from a copy of dist/ with no node_modules
 * anywhere above it, and its validator (the schema compiled ahead of time
 * with ajv's standalone code, scripts/build.mjs) reports exactly what the
 * source validator (ajv compiling at run time) reports on every golden case.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';

const repo = path.join(__dirname, '../../..');

describe('the bundled CLI (dist/)', function () {
  this.timeout(120_000);
  let tmp: string;
  let cli: string;

  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    // A temp dir has no node_modules in any parent: every import must be in the bundle.
    tmp = mkdtempSync(path.join(os.tmpdir(), 'mlci-bundle-'));
    cpSync(path.join(repo, 'dist'), path.join(tmp, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.vsix') });
    cpSync(path.join(repo, 'examples/churn'), path.join(tmp, 'churn'), { recursive: true });
    cli = path.join(tmp, 'dist/cli.js');
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const run = (args: string[], cwd = tmp) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });

  it('loads command chunks from a dist/ copy with no node_modules', () => {
    const version = run(['--version']);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version);
    const help = run(['--help']);
    assert.equal(help.status, 0, help.stderr);
    for (const name of ['validate', 'run', 'status', 'runs', 'logs', 'exp', 'sweep', 'drift', 'verify', 'push', 'hook', 'export', 'triggers']) {
      assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'), `--help lists ${name}`);
    }
    const validate = run(['validate', 'mlci.yaml'], path.join(tmp, 'churn'));
    assert.equal(validate.status, 0, validate.stderr + validate.stdout);
    assert.match(validate.stdout, /0 errors, 0 warnings in 1 file/);
    const status = run(['status', '--executor', 'local', '--format', 'json'], path.join(tmp, 'churn'));
    assert.equal(status.status, 0, status.stderr);
    assert.deepEqual((JSON.parse(status.stdout) as { stage: string }[]).map((e) => e.stage), ['unit-tests', 'validate-data', 'train', 'evaluate', 'drift']);
    const unknown = run(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  });

  it('reports the same problems as the source validator on every golden case', () => {
    const root = path.join(repo, 'test/fixtures/validate');
    const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    assert.ok(cases.length >= 40);
    const files = cases.map((name) => {
      const dir = path.join(root, name);
      return path.join(dir, readdirSync(dir).find((f) => f === 'mlci.yaml' || f.endsWith('.mlci.yaml'))!);
    });
    // One process for all cases; file names are absolute so each resolves against its own folder.
    const r = run(['validate', '--format', 'json', ...files]);
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    const bundled = (JSON.parse(r.stdout) as { files: { file: string; problems: unknown[] }[] }).files;
    assert.equal(bundled.length, files.length);
    let compared = 0;
    for (const [i, file] of files.entries()) {
      const source = validatePipeline({ file, text: readFileSync(file, 'utf8'), root: path.dirname(file), files: nodeFiles }).problems;
      const want = source.map((p) => ({ line: p.line, column: p.column, endLine: p.endLine, endColumn: p.endColumn, severity: p.severity, code: p.code, message: p.message }));
      const got = (bundled[i]!.problems as Record<string, unknown>[]).map((p) => ({ line: p.line, column: p.column, endLine: p.endLine, endColumn: p.endColumn, severity: p.severity, code: p.code, message: p.message }));
      assert.deepEqual(got, want, `${cases[i]}: bundled and source validators differ`);
      compared += want.length;
    }
    assert.ok(compared > 50, `only ${compared} problems compared`);
  });
});
