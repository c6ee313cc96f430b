/** What the extension-host suites share: the installed extension's API, once it is ready. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MlciApi } from '../../../src/extension';

/** Activate the installed mlci.mlci (a no-op when it is active) and wait until its registry has read the workspace. */
export async function api(): Promise<MlciApi> {
  const ext = vscode.extensions.getExtension<MlciApi>('mlci.mlci');
  assert.ok(ext, 'extension mlci.mlci is installed');
  const a = await ext.activate();
  await a.ready;
  return a;
}
