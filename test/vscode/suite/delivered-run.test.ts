/**
 * A delivered run in the Experiments view of the installed extension: a
 * real `mlci deliver` (the extension's bundled CLI, the real engine, Debian's
 * docker-registry started here on a free 127.0.0.1 port) from a small git
 * repository inside the workspace; the run's row then shows the image digest,
 * its tooltip `image@digest`, and MLCI: Copy Delivered Reference gives that
 * reference. The folder is deleted after, so later suites see the example alone.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { WEB_SERVICE_STAGE, api, waitFor } from './support';

const trusted = process.env.MLCI_TEST_TRUST !== 'restricted';
const REGISTRY_BIN = process.env.MLCI_REGISTRY_BIN ?? '/usr/bin/docker-registry';

const PIPELINE = (registry: string) => `version: 1
name: delivered-in-view
stages:
${WEB_SERVICE_STAGE}  deliver:
    kind: deliver
    service: web
    registry: ${registry}
`;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

(trusted ? describe : describe.skip)('a delivered run in the Experiments view (installed extension, real engine and registry)', function () {
  this.timeout(240_000);
  let registry: ChildProcess | undefined;
  let store: string | undefined;

  before(function () {
    if (!existsSync(REGISTRY_BIN)) {
      if (process.env.CI === 'true') throw new Error(`CI needs Debian's docker-registry (${REGISTRY_BIN}): bash scripts/ci/registry.sh`);
      this.skip();
    }
  });
  after(() => {
    registry?.kill();
    if (store) rmSync(store, { recursive: true, force: true });
  });

  it('the row shows the digest, the tooltip image@digest, and Copy Delivered Reference gives it', async () => {
    const a = await api();
    const main = a.pipelines.list().find((x) => path.basename(x.uri.fsPath) === 'mlci.yaml');
    assert.ok(main, 'the example pipeline is registered');
    store = mkdtempSync(path.join(os.tmpdir(), 'mlci-vscode-registry-'));
    const port = await freePort();
    writeFileSync(path.join(store, 'config.yml'), `version: 0.1\nlog: { level: warn }\nstorage: { filesystem: { rootdirectory: ${store}/data } }\nhttp: { addr: "127.0.0.1:${port}" }\n`);
    registry = spawn(REGISTRY_BIN, ['serve', path.join(store, 'config.yml')], { stdio: 'ignore' });
    await waitFor('the registry to answer', () => fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.status === 200, () => false), 20_000);

    const dir = path.join(main.root, 'delivered');
    mkdirSync(dir, { recursive: true });
    const pipelineFile = path.join(dir, 'mlci.yaml');
    try {
      await vscode.workspace.fs.writeFile(vscode.Uri.file(pipelineFile), Buffer.from(PIPELINE(`127.0.0.1:${port}/view-test`)));
      writeFileSync(path.join(dir, '.gitignore'), '.mlci/\n');
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'pipe' });
      git('init', '-q', '-b', 'main');
      git('add', '-A');
      git('commit', '-qm', 'a pipeline to deliver');
      await waitFor('the pipeline in the registry', () => a.pipelines.get(pipelineFile), 60_000);

      const cli = path.join(vscode.extensions.getExtension('mlci.mlci')!.extensionPath, 'dist', 'cli.js');
      const r = spawnSync(process.execPath, [cli, 'deliver'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ELECTRON_RUN_AS_NODE: '1' }, timeout: 180_000 });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      const m = /delivered deliver: (\S+)@(sha256:[0-9a-f]{64})/.exec(r.stdout);
      assert.ok(m, r.stdout);

      await a.experiments.refresh();
      a.experiments.setShowHistory(true);
      const item = await waitFor('the deliver run in the Experiments view', () => a.experiments.all().find((i) => i.entry?.uri.fsPath === pipelineFile && i.run.name === 'deliver'), 30_000);
      const row = a.experiments.getTreeItem(item);
      assert.match(String(row.description), new RegExp(`delivered ${m[2]!.slice(0, 19)}`));
      assert.equal(row.contextValue, 'run.delivered', 'the context menu offers Copy Delivered Reference');
      assert.ok((row.tooltip as vscode.MarkdownString).value.includes(`delivered image (deliver): \`${m[1]}@${m[2]}\``));
      const copied = await vscode.commands.executeCommand<string | undefined>('mlci.copyDelivery', item);
      assert.equal(copied, `${m[1]}@${m[2]}`);
    } finally {
      a.experiments.setShowHistory(false);
      await vscode.workspace.fs.delete(vscode.Uri.file(dir), { recursive: true, useTrash: false }).then(undefined, () => rmSync(dir, { recursive: true, force: true }));
      await waitFor('the registry to forget delivered/mlci.yaml', () => !a.pipelines.get(pipelineFile), 30_000);
    }
  });
});
