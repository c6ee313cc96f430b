/**
 * The one run path of the extension. Run Pipeline, Run Stage, Test
 * Explorer, Tasks, Run Experiment…, Verify and Push and Show Run Plan all
 * come here, and everything here goes through the bundled CLI
 * (cli-process.ts) with the same settings, so a run from VS Code is the
 * run `mlci` makes in a terminal and in CI (docs/vscode-runs.md says why).
 *
 * Workspace trust is checked once, here: in Restricted Mode nothing runs,
 * nothing is planned through an engine, and no status is computed (that
 * would write the hash cache under .mlci/).
 *
 * It also holds what the tree, CodeLens and Test Explorer show for a stage:
 * the live state while a run goes, the stage's latest recorded outcome, and
 * its up-to-date status (`mlci status`'s answer, computed in the host by the
 * same code where it can be, else by the CLI; on demand or after idle,
 * never at activation).
 */
import { offer } from './notify';
import path from 'node:path';
import * as vscode from 'vscode';
import type { LiveUpdate } from '../../core/live/types';
import type { CliEvent } from '../../protocol/cli-events';
import type { RunRecord, StageRecord } from '../../core/run/record';
import type { StageState, StageStatusEntry } from '../../core/run/status';
import type { GateResult } from '../../core/gates/result';
import { RunStore } from '../../core/run/store';
import { formatDuration } from '../../core/run/units';
import { jobWhere, stageWord } from '../../core/run/words';
import type { Config } from './config';
import { callCli, cliEnv, executorArg, startCli } from './cli-process';
import type { PipelineEntry, PipelineRegistry } from './registry';
import type { StatusBar } from './status-bar';
import { RunProblemsView } from './run-problems';
import { unreachableAdvice } from '../../core/run/engine-advice';
import type { Pipeline } from '../../core/pipeline/model';
import { loadBundle, statusInHost } from './status-in-host';
import { canJudgeInHost } from '../host-status';

export interface RunRequest {
  entry: PipelineEntry;
  targets: string[];
  force?: boolean | string[];
  /** Shown in the progress title. */
  title: string;
  /** Params overrides (`key=value`): the run happens in a copy, as `mlci run --set`. */
  overrides?: string[];
  /** A sweep (`mlci sweep --grid` or `--random --samples`): one run per combination. */
  sweep?: { grid: string[] } | { random: string[]; samples: number };
  /** Where the run was started, recorded with it (Test Explorer runs are not experiments). */
  origin?: 'test-explorer' | 'run-on-save';
  /** Run on the host this once (the user's answer to an unreachable engine). */
  executorOnce?: 'local';
}

export interface StageView {
  live?: StageRecord;
  /** The stage's latest recorded outcome, from whichever run last included it. */
  last?: StageRecord;
  /** The run `last` comes from. */
  lastRun?: RunRecord;
  status?: StageStatusEntry;
  /** Gates of this stage in `lastRun`. */
  gates?: GateResult[];
  /** While it runs: the latest values it logged (history, DVCLive, MLflow). */
  liveMetrics?: { step?: number; latest: Record<string, number> };
}

export const RESTRICTED_MESSAGE = 'mlci does not run stages in Restricted Mode: running executes the pipeline\'s commands (and Docker builds) from this folder. Trust this workspace to run it; validation, the tree and the graph keep working.';

/** Thin wrappers around notifications, so extension-host tests can answer them. */
export interface RunUi {
  engineUnreachable(where: string, reason: string): Thenable<'once' | 'always' | 'settings' | 'retry' | undefined>;
}

const defaultUi: RunUi = {
  async engineUnreachable(where, reason) {
    const choices = { 'Run on Host This Once': 'once', 'Always Run on Host': 'always', 'Docker Settings…': 'settings', Retry: 'retry' } as const;
    const pick = await vscode.window.showErrorMessage(
      `mlci: the Docker engine at ${where} is unreachable, so nothing ran. ${unreachableAdvice(where, true)} Then retry, or run the stages as host processes (their images are then ignored).`,
      { detail: reason },
      ...(Object.keys(choices) as Array<keyof typeof choices>),
    );
    return pick ? choices[pick] : undefined;
  },
};

