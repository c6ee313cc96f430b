/**
 * The pipeline graph in the real workbench (installed vsix, code-server in
 * Chromium), as a user gets to it: the graph icon on the Pipelines view's
 * title (the example has two pipeline files: pick mlci.yaml), then a click
 * on a stage inside the webview reveals the stage in mlci.yaml beside it.
 * The page itself is tested in depth by test/ui/dag-panel.ui.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type UiTest, Workbench, waitFor } from './workbench';

export const tests: UiTest[] = [
  {
    name: 'Show Pipeline Graph from the Pipelines view title draws mlci.yaml as a graph; a click on train reveals its line in mlci.yaml beside the graph',
    timeoutMs: 120_000,
    async run({ page, workspace, screenshot }) {
      const wb = new Workbench(page);
      const lines = readFileSync(path.join(workspace, 'mlci.yaml'), 'utf8').split('\n');
      const trainLine = lines.findIndex((l) => l === '  train:') + 1;
      assert.ok(trainLine > 0, 'mlci.yaml has a train stage');
      await wb.escape();
      await wb.openViewContainer('ML Pipelines');
      await waitFor('the pipeline rows', async () => (await wb.sideBarRows()).length > 0, { timeoutMs: 30_000 });
      await wb.clickViewTitleAction('Pipelines', 'Show Pipeline Graph');
      // Two pipeline files: the command asks which one.
      const pick = wb.quickPickRows(/^mlci\.yaml/);
      if (await pick.first().waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) {
        await wb.quickInput.fill('mlci.yaml');
        await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: /^mlci\.yaml$/ }) }).first().click();
      }
      await page.locator('.tabs-container .tab[aria-label^="Graph: mlci.yaml"]').first().waitFor({ timeout: 20_000 });
      const graph = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      const node = graph.locator('svg.dag g.node[data-stage="train"]');
      await node.waitFor({ timeout: 30_000 });
      assert.equal(await graph.locator('svg.dag g.node').count(), 5);
      assert.equal(await graph.locator('svg.dag path.edge').count(), 3);
      assert.equal(await node.getAttribute('data-line'), String(trainLine));
      await screenshot('dag-view');
      await node.click();
      // The editor shows mlci.yaml with `train` selected on its line (status bar: Ln 70, Col 8 (5 selected)).
      await page.locator('.tabs-container .tab[aria-label^="mlci.yaml"]').first().waitFor({ timeout: 20_000 });
      const selection = page.locator('.statusbar-item[id="status.editor.selection"]');
      let text = '';
      await waitFor(`the cursor on line ${trainLine}`, async () => {
        text = (await selection.textContent().catch(() => '')) ?? '';
        return new RegExp(`Ln ${trainLine}, Col \\d+ \\(5 selected\\)`).test(text);
      }, { timeoutMs: 20_000, describe: () => `status bar says '${text}'` });
      // Beside: the graph is still visible in its own group.
      assert.ok(await page.locator('.tabs-container .tab.active[aria-label^="Graph: mlci.yaml"]').count() >= 1, 'the graph stays the active tab of its group');
      await screenshot('dag-reveal');
      await wb.runCommand('View: Close All Editors');
    },
  },
];
