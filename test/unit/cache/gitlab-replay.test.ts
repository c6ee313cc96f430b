/**
 * The exported `.gitlab-ci.yml`, run by gitlab-ci-local (an npm tool that
 * executes GitLab CI files on this machine: rules, job scripts in order,
 * `cache:` with `key: files` saved and restored between pipelines) on two
 * fresh clones standing in for two GitLab runners sharing one cache: the
 * first runs the stages, the second, on the same commit, runs none. The
 * file first passes gitlab-ci-local's validation against GitLab's CI JSON
 * schema. No real GitLab runner can run here (no GitLab server offline).
 *
 * What differs from a GitLab runner, and why: jobs run with the shell
 * executor, in an isolated copy of the clone (`--shell-isolation`, which is
 * also what makes gitlab-ci-local save and restore `cache:`), with
 * MLCI_EXECUTOR=local; the `docker:dind` service is removed from the copy
 * that runs, since no `docker:dind` image can be pulled offline (the
 * exported file itself is validated unchanged).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { exportGitlabCi } from '../../../src/core/export/gitlab';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import { PIPELINE, buildCli, git, makeProject, repo } from './support';

const GCL = path.join(repo, 'node_modules/gitlab-ci-local/src/index.js');

function gitlabCiLocal(cwd: string, args: string[]): { code: number | null; out: string } {
  const home = path.join(cwd, '..', 'gcl-home');
  mkdirSync(home, { recursive: true });
  const r = spawnSync(process.execPath, [GCL, '--home', home, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 150_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** One runner: a fresh clone runs the pipeline's jobs; `state` (the runners' shared cache) is outside the clone. */
function runPipeline(source: string, runner: string, state: string): string {
  git(runner, 'clone', '-q', source, 'repo');
  const clone = path.join(runner, 'repo');
  const file = path.join(clone, '.gitlab-ci.yml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.deleteIn(['mlci', 'services']);
  writeFileSync(file, String(doc));
  const r = gitlabCiLocal(clone, [
    '--force-shell-executor', '--shell-isolation', '--no-artifacts-to-source',
    '--state-dir', path.relative(clone, state),
    '--variable', 'MLCI_EXECUTOR=local', '--variable', 'NO_COLOR=1',
  ]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /PASS +mlci/);
  return r.out;
}

describe('exported GitLab CI file run by gitlab-ci-local on two runners (bundled CLI, real git)', function () {
  this.timeout(400_000);
  before(() => buildCli());

  it('passes GitLab\'s schema; the second runner, on an unchanged commit, runs zero stages: all are restored from the cache the first saved', () => {
    const dir = makeProject();
    const v = validatePipeline({ file: 'mlci.yaml', text: PIPELINE, root: dir, files: nodeFiles });
    const text = exportGitlabCi(v.pipeline!, { pipelineFile: 'mlci.yaml', cliCommand: `node ${path.join(repo, 'dist/cli.js')}` });
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), text);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'gitlab ci');

    const base = mkdtempSync(path.join(os.tmpdir(), 'mlci-gitlab-'));
    try {
      const listed = gitlabCiLocal(dir, ['--list', '--json-schema-validation', '--state-dir', path.relative(dir, path.join(base, 'list-state'))]);
      assert.equal(listed.code, 0, listed.out);
      assert.match(listed.out, /json schema validated/);
      assert.match(listed.out, /^mlci +.*mlci/m);

      const state = path.join(base, 'state');
      const first = runPipeline(dir, mkdirSync(path.join(base, 'runner1'), { recursive: true })!, state);
      assert.match(first, /mlci > run \S+: passed in .* \(3 passed\)/);
      assert.match(first, /cache created in .*mlci-cache-/);

      const second = runPipeline(dir, mkdirSync(path.join(base, 'runner2'), { recursive: true })!, state);
      assert.match(second, /mlci > run \S+: passed in .* \(3 restored\)/, second);
      assert.doesNotMatch(second, /▶/, 'no stage started');
    } finally {
      rmSync(base, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
