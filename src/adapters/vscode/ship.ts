/**
 * Shipping from VS Code: "Verify and Push" (the same checks as `mlci push`:
 * branch, upstream, uncommitted changes, then the CI stages and gates;
 * push only when green, "Push anyway" behind a modal confirmation) and
 * "Export CI Workflow" (the GitHub or GitLab file that runs the same
 * pipeline; a hand-edited file is only replaced after confirmation).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { FILE_LIMITS, readRegularFileSync } from '../../core/files/regular-file';
import { linkEscape } from '../../core/files/contain';
import path from 'node:path';
import * as vscode from 'vscode';
import { defaultCiFile, exportCi, markerState } from '../../core/export';
import { findRepoRoot } from '../../core/paths';
import type { CommandContext } from './commands';
import { loadEngine } from './engine-loader';
import type { PipelineEntry } from './pipelines';

export async function verifyAndPush(ctx: CommandContext, entry: PipelineEntry): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('mlci does not run stages or push in Restricted Mode. Trust this workspace first.');
    return;
  }
  const runnable = ctx.pipelines.runnable(entry);
  if (!runnable) {
    void vscode.window.showErrorMessage('The pipeline file has errors: fix them first (see Problems).');
    return;
  }
  const engine = loadEngine();
  let state;
  try {
    state = await engine.branchState(entry.root);
  } catch {
    void vscode.window.showErrorMessage('This folder is not a git repository: nothing to push.');
    return;
  }
  if (!state.branch) return void vscode.window.showErrorMessage('HEAD is detached: check out a branch to push.');
  if (state.behind > 0) return void vscode.window.showErrorMessage(`${state.branch} is ${state.behind} commit(s) behind ${state.upstream}: pull or rebase first, then verify what you will push.`);
  if (state.changes.length) {
    return void vscode.window.showErrorMessage(`Uncommitted changes (${state.changes.slice(0, 5).join(', ')}${state.changes.length > 5 ? ', ...' : ''}): what is pushed is the commit, so commit or stash first.`);
  }
  if (state.upstream && state.ahead === 0) return void vscode.window.showInformationMessage(`Nothing to push: ${state.branch} is up to date with ${state.upstream}.`);
  const runner = await engine.chooseRunner(ctx.config.executor, { ...(ctx.config.dockerHost ? { dockerHost: ctx.config.dockerHost } : {}), note: (l) => ctx.log.warn(l) });
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'mlci: verifying before push', cancellable: true }, async (progress, token) => {
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    return engine.verify({
      root: entry.root, pipelineFile: path.basename(entry.uri.fsPath), pipeline: runnable.pipeline, params: runnable.params, runner,
      imageMap: ctx.config.imageMappings, signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'stage-start') progress.report({ message: e.stage });
        if (e.type === 'stage-log') for (const l of e.text.replace(/\n$/, '').split('\n')) ctx.log.info(`${e.stage} | ${l}`);
      },
    });
  });
  for (const g of result.record.gates ?? []) ctx.log.info(`gate ${g.stage}: ${g.name}: ${g.status}: ${g.reason}`);
  await ctx.runs.refreshStatus();
  const doPush = async (verified: boolean) => {
    try {
      // verifiedCommit tells mlci's pre-push hook not to verify again: after a
      // green run it already did, and "Push anyway" is the user's explicit override.
      const pushed = await engine.push(entry.root, { branch: state.branch!, setUpstream: !state.upstream, verifiedCommit: state.head });
      void vscode.window.showInformationMessage(`mlci: pushed ${state.branch} (${pushed})${verified ? '' : ' WITHOUT passing verification'}.`);
    } catch (e) {
      void vscode.window.showErrorMessage(`git push failed: ${(e as Error).message.split('\n')[0]}`);
    }
  };
  if (result.exitCode === 0) {
    await doPush(true);
    return;
  }
  const failedGate = result.record.gates?.find((g) => g.status === 'failed' && g.severity === 'error');
  const failedStage = result.record.stages.find((s) => s.status === 'failed');
  const why = failedGate ? `gate ${failedGate.stage}: ${failedGate.reason}` : failedStage ? `stage ${failedStage.name}: ${failedStage.reason}` : result.record.status;
  const pick = await vscode.window.showWarningMessage(`Not pushed: ${why}`, 'Show Report', 'Push Anyway…');
  if (pick === 'Show Report') await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(result.reportFile));
  if (pick === 'Push Anyway…') {
    const sure = await vscode.window.showWarningMessage(`Push ${state.branch} although verification failed?`, { modal: true, detail: `${why}\n\nRemote CI will run the same checks and fail the same way.` }, 'Push Anyway');
    if (sure === 'Push Anyway') await doPush(false);
  }
}

export async function exportCiWorkflow(entry: PipelineEntry): Promise<void> {
  const pipeline = entry.result.pipeline;
  if (!pipeline) return;
  const pick = await vscode.window.showQuickPick([
    { label: 'GitHub Actions', provider: 'github' as const, description: defaultCiFile('github') },
    { label: 'GitLab CI', provider: 'gitlab' as const, description: defaultCiFile('gitlab') },
  ].sort((a) => (a.provider === pipeline.ci.provider ? -1 : 1)), { placeHolder: 'Export the pipeline for which CI?' });
  if (!pick) return;
  const repoRoot = findRepoRoot(entry.root) ?? entry.root;
  const pipelineFile = path.relative(repoRoot, entry.uri.fsPath).split(path.sep).join('/');
  const target = path.resolve(repoRoot, (pick.provider === pipeline.ci.provider ? pipeline.ci.file : undefined) ?? defaultCiFile(pick.provider));
  const text = exportCi(pick.provider, pipeline, { pipelineFile });
  // A repository may link .github (or the file) out of itself: never write through it.
  const escape = linkEscape(repoRoot, target, path.relative(repoRoot, target).split(path.sep).join('/'));
  if (escape) {
    void vscode.window.showErrorMessage(escape.message);
    return;
  }
  if (existsSync(target)) {
    const state = markerState(readRegularFileSync(target, FILE_LIMITS.pipeline));
    if (state !== 'generated') {
      const sure = await vscode.window.showWarningMessage(`${path.relative(repoRoot, target)} ${state === 'edited' ? 'was edited by hand' : 'was not written by mlci'}. Replace it?`, { modal: true }, 'Replace');
      if (sure !== 'Replace') return;
    }
  }
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
  await vscode.window.showTextDocument(vscode.Uri.file(target));
}
