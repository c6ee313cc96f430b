/**
 * "Import dvc.yaml": a welcome action in the mlci view when the workspace has
 * a dvc.yaml and no pipeline file. Runs the same core import as
 * `mlci import dvc` (it only reads YAML and writes mlci.yaml, so it is
 * allowed in untrusted workspaces), opens the result and says what was left
 * as comments. The context key `mlci.canImportDvc` drives the welcome text.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { DvcImportError, importDvc } from '../../core/import/dvc';
import { nodeFiles } from '../../core/node-files';
import { writeFileAtomic } from '../../core/run/atomic';

const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.venv/**,**/venv/**}';

async function dvcFolders(): Promise<vscode.Uri[]> {
  return (await vscode.workspace.findFiles('**/dvc.yaml', EXCLUDE, 50)).map((u) => vscode.Uri.file(path.dirname(u.fsPath)));
}

async function updateContext(): Promise<void> {
  const [dvc, mlci] = await Promise.all([
    vscode.workspace.findFiles('**/dvc.yaml', EXCLUDE, 1),
    vscode.workspace.findFiles('{**/mlci.yaml,**/*.mlci.yaml}', EXCLUDE, 1),
  ]);
  await vscode.commands.executeCommand('setContext', 'mlci.canImportDvc', dvc.length > 0 && mlci.length === 0);
}

async function importCommand(): Promise<void> {
  const folders = await dvcFolders();
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('No dvc.yaml in this workspace.');
    return;
  }
  let dir = folders[0];
  if (folders.length > 1) {
    const pick = await vscode.window.showQuickPick(folders.map((f) => ({ label: vscode.workspace.asRelativePath(f) || '.', uri: f })), { placeHolder: 'Import which dvc.yaml?' });
    if (!pick) return;
    dir = pick.uri;
  }
  const target = path.join(dir.fsPath, 'mlci.yaml');
  if (nodeFiles.stat(target)) {
    const answer = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} exists. Overwrite it with the import of dvc.yaml?`, { modal: true }, 'Overwrite');
    if (answer !== 'Overwrite') return;
  }
  try {
    const result = importDvc({ dir: dir.fsPath, files: nodeFiles });
    await writeFileAtomic(target, result.text);
    await vscode.window.showTextDocument(vscode.Uri.file(target));
    const more = result.notes.length > 1 ? ` (${result.notes.length - 1} more notes: run 'mlci import dvc' to see them all)` : '';
    void vscode.window.showInformationMessage(`mlci: ${result.notes[0]}${more}`);
  } catch (e) {
    void vscode.window.showErrorMessage(`mlci: cannot import dvc.yaml: ${e instanceof DvcImportError ? e.message : (e as Error).message}`);
  }
  await updateContext();
}

export function registerImportDvc(): vscode.Disposable[] {
  const watcher = vscode.workspace.createFileSystemWatcher('**/{dvc.yaml,mlci.yaml,*.mlci.yaml}', false, true, false);
  const refresh = () => void updateContext();
  refresh();
  return [
    watcher,
    watcher.onDidCreate(refresh),
    watcher.onDidDelete(refresh),
    vscode.commands.registerCommand('mlci.importDvc', importCommand),
  ];
}
