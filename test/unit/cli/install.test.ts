/**
 * `mlci install` through the bundled CLI as a process: it writes an `mlci`
 * script that runs this bundle; a shell with that folder on PATH runs
 * `mlci`, and its hints say `mlci` (not `node dist/cli.js`).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { version } from '../../../package.json';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');

describe('mlci install (bundled CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    dir = mkdtempSync(path.join(os.tmpdir(), "mlci install's bin-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an mlci command that runs this bundle; on PATH, `mlci` works and its hints say mlci', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: '/usr/bin:/bin' };
    delete env.MLCI_PROG;
    const r = spawnSync(process.execPath, [cli, 'install', '--dir', dir], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], `installed ${path.join(dir, 'mlci')}: runs ${cli} with ${process.execPath}`);
    assert.match(r.stdout, /is not on your PATH: add it/);
    assert.ok(statSync(path.join(dir, 'mlci')).mode & 0o100, 'executable');
    const onPath = { ...env, PATH: `${dir}${path.delimiter}/usr/bin:/bin` };
    const v = spawnSync('sh', ['-c', 'mlci --version && mlci init --print /nonexistent-i20 >/dev/null; mlci install --dir "$0"', dir], { encoding: 'utf8', env: onPath });
    assert.equal(v.stdout.split('\n')[0], version, v.stderr);
    assert.match(v.stdout, /^next: mlci --version {2}\| {2}mlci init {2}\| {2}mlci run$/m);
  });
});
