/**
 * Verify and push against real git: a temp repository whose `origin` is a
 * bare repository on disk, the built CLI as a process, stages as host
 * processes. A passing pipeline pushes; a regression against main blocks
 * the push and leaves the remote ref where it was; the pre-push hook
 * guards a plain `git push`; an existing hook is never overwritten; a
 * dirty tree is refused.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
// Stages run as host processes (the hook's verify too), whatever Docker this machine has.
const env = { ...process.env, MLCI_EXECUTOR: 'local', DOCKER_HOST: 'unix:///nonexistent.sock', NO_COLOR: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', MLCI_IMAGE_MAP: '' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
const mlci = (cwd: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const PIPELINE = `version: 1
metrics:
  accuracy: { goal: max }
stages:
  evaluate:
    kind: evaluate
    image: busybox
    run: |
      printf '{"accuracy": %s}' "$(cat acc.txt)" > metrics.json
    deps: [acc.txt]
    metrics: metrics.json
    gates:
      - { metric: accuracy, min: 0.8 }
      - { metric: accuracy, max_drop: 0.02, baseline: main }
`;

describe('verify and push (real git, bare origin, host processes)', function () {
  this.timeout(120_000);
  let root: string;
  let work: string;
  let origin: string;

  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    root = mkdtempSync(path.join(os.tmpdir(), 'mlci-push-'));
    origin = path.join(root, 'origin.git');
    work = path.join(root, 'work');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    git(root, 'clone', '-q', origin, work);
    git(work, 'checkout', '-q', '-b', 'main');
    writeFileSync(path.join(work, 'mlci.yaml'), PIPELINE);
    writeFileSync(path.join(work, 'acc.txt'), '0.9\n');
    assert.equal(mlci(work, 'run', '--executor', 'local').code, 0);
    git(work, 'add', '-A');
    git(work, 'commit', '-qm', 'baseline: accuracy 0.9');
    git(work, 'push', '-q', '-u', 'origin', 'main');
    git(work, 'checkout', '-q', '-b', 'feature');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const commitAccuracy = (value: string) => {
    writeFileSync(path.join(work, 'acc.txt'), `${value}\n`);
    mlci(work, 'run', '--executor', 'local');
    git(work, 'add', '-A');
    git(work, 'commit', '-qm', `accuracy ${value}`);
  };
  const remoteRef = (branch: string) => spawnSync('git', ['rev-parse', '--verify', '-q', `refs/heads/${branch}`], { cwd: origin, encoding: 'utf8' }).stdout.trim();

  it('pushes a change whose gates pass', () => {
    commitAccuracy('0.91');
    const r = mlci(work, 'push', '--executor', 'local');
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /✔ evaluate: accuracy ≥ 0.8/);
    assert.match(r.out, /✔ evaluate: accuracy drops at most 0.02 vs main/);
    assert.match(r.out, /pushed feature to origin/);
    assert.equal(remoteRef('feature'), git(work, 'rev-parse', 'HEAD'));
  });

  it('refuses to push when verify reran stages and changed mlci.lock; --commit-lock commits it, verifies that commit and names the pushed commits', () => {
    // A commit whose lock is stale: the data changed, the lock was not rerun.
    writeFileSync(path.join(work, 'acc.txt'), '0.93\n');
    git(work, 'commit', '-qam', 'accuracy 0.93 without a rerun');
    const before = remoteRef('feature');
    const r = mlci(work, 'push', '--executor', 'local');
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(r.out, /not pushed: verify reran stages and changed mlci.lock, so the commit does not record what was verified; commit it \(or run mlci push --commit-lock\)/);
    assert.equal(remoteRef('feature'), before);
    git(work, 'checkout', '--', '.');
    const c = mlci(work, 'push', '--executor', 'local', '--commit-lock');
    assert.equal(c.code, 0, c.out + c.err);
    assert.match(c.out, /committed mlci.lock and 1 output file as [0-9a-f]{7}; verifying that commit/);
    assert.match(c.out, /pushed feature to origin .*: \d+ commits\n  [0-9a-f]+ mlci: update mlci.lock \(verified in run \S+\)\n  [0-9a-f]+ accuracy 0.93 without a rerun/);
    assert.equal(remoteRef('feature'), git(work, 'rev-parse', 'HEAD'));
    assert.equal(git(work, 'status', '--porcelain'), '');
  });

  it('blocks a push when accuracy regresses against main, and leaves the remote as it was', () => {
    const before = remoteRef('feature');
    commitAccuracy('0.85');
    const r = mlci(work, 'push', '--executor', 'local');
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.out, /✘ evaluate: accuracy drops at most 0.02 vs main/);
    assert.match(r.out, /0\.9 -> 0\.85/);
    assert.match(r.out, /not pushed/);
    assert.equal(remoteRef('feature'), before);
    const report = readFileSync(path.join(work, '.mlci/runs', /run (\S+);/.exec(r.out)![1], 'verify.md'), 'utf8');
    assert.match(report, /a gate failed/);
  });

  it('refuses to verify uncommitted changes', () => {
    writeFileSync(path.join(work, 'acc.txt'), '0.95\n');
    const r = mlci(work, 'verify', '--executor', 'local');
    assert.equal(r.code, 3);
    assert.match(r.err, /uncommitted changes \(acc.txt\)/);
    git(work, 'checkout', '--', 'acc.txt');
  });

  it('guards a plain git push once the hook is installed, and never overwrites another hook', () => {
    const hooks = path.join(work, '.git', 'hooks');
    writeFileSync(path.join(hooks, 'pre-push'), '#!/bin/sh\necho other hook ran\nexit 0\n');
    chmodSync(path.join(hooks, 'pre-push'), 0o755);
    const refused = mlci(work, 'hook', 'install');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /not mlci's: not overwritten/);
    const chained = mlci(work, 'hook', 'install', '--chain');
    assert.equal(chained.code, 0, chained.err);
    assert.ok(existsSync(path.join(hooks, 'pre-push.local')));

    // HEAD still has accuracy 0.85: the hook runs verify, which fails, so git push fails.
    const before = remoteRef('feature');
    const blocked = spawnSync('git', ['push', '-q', 'origin', 'feature'], { cwd: work, env: { ...env, MLCI_IMAGE_MAP: '' }, encoding: 'utf8' });
    assert.notEqual(blocked.status, 0);
    assert.match(blocked.stdout + blocked.stderr, /other hook ran/);
    assert.match(blocked.stdout + blocked.stderr, /NOT verified: a gate failed/);
    assert.equal(remoteRef('feature'), before);

    // Restore the accuracy: the plain push goes through the hook and lands.
    commitAccuracy('0.9');
    const ok = spawnSync('git', ['push', '-q', 'origin', 'feature'], { cwd: work, env, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.equal(remoteRef('feature'), git(work, 'rev-parse', 'HEAD'));

    const removed = mlci(work, 'hook', 'uninstall');
    assert.match(removed.out, /restored the previous hook/);
    assert.match(readFileSync(path.join(hooks, 'pre-push'), 'utf8'), /other hook ran/);
  });
});
