/**
 * The command table: every `mlci.*` command as a factory taking the one
 * context object (rust-analyzer's habit). Commands accept an argument from
 * the tree, CodeLens or tests ({ file, stage }), or ask with a quick pick.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { SCAFFOLD_MAX_FILES, scaffoldFor, scaffoldParamsFile } from '../../core/scaffold';
import { pathKey } from '../../core/pipeline/source';
import { TEST_KINDS } from '../../core/pipeline/model';
import { callCli } from './cli-process';
import { stageWord } from '../../core/run/words';
import { deliver, exportCiWorkflow, verifyAndPush } from './ship';
import { DagPanel } from './panels/dag-panel';
import { offer } from './notify';
import { DriftPanel, showDriftReportFromFile, showStageDriftReport } from './panels/drift-panel';
import { parseDriftReport } from '../../core/drift/report/json';
import type { DriftPanelReport } from '../../protocol/drift-panel';
import type { Config } from './config';
import type { PipelineEntry, PipelineRegistry } from './registry';
import type { RunService } from './run-service';
import type { Node, StageArg } from './tree';

export interface CommandContext {
  extensionUri: vscode.Uri;
  config: Config;
  log: vscode.LogOutputChannel;
  pipelines: PipelineRegistry;
  runs: RunService;
  /** Resolves once the pipeline files were found after activation. */
  whenReady(): Promise<void>;
}

type Arg = Node | StageArg | vscode.Uri | undefined;

async function pickPipeline(ctx: CommandContext, arg: Arg): Promise<PipelineEntry | undefined> {
  // A command run right after start (a walkthrough button) waits for the pipeline files to be found.
  await ctx.whenReady();
  if (arg instanceof vscode.Uri) return ctx.pipelines.get(arg);
  if (arg && 'file' in arg) return ctx.pipelines.get(arg.file);
  if (arg && 'entry' in arg) return arg.entry;
  const editor = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = editor && ctx.pipelines.get(editor);
  if (fromEditor) return fromEditor;
  const list = ctx.pipelines.list();
  if (list.length <= 1) {
    if (!list.length) void offer('info', 'No pipeline file (mlci.yaml) in this workspace.', 'New Pipeline').then((p) => p && vscode.commands.executeCommand('mlci.newPipeline'));
    return list[0];
  }
  const pick = await vscode.window.showQuickPick(list.map((e) => ({ label: vscode.workspace.asRelativePath(e.uri), entry: e })), { placeHolder: 'Which pipeline?' });
  return pick?.entry;
}

