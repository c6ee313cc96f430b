/**
 * `mlci.executor: slurm` in the installed extension, on the REAL one-node
 * Slurm cluster scripts/ci/slurm.sh starts (SLURM_CONF reaches the extension
 * host through code-server's environment): Run Pipeline submits each stage as
 * a batch job, the Pipelines tree follows the job (queued with its position,
 * or running on its node), and the run record, the outputs and the tree end
 * as they do for a container run. The pipeline is written into a folder of
 * its own and deleted after, so the suites after this one see the example
 * alone. Without a cluster it skips with the reason, except under CI=true,
 * where it fails.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Node } from '../../../src/adapters/vscode/tree';
import { api, waitFor } from './support';

const trusted = process.env.MLCI_TEST_TRUST !== 'restricted';

const PIPELINE = `version: 1
name: slurm-in-vscode
# A batch job runs its command as a host process on the node: the image is what Docker would use.
defaults: { image: mlci-test/busybox:latest }
stages:
  first:
    run: sleep 3; echo "job $SLURM_JOB_ID" > first.txt
    outs: [first.txt]
  second:
    needs: [first]
    deps: [first.txt]
    run: cat first.txt > second.txt; echo "and job $SLURM_JOB_ID" >> second.txt
    outs: [second.txt]
`;

(trusted ? describe : describe.skip)('Slurm from VS Code: mlci.executor slurm (installed extension, real cluster)', function () {
  this.timeout(240_000);

  before(function () {
    const r = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 20_000 });
    const why = r.error ? `sinfo: ${r.error.message}` : r.status !== 0 ? `sinfo failed: ${r.stderr.trim()}` : !/idle|mix|alloc/.test(r.stdout) ? `no idle node: ${r.stdout.trim()}` : undefined;
    if (!why) return;
    const msg = `Slurm test cluster not available to the extension host (${why}; SLURM_CONF=${process.env.SLURM_CONF ?? 'unset'}); start it with: eval "$(bash scripts/ci/slurm.sh)"`;
    if (process.env.CI === 'true') throw new Error(msg);
    console.log(`      skipped: ${msg}`);
    this.skip();
  });

  it('runs the stages as batch jobs, the tree follows each job, and the record, outputs and tree end passed', async () => {
    const a = await api();
    const main = a.pipelines.list().find((x) => path.basename(x.uri.fsPath) === 'mlci.yaml');
    assert.ok(main, 'the example pipeline is registered');
    const dir = path.join(main.root, 'slurm-vscode');
    mkdirSync(dir, { recursive: true });
    const pipelineFile = path.join(dir, 'slurm.mlci.yaml');
    const config = vscode.workspace.getConfiguration('mlci');
    const before = config.inspect<string>('executor')?.workspaceValue;
    const seen = new Set<string>();
    const watch = a.runs.onDidChange(() => {
      const e = a.pipelines.get(pipelineFile);
      if (!e) return;
      for (const n of a.tree.getChildren({ kind: 'pipeline', entry: e } as Node)) {
        if (n.kind !== 'stage') continue;
        const item = a.tree.getTreeItem(n);
        const tip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
        seen.add(`${n.stage.name}: ${String(item.description ?? '')} | ${tip}`);
      }
    });
    try {
      await config.update('executor', 'slurm', vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.writeFile(vscode.Uri.file(pipelineFile), Buffer.from(PIPELINE));
      const entry = await waitFor('the pipeline in the registry, runnable', () => { const e = a.pipelines.get(pipelineFile); return e && a.pipelines.runnable(e) ? e : undefined; }, 60_000)
        .catch((e: Error) => { throw new Error(`${e.message}; problems: ${JSON.stringify(a.pipelines.get(pipelineFile)?.result.problems.map((p) => p.message))}`); });

      const record = await a.runs.run({ entry, targets: [], title: 'slurm from VS Code (test)' });
      assert.ok(record, 'the run recorded');
      assert.equal(record.status, 'passed', JSON.stringify(record.stages.map((s) => `${s.name}:${s.status} ${s.reason ?? ''}`)));
      assert.equal(record.executor, 'slurm');
      const ids = record.stages.map((s) => {
        assert.equal(s.job?.state, 'COMPLETED', `${s.name}: ${JSON.stringify(s.job)}`);
        assert.ok(s.job?.node, `${s.name} ran on a node`);
        return s.job!.id;
      });
      assert.equal(new Set(ids).size, 2, 'one job per stage');
      // The commands ran inside those jobs: each wrote its own job id.
      assert.equal(readFileSync(path.join(dir, 'first.txt'), 'utf8').trim(), `job ${ids[0]}`);
      assert.equal(readFileSync(path.join(dir, 'second.txt'), 'utf8').trim(), `job ${ids[0]}\nand job ${ids[1]}`);
      // While it ran, the tree said which job each stage was (queued #N, or running on its node).
      const followed = [...seen].filter((l) => /queued|Slurm job \d+|job \d+/.test(l));
      assert.ok(followed.some((l) => l.startsWith('first:')), `the tree followed first's job; it showed:\n${[...seen].join('\n')}`);
      // After the run: passed in the tree, and a status refresh finds nothing to do.
      await a.runs.refreshStatus();
      for (const stage of ['first', 'second']) {
        const v = a.runs.view(pipelineFile, stage);
        assert.equal(v.last?.status, 'passed', `${stage} last ran passed`);
        assert.equal(v.status?.state, 'up-to-date', `${stage}: ${JSON.stringify(v.status)}`);
      }
    } finally {
      watch.dispose();
      await config.update('executor', before, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(vscode.Uri.file(dir), { recursive: true, useTrash: false }).then(undefined, () => rmSync(dir, { recursive: true, force: true }));
      await waitFor('the registry to forget the Slurm pipeline', () => !a.pipelines.get(pipelineFile), 30_000);
      assert.ok(!existsSync(dir));
    }
  });
});
