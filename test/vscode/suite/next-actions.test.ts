/**
 * Messages that say what to do next, with the action that does it, in a
 * real VS Code (code-server) on a copy of examples/churn. What is said goes
 * through the extension's notifier seam (api().notifier: the test reads the
 * message and picks an action); what the action then does is real: the
 * Settings editor opens on mlci.imageMappings, vscode.git initialises a
 * repository, the pipeline file opens, the Workspace Trust editor opens.
 * Also the pipeline graph: Show Pipeline Graph opens the panel, whose real
 * page says 'ready' and gets the example's graph; a click's message reveals
 * the stage's key in mlci.yaml (a click inside the webview itself is driven
 * by test/ui/dag-view.ui.ts in Chromium).
 * Restricted Mode (test-vscode --restricted): every Run command explains and
 * offers Manage Workspace Trust before doing anything, and nothing runs.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { MlciApi } from '../../../src/extension';
import type { NoticeKind } from '../../../src/adapters/vscode/notify';
import { api, waitFor } from './support';

const trusted = process.env.MLCI_TEST_TRUST !== 'restricted';

interface Notice { kind: NoticeKind; message: string; actions: string[] }

/** Records every offer; answers with `answer(notice)` (undefined: dismissed). Returns the record and the undo. */
function listen(a: MlciApi, answer: (n: Notice) => string | undefined | Promise<string | undefined> = () => undefined): { notices: Notice[]; restore(): void } {
  const original = a.notifier.current;
  const notices: Notice[] = [];
  a.notifier.current = {
    show: async (kind, message, actions) => {
      const n = { kind, message, actions };
      notices.push(n);
      return answer(n);
    },
  };
  return { notices, restore: () => (a.notifier.current = original) };
}

const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

function mainEntry(a: MlciApi) {
  const e = a.pipelines.list().find((x) => x.uri.fsPath === path.join(root(), 'mlci.yaml'));
  assert.ok(e, 'the example pipeline is registered');
  return e;
}

/** A pipeline in a folder of its own (its own .mlci/ and lock), registered; removed (and forgotten) by the returned undo. */
async function tempPipeline(a: MlciApi, folder: string, text: string): Promise<{ file: string; remove(): Promise<void> }> {
  const dir = path.join(root(), folder);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'mlci.yaml');
  writeFileSync(file, text);
  await a.pipelines.refresh();
  await waitFor(`${folder}/mlci.yaml registered`, () => a.pipelines.get(file)?.result.pipeline, 45_000);
  return {
    file,
    async remove() {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(dir, { recursive: true, force: true });
      await waitFor(`${folder}/mlci.yaml forgotten`, () => !a.pipelines.get(file), 45_000);
    },
  };
}

describe('next actions: the pipeline graph', function () {
  this.timeout(120_000);

  it(`Show Pipeline Graph opens the graph of mlci.yaml (its page says ready and gets 5 stages, 3 edges${trusted ? '' : ', nothing runnable'}); a click's reveal selects the stage's key in mlci.yaml beside it`, async () => {
    const a = await api();
    const entry = mainEntry(a);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('mlci.showDag', entry.uri);
    const tab = await waitFor('the graph tab', () => tabs().find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('mlci.dagPanel')));
    assert.equal(tab.label, 'Graph: mlci.yaml');
    const panel = a.dagPanel();
    assert.ok(panel, 'the panel is open');
    // The real webview page loaded and said 'ready': the extension answered with the graph.
    const payload = await waitFor("the page's 'ready' answered with the graph", () => panel.lastPayload, 60_000);
    assert.deepEqual(payload.nodes.map((n) => n.name), ['unit-tests', 'validate-data', 'train', 'evaluate', 'drift']);
    assert.equal(payload.nodes.flatMap((n) => n.needs).length, 3);
    assert.equal(payload.canRun, trusted);
    const train = payload.nodes.find((n) => n.name === 'train')!;
    assert.equal(train.layer, 1);
    await panel.receive({ type: 'reveal', payload: { stage: 'train', line: train.line } });
    const editor = await waitFor('mlci.yaml in an editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === entry.uri.fsPath));
    assert.equal(editor.selection.start.line + 1, train.line, 'the selection is on the line the graph showed');
    assert.equal(editor.document.getText(editor.selection), 'train');
    assert.ok(vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('mlci.dagPanel'))), 'the graph stays open');
    assert.notEqual(editor.viewColumn, vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t === tab))?.viewColumn, 'the file opens beside the graph');
    // A stage the pipeline does not have is ignored (the page is not trusted to name anything else).
    const before = editor.selection.start.line;
    await panel.receive({ type: 'reveal', payload: { stage: 'no-such-stage', line: 1 } });
    assert.equal(editor.selection.start.line, before);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(a.dagPanel(), undefined, 'closing the tab disposes the panel');
  });
});