async function pickStage(ctx: CommandContext, arg: Arg, title: string): Promise<{ entry: PipelineEntry; stage: string } | undefined> {
  if (arg && !(arg instanceof vscode.Uri) && 'stage' in arg) {
    const entry = 'entry' in arg ? arg.entry : ctx.pipelines.get(arg.file);
    const stage = typeof arg.stage === 'string' ? arg.stage : arg.stage.name;
    return entry ? { entry, stage } : undefined;
  }
  const entry = await pickPipeline(ctx, arg);
  const pipeline = entry?.result.pipeline;
  if (!entry || !pipeline) return undefined;
  const pick = await vscode.window.showQuickPick(
    pipeline.stages.map((s) => ({ label: s.name, description: s.kind, detail: s.run.join(' && ') || undefined })),
    { placeHolder: title },
  );
  return pick ? { entry, stage: pick.label } : undefined;
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const table: Record<string, (arg?: Arg) => unknown> = {
    'mlci.runPipeline': async (arg) => {
      const entry = await pickPipeline(ctx, arg);
      if (entry) await ctx.runs.run({ entry, targets: [], title: `run ${path.basename(entry.uri.fsPath)}` });
    },
    // Run Stage: the stage itself always runs; what it needs runs only if stale.
    'mlci.runStage': async (arg) => {
      const t = await pickStage(ctx, arg, 'Run which stage?');
      if (t) await ctx.runs.run({ entry: t.entry, targets: [t.stage], force: [t.stage], title: `run ${t.stage}` });
    },
    // Run with Upstream: the stage and everything it needs run, up to date or not.
    'mlci.runStageWithUpstream': async (arg) => {
      const t = await pickStage(ctx, arg, 'Run which stage, with everything it needs?');
      if (t) await ctx.runs.run({ entry: t.entry, targets: [t.stage], force: true, title: `run ${t.stage} with upstream` });
    },
    'mlci.runTests': async (arg) => {
      const entry = await pickPipeline(ctx, arg);
      const tests = entry?.result.pipeline?.stages.filter((s) => TEST_KINDS.includes(s.kind)).map((s) => s.name) ?? [];
      if (entry && tests.length) await ctx.runs.run({ entry, targets: tests, title: 'run tests' });
      else if (entry) void vscode.window.showInformationMessage('This pipeline has no test, data, evaluate or drift stages.');
    },
    'mlci.stopRun': () => ctx.runs.stop(),
    'mlci.showLogs': () => ctx.log.show(),
    // The reference shipped inside the extension (works offline).
    'mlci.openDocs': () => vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(ctx.extensionUri, 'docs', 'pipeline-file.md')),
    // The plan `mlci run` would follow, from `mlci status`: no image is pulled,
    // and in Restricted Mode nothing is written (--read-only).
    'mlci.showPlan': async (arg) => {
      const entry = await pickPipeline(ctx, arg);
      if (!entry) return;
      if (!ctx.pipelines.runnable(entry)) {
        void vscode.window.showErrorMessage(`${path.basename(entry.uri.fsPath)} has errors: fix them first (see Problems).`);
        return;
      }
      const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'mlci: planning' }, () => ctx.runs.plan(entry));
      if (!plan) return;
      const lines = [`# Run plan: ${vscode.workspace.asRelativePath(entry.uri)}`, ''];
      for (const note of plan.note.split('\n').filter(Boolean)) lines.push(`> ${note.replace(/^mlci: /, '')}`, '');
      lines.push('| stage | kind | will | why |', '|---|---|---|---|');
      for (const e of plan.rows) {
        const will = e.state === 'stale' ? 'run' : e.state === 'up-to-date' ? 'skip' : e.state === 'restorable' ? 'restore' : e.state === 'after-upstream' ? 'maybe' : '?';
        lines.push(`| ${e.stage} | ${e.kind} | ${will} | ${e.reasons.join('; ').replace(/\|/g, '\\|') || 'up to date'} |`);
      }
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: lines.join('\n') + '\n' });
      await vscode.window.showTextDocument(doc, { preview: true });
    },
    'mlci.validate': async () => {
      await ctx.pipelines.refresh();
      const all = ctx.pipelines.list().flatMap((e) => e.result.problems);
      const errors = all.filter((p) => p.severity === 'error').length;
      const warnings = all.filter((p) => p.severity === 'warning').length;
      const msg = `mlci: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${ctx.pipelines.list().length} pipeline file(s)`;
      if (errors || warnings) {
        void vscode.commands.executeCommand('workbench.actions.view.problems');
        void vscode.window.showWarningMessage(msg);
      } else void vscode.window.showInformationMessage(msg);
    },
    'mlci.newPipeline': async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showInformationMessage('Open a folder first: the pipeline file lives at its root.');
        return;
      }
      const target = vscode.Uri.joinPath(folder.uri, 'mlci.yaml');
      try {
        await vscode.workspace.fs.stat(target);
        await vscode.window.showTextDocument(target);
        void vscode.window.showInformationMessage('This folder already has an mlci.yaml: opened it.');
        return;
      } catch {
        // absent: create it
      }
      // The same scaffold as `mlci init` (src/core/scaffold.ts).
      const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*'), '{**/node_modules/**,**/.git/**,**/.venv/**,**/venv/**,**/.mlci/**,**/__pycache__/**}', SCAFFOLD_MAX_FILES);
      const files = found.map((u) => path.relative(folder.uri.fsPath, u.fsPath).split(path.sep).join('/'));
      const paramsFile = scaffoldParamsFile(files);
      const paramsText = paramsFile ? Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, paramsFile))).toString('utf8') : undefined;
      await vscode.workspace.fs.writeFile(target, Buffer.from(scaffoldFor(files, paramsText)));
      await vscode.window.showTextDocument(target);
      await ctx.pipelines.refresh();
      await vscode.commands.executeCommand('workbench.view.extension.mlci');
    },
    'mlci.openPipelineFile': async (arg) => {
      const entry = await pickPipeline(ctx, arg);
      if (entry) await vscode.window.showTextDocument(entry.uri);
    },
    'mlci.refresh': async () => {
      await ctx.pipelines.refresh();
      await ctx.runs.refreshStatus();
    },
    // `beside` (from the graph): in the editor already showing the file, else beside the active one.
    'mlci.revealStage': async (arg) => {
      const t = await pickStage(ctx, arg, 'Reveal which stage?');
      if (!t) return;
      const doc = await vscode.workspace.openTextDocument(t.entry.uri);
      const key = t.entry.result.source?.index.get(pathKey(['stages', t.stage]));
      const start = doc.positionAt(key?.keyStart ?? 0);
      const end = doc.positionAt(key?.keyEnd ?? 0);
      const beside = !!arg && 'beside' in arg && arg.beside === true;
      const shown = beside ? vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString())?.viewColumn : undefined;
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(start, end), preview: false, ...(beside ? { viewColumn: shown ?? vscode.ViewColumn.Beside } : {}) });
    },
    // The pipeline as a graph (webview), status-coloured, following runs as they go.
    'mlci.showDag': async (arg) => {
      const entry = await pickPipeline(ctx, arg);
      if (entry) DagPanel.createOrShow(ctx.extensionUri, { pipelines: ctx.pipelines, runs: ctx.runs, ready: ctx.whenReady }, entry.uri.fsPath);
    },
    // From a drift stage (its report in the last run, else its report file),
    // or with no argument: a drift stage, a report file, or two data files.
    'mlci.showDriftReport': async (arg) => {
      let target = arg && !(arg instanceof vscode.Uri) && 'stage' in arg ? await pickStage(ctx, arg, '') : undefined;
      if (!target && !(arg instanceof vscode.Uri)) {
        const stages = ctx.pipelines.list().flatMap((entry) => (entry.result.pipeline?.stages ?? []).filter((s) => s.kind === 'drift').map((s) => ({ entry, stage: s.name })));
        type Pick = vscode.QuickPickItem & { action: 'stage' | 'file' | 'compare'; t?: { entry: PipelineEntry; stage: string } };
        const picks: Pick[] = [
          ...stages.map((t): Pick => ({ label: `$(pulse) ${t.stage}`, description: vscode.workspace.asRelativePath(t.entry.uri), action: 'stage', t })),
          { label: '$(file) Open a drift report file…', action: 'file' },
          { label: '$(diff) Compare two data files…', action: 'compare' },
        ];
        const pick = await vscode.window.showQuickPick(picks, { placeHolder: 'Which drift report?' });
        if (!pick) return;
        if (pick.action === 'stage') target = pick.t;
        else if (pick.action === 'file') {
          const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Drift report': ['json'] } });
          if (files?.[0]) await showDriftReportFromFile(ctx.extensionUri, files[0]);
          return;
        } else {
          const ref = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Reference data (what the model was trained on)', filters: { Data: ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet'] } });
          if (!ref?.[0]) return;
          const cur = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Current data', filters: { Data: ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet'] } });
          if (!cur?.[0]) return;
          // Computed by the CLI (`mlci drift --format json`), off the extension host.
          const folder = vscode.workspace.getWorkspaceFolder(cur[0])?.uri.fsPath ?? path.dirname(cur[0].fsPath);
          const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'mlci: computing drift' }, () =>
            callCli({ cliPath: ctx.runs.cliPath, args: ['drift', '--reference', ref[0].fsPath, '--current', cur[0].fsPath, '--format', 'json'], cwd: folder, env: { ELECTRON_RUN_AS_NODE: '1' } }));
          let report: DriftPanelReport;
          try {
            report = parseDriftReport(result.stdout) as DriftPanelReport;
          } catch {
            void vscode.window.showErrorMessage(`mlci: no drift report: ${result.stderr.split('\n').filter(Boolean).pop() ?? `mlci drift exited with ${result.code}`}`);
            return;
          }
          DriftPanel.createOrShow(ctx.extensionUri, report, `Drift: ${path.basename(cur[0].fsPath)}`);
          return;
        }
      }
      if (arg instanceof vscode.Uri) {
        await showDriftReportFromFile(ctx.extensionUri, arg);
        return;
      }
      if (!target) return;
      const t = target;
      const reportFile = t.entry.result.pipeline?.stageByName.get(t.stage)?.drift?.report;
      await showStageDriftReport(ctx.extensionUri, {
        pipelineFile: t.entry.uri.fsPath,
        root: t.entry.root,
        stage: t.stage,
        ...(reportFile ? { reportFile } : {}),
        fromLastRun: () => {
          const run = ctx.runs.lastRun(t.entry.uri.fsPath);
          const report = run?.reports?.[t.stage];
          return run && report ? { report, runId: run.id } : undefined;
        },
      });
    },
    'mlci.verifyAndPush': async (arg) => {
      const entry = await pickPipeline(ctx, arg);
      if (entry) await verifyAndPush(ctx, entry);
    },
    'mlci.openService': async (arg) => {
      const t = await pickStage(ctx, arg, 'Open which service?');
      const url = t ? ctx.runs.view(t.entry.uri.fsPath, t.stage).live?.service?.hostUrl : undefined;
      if (url) await vscode.env.openExternal(vscode.Uri.parse(url));
      else void vscode.window.showInformationMessage('mlci: the service is not running (services run only while a stage that needs them runs).');
    },
    'mlci.deliver': async (arg) => {
      const entry = await pickPipeline(ctx, arg);
      if (entry) await deliver(ctx, entry);
    },
    'mlci.exportCiWorkflow': async (arg) => {
      const entry = await pickPipeline(ctx, arg);
      if (entry) await exportCiWorkflow(entry);
    },
    'mlci.openStageLog': async (arg) => {
      const t = await pickStage(ctx, arg, 'Open the log of which stage?');
      if (!t) return;
      const { lastRun: run, last: rec } = ctx.runs.view(t.entry.uri.fsPath, t.stage);
      if (!run || !rec?.log) {
        void vscode.window.showInformationMessage(`Stage ${t.stage} has no log in the last run${rec ? ` (${stageWord(rec.status)})` : ''}.`);
        return;
      }
      await vscode.window.showTextDocument(vscode.Uri.file(path.join(t.entry.root, '.mlci', 'runs', run.id, rec.log)), { preview: true });
    },
  };
  return Object.entries(table).map(([id, fn]) => vscode.commands.registerCommand(id, fn));
}
