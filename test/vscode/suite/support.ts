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
