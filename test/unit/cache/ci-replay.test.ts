/**
 * The exported GitHub workflow, replayed locally step by step on two fresh
 * clones standing in for two CI runners (actions/cache emulated by copying
 * its paths to and from a store folder): the first runner runs the stages,
 * the second, on the same commit, runs none: every stage is restored from
 * the cache the first one saved. The workflow also passes GitHub's parser.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { exportGithubWorkflow } from '../../../src/core/export/github';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import { parseGithubWorkflow } from '../export/github-parser';
import { PIPELINE, buildCli, git, makeProject, repo } from './support';

interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, string> }

/** Runs the workflow's main job in `clone`; returns the output of each run step by name. */
function replay(job: { steps: Step[]; defaults?: { run?: { 'working-directory'?: string } } }, clone: string, store: string): Record<string, string> {
  const out: Record<string, string> = {};
  const cwd = path.join(clone, job.defaults?.run?.['working-directory'] ?? '.');
  const saves: string[] = [];
  for (const step of job.steps) {
    if (step.uses?.startsWith('actions/cache')) {
      const paths = String(step.with!.path).trim().split('\n').map((p) => p.trim());
      for (const p of paths) {
        const saved = path.join(store, p);
        if (existsSync(saved)) cpSync(saved, path.join(clone, p), { recursive: true });
        saves.push(p);
      }
      continue;
    }
    if (!step.run) continue; // checkout and setup-node: the clone and this Node stand in for them
    if (step.if && /schedule'|hashFiles\('package-lock.json'\)/.test(step.if)) continue; // not a push event; no package-lock in the project
    const r = spawnSync('bash', ['-eo', 'pipefail', '-c', step.run], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', MLCI_EXECUTOR: 'local', GITHUB_STEP_SUMMARY: path.join(clone, '..', 'summary.md') } });
    out[step.name ?? step.run] = r.stdout + r.stderr;
    assert.equal(r.status, 0, `step ${step.name ?? step.run} failed:\n${r.stdout}${r.stderr}`);
  }
  // actions/cache's post step saves what the job left.
  for (const p of saves) {
    rmSync(path.join(store, p), { recursive: true, force: true });
    if (existsSync(path.join(clone, p))) {
      mkdirSync(path.dirname(path.join(store, p)), { recursive: true });
      cpSync(path.join(clone, p), path.join(store, p), { recursive: true });
    }
  }
  return out;
}

describe('exported GitHub workflow replayed on two runners (bundled CLI, real git)', function () {
  this.timeout(180_000);
  before(() => buildCli());

  it('the second runner, on an unchanged commit, runs zero stages: all are restored from the saved cache', async () => {
    const dir = makeProject();
    const r = validatePipeline({ file: 'mlci.yaml', text: PIPELINE, root: dir, files: nodeFiles });
    const text = exportGithubWorkflow(r.pipeline!, { pipelineFile: 'mlci.yaml', cliCommand: `node ${path.join(repo, 'dist/cli.js')}` });
    assert.deepEqual((await parseGithubWorkflow(text)).errors, []);
    writeFileSync(path.join(dir, '.github-workflow.yml'), text);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'workflow');
    const job = (parse(text) as { jobs: Record<string, { steps: Step[] }> }).jobs.mlci;
    const store = mkdtempSync(path.join(os.tmpdir(), 'mlci-ci-cache-'));

    const first = mkdtempSync(path.join(os.tmpdir(), 'mlci-runner1-'));
    git(first, 'clone', '-q', dir, 'repo');
    const a = replay(job, path.join(first, 'repo'), store);
    assert.match(a['Run CI stages'], /\(3 passed\)/);

    const second = mkdtempSync(path.join(os.tmpdir(), 'mlci-runner2-'));
    git(second, 'clone', '-q', dir, 'repo');
    const b = replay(job, path.join(second, 'repo'), store);
    assert.match(b['Run CI stages'], /\(3 restored\)/, b['Run CI stages']);
    assert.doesNotMatch(b['Run CI stages'], /▶/, 'no stage started');
  });
});
