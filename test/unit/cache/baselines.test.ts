/**
 * Regression baselines when the metrics files are gitignored (DVC style):
 * read from the cache's record of main's commit, locally or pulled from a
 * remote; without one, verify and run --ci list the gate as "no baseline"
 * (never "every gate passed"), and ci.require_baseline makes it a failure.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PIPELINE, buildCli, git, makeProject, mlci } from './support';

describe('cache: baselines from main\'s record (bundled CLI, real git)', function () {
  this.timeout(120_000);
  before(() => buildCli());

  it('a gitignored metrics file still gives a regression baseline from main\'s record, also in a fresh clone after cache pull', () => {
    const dir = makeProject();
    mlci(['run'], dir);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'lock');
    // CI on main's tip: everything cached, the tree clean, so the commit's record is written.
    assert.match(mlci(['run'], dir).out, /3 up to date/);
    git(dir, 'checkout', '-qb', 'feature');
    writeFileSync(path.join(dir, 'data/in.txt'), 'a longer line of input\n');
    const r = mlci(['run', '--ci'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /✔ evaluate: accuracy drops at most 100 vs main — accuracy improved 34 vs main \(12 -> 46\)/);

    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-remote-'));
    git(dir, 'checkout', '-q', 'main');
    assert.equal(mlci(['cache', 'push', '--remote', remote], dir).code, 0);
    const clone = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
    git(clone, 'clone', '-q', dir, '.');
    git(clone, 'checkout', '-qb', 'feature2');
    writeFileSync(path.join(clone, 'data/in.txt'), 'hi\n');
    const before = mlci(['run', '--ci'], clone);
    assert.match(before.out, /\? evaluate: accuracy drops at most 100 vs main — no baseline: no value of accuracy at main: metrics\/eval.json is not committed at main/);
    assert.match(before.out, /gates: 0 passed, 0 failed, 1 no baseline/);
    assert.equal(mlci(['cache', 'pull', '--remote', remote], clone).code, 0);
    const after = mlci(['run', '--ci'], clone);
    assert.match(after.out, /✔ evaluate: accuracy drops at most 100 vs main — accuracy dropped 6 vs main \(12 -> 6\), within the allowed 100/);
  });

  it('verify never reports a missing baseline as passed; ci.require_baseline turns it into a failure naming what to push', () => {
    const dir = makeProject();
    const v = mlci(['verify'], dir);
    assert.equal(v.code, 0, v.out + v.err);
    assert.doesNotMatch(v.out, /every CI stage and gate passed/);
    assert.match(v.out, /verified: every CI stage passed; 1 gate has no baseline \(evaluate: accuracy drops at most 100 vs main\), so it was not checked; ci.require_baseline: true makes that a failure/);

    writeFileSync(path.join(dir, 'mlci.yaml'), PIPELINE + 'ci:\n  require_baseline: true\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'require a baseline (and the lock verify wrote)');
    const strict = mlci(['verify'], dir);
    assert.equal(strict.code, 2, strict.out + strict.err);
    assert.match(strict.out, /✘ evaluate: accuracy drops at most 100 vs main — no baseline: .*mlci cache push.*; require_baseline is set/);
    assert.match(strict.out, /NOT verified: a gate failed/);
  });

  it('at gate time a baseline missing locally is looked up in the configured remote (fresh clone of a bare repo, no pull); a remote without it or unreachable is named, never passed', () => {
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-remote-'));
    const dir = makeProject({ 'mlci.yaml': PIPELINE + `cache:\n  remote: shared\n  remotes: { shared: ${JSON.stringify(remote)} }\n` });
    const origin = mkdtempSync(path.join(os.tmpdir(), 'mlci-origin-'));
    git(origin, 'init', '-q', '--bare', '-b', 'main');
    git(dir, 'remote', 'add', 'origin', origin);
    assert.equal(mlci(['run'], dir).code, 0);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'lock');
    assert.match(mlci(['run'], dir).out, /3 up to date/);
    // cache push with no --remote: the pipeline's cache.remote.
    const pushed = mlci(['cache', 'push'], dir);
    assert.equal(pushed.code, 0, pushed.out + pushed.err);
    git(dir, 'push', '-q', 'origin', 'main');

    const clone = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
    git(clone, 'clone', '-q', origin, '.');
    git(clone, 'checkout', '-qb', 'feature');
    writeFileSync(path.join(clone, 'data/in.txt'), 'hi\n');
    const r = mlci(['run', '--ci'], clone);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /✔ evaluate: accuracy drops at most 100 vs main — accuracy dropped 6 vs main \(12 -> 6\), within the allowed 100/);
    // Kept locally: with the remote gone the next run still has it.
    rmSync(remote, { recursive: true, force: true });
    assert.match(mlci(['run', '--ci'], clone).out, /accuracy dropped 6 vs main/);

    // A remote that does not hold main's record: named in the verdict, not passed.
    const empty = mkdtempSync(path.join(os.tmpdir(), 'mlci-remote-empty-'));
    const other = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
    git(other, 'clone', '-q', origin, '.');
    git(other, 'checkout', '-qb', 'feature');
    // A changed input: the tree is dirty, so no run here records main's commit.
    writeFileSync(path.join(other, 'data/in.txt'), 'hi\n');
    // An unreachable remote: its error is in the verdict, the gate is not passed.
    const down = mlci(['run', '--ci'], other, { MLCI_REMOTE: 'ssh://mlci@127.0.0.1:1/nowhere' });
    assert.match(down.out, /\? evaluate: accuracy drops at most 100 vs main — no baseline: .*the cache remote ssh:\/\/127\.0\.0\.1:1\/nowhere could not be asked \(/);
    assert.match(down.out, /gates: 0 passed, 0 failed, 1 no baseline/);
    const none = mlci(['verify', '--allow-dirty'], other, { MLCI_REMOTE: empty });
    assert.equal(none.code, 0, none.out + none.err);
    assert.match(none.out, new RegExp(`\\? evaluate: accuracy drops at most 100 vs main — no baseline: .*the cache remote ${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has no record of main's commit [0-9a-f]{12} either`));
    assert.doesNotMatch(none.out, /every CI stage and gate passed/);
    for (const d of [dir, origin, clone, empty, other]) rmSync(d, { recursive: true, force: true });
  });
});
