/**
 * MLCI: Compare Runs: the comparison panel for the runs selected in the
 * Experiments view (default: every listed run), against the pinned baseline.
 * While a run goes, what its stages log (RunService.onLiveMetrics, the same
 * source as the Plots panel's) is kept per pipeline as a 'running now' row
 * whose history grows; an open panel of that pipeline gets the new points
 * at most LIVE_UPDATE_MS apart (coalesced), and when the run ends the row
 * becomes the run as recorded.
 */
import * as vscode from 'vscode';
import type { LiveUpdate } from '../../core/live/types';
import { applyLiveRows } from '../../core/plots/history';
import type { RunRecord } from '../../core/run/record';
import type { CompareRun } from '../../protocol/compare-panel';
import type { ExperimentsView, RunItem } from './experiments';
import { offer } from './notify';
import type { ComparePanelHandlers } from './panels/compare-panel';
import { ComparePanel, compareRunOf } from './panels/compare-panel';
import type { PipelineRegistry } from './registry';
import type { RunService } from './run-service';

export const LIVE_RUN_ID = 'live';
/** The page gets the running row's new points at most this often (4 a second). */
export const LIVE_UPDATE_MS = 250;

export interface CompareContext {
  extensionUri: vscode.Uri;
  runs: RunService;
  pipelines: PipelineRegistry;
  experiments: ExperimentsView;
  handlers: ComparePanelHandlers;
  /** The Experiments view's selection when the command has no arguments. */
  selection(): readonly RunItem[];
}

const liveRow = (): CompareRun => ({ id: LIVE_RUN_ID, name: 'running now', status: 'running', startedAt: new Date().toISOString(), params: {}, metrics: {}, history: {}, live: true });

export class CompareController implements vscode.Disposable {
  /** pipeline file -> the running run's row (what its stages logged so far). */
  private readonly live = new Map<string, CompareRun>();
  /** Points not yet posted to the panel (coalesced until LIVE_UPDATE_MS after the last post). */
  private pending: { file: string; stages: Set<string>; points: number; step?: number; at: number } | undefined;
  private lastPost = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: CompareContext) {
    this.disposables.push(
      vscode.commands.registerCommand('mlci.compareRuns', (i?: RunItem, all?: RunItem[]) => this.show(i, all)),
      ctx.runs.onLiveMetrics(({ file, update }) => this.onLive(file, update)),
      ctx.runs.onDidFinishRun((record) => this.onFinished(record)),
      ctx.runs.onDidEndWithoutRecord((file) => this.onUnrecorded(file)),
    );
  }

  /** What the open comparison panel shows (with the live points so far); undefined when none is open. */
  get shown() {
    return ComparePanel.current?.shown;
  }

  private onLive(file: string, update: LiveUpdate): void {
    let row = this.live.get(file);
    if (!row) this.live.set(file, (row = liveRow()));
    const history = (row.history ??= {});
    history[update.stage] = applyLiveRows(history[update.stage] ?? [], update.points);
    const panel = ComparePanel.current;
    const shown = panel?.shown;
    if (!panel || !shown || shown.pipeline !== file) return;
    if (!shown.runs.some((r) => r.live)) {
      // The first points of a run the panel did not know about: a new row with everything so far.
      this.dropPending();
      panel.show({ ...shown, runs: [...shown.runs, structuredClone(row)] });
      this.lastPost = Date.now();
      return;
    }
    const p = (this.pending ??= { file, stages: new Set(), points: 0, at: update.at });
    p.stages.add(update.stage);
    p.points += update.points.length;
    if (update.step !== undefined) p.step = Math.max(p.step ?? update.step, update.step);
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.lastPost + LIVE_UPDATE_MS - Date.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    const row = this.live.get(p.file);
    if (!row) return;
    this.lastPost = Date.now();
    const history = Object.fromEntries([...p.stages].map((stage) => [stage, row.history?.[stage] ?? []]));
    ComparePanel.current?.live({ run: LIVE_RUN_ID, history, points: p.points, ...(p.step !== undefined ? { step: p.step } : {}), at: p.at });
  }

  private dropPending(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  /** The run ended: the running row becomes the run as recorded. */
  private onFinished(record: RunRecord): void {
    const files = [...this.live.keys()];
    this.live.clear();
    this.dropPending();
    const panel = ComparePanel.current;
    const shown = panel?.shown;
    if (!panel || !shown?.pipeline || !shown.runs.some((r) => r.live) || !files.includes(shown.pipeline)) return;
    panel.show({ ...shown, runs: [...shown.runs.filter((r) => !r.live && r.id !== record.id), compareRunOf(record)] });
  }

  /** The run ended with no record (mlci failed or was stopped first): the running row goes, nothing replaces it. */
  private onUnrecorded(file: string): void {
    if (!this.live.delete(file)) return;
    this.dropPending();
    const panel = ComparePanel.current;
    const shown = panel?.shown;
    if (panel && shown?.pipeline === file && shown.runs.some((r) => r.live)) panel.show({ ...shown, runs: shown.runs.filter((r) => !r.live) });
  }

  async show(i?: RunItem, all?: RunItem[]): Promise<ComparePanel | undefined> {
    const { experiments } = this.ctx;
    const running = [...this.live.keys(), ...this.ctx.runs.runningPipelines()];
    let chosen: RunItem[] = all?.length ? all : i ? [i] : [...this.ctx.selection()];
    if (chosen.length < 2) {
      // Not chosen: every listed run; while a run goes, those of its pipeline (the running row joins them).
      chosen = experiments.getChildren();
      if (running.length) chosen = chosen.filter((x) => x.entry?.uri.fsPath === running[0]);
    }
    const file = chosen.find((x) => x.entry)?.entry?.uri.fsPath ?? running[0];
    // Its pipeline is running: the row is there from the start (empty until it logs), kept here so the run's end replaces it.
    if (file && running.includes(file) && !this.live.has(file)) this.live.set(file, liveRow());
    const live = file && this.live.has(file) ? structuredClone(this.live.get(file)!) : undefined;
    if (chosen.length < 1 && !live) {
      void offer('info', 'No runs to compare yet: run the pipeline first (then run an experiment to have two).', 'Run Pipeline').then((p) => p && vscode.commands.executeCommand('mlci.runPipeline'));
      return undefined;
    }
    const pinned = experiments.all().find((x) => x.pinned);
    const list = pinned && !chosen.includes(pinned) ? [pinned, ...chosen] : chosen;
    const goals: Record<string, 'max' | 'min'> = {};
    const entry = list.find((x) => x.entry)?.entry ?? (file ? this.ctx.pipelines.get(file) : undefined);
    for (const [k, m] of Object.entries(entry?.result.pipeline?.metrics ?? {})) if (m.goal) goals[k] = m.goal;
    this.dropPending();
    return ComparePanel.createOrShow(this.ctx.extensionUri, {
      runs: [...list.map((x) => compareRunOf(x.run)), ...(live ? [live] : [])],
      ...(pinned ? { baselineId: pinned.run.id } : {}),
      goals,
      ...(file ? { pipeline: file } : {}),
    }, this.ctx.handlers);
  }

  dispose(): void {
    this.dropPending();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
