/**
 * The Experiments view: every recorded run of the workspace's pipelines
 * (newest first) and, read-only, the runs of an MLflow file store
 * (`mlruns/`) found in the workspace, with status, time, branch@commit
 * (`*` when the tree was dirty) and the pipeline's key metrics. Multi-select
 * to compare; pin a baseline; rename, tag, delete; filter; apply a run's
 * params back to the params file (Run Experiment… is run-experiment.ts).
 */
import { formatMetric } from '../../core/metric-format';
import { existsSync, writeFileSync } from 'node:fs';
import { FILE_LIMITS, readRegularFileSync } from '../../core/files/regular-file';
import path from 'node:path';
import * as vscode from 'vscode';
import { importMlflow } from '../../core/experiments/mlflow';
import { renderParamsText } from '../../core/experiments/params-file';
import { pinBaseline, readPinned } from '../../core/experiments/baseline';
import { kindLabel, kindOf } from '../../core/run/kind';
import type { RunKind, RunRecord } from '../../core/run/record';
import { hiddenNote } from '../../core/experiments/list';
import { deliveredDescription, deliveredMarkdown, deliveredRefs } from '../../core/experiments/deliveries';
import { ComparePanel, compareRunOf } from './panels/compare-panel';
import { formatDuration } from '../../core/run/units';
import { RunStore } from '../../core/run/store';
import type { PipelineEntry, PipelineRegistry } from './registry';
import type { RunService } from './run-service';

export interface RunItem {
  kind: 'run';
  run: RunRecord;
  entry?: PipelineEntry;
  /** MLflow runs are read-only. */
  mlflow?: boolean;
  pinned: boolean;
  /** 'experiment', or what kind of history the run is. */
  runKind: RunKind;
}

export interface RunFilter {
  status?: string;
  branch?: string;
  tag?: string;
}

const STATUS_ICON: Record<string, [string, string?]> = {
  passed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  'gate-failed': ['law', 'testing.iconFailed'],
  cancelled: ['circle-slash'],
  running: ['loading~spin'],
};

