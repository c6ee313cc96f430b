/**
 * Smoke test in the real extension host: the extension is installed, activates,
 * and every command its manifest contributes is registered.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const ID = 'mlci.mlci';

describe('activation', () => {
  it(`finds the extension ${ID}`, () => {
    const ext = vscode.extensions.getExtension(ID);
    assert.ok(ext, `${ID} is not installed in this host`);
    assert.equal(ext.packageJSON.name, 'mlci');
  });

  it('activates', async function () {
    const ext = vscode.extensions.getExtension(ID);
    assert.ok(ext);
    const t = performance.now();
    await ext.activate();
    assert.ok(ext.isActive, 'extension is not active after activate()');
    console.log(`    (activate() returned after ${Math.round(performance.now() - t)} ms; already active: workspaceContains:**/mlci.yaml)`);
  });

  it('registers mlci.validate', async () => {
    await vscode.extensions.getExtension(ID)?.activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('mlci.validate'), 'mlci.validate is not registered');
  });

  it('registers every command of its manifest', async () => {
    const ext = vscode.extensions.getExtension(ID);
    assert.ok(ext);
    await ext.activate();
    const declared: string[] = (ext.packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(declared.filter((c) => !registered.has(c)), [], 'commands in package.json without a handler');
  });

  it('runs in the workspace trust state the harness asked for', () => {
    const want = process.env.MLCI_TEST_TRUST === 'restricted' ? false : true;
    assert.equal(vscode.workspace.isTrusted, want, `workspace.isTrusted (MLCI_TEST_TRUST=${process.env.MLCI_TEST_TRUST ?? ''})`);
  });

  it('reports its activation time (Startup Performance)', async function () {
    // perfview.show registers the perf: scheme; its document has a row per
    // activated extension: | id | eager | load code | call activate | finish activate | event | by |
    await vscode.commands.executeCommand('perfview.show');
    const uri = vscode.Uri.from({ scheme: 'perf', path: 'Startup Performance' });
    // The window learns activation times from the host asynchronously: the row
    // can be missing for a moment right after activation.
    let row: string | undefined;
    for (let i = 0; i < 20 && !row; i++) {
      if (i) await new Promise((r) => setTimeout(r, 250));
      const doc = await vscode.workspace.openTextDocument(uri);
      row = doc.getText().split('\n').find((l) => l.startsWith(`| ${ID} `));
    }
    // The built-in git extension, measured the same way in the same window: the bench's baseline.
    const gitRow = (await vscode.workspace.openTextDocument(uri)).getText().split('\n').find((l) => l.startsWith('| vscode.git '));
    if (gitRow) {
      const g = gitRow.split('|').map((c) => c.trim());
      console.log(`    (baseline vscode.git: load code ${g[3]} ms, call activate ${g[4]} ms, finish activate ${g[5]} ms)`);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.ok(row, `no activation row for ${ID} in Startup Performance`);
    const [, , eager, load, call, finish, event] = row.split('|').map((c) => c.trim());
    console.log(`    (activation: eager=${eager}, load code ${load} ms, call activate ${call} ms, finish activate ${finish} ms, event ${event})`);
  });
});
