/**
 * In a real VS Code on a copy of examples/churn: the explorer lists the
 * stages in DAG order with their children, a stage runs through the
 * command (real engine: Docker when DOCKER_HOST answers, else host
 * processes) and the tree and status update, tasks exist for every stage,
 * and Test Explorer runs the data stage with its checks as child tests.
 * The Restricted Mode run (test-vscode --restricted) checks that nothing
 * runs there.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { MlciApi } from '../../../src/extension';
import { api } from './support';
import type { Node } from '../../../src/adapters/vscode/tree';


function label(a: MlciApi, n: Node): string {
  const item = a.tree.getTreeItem(n);
  return typeof item.label === 'string' ? item.label : item.label?.label ?? '';
}

const trusted = process.env.MLCI_TEST_TRUST !== 'restricted';

describe('pipeline explorer', function () {
  this.timeout(120_000);

  it('lists the example stages in DAG order with kind icons and children', async () => {
    const a = await api();
    const top = a.tree.getChildren();
    assert.deepEqual(top.map((n) => label(a, n)), ['unit-tests', 'validate-data', 'train', 'evaluate', 'drift', 'triggers']);
    const triggers = a.tree.getChildren(top[5]).map((n) => [label(a, n), String(a.tree.getTreeItem(n).description)]);
    assert.deepEqual(triggers.map((t) => t[0]), ['schedule', 'drift', 'metric']);
    assert.match(triggers[2][1], /^quiet: live accuracy = 0.845/);
    const train = top.find((n) => label(a, n) === 'train')!;
    const item = a.tree.getTreeItem(train);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'flame');
    assert.match(String(item.contextValue), /^stage\.train/);
    const groups = a.tree.getChildren(train).map((n) => label(a, n));
    assert.deepEqual(groups, ['deps', 'outs', 'metrics', 'params']);
    const params = a.tree.getChildren(a.tree.getChildren(train).find((n) => label(a, n) === 'params'));
    assert.deepEqual(params.map((n) => [label(a, n), a.tree.getTreeItem(n).description]), [['lr', '0.5'], ['epochs', '100'], ['l2', '0.001'], ['seed', '42']]);
    const evaluate = top.find((n) => label(a, n) === 'evaluate')!;
    const gates = a.tree.getChildren(a.tree.getChildren(evaluate).find((n) => label(a, n) === 'gates'));
    assert.equal(gates.length, 5);
  });

  it('offers every stage as a task of type mlci', async function () {
    if (!trusted) this.skip();
    await api();
    const tasks = await vscode.tasks.fetchTasks({ type: 'mlci' });
    assert.deepEqual(tasks.map((t) => t.name).sort(), ['drift', 'evaluate', 'train', 'unit-tests', 'validate-data']);
  });

  if (trusted) {
    it('runs a stage through the command; the tree and the status reflect it', async () => {
      const a = await api();
      const file = a.pipelines.list()[0].uri.fsPath;
      await vscode.commands.executeCommand('mlci.runStage', { file, stage: 'validate-data' });
      const run = a.runs.lastRun(file);
      assert.ok(run, 'a run was recorded');
      assert.equal(run.stages.find((s) => s.name === 'validate-data')?.status, 'passed', JSON.stringify(run.stages));
      assert.ok(existsSync(path.join(path.dirname(file), '.mlci', 'runs', run.id, 'run.json')));
      const node = a.tree.getChildren().find((n) => label(a, n) === 'validate-data')!;
      assert.match(String(a.tree.getTreeItem(node).description), /^passed/);
    });

    it('runs the data stage from Test Explorer, with each check as a child test', async () => {
      const a = await api();
      const file = a.pipelines.list()[0].uri.fsPath;
      const item = a.tests.controller.items.get(`${file}#validate-data`);
      assert.ok(item, 'validate-data is a test');
      const cts = new vscode.CancellationTokenSource();
      await a.tests.runProfile.runHandler(new vscode.TestRunRequest([item]), cts.token);
      assert.equal(a.tests.lastResults.get(item.id)?.state, 'passed');
      const checks = [...a.tests.lastResults.keys()].filter((k) => k.startsWith(`${item.id}#check-`));
      assert.ok(checks.length >= 20, `checks as child tests: ${checks.length}`);
      assert.ok(item.children.get(`${item.id}#check-columns.tenure.max`), 'the tenure max check is listed');
      // Its importance gates (leakage, unused features) are child tests with results too.
      assert.equal(item.children.get(`${item.id}#gate-0`)?.label, 'gate: validate-data importance: no leakage (≤ 0.9)');
      assert.equal(a.tests.lastResults.get(`${item.id}#gate-0`)?.state, 'passed');
      assert.equal(a.tests.lastResults.get(`${item.id}#gate-1`)?.state, 'passed');
    });

    it('runs the drift stage and opens its report in the drift panel', async () => {
      const a = await api();
      const file = a.pipelines.list()[0].uri.fsPath;
      await vscode.commands.executeCommand('mlci.runStage', { file, stage: 'drift' });
      const report = a.runs.lastRun(file)?.reports?.drift as { datasetDrift?: boolean; columns?: unknown[] } | undefined;
      assert.equal(report?.datasetDrift, true, 'the example data drifts');
      assert.equal(report?.columns?.length, 5);
      await vscode.commands.executeCommand('mlci.showDriftReport', { file, stage: 'drift' });
      let tab: vscode.Tab | undefined;
      for (let i = 0; i < 50 && !tab; i++) {
        tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('mlci.driftPanel'));
        if (!tab) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(tab, 'the drift panel is open');
      assert.match(tab.label, /^Drift: drift/);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('runs the evaluate stage from Test Explorer: its gates are child tests with results', async () => {
      const a = await api();
      const file = a.pipelines.list()[0].uri.fsPath;
      const item = a.tests.controller.items.get(`${file}#evaluate`)!;
      await a.tests.runProfile.runHandler(new vscode.TestRunRequest([item]), new vscode.CancellationTokenSource().token);
      assert.equal(a.tests.lastResults.get(item.id)?.state, 'passed', JSON.stringify([...a.tests.lastResults].filter(([k]) => k.startsWith(item.id))));
      assert.equal(a.tests.lastResults.get(`${item.id}#gate-0`)?.state, 'passed', 'accuracy >= 0.75');
      assert.equal(a.tests.lastResults.get(`${item.id}#gate-1`)?.state, 'passed', `no f1 regression vs main (the committed metrics): ${JSON.stringify(a.tests.lastResults.get(`${item.id}#gate-1`))}`);
      assert.equal(a.tests.lastResults.get(`${item.id}#gate-2`)?.state, 'passed', 'loss converges');
      const evaluate = a.tree.getChildren().find((n) => label(a, n) === 'evaluate')!;
      const gates = a.tree.getChildren(a.tree.getChildren(evaluate).find((n) => label(a, n) === 'gates'));
      assert.match(String(a.tree.getTreeItem(gates[0]).description), /^passed: accuracy 0.834 is above the minimum 0.75/);
    });

    it('a run where nothing ran is run history: not a new row in the Experiments view until Show Run History', async () => {
      const a = await api();
      const file = a.pipelines.list()[0].uri.fsPath;
      // Twice, not forced (Run Stage forces its stage): the second run finds validate-data up to date and runs nothing.
      const entry = a.pipelines.list()[0];
      await a.runs.run({ entry, targets: ['validate-data'], title: 'history test' });
      await a.runs.run({ entry, targets: ['validate-data'], title: 'history test' });
      const cached = a.runs.lastRun(file)!;
      assert.deepEqual(cached.stages.map((s) => s.status), ['cached']);
      assert.equal(cached.kind, 'cached');
      await a.experiments.refresh();
      const shown = () => a.experiments.getChildren().map((i) => i.run.id);
      assert.ok(!shown().includes(cached.id), 'the cached run is no experiment row');
      assert.ok(a.experiments.all().some((i) => i.run.id === cached.id), 'but it is kept');
      await vscode.commands.executeCommand('mlci.showRunHistory');
      const row = a.experiments.getChildren().find((i) => i.run.id === cached.id);
      assert.ok(row, 'listed under Show Run History');
      assert.match(String(a.experiments.getTreeItem(row).description), /^passed · cached: nothing ran · /);
      assert.equal((a.experiments.getTreeItem(row).iconPath as vscode.ThemeIcon).id, 'history');
      await vscode.commands.executeCommand('mlci.hideRunHistory');
      assert.ok(!shown().includes(cached.id));
    });

    it('lists the recorded runs in the Experiments view; pinning marks the baseline', async () => {
      const a = await api();
      await a.experiments.refresh();
      const items = a.experiments.getChildren();
      assert.ok(items.length >= 2, `runs listed: ${items.length}`);
      assert.ok(items[0].run.startedAt >= items[items.length - 1].run.startedAt, 'newest first');
      const item = a.experiments.getTreeItem(items[0]);
      assert.match(String(item.description), /^(passed|failed|gate-failed) · /);
      assert.match(String(item.description), /main@[0-9a-f]{7}/);
      await vscode.commands.executeCommand('mlci.pinBaseline', items[1]);
      const pinned = a.experiments.getChildren().find((i) => i.run.id === items[1].run.id)!;
      assert.equal(pinned.pinned, true);
      assert.equal(a.experiments.getTreeItem(pinned).contextValue, 'run.pinned');
      await vscode.commands.executeCommand('mlci.compareRuns', items[0], [items[0], items[1]]);
      let tab: vscode.Tab | undefined;
      for (let i = 0; i < 50 && !tab; i++) {
        tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('mlci.comparePanel'));
        if (!tab) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(tab, 'the comparison panel is open');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });
  } else {
    it('[restricted] refuses to run, offers no tasks, and still shows the pipeline', async () => {
      const a = await api();
      assert.equal(vscode.workspace.isTrusted, false);
      const entry = a.pipelines.list()[0];
      const result = await a.runs.run({ entry, targets: ['unit-tests'], title: 'try' });
      assert.equal(result, undefined);
      assert.equal(existsSync(path.join(entry.root, '.mlci', 'runs')), false, 'no run was recorded');
      // vscode.tasks.fetchTasks waits for trust in Restricted Mode; ask our provider itself.
      assert.deepEqual(a.taskProvider.provideTasks(), []);
      assert.equal(a.tree.getChildren().length, 6);
    });
  }
});
