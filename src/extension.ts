/**
 * The composition root: activate() builds the one context (settings, log,
 * the pipeline registry, the run service), registers the command table,
 * views, editor features, tasks and tests, and collects every disposable.
 *
 * Activation does no work: it hashes nothing, writes nothing and starts no
 * engine or process. The pipeline files are found and validated right after
 * it returns; stage status (what `mlci status` answers, from the stat cache
 * without writing it; src/adapters/vscode/status-in-host.ts) is computed
 * once the explorer is visible, or after idle, and only in a trusted
 * workspace.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { registerCommands } from './adapters/vscode/commands';
import { registerDriftPanel } from './adapters/vscode/panels/drift-panel';
import { DagPanel, registerDagPanel } from './adapters/vscode/panels/dag-panel';
import { registerImportDvc } from './adapters/vscode/import-dvc';
import { ExperimentsView } from './adapters/vscode/experiments';
import type { ExperimentUi } from './adapters/vscode/run-experiment';
import { runExperimentPicker, vscodeExperimentUi } from './adapters/vscode/run-experiment';
import type { RunItem } from './adapters/vscode/experiments';
import { registerComparePanel } from './adapters/vscode/panels/compare-panel';
import { CompareController } from './adapters/vscode/compare';
import { PlotsController } from './adapters/vscode/plots';
import { Config } from './adapters/vscode/config';
import { PipelineRegistry } from './adapters/vscode/registry';
import { RunService } from './adapters/vscode/run-service';
import { stageWord } from './core/run/words';
import { StatusBar } from './adapters/vscode/status-bar';
import { StageTaskProvider } from './adapters/vscode/tasks';
import { PipelineTests } from './adapters/vscode/tests';
import { PipelineTree } from './adapters/vscode/tree';
import { registerLanguageFeatures } from './adapters/vscode/language';
import type { TerminalCli } from './adapters/vscode/terminal-cli';
import { registerTerminalCli } from './adapters/vscode/terminal-cli';
import type { Notifier } from './adapters/vscode/notify';
import { notifier, offer } from './adapters/vscode/notify';

/** What activate() returns: used by the extension-host tests (and other extensions). */
export interface MlciApi {
  pipelines: PipelineRegistry;
  runs: RunService;
  tree: PipelineTree;
  tests: PipelineTests;
  experiments: ExperimentsView;
  /** MLCI: Show Plots and the live points it forwards to the Plots panel. */
  plots: PlotsController;
  /** MLCI: Compare Runs and the running run's row it keeps growing in the comparison panel. */
  compare: CompareController;
  taskProvider: StageTaskProvider;
  /** Resolves once the pipeline files were found and validated after activation. */
  ready: Promise<void>;
  /** Messages that offer a next action (tests read them and pick the action; the action is real). */
  notifier: { current: Notifier };
  /** The pipeline graph panel, when open (tests post its page's messages through receive()). */
  dagPanel(): DagPanel | undefined;
  /** `mlci` on the integrated terminal's PATH (trusted workspaces). */
  terminalCli: TerminalCli;
  /** Run Experiment's questions (tests answer them; the run is real), and where its last answers are kept. */
  experimentUi: { current: ExperimentUi };
  workspaceState: vscode.Memento;
  /**
   * Milliseconds from the start of activate() until the pipeline files were
   * found, validated and their recorded runs read (`ready`), and until the
   * first up-to-date status was shown (set when it happens); `shownMs`: the
   * root pipeline files validated and shown, before the workspace search
   * answered; `viewVisibleMs`: the Pipelines view first in sight;
   * `startedAt`: activate()'s start on performance.now(). For the bench.
   */
  startup: { activatedMs?: number; shownMs?: number; pipelinesMs?: number; readyMs?: number; firstStatusMs?: number; viewVisibleMs?: number; startedAt: number };
}

