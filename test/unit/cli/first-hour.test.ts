/**
 * What a new user reads in the terminal, through the bundled CLI as a
 * process (local executor, real files): the end-of-run summary with metrics
 * and gates, "next:" hints that work where they are printed (`node
 * dist/cli.js` vs a command named mlci), `mlci logs` on a run where nothing
 * ran, `exp list` with the params that differ, `exp diff` with short
 * headers and only differing params, stale reasons naming the file under a
 * folder dep and the key inside a params section, and "1 combination".
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');

const PIPE = `version: 1
params: params.yaml
defaults: { image: busybox }
metrics:
  score: { goal: max }
stages:
  prep:
    run: mkdir -p out && cat src/a.txt src/b.txt > out/prep.txt
    deps: [src/]
    params: [split]
    outs: [out/prep.txt]
  train:
    needs: [prep]
    run: |
      mkdir -p out && echo "{\\"score\\": $(grep '^lr:' params.yaml | cut -d' ' -f2)}" > out/metrics.json
    deps: [out/prep.txt]
    params: [lr, epochs]
    outs: [out/metrics.json]
    metrics: out/metrics.json
    gates:
      - { metric: score, min: 0.1 }
`;
const params = (lr: number, testSize: number) => `lr: ${lr}\nepochs: 3\nsplit:\n  test_size: ${testSize}\n  seed: 1\n`;

describe('the first hour in a terminal (bundled CLI, local executor)', function () {
  this.timeout(180_000);
  let dir: string;
  let bin: string;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', MLCI_EXECUTOR: 'local' };
  delete env.MLCI_PROG;
  delete env.npm_command;
  /** `node /abs/dist/cli.js ARGS`, as a clone's README user runs it. */
  const node = (args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  /** Through a command named `mlci` (an npm bin link, the VS Code terminal's shim). */
  const mlci = (args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(bin, 'mlci'), ...args], { cwd: dir, encoding: 'utf8', env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const runIds = () => readdirSync(path.join(dir, '.mlci/runs')).sort();

  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-first-hour-'));
    bin = mkdtempSync(path.join(os.tmpdir(), 'mlci-first-hour-bin-'));
    symlinkSync(cli, path.join(bin, 'mlci'));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src/a.txt'), 'a\n');
    writeFileSync(path.join(dir, 'src/b.txt'), 'b\n');
    writeFileSync(path.join(dir, 'params.yaml'), params(0.5, 0.2));
    writeFileSync(path.join(dir, 'mlci.yaml'), PIPE);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  });

  let first = '';
  it('ends a run with its key metrics and gate verdicts, and hints in the form it was invoked', () => {
    const r = node(['run']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^✔ train: score ≥ 0\.1 — score 0\.5 is above the minimum 0\.1$/m);
    assert.match(r.out, /^gates: 1 passed, 0 failed$/m);
    assert.match(r.out, /^metrics: score 0\.5$/m);
    first = /run (\S+): passed/.exec(r.out)![1]!;
    // Run as `node <path>` from outside the repository: the hint carries the path, not a bare `mlci`.
    assert.ok(r.out.includes(`next: node ${cli} logs ${first}  |  node ${cli} runs  |  node ${cli} status`), r.out);
  });

  it('a run where nothing ran: hints say mlci when run as mlci; logs say nothing ran and name the run that made the outputs', () => {
    const r = mlci(['run']);
    assert.equal(r.code, 0, r.out + r.err);
    const cached = /run (\S+): passed/.exec(r.out)![1]!;
    assert.match(r.out, new RegExp(`^next: mlci logs ${cached}  \\|  mlci runs  \\|  mlci status$`, 'm'));
    const logs = mlci(['logs']);
    assert.equal(logs.code, 0, logs.err);
    assert.equal(logs.out, `run ${cached} ran nothing: every stage was up to date, so it has no logs.\n  prep, train: outputs from run ${first}: mlci logs ${first}\n`);
    const one = mlci(['logs', 'last', 'train']);
    assert.match(one.out, new RegExp(`did not run in this run: up to date; its outputs come from run ${first}: mlci logs ${first} train`));
  });

  it('stale reasons name the file below a folder dep and the key inside a params section', () => {
    writeFileSync(path.join(dir, 'src/b.txt'), 'b2\n');
    writeFileSync(path.join(dir, 'params.yaml'), params(0.5, 0.3));
    const st = mlci(['status']);
    assert.match(st.out, /prep\s+stale: param split\.test_size changed \(0\.2 -> 0\.3\); dep src\/ changed: b\.txt/);
    writeFileSync(path.join(dir, 'src/c.txt'), 'c\n');
    assert.match(mlci(['status']).out, /dep src\/ changed: b\.txt, c\.txt added/);
  });

  it('exp list shows the params that differ between runs; exp diff has short headers and only differing params', () => {
    writeFileSync(path.join(dir, 'params.yaml'), params(0.7, 0.3));
    const r = mlci(['run', '--name', 'lr07']);
    assert.equal(r.code, 0, r.out + r.err);
    const second = /run (\S+): passed/.exec(r.out)![1]!;
    const list = mlci(['exp', 'list']);
    assert.match(list.out.split('\n')[0]!, /^run\s+status\s+name\s+commit\s+params\s+score$/);
    assert.match(list.out, new RegExp(`^${second}\\s+passed\\s+lr07\\s+lr=0\\.7 split\\.test_size=0\\.3\\s+0\\.7$`, 'm'));
    assert.match(list.out, new RegExp(`^${first}\\s+passed\\s+lr=0\\.5 split\\.test_size=0\\.2\\s+0\\.5$`, 'm'));
    assert.doesNotMatch(list.out, /epochs/);

    const diff = mlci(['exp', 'diff']);
    assert.equal(diff.code, 0, diff.err);
    const [header] = diff.out.split('\n');
    const base = new RegExp(`^\\s+(\\S+) \\[baseline\\]\\s+lr07$`).exec(header!);
    assert.ok(base, header);
    assert.ok(first.startsWith(base[1]!) && base[1]!.length < first.length, `'${base[1]}' is a shorter prefix of ${first}`);
    assert.match(diff.out, /^lr \(param\)\s+0\.5\s+0\.7 \+0\.2/m);
    assert.match(diff.out, /^split\.test_size \(param\)/m);
    assert.doesNotMatch(diff.out, /epochs|split\.seed/);
    assert.match(diff.out, /^2 params the same in every run not shown \(--all-params shows them\)$/m);
    assert.match(diff.out, new RegExp(`^runs: ${base[1]} = ${first}, lr07 = ${second}$`, 'm'));
    assert.match(mlci(['exp', 'diff', '--all-params']).out, /^epochs \(param\)\s+3\s+3$/m);
  });

  it('--set says "1 combination" and makes one run', () => {
    const before = runIds();
    const r = mlci(['run', '--set', 'lr=0.9']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /: 1 combination[;:]/);
    assert.doesNotMatch(r.out, /1 combinations/);
    assert.equal(runIds().filter((id) => !before.includes(id)).length, 1);
  });
});
