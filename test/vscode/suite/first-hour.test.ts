/**
 * The first hour in a real VS Code (code-server) on a copy of examples/churn:
 * the integrated terminal finds `mlci` (a real terminal runs it; its PATH
 * comes from the extension's environment variable collection) in a trusted
 * workspace, and in Restricted Mode nothing is put on the PATH; the
 * walkthrough's steps complete on registered commands and a context key the
 * extension sets; Run Experiment's quick pick (its answers given through the
 * UI seam, the run itself real) records the override and remembers it.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { api } from './support';

const trusted = process.env.MLCI_TEST_TRUST !== 'restricted';

async function until<T>(fn: () => T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('first hour: mlci in the terminal', function () {
  this.timeout(120_000);

  it(trusted ? 'a new integrated terminal runs mlci (the bundled CLI) with hints saying mlci' : 'Restricted Mode: nothing is put on the terminal PATH', async () => {
    const a = await api();
    const dir = await a.terminalCli.installed();
    const m = a.terminalCli.collection.get('PATH');
    if (!trusted) {
      assert.equal(dir, undefined);
      assert.equal(m, undefined, 'no PATH entry in Restricted Mode');
      return;
    }
    assert.ok(dir, 'the shim folder');
    assert.equal(m?.type, vscode.EnvironmentVariableMutatorType.Prepend);
    assert.equal(m?.value, dir + path.delimiter);
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'mlci-terminal-'));
    const out = path.join(outDir, 'out.txt');
    try {
      // A real terminal: VS Code applies the collection to its environment.
      const cwd = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      const term = vscode.window.createTerminal({ name: 'mlci test', cwd, shellPath: '/bin/sh', shellArgs: ['-c', `{ command -v mlci; mlci --version; mlci dag; } > '${out}' 2>&1; touch '${out}.done'`] });
      await until(() => (existsSync(`${out}.done`) ? true : undefined), 60_000, 'the terminal command');
      term.dispose();
      const text = readFileSync(out, 'utf8');
      const version = vscode.extensions.getExtension('mlci.mlci')!.packageJSON.version as string;
      assert.ok(text.startsWith(`${path.join(dir, 'mlci')}\n${version}\n`), text);
      assert.match(text, /^ 2\. train \(train\)\s+<- unit-tests, validate-data$/m);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});

describe('first hour: the walkthrough', () => {
  it('has the six steps, each completed by a command the extension registers (or a context key it sets), with its page shipped', async () => {
    const ext = vscode.extensions.getExtension('mlci.mlci')!;
    await api();
    const [w] = ext.packageJSON.contributes.walkthroughs as Array<{ id: string; steps: Array<{ id: string; completionEvents: string[]; media: { markdown: string } }> }>;
    assert.deepEqual(w!.steps.map((s) => s.id), ['pipeline', 'run', 'tests', 'experiment', 'compare', 'push']);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const s of w!.steps) {
      assert.ok(s.completionEvents.length, `${s.id} has completion events`);
      for (const e of s.completionEvents) {
        const [kind, what] = e.split(/:(.*)/s) as [string, string];
        if (kind === 'onCommand') assert.ok(registered.has(what), `${s.id}: ${what} is a registered command`);
        else assert.ok(['onContext', 'onView'].includes(kind), `${s.id}: ${e}`);
      }
      assert.ok(existsSync(path.join(ext.extensionPath, s.media.markdown)), `${s.media.markdown} is in the vsix`);
    }
    // The first step also completes on the context key, when it turns true after VS Code registered the
    // walkthrough (a key already true counts as seen without ticking: test/ui/walkthrough.ui.ts ticks it
    // with the step's own button); the key is set once a pipeline is found.
    assert.ok(w!.steps[0]!.completionEvents.includes('onContext:mlci.hasPipeline'));
    const a = await api();
    assert.ok(a.pipelines.list().length > 0, 'the example pipeline is found, so mlci.hasPipeline is true');
  });
});

describe('first hour: Run Experiment with the quick pick', function () {
  this.timeout(900_000);

  it(trusted ? 'offers the params keys with current values, validates by type, runs with the override and remembers it' : 'Restricted Mode: the experiment asks nothing and does not run', async () => {
    const a = await api();
    const original = a.experimentUi.current;
    const asked: string[] = [];
    let offered: Array<{ key: string; current: string }> = [];
    const answers = { threshold: '0.6' };
    a.experimentUi.current = {
      pickKeys: async (items) => {
        offered = items;
        return ['threshold'];
      },
      askValue: async (key, opts) => {
        asked.push(`${key} ${opts.value} ${opts.validate('high') ?? 'ok'} ${opts.validate('0.6') ?? 'ok'}`);
        return answers[key as keyof typeof answers];
      },
      askSamples: async () => undefined,
      info: () => undefined,
    };
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const runsDir = path.join(root, '.mlci', 'runs');
    const before = new Set(existsSync(runsDir) ? readdirSync(runsDir) : []);
    try {
      await vscode.commands.executeCommand('mlci.runExperiment');
    } finally {
      a.experimentUi.current = original;
    }
    const added = (existsSync(runsDir) ? readdirSync(runsDir) : []).filter((id) => !before.has(id));
    if (!trusted) {
      // It says it cannot run (and offers Manage Workspace Trust, next-actions.test.ts) before asking anything.
      assert.deepEqual([offered, asked, added], [[], [], []]);
      return;
    }
    assert.deepEqual(offered.map((i) => `${i.key}=${i.current}`), ['lr=0.5', 'epochs=100', 'l2=0.001', 'seed=42', 'threshold=0.5']);
    assert.deepEqual(asked, ["threshold 0.5 'high' is not a number (the current value 0.5 is a number). ok"]);
    const records = added.map((id) => JSON.parse(readFileSync(path.join(runsDir, id, 'run.json'), 'utf8')) as { overrides?: Record<string, unknown>; status: string });
    assert.deepEqual(records.map((r) => r.overrides).filter(Boolean), [{ threshold: 0.6 }], JSON.stringify(records.map((r) => r.status)));
    assert.deepEqual(a.workspaceState.get('mlci.lastExperiment'), { threshold: '0.6' });
  });
});
