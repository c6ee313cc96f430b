/**
 * The product's main job as a user does it, in the installed extension
 * (.vsix) in the real workbench: Run Pipeline from the ML Pipelines view's
 * title bar runs the example in real Docker. The engine's own events (not
 * mlci's word) prove each container stage ran in a container; then the tree
 * says every stage passed or is up to date; then a stage made to fail, run
 * from its row's inline action, stays failed in the tree after the run.
 * Run by scripts/test-ui.mjs, which gives code-server an MLCI_HOST_ID of its
 * own so the containers of this session can be told from others on a shared
 * engine (mlci.host label).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { engineEvents } from '../support/engine-events';
import { type UiTest, Workbench, waitFor } from './workbench';

/** Stages whose kind runs in-process in the CLI (no container): data checks and drift. */
const IN_PROCESS_KINDS = new Set(['data', 'drift']);

function exampleStages(workspace: string): Array<{ name: string; kind: string }> {
  const doc = parse(readFileSync(path.join(workspace, 'mlci.yaml'), 'utf8')) as { stages: Record<string, { kind?: string }> };
  return Object.entries(doc.stages).map(([name, s]) => ({ name, kind: s.kind ?? 'run' }));
}

function requireEngine(): void {
  if (!process.env.DOCKER_HOST) throw new Error('DOCKER_HOST is not set: this test needs the real engine (scripts/ci/docker-up.sh)');
  if (!process.env.MLCI_HOST_ID) throw new Error('MLCI_HOST_ID is not set: run this through scripts/test-ui.mjs');
}

/**
 * Now in Unix seconds, to the millisecond: the engine runs on this machine's
 * clock, and the run test's last container (evaluate) is created a second or
 * two before the next test starts, so whole seconds would count it there.
 */
const now = () => Date.now() / 1000;

export const tests: UiTest[] = [
  {
    name: 'Run Pipeline from the ML Pipelines view runs each container stage in Docker (the engine saw it), then every stage reads passed',
    timeoutMs: 420_000,
    async run({ page, workspace, screenshot }) {
      requireEngine();
      const wb = new Workbench(page);
      const stages = exampleStages(workspace);
      await wb.openViewContainer('ML Pipelines');
      await waitFor('the stage rows', async () => {
        const labels = (await wb.sideBarRows()).map((r) => r.label);
        return stages.every((s) => labels.includes(s.name));
      }, { timeoutMs: 30_000 });
      const t0 = now();
      // With one pipeline file the view lists its stages at the top and the
      // title's Run Pipeline runs it; with several (the example also has
      // serve.mlci.yaml) each file is a row with its own inline Run Pipeline.
      const pipelineRow = (await wb.sideBarRows()).find((r) => r.description === 'mlci.yaml');
      if (pipelineRow) await wb.clickRowAction(pipelineRow.label, 'Run Pipeline');
      else await wb.clickViewTitleAction('Pipelines', 'Run Pipeline');
      let rows: Array<{ label: string; description: string }> = [];
      try {
        await waitFor('every stage to read passed or up to date', async () => {
          rows = (await wb.sideBarRows()).filter((r) => stages.some((s) => s.name === r.label));
          const failed = rows.find((r) => /^(failed|cancelled|gate failed)/.test(r.description));
          if (failed) throw new Error(`stage ${failed.label} reads '${failed.description}'`);
          return rows.length === stages.length && rows.every((r) => /^(passed|up to date)/.test(r.description));
        }, { timeoutMs: 400_000, intervalMs: 1000, describe: () => JSON.stringify(rows) });
      } finally {
        await screenshot('run-pipeline');
      }
      for (const r of rows) assert.doesNotMatch(r.description, /stale|host process/, `${r.label} reads '${r.description}'`);

      const created = await engineEvents(t0, now() + 1, { type: ['container'], event: ['create'], label: [`mlci.host=${process.env.MLCI_HOST_ID}`] });
      const inContainers = created.map((e) => e.Actor.Attributes['mlci.stage']).sort();
      const expected = stages.filter((s) => !IN_PROCESS_KINDS.has(s.kind)).map((s) => s.name).sort();
      assert.ok(expected.length >= 2, `the example has container stages: ${JSON.stringify(stages)}`);
      assert.deepEqual(inContainers, expected, 'the engine created one container for each container stage, and no other');
      const images = new Set(created.map((e) => e.Actor.Attributes.image));
      assert.ok(![...images].some((i) => !i), `every container names its image: ${JSON.stringify([...images])}`);
    },
  },
  {
    name: 'a stage made to fail, run from its row, stays failed in the tree after the run',
    timeoutMs: 180_000,
    async run({ page, workspace, screenshot }) {
      requireEngine();
      const wb = new Workbench(page);
      await wb.openViewContainer('ML Pipelines');
      const bad = path.join(workspace, 'tests', 'unit', 'test_zz_fails.py');
      mkdirSync(path.dirname(bad), { recursive: true });
      writeFileSync(bad, 'import unittest\n\nclass Fails(unittest.TestCase):\n    def test_fails(self):\n        self.assertEqual(1, 2)\n');
      const t0 = now();
      try {
        await wb.clickRowAction('unit-tests', 'Run Stage');
        const unitRow = async () => (await wb.sideBarRows()).find((r) => r.label === 'unit-tests');
        let row: { label: string; description: string } | undefined;
        await waitFor('unit-tests to read failed', async () => {
          row = await unitRow();
          return row && /^failed/.test(row.description);
        }, { timeoutMs: 150_000, intervalMs: 500, describe: () => JSON.stringify(row) });
        const created = await engineEvents(t0, now() + 1, { type: ['container'], event: ['create'], label: [`mlci.host=${process.env.MLCI_HOST_ID}`] });
        assert.deepEqual(created.map((e) => e.Actor.Attributes['mlci.stage']), ['unit-tests'], 'the stage ran in a container');
        // The status refresh after a run (and the file watcher that saw the new
        // test file) must not paint over the failure.
        await new Promise((r) => setTimeout(r, 4000));
        row = await unitRow();
        assert.match(row?.description ?? '', /^failed/, `after the refresh unit-tests reads '${row?.description}'`);
        // The row keeps its kind's icon, coloured as a failed test is (the theme's testing.iconFailed).
        const colours = await page.locator('.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: /^unit-tests$/ }) })
          .first().locator('.custom-view-tree-node-item-icon').first().evaluate((el) => {
            const probe = document.createElement('span');
            probe.style.color = 'var(--vscode-testing-iconFailed)';
            el.parentElement!.appendChild(probe);
            const failedColour = getComputedStyle(probe).color;
            probe.remove();
            return { icon: getComputedStyle(el).color, failed: failedColour };
          });
        assert.equal(colours.icon, colours.failed, `the row's icon is coloured as failed (${colours.failed}), not ${colours.icon}`);
      } finally {
        await screenshot('stage-failed');
        rmSync(bad, { force: true });
      }
    },
  },
];