(trusted ? describe : describe.skip)('next actions: errors offer what fixes them', function () {
  this.timeout(300_000);

  it('a stage whose image is not on the engine and cannot be pulled offers Set Image Mapping, which opens the setting', async () => {
    const a = await api();
    const p = await tempPipeline(a, 'next-image', 'version: 1\nstages:\n  hello:\n    kind: custom\n    image: mlci-test.invalid/no-such-image:1\n    run: echo hi\n');
    const l = listen(a, (n) => (n.actions.includes('Set Image Mapping') ? 'Set Image Mapping' : undefined));
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const record = await a.runs.run({ entry: a.pipelines.get(p.file)!, targets: [], title: 'missing image' });
      assert.equal(record?.status, 'failed', JSON.stringify(record?.stages));
      const n = await waitFor('the image notice', () => l.notices.find((x) => x.actions.includes('Set Image Mapping')));
      assert.equal(n.kind, 'error');
      assert.match(n.message, /the image mlci-test\.invalid\/no-such-image:1 is not on the Docker engine and could not be pulled\. Map it .*mlci\.imageMappings.*or build it from a Dockerfile/);
      assert.deepEqual(n.actions, ['Set Image Mapping', 'How to Build']);
      await waitFor('the Settings editor', () => tabs().find((t) => t.label === 'Settings'));
    } finally {
      l.restore();
      await p.remove();
    }
  });

  it('Run Experiment on a pipeline that reads no params says how to add them and offers to open the pipeline file', async () => {
    const a = await api();
    const p = await tempPipeline(a, 'next-params', 'version: 1\nstages:\n  hello:\n    kind: custom\n    image: python:3.12-slim\n    run: echo hi\n');
    // The action is picked after the editors are closed, so opening the file is the action's doing.
    let pickNow: () => void = () => undefined;
    const picked = new Promise<void>((r) => (pickNow = r));
    const l = listen(a, async (n) => (n.actions.includes('Open Pipeline File') ? (await picked, 'Open Pipeline File') : undefined));
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      // The pipeline in the active editor is the one asked about (the example's, first in the list, has params).
      await vscode.window.showTextDocument(vscode.Uri.file(p.file));
      await vscode.commands.executeCommand('mlci.runExperiment');
      const n = await waitFor(`the no-params notice (said: ${JSON.stringify(l.notices)})`, () => l.notices.find((x) => x.message.startsWith('No params to change')));
      assert.equal(n.kind, 'info');
      assert.equal(n.message, 'No params to change: params.yaml does not exist. Write the values your scripts read in params.yaml (or name another file with params: in the pipeline file), and list the keys each stage reads under its params:.');
      assert.deepEqual(n.actions, ['Open Pipeline File']);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.equal(vscode.window.activeTextEditor, undefined);
      pickNow();
      await waitFor('the pipeline file opened by the action', () => vscode.window.activeTextEditor?.document.uri.fsPath === p.file);
    } finally {
      l.restore();
      await p.remove();
    }
  });

  it('Verify and Push outside a git repository says why it needs one and offers Initialize Repository, which runs git init on the folder', async () => {
    const a = await api();
    const git = path.join(root(), '.git');
    const away = path.join(root(), '.git-away-for-test');
    assert.ok(existsSync(git), 'the workspace copy is a git repository');
    renameSync(git, away);
    const l = listen(a, (n) => (n.actions.includes('Initialize Repository') ? 'Initialize Repository' : undefined));
    try {
      await vscode.commands.executeCommand('mlci.verifyAndPush', mainEntry(a).uri);
      const n = await waitFor('the no-git notice', () => l.notices.find((x) => x.actions.includes('Initialize Repository')));
      assert.equal(n.kind, 'error');
      assert.match(n.message, /^mlci: this folder is not in a git repository: Verify and Push compares the gates with the main branch and pushes to its remote\. Initialize a repository, commit, and add a remote first\.$/);
      assert.equal(existsSync(path.join(root(), '.mlci', 'runs', 'verify')), false);
      // vscode.git's git.init, on the workspace folder without a folder prompt.
      await waitFor('a new .git from git.init', () => existsSync(path.join(git, 'HEAD')), 30_000);
    } finally {
      l.restore();
      rmSync(git, { recursive: true, force: true });
      renameSync(away, git);
    }
    assert.ok(readdirSync(path.join(git, 'refs', 'heads')).length > 0, 'the original repository is back');
  });
});

(trusted ? describe.skip : describe)('next actions: Restricted Mode explains and offers Manage Workspace Trust', function () {
  this.timeout(120_000);

  it('every Run command (pipeline, stage, with upstream, tests, experiment, verify and push) says why and offers Manage Workspace Trust; nothing runs; the action opens the trust editor', async () => {
    const a = await api();
    assert.equal(vscode.workspace.isTrusted, false);
    const entry = mainEntry(a);
    const asked: string[] = [];
    const ui = a.experimentUi.current;
    a.experimentUi.current = { ...ui, pickKeys: async () => (asked.push('keys'), undefined) };
    const l = listen(a);
    const commands: Array<[string, unknown]> = [
      ['mlci.runPipeline', entry.uri],
      ['mlci.runStage', { file: entry.uri.fsPath, stage: 'train' }],
      ['mlci.runStageWithUpstream', { file: entry.uri.fsPath, stage: 'evaluate' }],
      ['mlci.runTests', entry.uri],
      ['mlci.runExperiment', undefined],
      ['mlci.verifyAndPush', entry.uri],
    ];
    try {
      for (const [command, arg] of commands) {
        const before = l.notices.length;
        await vscode.commands.executeCommand(command, arg);
        await waitFor(`${command}'s notice`, () => l.notices.length > before);
        const n = l.notices.at(-1)!;
        assert.equal(n.kind, 'warning', command);
        assert.match(n.message, /^mlci does not run stages in Restricted Mode: running executes the pipeline's commands .*Trust this workspace to run it/, command);
        assert.deepEqual(n.actions, ['Manage Workspace Trust'], command);
      }
      assert.deepEqual(asked, [], 'Run Experiment asked nothing before saying it cannot run');
      assert.equal(existsSync(path.join(entry.root, '.mlci', 'runs')), false, 'nothing ran');
      // Picking the action opens the Workspace Trust editor.
      l.restore();
      const m = listen(a, () => 'Manage Workspace Trust');
      try {
        await vscode.commands.executeCommand('mlci.runPipeline', entry.uri);
        await waitFor('the Workspace Trust editor', () => tabs().find((t) => /Workspace Trust/.test(t.label)));
      } finally {
        m.restore();
      }
    } finally {
      l.restore();
      a.experimentUi.current = ui;
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
