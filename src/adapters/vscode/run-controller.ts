/**
 * Runs from VS Code: the same engine as `mlci run`, with a progress
 * notification that can cancel, logs streamed to the output channel, live
 * stage states for the tree, CodeLens and Test Explorer, and the status
 * bar. Nothing runs in an untrusted workspace.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { EngineEvent } from '../../core/run/engine';
import type { RunRecord, StageRecord } from '../../core/run/record';
import type { StageStatusEntry } from '../../core/run/status';
import { formatDuration } from '../../core/run/units';
import type { Config } from './config';
import { loadEngine } from './engine-loader';
import { RunProblemsView } from './run-problems';
import type { PipelineEntry, PipelineIndex } from './pipelines';
import type { StatusBar } from './status-bar';

export interface RunRequest {
  entry: PipelineEntry;
  targets: string[];
  force?: boolean | string[];
  /** Shown in the progress title. */
  title: string;
}

export interface StageView {
  live?: StageRecord;
  last?: StageRecord;
  lastRun?: RunRecord;
  status?: StageStatusEntry;
}

export class RunController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly finished = new vscode.EventEmitter<RunRecord>();
  readonly onDidFinishRun = this.finished.event;
  private current: AbortController | undefined;
  private readonly live = new Map<string, Map<string, StageRecord>>();
  private readonly lastRuns = new Map<string, RunRecord>();
  private readonly runLists = new Map<string, RunRecord[]>();
  private readonly statuses = new Map<string, StageStatusEntry[]>();
  /** Failed builds and GPU requests of the last run, at their lines. */
  private readonly runProblems = new RunProblemsView();

  constructor(
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
    private readonly pipelines: PipelineIndex,
    private readonly statusBar: StatusBar,
  ) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  /** What the tree, lenses and tests show for a stage. */
  view(file: string, stage: string): StageView {
    const lastRun = this.lastRuns.get(file);
    return {
      live: this.live.get(file)?.get(stage),
      last: lastRun?.stages.find((s) => s.name === stage),
      lastRun,
      status: this.statuses.get(file)?.find((s) => s.stage.name === stage),
    };
  }

  /** The pipeline's recorded runs, newest first (as of the last refresh). */
  allRuns(file: string): RunRecord[] {
    return this.runLists.get(file) ?? [];
  }

  lastRun(file: string): RunRecord | undefined {
    return this.lastRuns.get(file);
  }

  /** Reload the last run and the up-to-date status of every pipeline (after runs and saves). */
  async refreshStatus(): Promise<void> {
    const { RunStore, chooseRunner, createEngineDeps, pipelineStatus } = loadEngine();
    for (const entry of this.pipelines.list()) {
      const file = entry.uri.fsPath;
      try {
        const runs = await new RunStore(entry.root).list();
        const mine = runs.filter((r) => path.resolve(entry.root, r.pipeline) === file);
        this.runLists.set(file, mine);
        if (mine[0]) this.lastRuns.set(file, mine[0]);
        const runnable = this.pipelines.runnable(entry);
        if (runnable && !this.running) {
          // Status without Docker round trips: image changes show up when a run resolves them.
          const runner = await chooseRunner('local');
          const deps = await createEngineDeps(entry.root, runner);
          this.statuses.set(file, await pipelineStatus({ pipeline: runnable.pipeline, root: entry.root, params: runnable.params }, deps));
          await deps.hasher.save();
        }
      } catch (e) {
        this.log.warn(`status of ${file}: ${(e as Error).message}`);
      }
    }
    this.changed.fire();
  }

  stop(): void {
    if (this.current) {
      this.log.info('stopping the run: running stages are stopped and their containers removed');
      this.current.abort();
    }
  }

  async run(req: RunRequest): Promise<RunRecord | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('mlci does not run stages in Restricted Mode: running executes the pipeline\'s commands. Trust this workspace to run it; validation and viewing keep working.', 'Manage Workspace Trust').then((pick) => {
        if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return undefined;
    }
    if (this.current) {
      void vscode.window.showInformationMessage('An mlci run is in progress: stop it first (MLCI: Stop Run).');
      return undefined;
    }
    const runnable = this.pipelines.runnable(req.entry);
    if (!runnable) {
      void vscode.window.showErrorMessage(`${path.basename(req.entry.uri.fsPath)} has errors: fix them first (see Problems).`, 'Show Problems').then((p) => {
        if (p) void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
      return undefined;
    }
    const file = req.entry.uri.fsPath;
    const controller = new AbortController();
    this.current = controller;
    void vscode.commands.executeCommand('setContext', 'mlci.running', true);
    const liveStages = new Map<string, StageRecord>();
    this.live.set(file, liveStages);
    this.log.show(true);
    this.statusBar.running(req.title);
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `mlci: ${req.title}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          const { chooseRunner, createEngineDeps, createBaseline, acquireWorkspaceLock, newRunId, runPipeline, hostUser } = loadEngine();
          const runner = await chooseRunner(this.config.executor, { ...(this.config.dockerHost ? { dockerHost: this.config.dockerHost } : {}), note: (l) => this.log.warn(l) });
          const deps = await createEngineDeps(req.entry.root, runner);
          const runId = newRunId();
          let release: () => Promise<void>;
          try {
            release = await acquireWorkspaceLock(req.entry.root, { runId, command: `VS Code: ${req.title}` });
          } catch (e) {
            void vscode.window.showErrorMessage((e as Error).message);
            return undefined;
          }
          this.log.info(`run ${runId}: ${req.title} (${runner.name} executor)`);
          let total = 1;
          let done = 0;
          const onEvent = (e: EngineEvent) => {
            switch (e.type) {
              case 'plan':
                total = e.stages.length;
                break;
              case 'stage-start':
                liveStages.set(e.stage, { name: e.stage, kind: '', status: 'running', cached: false, reason: e.reason });
                progress.report({ message: `${e.stage} (${e.reason})` });
                this.log.info(`▶ ${e.stage}: ${e.reason}`);
                this.changed.fire();
                break;
              case 'stage-log':
                for (const line of e.text.replace(/\n$/, '').split('\n')) this.log.info(`${e.stage} | ${line}`);
                break;
              case 'stage-end': {
                done++;
                liveStages.set(e.stage.name, e.stage);
                progress.report({ increment: 100 / total, message: `${e.stage.name}: ${e.stage.status} (${done}/${total})` });
                const line = `${e.stage.name}: ${e.stage.status}${e.stage.reason && e.stage.status !== 'passed' ? ` (${e.stage.reason})` : ''}${e.stage.durationMs !== undefined ? ` in ${formatDuration(e.stage.durationMs)}` : ''}`;
                if (e.stage.status === 'failed') this.log.error(line);
                else this.log.info(line);
                this.changed.fire();
                break;
              }
              case 'build-start':
                progress.report({ message: `building image ${e.tag}` });
                this.log.info(`▶ image ${e.owner}: ${e.tag}`);
                break;
              case 'build-log':
                for (const line of e.text.replace(/\n$/, '').split('\n')) this.log.info(`image ${e.owner} | ${line}`);
                break;
              case 'build-end':
                if (e.build.status === 'failed') this.log.error(`image ${e.build.owner}: build failed: ${e.build.reason ?? ''}`);
                else this.log.info(`image ${e.build.owner}: ${e.build.status} ${e.build.tag}`);
                break;
              case 'run-end':
                break;
              case 'warning':
                this.log.error(e.message);
                void vscode.window.showErrorMessage(`mlci: ${e.message}`);
                break;
            }
          };
          try {
            const jobs = this.config.jobs;
            const user = runner.name === 'docker' ? hostUser() : undefined;
            const record = await runPipeline({
              runId, root: req.entry.root, pipelineFile: path.basename(file), pipeline: runnable.pipeline, params: runnable.params,
              targets: req.targets, ...(req.force !== undefined ? { force: req.force } : {}), ...(jobs ? { jobs } : {}),
              imageMap: this.config.imageMappings, ...(user ? { user } : {}), signal: controller.signal, onEvent,
              baseline: await createBaseline(req.entry.root, runnable.pipeline, deps.store),
            }, deps);
            this.lastRuns.set(file, record);
            // The status computed before the run is outdated now; refreshStatus() recomputes it.
            this.statuses.delete(file);
            this.report(record, req.entry);
            this.finished.fire(record);
            return record;
          } finally {
            await release();
          }
        },
      );
    } catch (e) {
      this.log.error(`run failed: ${(e as Error).message}`);
      this.statusBar.failed('run failed', (e as Error).message);
      void vscode.window.showErrorMessage(`mlci: ${(e as Error).message}`);
      return undefined;
    } finally {
      this.current = undefined;
      this.live.delete(file);
      void vscode.commands.executeCommand('setContext', 'mlci.running', false);
      void this.refreshStatus();
    }
  }

  /** Status bar, log line and, on failure, the failing stage's log opened at its end. */
  private report(record: RunRecord, entry: PipelineEntry): void {
    this.runProblems.show(record, entry.uri.fsPath, entry.root);
    const took = record.finishedAt ? formatDuration(Date.parse(record.finishedAt) - Date.parse(record.startedAt)) : '';
    this.log.info(`run ${record.id}: ${record.status} in ${took}`);
    if (record.status === 'passed') {
      this.statusBar.passed(`passed in ${took}`, record);
      return;
    }
    if (record.status === 'cancelled') {
      this.statusBar.failed('cancelled', 'The run was cancelled; no container is left running.');
      return;
    }
    const failed = record.stages.find((s) => s.status === 'failed');
    this.statusBar.failed(failed ? `${failed.name} failed` : record.status, failed?.reason ?? '');
    if (failed?.log) {
      const uri = vscode.Uri.file(path.join(entry.root, '.mlci', 'runs', record.id, failed.log));
      void vscode.workspace.openTextDocument(uri).then((doc) => {
        const last = doc.lineAt(Math.max(0, doc.lineCount - 1)).range;
        return vscode.window.showTextDocument(doc, { preview: true, selection: new vscode.Range(last.start, last.start) });
      }, () => undefined);
    }
  }

  dispose(): void {
    this.runProblems.dispose();
    this.current?.abort();
    this.changed.dispose();
    this.finished.dispose();
  }
}
