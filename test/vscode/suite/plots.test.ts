/**
 * MLCI: Show Plots in a real VS Code against the real Docker engine: a
 * training stage (a pipeline of its own in the workspace) writes
 * DVCLive-format files over a few seconds; the Plots panel opened on the
 * stage while it runs receives its loss points before the stage ends (the
 * tree shows the step too), and when the run ends the live column becomes
 * the recorded run with its whole history. The comparison panel opened
 * during the run gets the same points as a 'running now' row whose train
 * history grows before the stage ends, and then shows the recorded run.
 * Opening the panel from the Experiments view shows that run's plots.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PlotData } from '../../../src/core/plots/types';
import { TRAIN_PY } from '../../unit/live/helpers';
import { api, needEngine, waitFor as waitForAt } from './support';

const trusted = process.env.MLCI_TEST_TRUST !== 'restricted';

/** The stage runs in a real container: a minute per step, not support.ts's 20 s. */
const waitFor = <T>(what: string, fn: () => T | undefined | false) => waitForAt(what, fn, 60_000);

type XY = Extract<PlotData, { kind: 'xy' }>;

(trusted ? describe : describe.skip)('the Plots panel (installed extension, real engine)', function () {
  this.timeout(240_000);

  it('grows the loss curve of a running DVCLive stage before it ends in the Plots and comparison panels, then shows the recorded run; Experiments opens a run\'s plots', async function () {
    needEngine(this);
    const a = await api();
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const root = path.join(folder, 'live-plots');
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'train.py'), TRAIN_PY);
    const file = path.join(root, 'live.mlci.yaml');
    await vscode.workspace.fs.writeFile(vscode.Uri.file(file), Buffer.from(`version: 1
defaults: { image: python:3.12-slim, network: none }
stages:
  train:
    kind: train
    run: python3 train.py 12 0.5 converge
    deps: [train.py]
    outs: [out/model.txt]
`));
    try {
      const entry = await waitFor('the pipeline in the registry, runnable', () => { const e = a.pipelines.get(file); return e && a.pipelines.runnable(e) ? e : undefined; });
      const running = a.runs.run({ entry, targets: ['train'], force: ['train'], title: 'live plots (test)' });
      await waitFor('train to start', () => a.runs.view(file, 'train').live?.status === 'running');
      await vscode.commands.executeCommand('mlci.showPlots', { file, stage: 'train' });
      const shown = await waitFor('the panel', () => a.plots.shown);
      assert.equal(shown.title, 'Plots: train');
      assert.ok(shown.runs.some((r) => r.live), 'a running-now column');
      // The comparison panel, opened during the run: the running pipeline's runs and a running-now row.
      await vscode.commands.executeCommand('mlci.compareRuns');
      const compared = await waitFor('the comparison panel', () => a.compare.shown);
      assert.equal(compared.pipeline, file);
      assert.ok(compared.runs.some((r) => r.live), 'a running-now row');
      // Points arrive while the stage still runs.
      const grown = await waitFor('3 loss points in the panel while train runs', () => {
        const live = a.plots.shown?.runs.find((r) => r.live);
        const loss = (live?.plots.find((p) => p.id === 'train:(history)') as XY | undefined)?.series.find((s) => s.name === 'loss');
        return loss && loss.points.length >= 3 && a.runs.view(file, 'train').live?.status === 'running' ? loss.points.length : undefined;
      });
      assert.ok(grown >= 3);
      // The comparison panel's row got them too, before the stage ended.
      const rows = await waitFor('3 loss rows in the comparison panel while train runs', () => {
        const history = a.compare.shown?.runs.find((r) => r.live)?.history?.train ?? [];
        const loss = history.filter((row) => typeof row.loss === 'number');
        return loss.length >= 3 && a.runs.view(file, 'train').live?.status === 'running' ? loss.length : undefined;
      });
      assert.ok(rows >= 3);
      assert.match(String(a.tree.getTreeItem({ kind: 'stage', entry, stage: entry.result.pipeline!.stages[0]! }).description), /running.*step \d+/);
      const record = await running;
      assert.equal(record?.stages[0]?.status, 'passed', JSON.stringify(record?.stages));
      // The live column became the recorded run, with all 12 steps.
      const after = await waitFor('the recorded run in the panel', () => a.plots.shown?.runs.find((r) => r.run === record!.id));
      assert.ok(!a.plots.shown!.runs.some((r) => r.live), 'no running column after the run');
      const history = after.plots.find((p) => p.id === 'train:(history)') as XY;
      assert.deepEqual(history.series.find((s) => s.name === 'loss')!.points.map((p) => p.x), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      // The comparison's running row became the recorded run, its history whole.
      const recorded = await waitFor('the recorded run in the comparison panel', () => a.compare.shown?.runs.find((r) => r.id === record!.id));
      assert.ok(!a.compare.shown!.runs.some((r) => r.live), 'no running row after the run');
      assert.deepEqual(recorded.history?.train?.map((row) => row.step), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

      // From the Experiments view: the run's plots.
      await a.experiments.refresh();
      const item = await waitFor('the run in the Experiments view', () => a.experiments.all().find((i) => i.run.id === record!.id));
      await vscode.commands.executeCommand('mlci.showPlots', item);
      const fromView = await waitFor('the run\'s plots', () => (a.plots.shown?.runs.length === 1 && a.plots.shown.runs[0]!.run === record!.id ? a.plots.shown : undefined));
      assert.match(fromView.title, /^Plots: /);
      assert.deepEqual(fromView.runs[0]!.plots.map((p) => p.id), ['train:(history)']);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(root, { recursive: true, force: true });
    }
  });
});
