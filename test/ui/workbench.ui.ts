/**
 * UI tests of the installed extension (.vsix) in the real workbench, run by
 * scripts/test-ui.mjs on a fresh git copy of examples/churn. The tests share
 * one page and run in order, but each one sets up what it needs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type UiTest, Workbench, waitFor } from './workbench';

const STAGES = ['unit-tests', 'validate-data', 'train', 'evaluate', 'drift'];

export const tests: UiTest[] = [
  {
    name: 'ML Pipelines view lists the stages of mlci.yaml',
    async run({ page, screenshot }) {
      const wb = new Workbench(page);
      await wb.openViewContainer('ML Pipelines');
      let labels: string[] = [];
      try {
        await waitFor('the stage rows', async () => {
          labels = await wb.sideBarRowLabels();
          return STAGES.every((s) => labels.includes(s));
        }, { timeoutMs: 20_000 });
      } catch (e) {
        const welcome = await wb.sideBarWelcome().catch(() => '');
        const shown = labels.length ? `rows ${JSON.stringify(labels)}` : `no rows${welcome ? `, welcome text: "${welcome}"` : ''}`;
        throw new Error(`${(e as Error).message}; the view shows ${shown}`);
      } finally {
        await screenshot('explorer');
      }
    },
  },
  {
    name: 'a typo in needs shows an unknown-stage problem with a suggestion',
    async run({ page, workspace, screenshot }) {
      const wb = new Workbench(page);
      const text = readFileSync(path.join(workspace, 'mlci.yaml'), 'utf8').split('\n');
      const line = text.findIndex((l) => /^\s*needs:\s*\[unit-tests\b/.test(l));
      assert.ok(line >= 0, 'no `needs: [unit-tests` line in mlci.yaml');
      const col = text[line]!.indexOf('unit-tests') + 'unit-tests'.length;
      await wb.openFile('mlci.yaml');
      await wb.goTo(line + 1, col + 1);
      await page.keyboard.type('x'); // needs: [unit-testsx, ...]
      await wb.escape(1); // a suggest widget, if any
      let rows: string[] = [];
      try {
        await waitFor('a problem about the unknown stage', async () => {
          rows = await wb.problems();
          return rows.some((t) => /unknown-stage|did you mean/i.test(t));
        }, { timeoutMs: 15_000, describe: () => `Problems rows: ${JSON.stringify(rows)}` });
      } finally {
        await screenshot('problems');
      }
      assert.ok(rows.some((t) => t.includes('unit-testsx')), `no problem names 'unit-testsx': ${JSON.stringify(rows)}`);
    },
  },
  {
    name: 'MLCI: Validate Pipeline runs from the command palette',
    async run({ page, screenshot }) {
      const wb = new Workbench(page);
      await wb.escape();
      await wb.runCommand('MLCI: Validate Pipeline', { beforePick: async () => void (await screenshot('palette')) });
      const toasts = await waitFor('the validation result notification', async () => {
        const t = await wb.toasts();
        return t.some((x) => /mlci: \d+ errors?, \d+ warnings?/.test(x)) ? t : undefined;
      }, { timeoutMs: 15_000 });
      console.log(`    notification: ${toasts.find((x) => x.startsWith('mlci:'))}`);
    },
  },
];
