/** What the extension-host suites share: the installed extension's API, once it is ready. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MlciApi } from '../../../src/extension';

/** Activate the installed mlci.mlci (a no-op when it is active) and wait until its registry has read the workspace. */
export async function activated(): Promise<MlciApi> {
  const ext = vscode.extensions.getExtension<MlciApi>('mlci.mlci');
  assert.ok(ext, 'extension mlci.mlci is installed');
  const a = await ext.activate();
  await a.ready;
  return a;
}

/**
 * The extension, ready, in a window whose workspace file watcher is running
 * (see workspaceWatched): what a test that writes files and waits for mlci to
 * see them needs. The activation bench uses `activated`, so no probe file
 * competes with what it measures.
 */
export async function api(): Promise<MlciApi> {
  const a = await activated();
  await workspaceWatched();
  return a;
}

let watched: Promise<void> | undefined;

/**
 * Resolves once the workbench reports file events in the workspace. It starts
 * its workspace watcher only after the editors are restored
 * (WorkbenchPhase.AfterRestored), later than a workspaceContains extension
 * activates, and createFileSystemWatcher with a string glob hears nothing
 * before that: a file a test writes in the first second or two is never
 * reported, and no later event makes up for it (seen in a Restricted Mode
 * run, where the first file-writing test comes early). Probe files in .mlci/
 * (which the registry ignores) are written until a watcher reports one, then
 * removed, with .mlci/ itself if the probe made it.
 */
export function workspaceWatched({ again = false } = {}): Promise<void> {
  // again: after a change of files.watcherExclude, which makes the workbench restart its watcher.
  if (again) watched = probeWatcher();
  return (watched ??= probeWatcher());
}

async function probeWatcher(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  const dir = vscode.Uri.joinPath(folder.uri, '.mlci');
  const existed = await vscode.workspace.fs.stat(dir).then(() => true, () => false);
  const name = `watch-probe-${process.pid}`;
  const watcher = vscode.workspace.createFileSystemWatcher(`**/.mlci/${name}-*`);
  let heard = false;
  watcher.onDidCreate(() => (heard = true));
  watcher.onDidChange(() => (heard = true));
  const written: vscode.Uri[] = [];
  const t0 = Date.now();
  try {
    const end = Date.now() + 60_000;
    while (!heard) {
      if (Date.now() > end) throw new assert.AssertionError({ message: `the workbench reported no file event in ${folder.uri.fsPath} within 60 s of writing probe files into .mlci/` });
      const probe = vscode.Uri.joinPath(dir, `${name}-${written.length}`);
      await vscode.workspace.fs.writeFile(probe, Buffer.from('a test probe for the workspace file watcher\n'));
      written.push(probe);
      for (let i = 0; i < 5 && !heard; i++) await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`    (the workspace file watcher reported a probe ${Date.now() - t0} ms after the first of ${written.length} was written)`);
  } finally {
    watcher.dispose();
    if (existed) for (const u of written) await vscode.workspace.fs.delete(u).then(undefined, () => undefined);
    else await vscode.workspace.fs.delete(dir, { recursive: true }).then(undefined, () => undefined);
  }
}

/** Tests that need the real engine: they fail in CI (CI=true) without DOCKER_HOST, and skip elsewhere. */
export function needEngine(test: Mocha.Context): void {
  if (process.env.DOCKER_HOST) return;
  if (process.env.CI === 'true') assert.fail('DOCKER_HOST is not set: this test needs the real engine');
  test.skip();
}

/** Polls `fn` every 100 ms until it returns something truthy; fails naming `what` after `ms`. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new assert.AssertionError({ message: `timed out after ${ms} ms waiting for ${what}` });
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A service stage named `web` (Python's http.server in the test image, healthy at /): for the service and delivery suites. */
export const WEB_SERVICE_STAGE = `  web:
    kind: service
    image: mlci-test/python:3.12-slim
    run: python3 -m http.server 8000
    port: 8000
    health: { http: /, timeout: 60s, interval: 200ms }
`;