export class ExperimentsView implements vscode.TreeDataProvider<RunItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  filter: RunFilter = {};
  /** History runs are listed too (the "Show Run History" toggle). */
  showHistory = false;
  private items: RunItem[] = [];
  private view: vscode.TreeView<RunItem> | undefined;

  constructor(private readonly pipelines: PipelineRegistry, runs: RunService) {
    runs.onDidFinishRun(() => void this.refresh());
    pipelines.onDidChange(() => void this.refresh());
    void vscode.commands.executeCommand('setContext', 'mlci.runHistory', false);
  }

  /** The tree view showing this provider: its message says what history is hidden. */
  attach(view: vscode.TreeView<RunItem>): void {
    this.view = view;
    this.updateMessage();
  }

  setShowHistory(show: boolean): void {
    this.showHistory = show;
    void vscode.commands.executeCommand('setContext', 'mlci.runHistory', show);
    this.updateMessage();
    this.changed.fire();
  }

  private updateMessage(): void {
    const hidden: Partial<Record<RunKind, number>> = {};
    if (!this.showHistory) for (const i of this.items) if (i.runKind !== 'experiment') hidden[i.runKind] = (hidden[i.runKind] ?? 0) + 1;
    const note = hiddenNote(hidden, 'Show Run History lists them');
    const historyOnly = this.items.length > 0 && this.items.every((i) => i.runKind !== 'experiment');
    void vscode.commands.executeCommand('setContext', 'mlci.historyOnly', historyOnly);
    // With only history the welcome text says it (and offers the toggle); a message would repeat it.
    if (this.view) this.view.message = note && !historyOnly ? note.replace(/: Show Run History lists them$/, '') : undefined;
  }

  async refresh(): Promise<void> {
    const items: RunItem[] = [];
    for (const entry of this.pipelines.list()) {
      
      const runs = await new RunStore(entry.root).list().catch(() => []);
      const pinned = await readPinned(entry.root).catch(() => undefined);
      for (const run of runs) items.push({ kind: 'run', run, entry, pinned: run.id === pinned, runKind: kindOf(run) });
    }
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const mlruns = path.join(folder.uri.fsPath, 'mlruns');
      if (!existsSync(mlruns)) continue;
      try {
        for (const run of importMlflow(mlruns).runs) items.push({ kind: 'run', run, mlflow: true, pinned: false, runKind: 'experiment' });
      } catch {
        // an unreadable store is shown as nothing, the CLI names the problem
      }
    }
    items.sort((a, b) => b.run.startedAt.localeCompare(a.run.startedAt));
    this.items = items;
    void vscode.commands.executeCommand('setContext', 'mlci.hasRuns', items.length > 0);
    this.updateMessage();
    this.changed.fire();
    // An open comparison follows a changed baseline (pinned here or with mlci exp pin).
    const pinned = items.find((i) => i.pinned);
    ComparePanel.current?.setBaseline(pinned ? compareRunOf(pinned.run) : undefined);
  }

  /** The rows: experiments (history too when shown), through the filter. */
  getChildren(): RunItem[] {
    const f = this.filter;
    return this.items.filter((i) => (this.showHistory || i.runKind === 'experiment' || i.pinned || i.run.status === 'running') &&
      (!f.status || i.run.status === f.status) && (!f.branch || i.run.git?.branch === f.branch) && (!f.tag || (i.run.tags ?? []).includes(f.tag)));
  }

  all(): RunItem[] {
    return this.items;
  }

  getTreeItem(i: RunItem): vscode.TreeItem {
    const r = i.run;
    const item = new vscode.TreeItem(r.name ?? r.id, vscode.TreeItemCollapsibleState.None);
    item.id = `${i.mlflow ? 'mlflow:' : ''}${i.entry?.uri.fsPath ?? ''}#${r.id}`;
    const [icon, color] = STATUS_ICON[r.status] ?? ['circle-outline'];
    item.iconPath = i.pinned ? new vscode.ThemeIcon('pinned', new vscode.ThemeColor('charts.blue')) : new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const when = new Date(r.startedAt);
    const time = `${when.toLocaleDateString()} ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
    const git = r.git ? `${r.git.branch ?? 'detached'}@${r.git.commit.slice(0, 7)}${r.git.dirty ? '*' : ''}` : '';
    const goals = i.entry?.result.pipeline?.metrics ?? {};
    const keys = Object.keys(goals).length ? Object.keys(goals) : Object.keys(r.metrics);
    const metrics = keys.filter((k) => r.metrics[k] !== undefined).slice(0, 3).map((k) => `${k} ${formatMetric(r.metrics[k], goals[k]?.format ?? r.metricFormats?.[k])}`).join(' · ');
    const history = i.runKind === 'experiment' ? '' : kindLabel(i.runKind);
    const delivered = deliveredRefs(r);
    item.description = [r.status, history, time, git, deliveredDescription(delivered), metrics].filter(Boolean).join(' · ');
    // History rows look quieter than experiments: the history icon unless pinned or failed.
    if (history && !i.pinned && r.status === 'passed') item.iconPath = new vscode.ThemeIcon('history');
    const took = r.finishedAt ? formatDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : '';
    const md = new vscode.MarkdownString(`**${r.name ?? r.id}** (${r.id})${i.mlflow ? ' · MLflow' : ''}${i.pinned ? ' · pinned baseline' : ''}\n\n${r.status} ${took}${git ? ` on \`${git}\`` : ''}`);
    if (history) md.appendMarkdown(`\n\nhistory: ${history}${r.origin ? ` (started from ${r.origin})` : ''}`);
    const params = Object.entries(r.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
    if (params) md.appendMarkdown(`\n\nparams: ${params}`);
    if (r.overrides) md.appendMarkdown(`\n\noverrides: ${Object.entries(r.overrides).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
    if (r.tags?.length) md.appendMarkdown(`\n\ntags: ${r.tags.join(', ')}`);
    for (const line of deliveredMarkdown(delivered)) md.appendMarkdown(`\n\n${line}`);
    item.tooltip = md;
    // `.delivered` offers Copy Delivered Reference.
    item.contextValue = (i.mlflow ? 'run.mlflow' : i.pinned ? 'run.pinned' : 'run') + (delivered.length ? '.delivered' : '');
    return item;
  }

  // --- actions (commands call these) ---

  async pin(i: RunItem): Promise<void> {
    if (!i.entry) return;
    await pinBaseline(i.entry.root, i.run.id);
    await this.refresh();
  }

  async rename(i: RunItem): Promise<void> {
    if (!i.entry) return;
    const name = await vscode.window.showInputBox({ prompt: `Name for run ${i.run.id}`, value: i.run.name ?? '' });
    if (name === undefined) return;
    await new RunStore(i.entry.root).rename(i.run.id, name);
    await this.refresh();
  }

  async tag(i: RunItem): Promise<void> {
    if (!i.entry) return;
    const text = await vscode.window.showInputBox({ prompt: `Tags for run ${i.run.id} (space separated; -tag removes)`, value: (i.run.tags ?? []).join(' ') });
    if (text === undefined) return;
    const words = text.split(/\s+/).filter(Boolean);
    const add = words.filter((w) => !w.startsWith('-'));
    const remove = [...(i.run.tags ?? []).filter((t) => !add.includes(t)), ...words.filter((w) => w.startsWith('-')).map((w) => w.slice(1))];
    await new RunStore(i.entry.root).tag(i.run.id, add, remove);
    await this.refresh();
  }

  async delete(items: RunItem[]): Promise<void> {
    const own = items.filter((i) => i.entry && !i.mlflow);
    if (!own.length) return;
    const sure = await vscode.window.showWarningMessage(`Delete ${own.length === 1 ? `run ${own[0].run.name ?? own[0].run.id}` : `${own.length} runs`} and ${own.length === 1 ? 'its' : 'their'} logs?`, { modal: true }, 'Delete');
    if (sure !== 'Delete') return;
    for (const i of own) await new RunStore(i.entry!.root).delete(i.run.id);
    await this.refresh();
  }

  /** Writes the run's params back to the pipeline's params file (comments kept). */
  async applyParams(i: RunItem): Promise<void> {
    const entry = i.entry ?? this.pipelines.list()[0];
    const paramsFile = entry?.result.pipeline?.paramsFile;
    if (!entry || !paramsFile) return;
    const file = path.resolve(entry.root, paramsFile);
    const text = existsSync(file) ? readRegularFileSync(file, FILE_LIMITS.params) : '';
    writeFileSync(file, renderParamsText(text, i.run.params, paramsFile));
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    void vscode.window.showInformationMessage(`Applied the params of ${i.run.name ?? i.run.id} to ${paramsFile}.`);
  }

  /** Copies what the run delivered, by digest (a choice when it pushed more than one thing); returns what was copied. */
  async copyDelivery(i: RunItem): Promise<string | undefined> {
    const refs = deliveredRefs(i.run);
    if (!refs.length) {
      void vscode.window.showInformationMessage(`Run ${i.run.name ?? i.run.id} delivered nothing (mlci deliver records what it pushes).`);
      return undefined;
    }
    const pick = refs.length === 1 ? refs[0] : (await vscode.window.showQuickPick(refs.map((r) => ({ label: r.pull, description: `${r.what} · ${r.stage}`, r })), { placeHolder: 'Copy which delivered reference?' }))?.r;
    if (!pick) return undefined;
    await vscode.env.clipboard.writeText(pick.pull);
    void vscode.window.showInformationMessage(`Copied ${pick.pull}`);
    return pick.pull;
  }

  async chooseFilter(): Promise<void> {
    const runs = this.items.map((i) => i.run);
    const options = [
      { label: '$(clear-all) No filter', f: {} as RunFilter },
      ...[...new Set(runs.map((r) => r.status))].map((s) => ({ label: `status: ${s}`, f: { status: s } })),
      ...[...new Set(runs.map((r) => r.git?.branch).filter((b): b is string => !!b))].map((b) => ({ label: `branch: ${b}`, f: { branch: b } })),
      ...[...new Set(runs.flatMap((r) => r.tags ?? []))].map((t) => ({ label: `tag: ${t}`, f: { tag: t } })),
    ];
    const pick = await vscode.window.showQuickPick(options, { placeHolder: 'Show which runs?' });
    if (!pick) return;
    this.filter = pick.f;
    void vscode.commands.executeCommand('setContext', 'mlci.runsFiltered', Object.keys(pick.f).length > 0);
    this.changed.fire();
  }
}
