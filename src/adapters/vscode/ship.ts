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
import { offer } from './notify';
import type { PipelineEntry } from './registry';

export async function verifyAndPush(ctx: CommandContext, entry: PipelineEntry): Promise<void> {
  if (!ctx.pipelines.runnable(entry)) {
    void vscode.window.showErrorMessage('The pipeline file has errors: fix them first (see Problems).');
    return;
  }
  if (!findRepoRoot(entry.root)) {
    // Verify compares with main and push needs a remote: say so before running anything.
    const pick = await offer('error', 'mlci: this folder is not in a git repository: Verify and Push compares the gates with the main branch and pushes to its remote. Initialize a repository, commit, and add a remote first.', 'Initialize Repository');
    // true: the workspace folder itself, no folder prompt (vscode.git's skipFolderPrompt).
    if (pick) await vscode.commands.executeCommand('git.init', true);
    return;
  }
  // `mlci push` checks the branch (detached, behind, uncommitted changes),
  // verifies, and pushes only when green: the same code as in a terminal.
  const result = await ctx.runs.push(entry);
  if (!result) return;
  if (result.code === 0) {
    void vscode.window.showInformationMessage(`mlci: ${result.message || 'pushed'}.`);
    return;
  }
  const record = result.record;
  if (!record || (result.code !== 1 && result.code !== 2)) {
    // Not pushed for another reason (dirty tree, behind, detached, engine): the CLI said why.
    void vscode.window.showErrorMessage(`mlci: not pushed: ${result.message || `mlci push exited with ${result.code}`}`, 'Show Log').then((p) => p && ctx.log.show());
    return;
  }
  const failedGate = record.gates?.find((g) => g.status === 'failed' && g.severity === 'error');
  const failedStage = record.stages.find((s) => s.status === 'failed');
  const why = failedGate ? `gate ${failedGate.stage}: ${failedGate.reason}` : failedStage ? `stage ${failedStage.name}: ${failedStage.reason}` : record.status;
  const reportFile = path.join(entry.root, '.mlci', 'runs', record.id, 'verify.md');
  const pick = await vscode.window.showWarningMessage(`Not pushed: ${why}`, 'Show Report', 'Push Anyway…');
  if (pick === 'Show Report') await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(reportFile));
  if (pick === 'Push Anyway…') {
    const sure = await vscode.window.showWarningMessage(`Push although verification failed?`, { modal: true, detail: `${why}\n\nRemote CI will run the same checks and fail the same way.` }, 'Push Anyway');
    if (sure !== 'Push Anyway') return;
    const forced = await ctx.runs.push(entry, { force: true });
    if (forced?.code === 0) void vscode.window.showInformationMessage(`mlci: ${forced.message || 'pushed'} WITHOUT passing verification.`);
    else if (forced) void vscode.window.showErrorMessage(`mlci: not pushed: ${forced.message || `mlci push exited with ${forced.code}`}`);
  }
}

/** "Deliver": `mlci deliver` pushes the deliver stages' service images from a verified commit. */
export async function deliver(ctx: CommandContext, entry: PipelineEntry): Promise<void> {
  if (!ctx.pipelines.runnable(entry)) {
    void vscode.window.showErrorMessage('The pipeline file has errors: fix them first (see Problems).');
    return;
  }
  if (!entry.result.pipeline?.stages.some((s) => s.kind === 'deliver')) {
    void vscode.window.showInformationMessage(`mlci: ${path.basename(entry.uri.fsPath)} has no deliver stage (kind: deliver, service, registry).`, 'Open Reference').then((p) => p && vscode.commands.executeCommand('mlci.openDocs'));
    return;
  }
  const result = await ctx.runs.deliver(entry);
  if (!result) return;
  if (result.code === 0) void vscode.window.showInformationMessage(`mlci: ${result.message || 'delivered'}`);
  else void vscode.window.showErrorMessage(`mlci: not delivered: ${result.message || `mlci deliver exited with ${result.code}`}`, 'Show Log').then((p) => p && ctx.log.show());
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
