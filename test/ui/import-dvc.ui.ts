/**
 * The "Import dvc.yaml" welcome action in the real workbench (installed
 * .vsix): a workspace with a dvc.yaml and no pipeline file shows the
 * welcome text with the action in the ML Pipelines view; the action writes
 * mlci.yaml with the same command and opens it. The churn workspace's own
 * mlci.yaml is moved aside for the test and put back after it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type UiTest, Workbench, waitFor } from './workbench';

export const tests: UiTest[] = [
  {
    name: 'a workspace with dvc.yaml and no mlci.yaml offers Import dvc.yaml; the action writes mlci.yaml and opens it',
    timeoutMs: 90_000,
    async run({ page, workspace, screenshot }) {
      const wb = new Workbench(page);
      const pipeline = path.join(workspace, 'mlci.yaml');
      const aside = path.join(path.dirname(workspace), `${path.basename(workspace)}-mlci.yaml.aside`);
      const dvc = path.join(workspace, 'dvc.yaml');
      renameSync(pipeline, aside);
      try {
        writeFileSync(dvc, 'stages:\n  train:\n    cmd: python src/train.py --out models/model.json\n    deps: [src/train.py]\n    outs: [models/model.json]\n');
        await wb.openViewContainer('ML Pipelines');
        const welcome = await waitFor('the Import dvc.yaml welcome text', async () => {
          const text = await wb.sideBarWelcome();
          return /This workspace has a DVC pipeline \(dvc\.yaml\)/.test(text) ? text : undefined;
        }, { timeoutMs: 30_000, describe: () => 'the view shows no DVC welcome text' });
        assert.match(welcome, /Import dvc\.yaml/);
        await screenshot('import-dvc-welcome');
        await page.locator('.sidebar .welcome-view-content').getByRole('button', { name: 'Import dvc.yaml' }).click();
        const text = await waitFor('mlci.yaml written by the import', async () => (existsSync(pipeline) ? readFileSync(pipeline, 'utf8') : undefined), { timeoutMs: 20_000 });
        assert.match(text, /^# Imported from dvc\.yaml by `mlci import dvc`/);
        assert.match(text, /\n {2}train:\n(?: {4}.*\n)*? {4}run: python src\/train\.py --out models\/model\.json\n/);
        await page.locator('.tabs-container .tab[aria-label^="mlci.yaml"]').first().waitFor({ timeout: 10_000 });
        // With a pipeline file the welcome action is gone and the stage is listed.
        await waitFor('the imported stage in the view', async () => (await wb.sideBarRowLabels()).includes('train'), { timeoutMs: 20_000 });
        await screenshot('import-dvc-imported');
      } finally {
        rmSync(dvc, { force: true });
        renameSync(aside, pipeline);
        await wb.escape();
      }
    },
  },
];
