/**
 * Language features in the real extension host, on the churn example's
 * mlci.yaml: diagnostics at exact ranges, the quick fix that clears them,
 * completion in a line that does not parse yet, hover, outline, go to
 * definition and code lenses. The tests run in order on one document and
 * leave it as they found it.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, waitFor, workspaceWatched } from './support';

const ID = 'mlci.mlci';

function pipelineUri(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the harness opens a workspace folder');
  return vscode.Uri.joinPath(folder.uri, 'mlci.yaml');
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'mlci');
}

function codeOf(d: vscode.Diagnostic): string | number | undefined {
  return typeof d.code === 'object' ? d.code.value : d.code;
}

/** Polls until `check` returns a value (diagnostics arrive after the debounce), or fails with `what`. */

function describeDiagnostics(uri: vscode.Uri): string {
  return ours(uri).map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${String(codeOf(d))}: ${d.message}`).join('\n') || '(none)';
}

async function replace(doc: vscode.TextDocument, start: number, end: number, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(end)), text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'edit applied');
}

function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

describe('language features', () => {
  let doc: vscode.TextDocument;
  let original: string;

  before(async () => {
    await vscode.extensions.getExtension(ID)?.activate();
    doc = await vscode.workspace.openTextDocument(pipelineUri());
    await vscode.window.showTextDocument(doc);
    original = doc.getText();
  });

  after(async () => {
    // Leave the file as the other suites expect it: the saved text, no open editor.
    if (doc.getText() !== original) await replace(doc, 0, doc.getText().length, original);
    if (doc.isDirty) await doc.save();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reports no problem in the example pipeline', async () => {
    // Validation is debounced: give it time to run, then require the clean state to hold.
    await new Promise((r) => setTimeout(r, 1000));
    await waitFor(`no mlci diagnostics; got:\n${describeDiagnostics(doc.uri)}`, () => ours(doc.uri).length === 0);
  });

  it('reports unknown-stage at the exact range of a typo in needs', async () => {
    const at = doc.getText().indexOf('needs: [train]') + 'needs: ['.length;
    await replace(doc, at, at + 'train'.length, 'trian');
    const want = new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'trian'.length));
    const diag = await waitFor(`an unknown-stage diagnostic; got:\n${describeDiagnostics(doc.uri)}`, () => ours(doc.uri).find((d) => codeOf(d) === 'unknown-stage'));
    assert.ok(diag.range.isEqual(want), `range ${JSON.stringify(diag.range)} is not ${JSON.stringify(want)}`);
    assert.equal(diag.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diag.message, /did you mean 'train'/);
  });

  it("fixes it with the quick fix \"Change to 'train'\"", async () => {
    const diag = ours(doc.uri).find((d) => codeOf(d) === 'unknown-stage');
    assert.ok(diag);
    const actions = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a): a is vscode.CodeAction => a.title === "Change to 'train'" && 'edit' in a);
    assert.ok(fix?.edit, `no "Change to 'train'" among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.equal(fix.isPreferred, true);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.ok(doc.getText().includes('needs: [train]'));
    await waitFor(`diagnostics to clear; got:\n${describeDiagnostics(doc.uri)}`, () => ours(doc.uri).length === 0);
  });

  // The schema layer: the installed bundle loads its precompiled validator
  // (dist/schema-validator.js, a file of its own) on the first validation.
  it('reports a schema error (unknown-key) at the key, with its quick fix, through the schema validator bundle', async () => {
    const at = doc.getText().indexOf('    kind: drift\n') + '    '.length;
    await replace(doc, at, at + 'kind'.length, 'kindd');
    const want = new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'kindd'.length));
    const diag = await waitFor(`an unknown-key diagnostic; got:\n${describeDiagnostics(doc.uri)}`, () => ours(doc.uri).find((d) => codeOf(d) === 'unknown-key'));
    assert.ok(diag.range.isEqual(want), `range ${JSON.stringify(diag.range)} is not ${JSON.stringify(want)}`);
    assert.match(diag.message, /unknown key 'kindd'.*did you mean 'kind'/);
    const actions = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a): a is vscode.CodeAction => a.title === "Change to 'kind'" && 'edit' in a);
    assert.ok(fix?.edit, `no "Change to 'kind'" among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.getText(), original);
    await waitFor(`diagnostics to clear; got:\n${describeDiagnostics(doc.uri)}`, () => ours(doc.uri).length === 0);
  });

  it('completes stage names after `needs: [` on a line that does not parse yet', async () => {
    const anchor = doc.getText().indexOf('    kind: drift\n') + '    kind: drift\n'.length;
    const typed = '    needs: [';
    await replace(doc, anchor, anchor, `${typed}\n`);
    try {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, doc.positionAt(anchor + typed.length));
      const labels = list.items.map(labelOf);
      for (const stage of ['unit-tests', 'validate-data', 'train', 'evaluate']) assert.ok(labels.includes(stage), `${stage} missing from ${labels.join(', ')}`);
      const train = list.items.find((i) => labelOf(i) === 'train');
      assert.equal(train?.detail, 'train stage');
    } finally {
      await replace(doc, anchor, anchor + typed.length + 1, '');
    }
    assert.equal(doc.getText(), original);
  });

  it('shows the schema description when hovering `kind`', async () => {
    const at = doc.getText().indexOf('kind: test') + 1;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(at));
    assert.match(hoverText(hovers), /What the stage is/);
  });

  it('outlines the five stages with their kinds', async () => {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
    const stages = symbols.find((s) => s.name === 'stages');
    assert.ok(stages, `no 'stages' symbol among ${symbols.map((s) => s.name).join(', ')}`);
    assert.deepEqual(stages.children.map((s) => `${s.name} (${s.detail})`), ['unit-tests (test)', 'validate-data (data)', 'train (train)', 'evaluate (evaluate)', 'drift (drift)']);
    assert.equal(stages.children[0].kind, vscode.SymbolKind.Function);
  });

  it('goes from a needs entry to the stage key', async () => {
    const text = doc.getText();
    const at = text.indexOf('needs: [train]') + 'needs: [t'.length;
    const targets = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>('vscode.executeDefinitionProvider', doc.uri, doc.positionAt(at));
    assert.equal(targets.length, 1, JSON.stringify(targets));
    const t = targets[0];
    const range = 'targetUri' in t ? (t.targetSelectionRange ?? t.targetRange) : t.range;
    const keyLine = doc.positionAt(text.indexOf('\n  train:\n') + 1).line;
    assert.equal(range.start.line, keyLine);
    assert.equal(doc.getText(range), 'train');
  });

  it('follows the params file as it is typed, and applies a fix that edits the params file', async () => {
    const paramsDoc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(doc.uri, '..', 'params.yaml'));
    const saved = paramsDoc.getText();
    try {
      const at = saved.indexOf('threshold:');
      await replace(paramsDoc, at, at + 'threshold'.length, 'cutoff');
      const diag = await waitFor(`unknown-param on mlci.yaml; got:\n${describeDiagnostics(doc.uri)}`, () => ours(doc.uri).find((d) => codeOf(d) === 'unknown-param'));
      assert.equal(doc.getText(diag.range), 'threshold');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
      const add = actions.find((a) => a.title === "Add 'threshold' to the params file");
      assert.ok(add?.edit, `no add-key fix among ${JSON.stringify(actions.map((a) => a.title))}`);
      assert.deepEqual(add.edit.entries().map(([u]) => u.toString()), [paramsDoc.uri.toString()]);
      assert.ok(await vscode.workspace.applyEdit(add.edit));
      assert.match(paramsDoc.getText(), /\nthreshold: null/);
      await waitFor(`diagnostics to clear; got:\n${describeDiagnostics(doc.uri)}`, () => ours(doc.uri).length === 0);
    } finally {
      await replace(paramsDoc, 0, paramsDoc.getText().length, saved);
      await paramsDoc.save();
    }
    await waitFor(`no diagnostics after restoring params.yaml; got:\n${describeDiagnostics(doc.uri)}`, () => ours(doc.uri).length === 0);
  });

  it('validates pipeline files that are not open, and forgets them when deleted', async function () {
    this.timeout(120_000);
    await api(); // its registry listening, and the workbench's file watcher running
    const extra = vscode.Uri.joinPath(doc.uri, '..', 'more', 'extra.mlci.yaml');
    // What the host itself reports, to tell a lost watcher event from a registry that missed one
    // if the wait below ever times out (it did once in CI, with nothing else to go on).
    const t0 = Date.now();
    const seen: string[] = [];
    const top = `${vscode.Uri.joinPath(doc.uri, '..').fsPath}/{*,*/*,*/*/*}`; // absolute: string globs match events' absolute paths
    const watchers = [vscode.workspace.createFileSystemWatcher('**/*.mlci.yaml'), vscode.workspace.createFileSystemWatcher(top)];
    for (const w of watchers) {
      w.onDidCreate((u) => seen.push(`create ${vscode.workspace.asRelativePath(u)} +${Date.now() - t0} ms`));
      w.onDidChange((u) => seen.push(`change ${vscode.workspace.asRelativePath(u)} +${Date.now() - t0} ms`));
    }
    await vscode.workspace.fs.writeFile(extra, Buffer.from('version: 1\nstages:\n  a:\n    run: echo a\n    needs: [b]\n'));
    try {
      // A file made in a new folder reaches the registry through the workbench's file watcher. The
      // wait is for the validation, not a latency goal: it is long for a busy machine, and a lost
      // event (a file written before that watcher ran, which api() now rules out) fails it.
      const diag = await waitFor('unknown-stage on a file that is not open', () => ours(extra).find((d) => codeOf(d) === 'unknown-stage'), 45_000).catch(async (e: Error) => {
        const found = await vscode.workspace.findFiles('more/**').then((fs) => fs.map((u) => vscode.workspace.asRelativePath(u)), (err: Error) => `failed: ${err.message}`);
        const known = (await api()).pipelines.get(extra.fsPath) ? 'knows it' : 'does not know it';
        e.message += `\n  the registry ${known}\n  the host's watchers saw: ${JSON.stringify(seen)}\n  findFiles('more/**') now: ${JSON.stringify(found)}\n  diagnostics of the file: ${describeDiagnostics(extra)}`;
        throw e;
      });
      assert.deepEqual([diag.range.start.line, diag.range.start.character, diag.range.end.character], [4, 12, 13]);
      assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === extra.toString()), 'validated from disk, not opened');
    } finally {
      watchers.forEach((w) => w.dispose());
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(extra, '..'), { recursive: true });
    }
    await waitFor('diagnostics of the deleted file to clear', () => ours(extra).length === 0);
  });

  it("finds the pipeline files of new folders whose files' own events never come (one folder, then a burst of ten)", async function () {
    // It writes a workspace setting, which the Restricted suite's byte-identical check rules out;
    // the registry's code is the same in both modes.
    if (!vscode.workspace.isTrusted) this.skip();
    this.timeout(120_000);
    const a = await api();
    const root = vscode.Uri.joinPath(doc.uri, '..');
    const files = vscode.workspace.getConfiguration('files', root);
    const before = files.inspect<Record<string, boolean>>('watcherExclude')?.workspaceValue;
    // The watcher reports quiet*/ but nothing under their deep/ (an excluded folder is not
    // reported either): what a watcher that missed a checkout's or a copy's files looks like,
    // made certain.
    await files.update('watcherExclude', { ...before, '**/deep/**': true }, vscode.ConfigurationTarget.Workspace);
    await new Promise((r) => setTimeout(r, 1000));
    await workspaceWatched({ again: true });
    const seen: string[] = [];
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.mlci.yaml');
    watcher.onDidCreate((u) => seen.push(vscode.workspace.asRelativePath(u)));
    const folders = ['quiet', ...Array.from({ length: 10 }, (_, i) => `quiet${i}`)];
    try {
      // One folder: searched on its own. Then ten at once: more than the registry searches
      // folder by folder, so one search of the workspace finds them.
      for (const batch of [folders.slice(0, 1), folders.slice(1)]) {
        const written = batch.map((f) => vscode.Uri.joinPath(root, f, 'deep', 'q.mlci.yaml'));
        await Promise.all(written.map((file) => vscode.workspace.fs.writeFile(file, Buffer.from('version: 1\nstages:\n  a:\n    run: echo a\n    needs: [b]\n'))));
        for (const file of written) {
          const diag = await waitFor(`unknown-stage on ${vscode.workspace.asRelativePath(file)}`, () => ours(file).find((d) => codeOf(d) === 'unknown-stage'), 30_000)
            .catch((e: Error) => { throw new Error(`${e.message}; the registry ${a.pipelines.get(file.fsPath) ? 'knows' : 'does not know'} the file; file events seen: ${JSON.stringify(seen)}`); });
          assert.equal(diag.range.start.line, 4);
        }
      }
      assert.deepEqual(seen.filter((f) => f.includes('quiet')), [], 'the premise: no event for the files themselves');
    } finally {
      watcher.dispose();
      for (const f of folders) await vscode.workspace.fs.delete(vscode.Uri.joinPath(root, f), { recursive: true }).then(undefined, () => undefined);
      await files.update('watcherExclude', before, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('puts Run and Run with upstream lenses above each stage (none in Restricted Mode)', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100);
    if (!vscode.workspace.isTrusted) {
      assert.deepEqual(lenses.filter((l) => l.command?.command.startsWith('mlci.runStage')), []);
      return;
    }
    const runs = lenses.filter((l) => l.command?.command === 'mlci.runStage');
    assert.deepEqual(runs.map((l) => (l.command?.arguments?.[0] as { stage: string }).stage), ['unit-tests', 'validate-data', 'train', 'evaluate', 'drift']);
    assert.equal((runs[0].command?.arguments?.[0] as { file: string }).file, doc.uri.fsPath);
    assert.equal(lenses.filter((l) => l.command?.command === 'mlci.runStageWithUpstream').length, 5);
  });
});
