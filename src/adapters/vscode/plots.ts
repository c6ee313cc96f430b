/**
 * MLCI: Show Plots: the Plots panel for the runs selected in the Experiments
 * view, for a stage of the Pipelines view (its latest run that kept plots or
 * a history), or from the palette (the selection, else the latest such run).
 * While a run goes, what its stages log (RunService.onLiveMetrics) is kept
 * per pipeline and forwarded to an open panel of that pipeline as a 'running
 * now' column; when the run ends that column becomes the run as recorded.
 */
import * as vscode from 'vscode';
import type { LiveUpdate } from '../../core/live/types';
import { runPlotsWithHistory } from '../../core/plots/collect';
import { applyLivePoints } from '../../core/plots/history';
import type { RunRecord } from '../../core/run/record';
import { RunStore } from '../../core/run/store';
import type { PlotsPayload, PlotsRun } from '../../protocol/plots-panel';
import type { ExperimentsView, RunItem } from './experiments';
import { PlotsPanel, registerPlotsPanel } from './panels/plots-panel';
import type { PipelineEntry, PipelineRegistry } from './registry';
import type { RunService } from './run-service';
import type { Node, StageArg } from './tree';

/** Runs one panel shows at most (a column each when side by side). */
export const MAX_PLOT_RUNS = 20;
export const LIVE_RUN_ID = 'live';

export interface PlotsContext {
  context: vscode.ExtensionContext;
  pipelines: PipelineRegistry;
  runs: RunService;
  experiments: ExperimentsView;
  experimentsView: vscode.TreeView<RunItem>;
}

type Arg = RunItem | Node | StageArg | undefined;

const isRunItem = (a: unknown): a is RunItem => typeof a === 'object' && a !== null && (a as RunItem).kind === 'run' && 'run' in a;

function stageOf(arg: Arg, pipelines: PipelineRegistry): { entry: PipelineEntry; stage: string } | undefined {
  if (!arg || isRunItem(arg) || !('stage' in arg)) return undefined;
  const entry = 'entry' in arg ? arg.entry : pipelines.get(arg.file);
  const stage = typeof arg.stage === 'string' ? arg.stage : arg.stage.name;
  return entry ? { entry, stage } : undefined;
}

/** The stage logged, or kept plots, in this run. */
function hasPlots(r: RunRecord, stage?: string): boolean {
  const plots = (r.plots ?? []).some((p) => !stage || p.stage === stage);
  const history = Object.entries(r.history ?? {}).some(([s, rows]) => (!stage || s === stage) && rows.length > 0);
  return plots || history;
}