export function activate(context: vscode.ExtensionContext): MlciApi {
  const started = performance.now();
  const startup: MlciApi['startup'] = { startedAt: started };
  const log = vscode.window.createOutputChannel('mlci', { log: true });
  const config = new Config();
  const pipelines = new PipelineRegistry(config, log);
  const statusBar = new StatusBar();
  const cliPath = path.join(context.extensionPath, 'dist', 'cli.js');
  const runs = new RunService(config, log, pipelines, statusBar, cliPath);
  const terminalCli = registerTerminalCli(context, cliPath, log);
  const experimentUi = { current: vscodeExperimentUi };
  const tree = new PipelineTree(pipelines, runs);
  const view = vscode.window.createTreeView('mlci.pipelines', { treeDataProvider: tree, showCollapseAll: true });
  const tests = new PipelineTests(pipelines, runs);
  const experiments = new ExperimentsView(pipelines, runs);
  const taskProvider = new StageTaskProvider(pipelines, runs);
  const experimentsView = vscode.window.createTreeView('mlci.experiments', { treeDataProvider: experiments, canSelectMany: true });
  experiments.attach(experimentsView);
  const selected = (item?: RunItem, items?: RunItem[]): RunItem[] => (items?.length ? items : item ? [item] : [...experimentsView.selection]);
  const byId = (id: string) => experiments.all().find((x) => x.run.id === id);
  const compareHandlers = {
    applyParams: (id: string) => { const x = byId(id); return x && experiments.applyParams(x); },
    pinBaseline: (id: string) => { const x = byId(id); return x && experiments.pin(x); },
  };
  const plots = new PlotsController({ context, pipelines, runs, experiments, experimentsView });
  // Compare: the selected runs (default: every listed run, newest first) against the pinned baseline, and the running run.
  const compare = new CompareController({ extensionUri: context.extensionUri, runs, pipelines, experiments, handlers: compareHandlers, selection: () => experimentsView.selection });

  context.subscriptions.push(
    log, pipelines, statusBar, runs, view, tests, terminalCli, plots, compare,
    // `ready` is assigned below, before anything can call these (commands and revived panels run after activate() returns).
    ...registerCommands({ extensionUri: context.extensionUri, config, log, pipelines, runs, whenReady: () => ready }),
    ...registerDriftPanel(context),
    ...registerDagPanel(context, { pipelines, runs, ready: () => ready }),
    ...registerImportDvc(),
    ...registerComparePanel(context, compareHandlers),
    vscode.tasks.registerTaskProvider('mlci', taskProvider),
    experimentsView,
    vscode.commands.registerCommand('mlci.refreshRuns', () => experiments.refresh()),
    vscode.commands.registerCommand('mlci.filterRuns', () => experiments.chooseFilter()),
    vscode.commands.registerCommand('mlci.showRunHistory', () => experiments.setShowHistory(true)),
    vscode.commands.registerCommand('mlci.hideRunHistory', () => experiments.setShowHistory(false)),
    vscode.commands.registerCommand('mlci.pinBaseline', (i?: RunItem) => { const t = selected(i)[0]; return t && experiments.pin(t); }),
    vscode.commands.registerCommand('mlci.copyDelivery', (i?: RunItem) => { const t = selected(i)[0]; return t && experiments.copyDelivery(t); }),
    vscode.commands.registerCommand('mlci.renameRun', (i?: RunItem) => { const t = selected(i)[0]; return t && experiments.rename(t); }),
    vscode.commands.registerCommand('mlci.tagRun', (i?: RunItem) => { const t = selected(i)[0]; return t && experiments.tag(t); }),
    vscode.commands.registerCommand('mlci.deleteRun', (i?: RunItem, all?: RunItem[]) => experiments.delete(selected(i, all))),
    vscode.commands.registerCommand('mlci.applyParams', (i?: RunItem) => { const t = selected(i)[0]; return t && experiments.applyParams(t); }),
    // In Restricted Mode it says so before asking anything; the pipeline in the active editor, else the first.
    vscode.commands.registerCommand('mlci.runExperiment', async () => {
      if (!runs.trusted()) return;
      const active = vscode.window.activeTextEditor?.document.uri;
      const entry = (active && pipelines.get(active)) || pipelines.list()[0];
      const runnable = entry && pipelines.runnable(entry);
      if (!entry) void offer('info', 'No pipeline file (mlci.yaml) in this workspace: create one first.', 'New Pipeline').then((p) => p && vscode.commands.executeCommand('mlci.newPipeline'));
      else if (!runnable) void offer('error', `${path.basename(entry.uri.fsPath)} has errors: fix them first (see Problems).`, 'Show Problems').then((p) => p && vscode.commands.executeCommand('workbench.actions.view.problems'));
      else await runExperimentPicker(entry, runnable.params, runs, context.workspaceState, experimentUi.current);
    }),
    ...registerLanguageFeatures({
      config, log, registry: pipelines,
      stageStatus: (file, stage) => {
        const v = runs.view(file, stage);
        const rec = v.live ?? v.last;
        if (!rec && !v.status) return undefined;
        const label = rec?.status === 'running' ? 'running'
          : rec && (rec.status === 'failed' || rec.status === 'cancelled') ? rec.status
            : v.status?.state === 'stale' ? `stale: ${v.status.reasons[0] ?? ''}`
              : v.status?.state === 'up-to-date' ? 'up to date'
                : rec ? stageWord(rec.status) : v.status?.state ?? '';
        return { label, ...(rec?.reason ? { detail: rec.reason } : {}) };
      },
      onDidChangeStatus: runs.onDidChange,
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void vscode.commands.executeCommand('setContext', 'mlci.trusted', true);
      runs.refreshStatusSoon(0);
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (!vscode.workspace.isTrusted) return;
      const entry = pipelines.list().find((e) => doc.uri.fsPath === e.uri.fsPath || doc.uri.fsPath.startsWith(e.root + path.sep));
      if (!entry) return;
      if (config.runOnSave && !runs.running) void runs.run({ entry, targets: [], title: 'run on save', origin: 'run-on-save' });
      else runs.refreshStatusSoon();
    }),
    pipelines.onDidChangeInput(() => {
      if (vscode.workspace.isTrusted) runs.refreshStatusSoon();
    }),
    // Status is computed when someone looks: the explorer shown, or after idle.
    // At once, not on a timer: at startup a timer of 0 ms fired ~140 ms late,
    // behind the work of the view that just opened.
    view.onDidChangeVisibility((e) => {
      if (!e.visible) return;
      startup.viewVisibleMs ??= performance.now() - started;
      void runs.refreshStatus();
    }),
  );
  void vscode.commands.executeCommand('setContext', 'mlci.running', false);
  // After activation returns: find and validate pipeline files, read recorded runs.
  const first = runs.onDidChange(() => {
    if (!runs.hasStatus()) return;
    startup.firstStatusMs ??= performance.now() - started;
    log.debug(`startup: pipelines ready ${Math.round(startup.readyMs ?? 0)} ms, first status ${Math.round(startup.firstStatusMs)} ms after activate()`);
    first.dispose();
  });
  context.subscriptions.push(first);
  // With the explorer in view, status starts on the root pipeline files as
  // soon as they are validated, while the workspace search and the run
  // history are still being read; the full refresh after them covers the rest.
  let early: Promise<void> | undefined;
  const ready = new Promise<void>((resolve) => setTimeout(resolve, 0))
    .then(() => {
      startup.activatedMs = performance.now() - started;
      return pipelines.refresh((found) => {
        startup.shownMs = performance.now() - started;
        if (found.length && view.visible) early = runs.refreshStatus();
      });
    })
    .then(() => {
      startup.pipelinesMs = performance.now() - started;
      return experiments.refresh();
    })
    .then(async () => {
      startup.readyMs = performance.now() - started;
      if (!view.visible) {
        runs.prepareStatus();
        return runs.refreshStatusSoon(3000);
      }
      // Pipelines the search found below the root still need theirs.
      await early;
      if (pipelines.list().some((e) => !runs.hasStatusOf(e.uri.fsPath))) return runs.refreshStatus();
    })
    .catch((e: unknown) => log.error(`mlci start: ${(e as Error).message}`));
  log.info(`mlci activated (${vscode.workspace.isTrusted ? 'trusted' : 'Restricted Mode: running is disabled'})`);
  return { pipelines, runs, tree, tests, experiments, plots, compare, taskProvider, ready, notifier, dagPanel: () => DagPanel.current, terminalCli, experimentUi, workspaceState: context.workspaceState, startup };
}

export function deactivate(): void {}