export class RunService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly finished = new vscode.EventEmitter<RunRecord>();
  readonly onDidFinishRun = this.finished.event;
  private readonly unrecorded = new vscode.EventEmitter<string>();
  /** A run of this pipeline file ended without a record (mlci failed or was stopped before recording it): panels drop its live points. */
  readonly onDidEndWithoutRecord = this.unrecorded.event;
  private current: { cancel(): void } | undefined;
  private readonly live = new Map<string, Map<string, StageRecord>>();
  private readonly liveMetrics = new Map<string, Map<string, { step?: number; latest: Record<string, number> }>>();
  private readonly liveUpdates = new vscode.EventEmitter<{ file: string; update: LiveUpdate }>();
  /** What running stages log, as the CLI streams it (a few updates a second at most): for panels. */
  readonly onLiveMetrics = this.liveUpdates.event;
  private readonly runLists = new Map<string, RunRecord[]>();
  private readonly statuses = new Map<string, StageStatusEntry[]>();
  private readonly statusAsked = new Set<string>();
  private statusTimer: NodeJS.Timeout | undefined;
  private statusInFlight: Promise<void> | undefined;
  private statusNext: Promise<void> | undefined;
  ui: RunUi = defaultUi;
  /** Failed builds and GPU requests of the last run, at their lines. */
  private readonly runProblems = new RunProblemsView();

  constructor(
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
    private readonly pipelines: PipelineRegistry,
    private readonly statusBar: StatusBar,
    /** dist/cli.js of this extension: the CLI every run goes through. */
    readonly cliPath: string,
  ) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  /** The pipeline files a run from this window is going on now. */
  runningPipelines(): string[] {
    return [...this.live.keys()];
  }

  /** What the tree, lenses and tests show for a stage. */
  view(file: string, stage: string): StageView {
    let lastRun: RunRecord | undefined;
    let last: StageRecord | undefined;
    for (const run of this.runLists.get(file) ?? []) {
      const rec = run.stages.find((s) => s.name === stage);
      if (rec && rec.status !== 'pending') {
        lastRun = run;
        last = rec;
        break;
      }
    }
    const gates = lastRun?.gates?.filter((g) => g.stage === stage);
    return {
      live: this.live.get(file)?.get(stage),
      ...(this.liveMetrics.get(file)?.get(stage) ? { liveMetrics: this.liveMetrics.get(file)!.get(stage)! } : {}),
      last,
      lastRun,
      status: this.statuses.get(file)?.find((s) => s.stage.name === stage),
      ...(gates?.length ? { gates } : {}),
    };
  }

  /** Whether an up-to-date status is known for any pipeline (statuses are computed on demand, never at activation). */
  hasStatus(): boolean {
    return this.statuses.size > 0;
  }

  /** Whether a status refresh already covered this pipeline file (whatever it found: errors and Restricted Mode have none). */
  hasStatusOf(file: string): boolean {
    return this.statusAsked.has(file);
  }

  /** The pipeline's recorded runs, newest first (as of the last refresh). */
  allRuns(file: string): RunRecord[] {
    return this.runLists.get(file) ?? [];
  }

  lastRun(file: string): RunRecord | undefined {
    return this.runLists.get(file)?.[0];
  }

  /**
   * The executor status judges stages as: the one runs use. Slurm stages are
   * judged as host processes are (images ignored), as `mlci run --executor
   * slurm` recorded them; judged through the engine (`auto`), every stage
   * that last ran as a job read stale ("ran as a host process before").
   */
  private statusExecutor(): 'local' | 'slurm' | 'auto' {
    const e = this.config.executor;
    return e === 'local' || e === 'slurm' ? e : 'auto';
  }

  /** The environment every CLI call gets: the one place settings reach runs. */
  private env(): Record<string, string> {
    return cliEnv(this.config);
  }

  /** The environment a `mlci status` process would have (the host's plus the settings' variables): what the in-host status judges with. */
  private statusEnv(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.env() };
  }

  /**
   * Reload recorded runs (reads only) and, in a trusted workspace, the
   * up-to-date status of every pipeline through `mlci status`. A call while a
   * refresh is in flight waits for the NEXT one: the one in flight may have
   * listed the runs before the caller's run was recorded (a refresh started by
   * a file watcher just before a run, then reused after it, left the tree
   * showing "never run" for a stage that had just failed). Calls that arrive
   * while one is queued share it.
   */
  refreshStatus(): Promise<void> {
    if (this.statusNext) return this.statusNext;
    if (this.statusInFlight) {
      this.statusNext = this.statusInFlight.then(() => {
        this.statusNext = undefined;
        return this.refreshStatus();
      });
      return this.statusNext;
    }
    this.statusInFlight = (async () => {
      try {
        // Each pipeline's `mlci status` is its own process: run them side by
        // side and show each answer as it lands (the tree showed nothing
        // until the last of them had answered).
        await Promise.all(this.pipelines.list().map((entry) => this.refreshOne(entry).then(() => this.changed.fire())));
      } finally {
        this.changed.fire();
      }
    })().finally(() => {
      this.statusInFlight = undefined;
    });
    return this.statusInFlight;
  }

  /**
   * Compiles the status code (dist/status.js) ahead of the first status,
   * when some pipeline will be judged in the host: after startup, while the
   * idle status is still seconds away, so opening the view waits only for
   * the status itself. Code only: it reads no workspace file and asks no engine.
   */
  prepareStatus(): void {
    if (!vscode.workspace.isTrusted) return;
    const env = this.statusEnv();
    const judged = this.pipelines.list().some((e) => {
      const p = this.pipelines.runnable(e)?.pipeline;
      return p && canJudgeInHost(p, this.statusExecutor(), env);
    });
    if (!judged) return;
    try {
      loadBundle(path.dirname(this.cliPath));
    } catch (e) {
      this.log.error(`status: ${(e as Error).message}`);
    }
  }

  /** Status after the user stopped typing/saving for a while (never during activation). */
  refreshStatusSoon(delayMs = 1500): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = setTimeout(() => void this.refreshStatus(), delayMs);
  }

  private async refreshOne(entry: PipelineEntry): Promise<void> {
    const file = entry.uri.fsPath;
    this.statusAsked.add(file);
    // The recorded runs and the status are read side by side: neither needs the other.
    const listed = new RunStore(entry.root).list().then(
      (runs) => void this.runLists.set(file, runs.filter((r) => path.resolve(entry.root, r.pipeline) === file)),
      (e: unknown) => this.log.warn(`runs of ${file}: ${(e as Error).message}`),
    );
    const pipeline = this.pipelines.runnable(entry)?.pipeline;
    const asked = pipeline && !this.running && vscode.workspace.isTrusted ? this.statusRows(entry, pipeline) : undefined;
    await listed;
    if (!pipeline || !asked) return;
    const rows = await asked;
    if (!rows) {
      this.statuses.delete(file);
      return;
    }
    this.statuses.set(file, rows.flatMap((r) => {
      const stage = pipeline.stageByName.get(r.stage);
      return stage ? [{ stage, state: r.state, reasons: r.reasons }] : [];
    }));
  }

  /**
   * `mlci status --read-only` for one pipeline: computed here in the host
   * when it can be (status-in-host.ts says when), else by the CLI process.
   * Undefined (and a warning in the log) when there is no answer.
   */
  private async statusRows(entry: PipelineEntry, pipeline: Pipeline): Promise<Array<{ stage: string; state: StageState; reasons: string[] }> | undefined> {
    const file = entry.uri.fsPath;
    const shown = vscode.workspace.asRelativePath(entry.uri);
    const executor = this.statusExecutor();
    const env = this.statusEnv();
    if (canJudgeInHost(pipeline, executor, env)) {
      try {
        const entries = await statusInHost(path.dirname(this.cliPath), entry, executor, env, (l) => this.log.debug(`status: ${l}`));
        if (!entries) this.log.warn(`status of ${shown}: the saved file has errors (see mlci validate)`);
        return entries?.map((e) => ({ stage: e.stage.name, state: e.state, reasons: e.reasons }));
      } catch (e) {
        this.log.warn(`status of ${shown}: ${(e as Error).message}`);
        return undefined;
      }
    }
    const { code, stdout, stderr } = await callCli({
      cliPath: this.cliPath,
      // --read-only: looking writes nothing (the stat cache is kept current by runs).
      args: ['status', '--file', path.basename(file), '--format', 'json', '--read-only', '--executor', executor],
      cwd: entry.root,
      env: this.env(),
    });
    if (stderr) for (const l of stderr.split('\n')) this.log.debug(`status: ${l}`);
    if (code !== 0) {
      this.log.warn(`status of ${shown}: mlci status exited with ${code}${stderr ? `: ${stderr.split('\n').pop()}` : ''}`);
      return undefined;
    }
    try {
      return JSON.parse(stdout) as Array<{ stage: string; state: StageState; reasons: string[] }>;
    } catch (e) {
      this.log.warn(`status of ${file}: unreadable answer from mlci status (${(e as Error).message})`);
      return undefined;
    }
  }

  stop(): void {
    if (this.current) {
      this.log.info('stopping the run: running stages are stopped and their containers removed');
      this.current.cancel();
    }
  }

  /**
   * Refuses in Restricted Mode, saying why and offering the way out (the
   * Workspace Trust editor); every run, push and deliver asks here first.
   */
  trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void offer('warning', RESTRICTED_MESSAGE, 'Manage Workspace Trust').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return false;
  }

  private cliArgs(req: RunRequest): string[] {
    const file = ['--file', path.basename(req.entry.uri.fsPath)];
    const exec = executorArg(this.config.executor, req.executorOnce);
    if (req.sweep) {
      const axes = 'grid' in req.sweep ? req.sweep.grid.flatMap((g) => ['--grid', g]) : [...req.sweep.random.flatMap((r) => ['--random', r]), '--samples', String(req.sweep.samples)];
      return ['sweep', ...axes, ...file, ...exec, '--events'];
    }
    if (req.overrides?.length) return ['run', ...req.overrides.flatMap((o) => ['--set', o]), ...file, ...exec, '--events'];
    // Targets first: `--force` alone must not swallow a stage name.
    const force = req.force === true ? ['--force'] : Array.isArray(req.force) ? req.force.flatMap((s) => ['--force', s]) : [];
    return ['run', ...req.targets, ...file, ...exec, '--origin', req.origin === 'test-explorer' ? 'test-explorer' : 'editor', '--events', ...force];
  }

  async run(req: RunRequest): Promise<RunRecord | undefined> {
    if (!this.trusted()) return undefined;
    if (this.current) {
      void vscode.window.showInformationMessage('An mlci run is in progress: stop it first (MLCI: Stop Run).');
      return undefined;
    }
    if (!this.pipelines.runnable(req.entry)) {
      void vscode.window.showErrorMessage(`${path.basename(req.entry.uri.fsPath)} has errors: fix them first (see Problems).`, 'Show Problems').then((p) => {
        if (p) void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
      return undefined;
    }
    const file = req.entry.uri.fsPath;
    const liveStages = new Map<string, StageRecord>();
    let unreachable: { where: string; reason: string } | undefined;
    let record: RunRecord | undefined;
    let failure: string | undefined;
    this.live.set(file, liveStages);
    this.log.show(true);
    this.statusBar.running(req.title);
    void vscode.commands.executeCommand('setContext', 'mlci.running', true);
    let code = 1;
    try {
      code = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `mlci: ${req.title}`, cancellable: true },
        async (progress, token) => {
          let total = 1;
          let done = 0;
          const onEvent = (e: CliEvent) => {
            switch (e.type) {
              case 'executor':
                this.log.info(`executor: ${e.name}${e.where ? ` (${e.where})` : ''}`);
                break;
              case 'engine-unreachable':
                unreachable = { where: e.where, reason: e.reason };
                break;
              case 'error':
                failure = e.message;
                break;
              case 'plan':
                total = Math.max(1, e.stages.length);
                break;
              case 'stage-start':
                liveStages.set(e.stage, { name: e.stage, kind: '', status: 'running', cached: false, reason: e.reason, ...(e.engine ? { engine: e.engine } : {}) });
                progress.report({ message: `${e.stage}${e.engine ? ` on ${e.engine}` : ''} (${e.reason})` });
                this.log.info(`▶ ${e.stage}${e.engine ? ` on engine ${e.engine}` : ''}: ${e.reason}`);
                this.changed.fire();
                break;
              case 'stage-metrics': {
                let m = this.liveMetrics.get(file);
                if (!m) this.liveMetrics.set(file, (m = new Map()));
                const u = e.update;
                m.set(u.stage, { ...(u.step !== undefined ? { step: u.step } : {}), latest: u.latest });
                this.liveUpdates.fire({ file, update: u });
                this.changed.fire();
                break;
              }
              case 'stage-job': {
                // Slurm: the stage's job queued (position, reason) or running (node), in the tree and the status bar.
                const j = e.job;
                const where = jobWhere(j);
                const prev = liveStages.get(e.stage);
                liveStages.set(e.stage, { name: e.stage, kind: prev?.kind ?? '', status: 'running', cached: false, reason: `job ${j.id} ${where}`, job: j });
                const pending = [...liveStages.values()].filter((st) => st.status === 'running' && st.job?.state === 'PENDING').length;
                this.statusBar.running(pending ? `${req.title}: ${pending} job${pending === 1 ? '' : 's'} pending` : req.title);
                progress.report({ message: `${e.stage}: job ${j.id} ${where}` });
                this.log.info(`${e.stage}: job ${j.id} ${where}`);
                this.changed.fire();
                break;
              }
              case 'stage-log':
                for (const line of e.text.replace(/\n$/, '').split('\n')) this.log.info(`${e.stage} | ${line}`);
                break;
              case 'stage-end': {
                done++;
                liveStages.set(e.stage.name, e.stage);
                progress.report({ increment: 100 / total, message: `${e.stage.name}: ${stageWord(e.stage.status)} (${done}/${total})` });
                const line = `${e.stage.name}: ${stageWord(e.stage.status)}${e.stage.reason && e.stage.status !== 'passed' && e.stage.status !== 'cached' ? ` (${e.stage.reason})` : ''}${e.stage.durationMs !== undefined && e.stage.status !== 'cached' ? ` in ${formatDuration(e.stage.durationMs)}` : ''}`;
                if (e.stage.status === 'failed') this.log.error(line);
                else this.log.info(line);
                this.changed.fire();
                break;
              }
              case 'warning':
                // Something the run could not do (a write failed): the run went on, the user must know.
                this.log.error(e.message);
                void vscode.window.showErrorMessage(`mlci: ${e.message}`);
                break;
              case 'run-end':
                // A sweep (Run Experiment) ends a shared-stages run first; the last one is the experiment.
                record = e.run;
                break;
              default:
                break;
            }
          };
          const cli = startCli({
            cliPath: this.cliPath, args: this.cliArgs(req), cwd: req.entry.root, env: this.env(), onEvent, lowPriority: true,
            onLine: (line) => this.log.info(line),
          });
          this.current = cli;
          token.onCancellationRequested(() => cli.cancel());
          return cli.done;
        },
      );
    } finally {
      this.current = undefined;
      this.live.delete(file);
      this.liveMetrics.delete(file);
      void vscode.commands.executeCommand('setContext', 'mlci.running', false);
    }
    await this.refreshStatus();
    if (!record) this.unrecorded.fire(file);
    if (unreachable && !record) return this.askAfterUnreachable(req, unreachable);
    if (!record) {
      const why = failure ?? `mlci exited with ${code}`;
      this.log.error(`run failed: ${why}`);
      this.statusBar.failed('run failed', why);
      void vscode.window.showErrorMessage(`mlci: ${why}`, 'Show Log').then((p) => p && this.log.show());
      return undefined;
    }
    this.report(record, req.entry);
    this.finished.fire(record);
    return record;
  }

  /** Docker did not answer: say so and let the user choose; never a quiet host run. */
  private async askAfterUnreachable(req: RunRequest, u: { where: string; reason: string }): Promise<RunRecord | undefined> {
    this.log.error(`the Docker engine at ${u.where} is unreachable: nothing ran (${u.reason})`);
    this.statusBar.failed('Docker unreachable', u.reason);
    const pick = await this.ui.engineUnreachable(u.where, u.reason);
    switch (pick) {
      case 'once':
        return this.run({ ...req, executorOnce: 'local' });
      case 'always':
        await vscode.workspace.getConfiguration('mlci').update('executor', 'local', vscode.ConfigurationTarget.Workspace);
        return this.run(req);
      case 'retry':
        return this.run(req);
      case 'settings':
        void vscode.commands.executeCommand('workbench.action.openSettings', 'mlci.dockerHost');
        return undefined;
      default:
        return undefined;
    }
  }

  /** `mlci status` for one pipeline (what Show Run Plan shows), never pulling and, untrusted, writing nothing. */
  async plan(entry: PipelineEntry): Promise<{ rows: Array<{ stage: string; kind: string; state: StageState; reasons: string[] }>; note: string } | undefined> {
    const { code, stdout, stderr } = await callCli({
      cliPath: this.cliPath,
      args: ['status', '--file', path.basename(entry.uri.fsPath), '--format', 'json', '--executor', this.statusExecutor(), ...(vscode.workspace.isTrusted ? [] : ['--read-only'])],
      cwd: entry.root,
      env: this.env(),
    });
    if (code !== 0) {
      void vscode.window.showErrorMessage(`mlci: no plan: ${stderr.split('\n').filter(Boolean).pop() ?? `mlci status exited with ${code}`}`);
      return undefined;
    }
    return { rows: JSON.parse(stdout), note: stderr };
  }

  /**
   * Verify and push through `mlci push` (same checks as the terminal);
   * `force` pushes without verifying (the user confirmed "Push Anyway").
   */
  async push(entry: PipelineEntry, opts: { force?: boolean } = {}): Promise<{ code: number; record?: RunRecord; message: string } | undefined> {
    return this.ship(entry, ['push', ...(opts.force ? ['--no-verify'] : [])], opts.force ? 'mlci: pushing without verification' : 'mlci: verifying before push', /^(pushed|nothing to push|not pushed|verified|NOT verified)/);
  }

  /** `mlci deliver`: the deliver stages' images pushed from a verified commit (same checks as the terminal). */
  async deliver(entry: PipelineEntry): Promise<{ code: number; record?: RunRecord; message: string } | undefined> {
    return this.ship(entry, ['deliver'], 'mlci: delivering', /^(delivered|not delivered|verified|NOT verified|no passing)/);
  }

  private async ship(entry: PipelineEntry, command: string[], title: string, said: RegExp): Promise<{ code: number; record?: RunRecord; message: string } | undefined> {
    if (!this.trusted()) return undefined;
    if (this.current) {
      void vscode.window.showInformationMessage('An mlci run is in progress: stop it first (MLCI: Stop Run).');
      return undefined;
    }
    let record: RunRecord | undefined;
    let message = '';
    const code = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      const cli = startCli({
        cliPath: this.cliPath,
        args: [command[0], '--file', path.basename(entry.uri.fsPath), ...executorArg(this.config.executor), '--events', ...command.slice(1)],
        cwd: entry.root,
        env: this.env(),
        onEvent: (e) => {
          if (e.type === 'stage-start') progress.report({ message: e.stage });
          else if (e.type === 'run-end') record = e.run;
          else if (e.type === 'error') message = e.message;
          else if (e.type === 'engine-unreachable') message = `the Docker engine at ${e.where} is unreachable: ${e.reason}`;
        },
        onLine: (line) => {
          this.log.info(line);
          if (said.test(line)) message = message && /^delivered/.test(line) ? `${message}; ${line}` : line;
        },
      });
      this.current = cli;
      token.onCancellationRequested(() => cli.cancel());
      return cli.done.finally(() => (this.current = undefined));
    });
    void this.refreshStatus();
    if (record) this.finished.fire(record);
    return { code, ...(record ? { record } : {}), message };
  }

  /** The task for a stage: the same CLI, arguments and settings as a run from the tree. */
  taskExecution(cwd: string, def: { stage: string; file?: string; force?: boolean }): vscode.ProcessExecution {
    const args = [this.cliPath, 'run', def.stage, '--file', def.file ?? 'mlci.yaml', ...executorArg(this.config.executor), '--origin', 'task', ...(def.force ? ['--force', def.stage] : [])];
    return new vscode.ProcessExecution(process.execPath, args, { cwd, env: this.env() });
  }

  /** Status bar, log lines and notifications; on failure the failing stage's log opened at its end. */
  private report(record: RunRecord, entry: PipelineEntry): void {
    const took = record.finishedAt ? formatDuration(Date.parse(record.finishedAt) - Date.parse(record.startedAt)) : '';
    this.runProblems.show(record, entry.uri.fsPath, entry.root);
    for (const g of record.gates ?? []) {
      const line = `gate ${g.stage}: ${g.name}: ${g.status}${g.reason ? `: ${g.reason}` : ''}`;
      if (g.status === 'failed' && g.severity === 'error') this.log.error(line);
      else this.log.info(line);
    }
    this.log.info(`run ${record.id}: ${record.status} in ${took}`);
    if (record.status === 'passed') {
      this.statusBar.passed(`passed in ${took}`, record);
      return;
    }
    if (record.status === 'cancelled') {
      this.statusBar.failed('cancelled', 'The run was cancelled; no container is left running.');
      return;
    }
    const failedGates = (record.gates ?? []).filter((g) => g.status === 'failed' && g.severity === 'error');
    if (record.status === 'gate-failed' || (failedGates.length && !record.stages.some((s) => s.status === 'failed'))) {
      const first = failedGates[0];
      const text = first ? `gate failed: ${first.stage}: ${first.name}${first.reason ? ` (${first.reason})` : ''}` : 'a gate failed';
      this.statusBar.failed(first ? `gate ${first.name} failed` : 'gate failed', text);
      void vscode.window.showErrorMessage(`mlci: ${text}${failedGates.length > 1 ? `, and ${failedGates.length - 1} more` : ''}`, 'Show Log').then((p) => p && this.log.show());
      return;
    }
    const failed = record.stages.find((s) => s.status === 'failed');
    this.statusBar.failed(failed ? `${failed.name} failed` : record.status, failed?.reason ?? '');
    const missingImage = /image '([^']+)' is not available locally/.exec(failed?.reason ?? '')?.[1];
    if (missingImage) void this.offerImageFix(missingImage);
    if (failed?.log) {
      const uri = vscode.Uri.file(path.join(entry.root, '.mlci', 'runs', record.id, failed.log));
      void vscode.workspace.openTextDocument(uri).then((doc) => {
        const last = doc.lineAt(Math.max(0, doc.lineCount - 1)).range;
        return vscode.window.showTextDocument(doc, { preview: true, selection: new vscode.Range(last.start, last.start) });
      }, () => undefined);
    }
  }

  /** An image the engine lacks and cannot pull: map it to one it has, or build it. */
  private async offerImageFix(image: string): Promise<void> {
    const pick = await offer(
      'error',
      `mlci: the image ${image} is not on the Docker engine and could not be pulled. Map it to an image the engine has (setting mlci.imageMappings, e.g. "${image}": "my-registry/${image}"), or build it from a Dockerfile (build: in mlci.yaml).`,
      'Set Image Mapping',
      'How to Build',
    );
    if (pick === 'Set Image Mapping') await vscode.commands.executeCommand('workbench.action.openSettings', 'mlci.imageMappings');
    else if (pick === 'How to Build') await vscode.commands.executeCommand('mlci.openDocs');
  }

  dispose(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.current?.cancel();
    this.runProblems.dispose();
    this.changed.dispose();
    this.finished.dispose();
    this.unrecorded.dispose();
    this.liveUpdates.dispose();
  }
}
