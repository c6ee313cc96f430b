/**
 * A service stage in the Pipelines tree of the installed extension, on the
 * real engine DOCKER_HOST names: while a stage that needs it runs, the
 * service's row says `healthy · http://127.0.0.1:PORT` with the Open Service
 * in Browser action, the URL answers from this host, and when the run ends
 * the row drops the URL (the service was removed). The pipeline is written
 * into a folder of its own for this test and deleted after it, so the
 * suites after this one see the example alone (as build-problems does).
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Node } from '../../../src/adapters/vscode/tree';
import { WEB_SERVICE_STAGE, api, waitFor } from './support';

const trusted = process.env.MLCI_TEST_TRUST !== 'restricted';

const PIPELINE = `version: 1
name: service-in-tree
stages:
${WEB_SERVICE_STAGE}  use:
    kind: test
    needs: [web]
    image: mlci-test/busybox:latest
    run: sleep 12
`;

(trusted ? describe : describe.skip)('a service stage in the Pipelines tree (installed extension, real engine)', function () {
  this.timeout(180_000);

  it('shows healthy with its host URL while a stage needs it (the URL answers), and drops the URL when the run removes it', async () => {
    const a = await api();
    const main = a.pipelines.list().find((x) => path.basename(x.uri.fsPath) === 'mlci.yaml');
    assert.ok(main, 'the example pipeline is registered');
    const dir = path.join(main.root, 'service-tree');
    mkdirSync(dir, { recursive: true });
    const pipelineFile = path.join(dir, 'svc.mlci.yaml');
    try {
      await vscode.workspace.fs.writeFile(vscode.Uri.file(pipelineFile), Buffer.from(PIPELINE));
      const entry = await waitFor('the pipeline in the registry, runnable', () => { const e = a.pipelines.get(pipelineFile); return e && a.pipelines.runnable(e) ? e : undefined; }, 60_000);
      const webRow = () => a.tree.getChildren({ kind: 'pipeline', entry: a.pipelines.get(pipelineFile)! } as Node).find((n) => n.kind === 'stage' && n.stage.name === 'web');
      assert.ok(webRow(), 'the service stage is a row of its pipeline');
      assert.doesNotMatch(String(a.tree.getTreeItem(webRow()!).description ?? ''), /healthy/);

      const run = a.runs.run({ entry, targets: ['use'], force: ['use'], title: 'service in the tree (test)' });
      let seen = '';
      const url = await waitFor('the service row to say healthy with its URL', () => {
        const item = a.tree.getTreeItem(webRow()!);
        seen = String(item.description ?? '');
        const m = /^healthy · (http:\/\/127\.0\.0\.1:\d+)\/?( · |$)/.exec(seen);
        return m && String(item.contextValue).includes('.serviceUp') ? m[1] : undefined;
      }, 120_000).catch((e: Error) => { throw new Error(`${e.message} (the row said '${seen}')`); });
      const item = a.tree.getTreeItem(webRow()!);
      assert.match((item.tooltip as vscode.MarkdownString).value, /Service healthy at http:\/\/127\.0\.0\.1:\d+ on this host; stages that need it reach it at http:\/\/web:8000/);
      const res = await fetch(url);
      assert.equal(res.status, 200, 'the URL the tree shows answers from this host');
      await res.arrayBuffer();

      const record = await run;
      assert.equal(record?.stages.find((s) => s.name === 'use')?.status, 'passed');
      await waitFor('the row to drop the URL once the run ended', () => !/healthy|127\.0\.0\.1/.test(String(a.tree.getTreeItem(webRow()!).description ?? '')), 30_000);
      assert.ok(!String(a.tree.getTreeItem(webRow()!).contextValue).includes('.serviceUp'), 'no Open Service in Browser for a removed service');
      await assert.rejects(fetch(url, { signal: AbortSignal.timeout(5000) }), 'the service was removed with the run');
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.file(dir), { recursive: true, useTrash: false }).then(undefined, () => rmSync(dir, { recursive: true, force: true }));
      await waitFor('the registry to forget svc.mlci.yaml', () => !a.pipelines.get(pipelineFile), 30_000);
    }
  });
});