export class PlotsController implements vscode.Disposable {
  /** pipeline file -> what its running stages logged so far. */
  private readonly live = new Map<string, PlotsRun>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: PlotsContext) {
    this.disposables.push(
      ...registerPlotsPanel(ctx.context),
      vscode.commands.registerCommand('mlci.showPlots', (arg?: Arg, all?: RunItem[]) => this.show(arg, all)),
      ctx.runs.onLiveMetrics(({ file, update }) => this.onLive(file, update.stage, update)),
      ctx.runs.onDidFinishRun((record) => void this.onFinished(record)),
      ctx.runs.onDidEndWithoutRecord((file) => this.onUnrecorded(file)),
    );
  }

  /** What the open Plots panel shows (with the live points so far); undefined when none is open. */
  get shown(): PlotsPayload | undefined {
    return PlotsPanel.current?.payload;
  }

  private liveColumn(file: string, stage?: string): PlotsRun | undefined {
    const run = this.live.get(file);
    if (!run) return undefined;
    const copy = structuredClone(run);
    if (stage) copy.plots = copy.plots.filter((p) => p.stage === stage);
    return copy;
  }

  private onLive(file: string, stage: string, update: LiveUpdate): void {
    let run = this.live.get(file);
    if (!run) this.live.set(file, (run = { run: LIVE_RUN_ID, label: 'running now', live: true, plots: [] }));
    applyLivePoints(run, stage, update.points);
    const panel = PlotsPanel.current;
    const shown = panel?.payload;
    if (!panel || !shown || shown.pipeline !== file || (shown.stage && shown.stage !== stage)) return;
    if (!shown.runs.some((r) => r.live)) {
      // The first points of a run the panel did not know about: a new column with everything so far.
      panel.show({ ...shown, runs: [...shown.runs, this.liveColumn(file, shown.stage)!] });
      return;
    }
    panel.live({ run: LIVE_RUN_ID, stage, ...(update.step !== undefined ? { step: update.step } : {}), points: update.points, at: update.at });
  }

  /** The run ended: its live column becomes the run as recorded (with its plots). */
  private async onFinished(record: RunRecord): Promise<void> {
    const files = [...this.live.keys()];
    this.live.clear();
    const panel = PlotsPanel.current;
    const shown = panel?.payload;
    if (!panel || !shown?.pipeline || !shown.runs.some((r) => r.live) || !files.includes(shown.pipeline)) return;
    const entry = this.ctx.pipelines.get(shown.pipeline);
    const runs = shown.runs.filter((r) => !r.live && r.run !== record.id);
    if (entry) runs.push(await runPlotsWithHistory(record, new RunStore(entry.root).runDir(record.id), shown.stage ? { stage: shown.stage } : {}));
    panel.show({ ...shown, runs });
  }

  /** The run ended with no record (mlci failed or was stopped first): the running column goes, nothing replaces it. */
  private onUnrecorded(file: string): void {
    if (!this.live.delete(file)) return;
    const panel = PlotsPanel.current;
    const shown = panel?.payload;
    if (panel && shown?.pipeline === file && shown.runs.some((r) => r.live)) panel.show({ ...shown, runs: shown.runs.filter((r) => !r.live) });
  }

  async show(arg?: Arg, all?: RunItem[]): Promise<PlotsPanel | undefined> {
    const stageTarget = stageOf(arg, this.ctx.pipelines);
    let items: RunItem[] = [];
    let entry: PipelineEntry | undefined = stageTarget?.entry;
    const stage = stageTarget?.stage;
    if (isRunItem(arg)) items = all?.filter(isRunItem).length ? all.filter(isRunItem) : [arg];
    else if (!stageTarget) items = [...this.ctx.experimentsView.selection].filter(isRunItem);
    if (!stageTarget && items.length === 0) {
      entry = await this.pickPipeline();
      if (!entry) return undefined;
    }
    if (!entry) entry = items.find((i) => i.entry)?.entry;
    if (items.length === 0 && entry) {
      // Not chosen: the latest run that kept plots or a history (of the stage).
      const latest = (await new RunStore(entry.root).list().catch(() => [])).find((r) => hasPlots(r, stage));
      if (latest) items = [{ kind: 'run', run: latest, entry, pinned: false, runKind: 'experiment' }];
    }
    if (items.length > MAX_PLOT_RUNS) {
      void vscode.window.showInformationMessage(`mlci: the Plots panel shows ${MAX_PLOT_RUNS} runs at most; showing the first ${MAX_PLOT_RUNS} of the ${items.length} selected.`);
      items = items.slice(0, MAX_PLOT_RUNS);
    }
    const file = entry?.uri.fsPath;
    // A stage of this pipeline is running: its column is there from the start (empty until it logs).
    const running = !!entry && (entry.result.pipeline?.stages ?? []).some((s) => (!stage || s.name === stage) && this.ctx.runs.view(entry!.uri.fsPath, s.name).live?.status === 'running');
    // Kept here too, so the run's end (onFinished) finds it even if the stage never logs.
    if (file && running && !this.live.has(file)) this.live.set(file, { run: LIVE_RUN_ID, label: 'running now', live: true, plots: [] });
    const live = file ? this.liveColumn(file, stage) : undefined;
    if (items.length === 0 && !live) {
      void vscode.window.showInformationMessage(stage
        ? `mlci: no run of ${stage} kept plots or a metric history yet: run it (its plots: and history: are kept with each run).`
        : 'mlci: no run kept plots or a metric history yet: run the pipeline first (stages keep their plots: and history: with each run).');
      return undefined;
    }
    const runs: PlotsRun[] = [];
    for (const i of items) {
      const dir = i.entry ? new RunStore(i.entry.root).runDir(i.run.id) : '';
      runs.push(await runPlotsWithHistory(i.run, dir, stage ? { stage } : {}));
    }
    if (live) runs.push(live);
    const title = stage ? `Plots: ${stage}` : runs.length === 1 ? `Plots: ${runs[0]!.label}` : `Plots: ${runs.length} runs`;
    const payload: PlotsPayload = { title, runs, ...(file ? { pipeline: file } : {}), ...(stage ? { stage } : {}) };
    return PlotsPanel.createOrShow(this.ctx.context.extensionUri, payload);
  }

  private async pickPipeline(): Promise<PipelineEntry | undefined> {
    const list = this.ctx.pipelines.list();
    if (list.length <= 1) return list[0];
    const pick = await vscode.window.showQuickPick(list.map((e) => ({ label: vscode.workspace.asRelativePath(e.uri), entry: e })), { placeHolder: 'Plots of which pipeline?' });
    return pick?.entry;
  }

  dispose(): void {
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
