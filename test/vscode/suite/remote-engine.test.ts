/**
 * A stage on a named remote engine, run from the installed extension: the
 * second REAL engine (scripts/ci/second-engine.sh: Docker-in-Docker that
 * cannot see this machine's files; its address reaches the extension host as
 * MLCI_SECOND_ENGINE through code-server's environment). The stage's input is
 * sent by content, its output comes back into the workspace, the record and
 * the Pipelines tree say where it ran (`on second`), and a stage placed on an
 * engine that does not answer fails naming that engine. The pipeline is
 * written into a folder of its own and deleted after it. Without the second
 * engine it skips with the reason, except under CI=true, where it fails.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Node } from '../../../src/adapters/vscode/tree';
import { api, waitFor } from './support';

const trusted = process.env.MLCI_TEST_TRUST !== 'restricted';
const second = process.env.MLCI_SECOND_ENGINE;

const pipeline = (host: string) => `version: 1
name: remote-in-vscode
engines:
  second: { host: "${host}", remote: true }
  nowhere: { host: "tcp://127.0.0.1:9", remote: true }
defaults: { image: mlci-test/busybox:latest }
stages:
  there:
    engine: second
    deps: [input.txt]
    run: tr a-z A-Z < input.txt > output.txt
    outs: [output.txt]
  lost:
    engine: nowhere
    run: echo never
`;

(trusted ? describe : describe.skip)('a stage on a named remote engine from VS Code (installed extension, second real engine)', function () {
  this.timeout(240_000);

  before(function () {
    if (second) return;
    const msg = 'MLCI_SECOND_ENGINE is not set for the extension host; start the second engine with: eval "$(bash scripts/ci/second-engine.sh)"';
    if (process.env.CI === 'true') throw new Error(msg);
    console.log(`      skipped: ${msg}`);
    this.skip();
  });

  it('runs there by content, brings the output back, the tree says "on second"; an unreachable engine fails naming it', async () => {
    const a = await api();
    const main = a.pipelines.list().find((x) => path.basename(x.uri.fsPath) === 'mlci.yaml');
    assert.ok(main, 'the example pipeline is registered');
    const dir = path.join(main.root, 'remote-vscode');
    mkdirSync(dir, { recursive: true });
    const pipelineFile = path.join(dir, 'remote.mlci.yaml');
    try {
      writeFileSync(path.join(dir, 'input.txt'), 'sent by content\n');
      await vscode.workspace.fs.writeFile(vscode.Uri.file(pipelineFile), Buffer.from(pipeline(second!)));
      const entry = await waitFor('the pipeline in the registry, runnable', () => { const e = a.pipelines.get(pipelineFile); return e && a.pipelines.runnable(e) ? e : undefined; }, 60_000)
        .catch((e: Error) => { throw new Error(`${e.message}; problems: ${JSON.stringify(a.pipelines.get(pipelineFile)?.result.problems.map((p) => p.message))}`); });

      const record = await a.runs.run({ entry, targets: ['there'], title: 'remote engine from VS Code (test)' });
      assert.ok(record, 'the run recorded');
      const there = record.stages.find((s) => s.name === 'there');
      assert.equal(there?.status, 'passed', JSON.stringify(there));
      assert.equal(there?.engine, 'second');
      assert.equal(readFileSync(path.join(dir, 'output.txt'), 'utf8'), 'SENT BY CONTENT\n', 'the output came back into the workspace');
      // It cannot see this folder: the input went there by content, the output came back.
      assert.ok((there?.transfer?.sentFiles ?? 0) >= 1, `input.txt was sent: ${JSON.stringify(there?.transfer)}`);
      assert.ok((there?.transfer?.fetchedFiles ?? 0) >= 1, `output.txt was fetched: ${JSON.stringify(there?.transfer)}`);
      const row = () => a.tree.getChildren({ kind: 'pipeline', entry: a.pipelines.get(pipelineFile)! } as Node).find((n) => n.kind === 'stage' && n.stage.name === 'there');
      await waitFor('the tree to say where it ran', () => / · on second/.test(String(a.tree.getTreeItem(row()!).description ?? '')), 30_000)
        .catch((e: Error) => { throw new Error(`${e.message} (the row said '${String(a.tree.getTreeItem(row()!).description)}')`); });

      const failed = await a.runs.run({ entry, targets: ['lost'], title: 'unreachable engine from VS Code (test)' });
      const lost = failed?.stages.find((s) => s.name === 'lost');
      assert.equal(lost?.status, 'failed', JSON.stringify(lost));
      assert.match(lost?.reason ?? '', /nowhere/, 'the reason names the engine');
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.file(dir), { recursive: true, useTrash: false }).then(undefined, () => rmSync(dir, { recursive: true, force: true }));
      await waitFor('the registry to forget remote.mlci.yaml', () => !a.pipelines.get(pipelineFile), 30_000);
    }
  });
});
