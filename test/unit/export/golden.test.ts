/**
 * The exported files for the served example (examples/churn/serve.mlci.yaml)
 * and the continuous-training delivery fixture, compared whole with golden
 * files, so any change to what CI runs shows up in review as a diff of the
 * golden file. MLCI_UPDATE_GOLDEN=1 rewrites them (then read the diff).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportGithubWorkflow, exportGitlabCi } from '../../../src/core/export';
import { loadRepoPipeline, repo } from './load-pipeline';

const GOLDEN = path.join(repo, 'test/fixtures/export/golden');

function check(name: string, text: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.MLCI_UPDATE_GOLDEN === '1') writeFileSync(file, text);
  assert.ok(existsSync(file), `${file} is missing: run with MLCI_UPDATE_GOLDEN=1 to write it`);
  assert.equal(text, readFileSync(file, 'utf8'), `the export differs from ${path.relative(repo, file)} (MLCI_UPDATE_GOLDEN=1 rewrites it)`);
}

describe('exported CI files with a delivery job match their golden files', () => {
  for (const [pipeline, base] of [['examples/churn/serve.mlci.yaml', 'serve'], ['test/fixtures/export/deliver.mlci.yaml', 'deliver']] as const) {
    it(`${pipeline}: GitHub workflow and GitLab CI file`, () => {
      const p = loadRepoPipeline(pipeline);
      check(`${base}.github.yml`, exportGithubWorkflow(p, { pipelineFile: pipeline, mlciVersion: '0.1.0' }));
      check(`${base}.gitlab-ci.yml`, exportGitlabCi(p, { pipelineFile: pipeline, mlciVersion: '0.1.0' }));
    });
  }
});
