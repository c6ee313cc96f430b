/**
 * `mlci` in VS Code's integrated terminals: a shim to the bundled CLI in the
 * extension's storage folder, prepended to PATH through the extension's
 * environment variable collection. Only in a trusted workspace (the CLI runs
 * the workspace's pipeline); otherwise the collection is empty, and it is
 * filled once trust is granted. Not persistent: a restarted window in an
 * untrusted folder never gets the PATH entry before this code decides.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { writeShims } from '../cli-shim';

export interface TerminalCli {
  /** The collection (for tests): PATH prepended with the shim folder when installed. */
  collection: vscode.EnvironmentVariableCollection;
  /** Resolves with the shim folder once installed; undefined while the workspace is untrusted. */
  installed(): Promise<string | undefined>;
  dispose(): void;
}

export function registerTerminalCli(context: vscode.ExtensionContext, cliPath: string, log: vscode.LogOutputChannel): TerminalCli {
  const collection = context.environmentVariableCollection;
  collection.persistent = false;
  collection.description = 'Puts the bundled mlci CLI on PATH (trusted workspaces only)';
  const dir = path.join(context.globalStorageUri.fsPath, 'bin');
  const install = () =>
    writeShims(dir, { nodePath: process.execPath, cliPath }).then(
      () => {
        collection.prepend('PATH', dir + path.delimiter);
        return dir;
      },
      (e: Error) => {
        log.warn(`could not put mlci on the terminal's PATH (${dir}): ${e.message}`);
        return undefined;
      },
    );
  collection.clear();
  // After activation returns: activation itself writes nothing.
  let done = new Promise<string | undefined>((resolve) => setTimeout(() => resolve(vscode.workspace.isTrusted ? install() : undefined), 0));
  const subs: vscode.Disposable[] = [];
  if (!vscode.workspace.isTrusted) subs.push(vscode.workspace.onDidGrantWorkspaceTrust(() => (done = install())));
  return { collection, installed: () => done, dispose: () => subs.forEach((s) => s.dispose()) };
}
