/**
 * A FIFO where the extension expects a file, in the installed extension:
 * a pipeline whose params.yaml is a named pipe (mkfifo, no writer) gets a
 * problem saying so, and nothing in the extension host waits on the pipe:
 * diagnostics, completion, hover, the status refresh and the tree all answer.
 * (Opening a FIFO for reading blocks until a writer comes; a blocking read in
 * the extension host would freeze every extension, so each answer here is
 * raced against a hang limit that counts as a hang.) A FIFO as the pipeline
 * file itself is a problem on that file, not a hang of the registry.
 * The folder is removed at the end so the other suites see the example only.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { api, waitFor } from './support';

const HANG_MS = 10_000;

/** The answer of `p`, or a failure naming what hung. */
async function noHang<T>(what: string, p: Thenable<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(p),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${HANG_MS} ms: a hang on the FIFO`)), HANG_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `mkfifo ${file}: ${r.stderr}`);
}

const PIPELINE = `version: 1
params: params.yaml
stages:
  prep:
    image: busybox
    run: echo prepared
    params: [lr]
`;

describe('special files in the extension (FIFOs)', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the harness opens a workspace folder');
    dir = path.join(folder.uri.fsPath, 'fifo-params');
    mkdirSync(dir, { recursive: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a FIFO params.yaml is a problem on the pipeline naming it, and diagnostics, completion, hover, status and the tree answer', async () => {
    const a = await api();
    mkfifo(path.join(dir, 'params.yaml'));
    const uri = vscode.Uri.file(path.join(dir, 'fifo.mlci.yaml'));
    // Through VS Code's file system, as a user's save would be: the registry's watcher sees it.
    await vscode.workspace.fs.writeFile(uri, Buffer.from(PIPELINE));
    const entry = await waitFor('the registry to list fifo.mlci.yaml', () => a.pipelines.list().find((e) => e.uri.fsPath === uri.fsPath));
    const problem = await waitFor('a problem naming the FIFO', () =>
      vscode.languages.getDiagnostics(uri).find((d) => /params\.yaml is a FIFO \(named pipe\), not a regular file/.test(d.message)),
    );
    assert.equal(problem.severity, vscode.DiagnosticSeverity.Error, 'the FIFO is an error: nothing can run with it');

    const doc = await noHang('opening the pipeline', vscode.workspace.openTextDocument(uri));
    await noHang('showing the pipeline', vscode.window.showTextDocument(doc));
    const at = doc.positionAt(doc.getText().indexOf('[lr]') + 1);
    const completions = await noHang('completion in params: [..]', vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, at));
    assert.ok(completions, 'completion answered');
    const hovers = await noHang('hover on the params key', vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at));
    assert.ok(Array.isArray(hovers), 'hover answered');

    await noHang('the status refresh', a.runs.refreshStatus());
    assert.equal(a.pipelines.runnable(entry), undefined, 'a pipeline whose params file is a FIFO is not runnable');
    const stage = await noHang('the tree', Promise.resolve(a.tree.getChildren(undefined)));
    assert.ok(stage.length > 0, 'the tree lists the pipelines');
  });

  it('a FIFO as the pipeline file itself is a problem on that file, never a hang of the registry', async () => {
    const a = await api();
    const fifo = path.join(dir, 'piped.mlci.yaml');
    mkfifo(fifo);
    // Nudge the registry the way a new file does: a file created next to it through VS Code.
    await vscode.workspace.fs.writeFile(vscode.Uri.file(path.join(dir, 'other.mlci.yaml')), Buffer.from(PIPELINE.replace('params: params.yaml\n', '').replace('    params: [lr]\n', '')));
    const uri = vscode.Uri.file(fifo);
    const problem = await waitFor('a problem on the FIFO pipeline file', () =>
      vscode.languages.getDiagnostics(uri).find((d) => /not a regular file/.test(d.message)),
    );
    assert.match(problem.message, /piped\.mlci\.yaml/);
    await noHang('the status refresh', a.runs.refreshStatus());
    const other = await waitFor('the registry to list other.mlci.yaml', () => a.pipelines.list().find((e) => e.uri.fsPath.endsWith(`${path.sep}other.mlci.yaml`)));
    assert.ok(a.pipelines.runnable(other), `the regular pipeline beside it still validates: ${JSON.stringify(other.result.problems?.map((p) => p.message))}`);
  });
});
