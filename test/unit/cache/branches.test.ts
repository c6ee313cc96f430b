/**
 * The content-addressed cache end to end, through the bundled CLI on real
 * git repositories (host processes): switching branches and back runs
 * nothing, `mlci checkout` restores the lock's outputs, a corrupted object
 * is caught by its hash and the stage reruns, a fresh clone with a pulled
 * cache runs zero stages, and `cache gc` keeps what the lock needs.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCli, git, makeProject, mlci, statuses } from './support';

function objectFiles(dir: string): string[] {
  const root = path.join(dir, '.mlci/cache/objects');
  return existsSync(root) ? readdirSync(root).flatMap((d) => readdirSync(path.join(root, d)).map((f) => path.join(root, d, f))) : [];
}

describe('cache: branches, checkout, corruption, clones, gc (bundled CLI, real git)', function () {
  this.timeout(120_000);
  before(() => buildCli());

  it('switching to a branch and back runs nothing that ran before', () => {
    const dir = makeProject();
    const first = mlci(['run'], dir);
    assert.equal(first.code, 0, first.out + first.err);
    assert.equal(statuses(first.out), '3 passed');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'lock');
    git(dir, 'checkout', '-qb', 'feature');
    writeFileSync(path.join(dir, 'data/in.txt'), 'a longer input line\n');
    assert.equal(statuses(mlci(['run'], dir).out), '3 passed');
    git(dir, 'commit', '-qam', 'feature data');

    git(dir, 'checkout', '-q', 'main');
    const st = mlci(['status'], dir);
    assert.match(st.out, /prep +restore: restored from cache: same inputs as run/);
    assert.match(st.out, /0 of 3 stages would run, 3 would be restored/);
    const dry = mlci(['run', '--dry-run'], dir);
    assert.match(dry.out, /0 of 3 stages would run, 3 would be restored/, 'status and run --dry-run agree');
    const back = mlci(['run'], dir);
    assert.equal(back.code, 0, back.out + back.err);
    assert.equal(statuses(back.out), '3 restored');
    assert.match(back.out, /↺ train: restored from cache: same inputs as run \d{8}-\d{6}-[0-9a-f]{4}/);
    assert.equal(readFileSync(path.join(dir, 'out/data.txt'), 'utf8'), 'hello\nhello\n');
    assert.equal(readFileSync(path.join(dir, 'model/sub/deep.txt'), 'utf8'), 'hello\nhello\n');
    assert.equal(readlinkSync(path.join(dir, 'model/link.txt')), 'part1.txt', 'symlinks come back as symlinks');
    assert.equal(git(dir, 'status', '--porcelain'), '', 'the lock matches main again');
    const record = JSON.parse(readFileSync(path.join(dir, '.mlci/runs', /run (\S+):/.exec(back.out)![1], 'run.json'), 'utf8'));
    assert.deepEqual(record.stageMetrics.evaluate, { accuracy: 12 }, 'metrics of a restored stage are recorded');

    git(dir, 'checkout', '-q', 'feature');
    assert.equal(statuses(mlci(['run'], dir).out), '3 restored');
    assert.equal(statuses(mlci(['run'], dir).out), '3 up to date', 'then everything is simply up to date');
  });

  it('mlci checkout restores the outputs mlci.lock records, running nothing', () => {
    const dir = makeProject();
    mlci(['run'], dir);
    rmSync(path.join(dir, 'model'), { recursive: true });
    writeFileSync(path.join(dir, 'out/data.txt'), 'edited by hand\n');
    const r = mlci(['checkout'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /2 outputs restored, 2 already in place/);
    assert.equal(readFileSync(path.join(dir, 'out/data.txt'), 'utf8'), 'hello\nhello\n');
    assert.equal(readFileSync(path.join(dir, 'model/part2.txt'), 'utf8'), 'hello\nhello\n');
    assert.match(mlci(['status'], dir).out, /all 3 stages are up to date/);
    assert.equal(readdirSync(path.join(dir, '.mlci/runs')).length, 1, 'checkout recorded no run');
  });

  it('a corrupted cache object is detected by its hash, removed, and the stage reruns instead of restoring it', () => {
    const dir = makeProject();
    mlci(['run'], dir);
    const obj = objectFiles(dir).find((f) => !f.endsWith('.dir') && !f.endsWith('.link') && readFileSync(f, 'utf8') === 'hello\nhello\n')!;
    rmSync(path.join(dir, 'out'), { recursive: true });
    rmSync(path.join(dir, 'model'), { recursive: true });
    chmodSync(obj, 0o644);
    writeFileSync(obj, 'hellO\nhello\n'); // same size, other bytes
    const r = mlci(['run'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /▶ prep: running \(.*corrupt cache object objects\/[0-9a-f]{2}\/[0-9a-f]{62} removed: content hashes to/);
    assert.equal(readFileSync(path.join(dir, 'out/data.txt'), 'utf8'), 'hello\nhello\n', 'the output was made again, not restored');
    assert.equal(readFileSync(obj, 'utf8'), 'hello\nhello\n', 'the rerun stored a good object under the name');

    // A truncated run-cache entry is reported and ignored, never trusted.
    const runs = path.join(dir, '.mlci/cache/runs');
    for (const d of readdirSync(runs)) for (const f of readdirSync(path.join(runs, d))) writeFileSync(path.join(runs, d, f), '{"version":1,');
    rmSync(path.join(dir, 'out'), { recursive: true });
    const again = mlci(['run'], dir);
    assert.equal(again.code, 0, again.out + again.err);
    assert.match(again.out, /✔ prep: passed/);
  });

  it('a fresh clone with a cache pulled from a directory remote runs zero stages', () => {
    const dir = makeProject();
    mlci(['run'], dir);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'lock');
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-remote-'));
    const push = mlci(['cache', 'push', '--remote', remote], dir);
    assert.equal(push.code, 0, push.out + push.err);
    assert.match(push.out, /^pushed \d+ keys \(.*\) to .*; 0 already there/);
    const again = mlci(['cache', 'push', '--remote', remote], dir);
    assert.match(again.out, /^pushed 1 key .*; \d+ already there/, 'a second push sends only the commit record (merged), nothing else');
    assert.deepEqual(readdirSync(path.join(remote, 'tmp')), [], 'no temp files left on the remote');

    const clone = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
    git(clone, 'clone', '-q', dir, '.');
    const pull = mlci(['cache', 'pull', '--remote', remote], clone);
    assert.equal(pull.code, 0, pull.out + pull.err);
    assert.match(pull.out, /^pulled \d+ keys/);
    const r = mlci(['run'], clone);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(statuses(r.out), '3 restored');
    assert.equal(readFileSync(path.join(clone, 'model/sub/deep.txt'), 'utf8'), 'hello\nhello\n');
    assert.equal(git(clone, 'status', '--porcelain'), '');
  });

  it('bad remotes give a clear error and leave the local cache intact', () => {
    const dir = makeProject();
    mlci(['run'], dir);
    const before = objectFiles(dir).length;
    const missing = mlci(['cache', 'push', '--remote', path.join(os.tmpdir(), 'no-such-mlci-remote')], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cache remote .*no-such-mlci-remote is not reachable: no such folder/);
    const none = mlci(['cache', 'pull'], dir, { MLCI_REMOTE: '' });
    assert.match(none.err, /no cache remote: pass --remote URL/);
    const s3 = mlci(['cache', 'push', '--remote', 's3://bucket/x'], dir);
    assert.match(s3.err, /s3:\/\/ cache remotes are not supported yet/);
    const bad = mlci(['cache', 'frobnicate'], dir);
    assert.match(bad.err, /say what to do: mlci cache push, pull or gc \(not 'frobnicate'\)/);
    assert.equal(objectFiles(dir).length, before);
  });

  it('cache gc keeps what mlci.lock and the kept runs need, removes the rest, and says what it frees', () => {
    const dir = makeProject();
    mlci(['run'], dir);
    writeFileSync(path.join(dir, 'data/in.txt'), 'second version\n');
    mlci(['run'], dir);
    const all = objectFiles(dir).length;
    const dry = mlci(['cache', 'gc', '--keep-runs', '0', '--dry-run'], dir);
    assert.match(dry.out, /^would remove [1-9]\d* objects? and 3 run-cache entries, freeing/);
    assert.equal(objectFiles(dir).length, all, '--dry-run removes nothing');
    const kept = mlci(['cache', 'gc'], dir);
    assert.match(kept.out, /^removed 0 objects and 0 run-cache entries/, 'the last runs are kept by default');
    const gc = mlci(['cache', 'gc', '--keep-runs', '0'], dir);
    assert.equal(gc.code, 0, gc.out + gc.err);
    assert.match(gc.out, /^removed [1-9]\d* objects? and 3 run-cache entries, freeing .*; kept \d+ objects and 3 entries/);
    // What the lock names is still restorable.
    rmSync(path.join(dir, 'model'), { recursive: true });
    assert.match(statuses(mlci(['run'], dir).out), /^(1 restored, 2 up to date|2 up to date, 1 restored)$/);
    assert.ok(lstatSync(path.join(dir, 'model/part1.txt')).isFile());
  });

  it('cache gc removes the folder file lists mlci.lock no longer names (older than an hour), keeps the lock\'s, and stale reasons still name the file', () => {
    const dir = makeProject();
    const lists = path.join(dir, '.mlci/state/dirs');
    const listed = () => (existsSync(lists) ? readdirSync(lists).sort() : []);
    assert.equal(mlci(['run'], dir).code, 0);
    const first = listed();
    assert.equal(first.length, 1, `evaluate's folder dep model/ has its file list: ${first}`);
    writeFileSync(path.join(dir, 'data/in.txt'), 'second version\n');
    assert.equal(mlci(['run'], dir).code, 0);
    const both = listed();
    assert.equal(both.length, 2, 'a new list for the new model/');
    const lockText = readFileSync(path.join(dir, 'mlci.lock'), 'utf8');
    const current = both.find((f) => lockText.includes(f.replace(/\.json$/, '')))!;
    assert.ok(current, `mlci.lock names one of ${both}`);
    const old = both.find((f) => f !== current)!;
    assert.equal(old, first[0], 'the stale one is the first run\'s');
    const fresh = mlci(['cache', 'gc'], dir);
    assert.equal(fresh.code, 0, fresh.out + fresh.err);
    assert.match(fresh.out, /^removed 0 stale folder lists \(\.mlci\/state\/dirs\/\), freeing 0\.0 kB; kept 2 /m, 'lists from the last hour are kept (a run may be writing mlci.lock)');
    // Two hours later.
    const past = new Date(Date.now() - 2 * 3600_000);
    for (const f of both) utimesSync(path.join(lists, f), past, past);
    const dry = mlci(['cache', 'gc', '--dry-run'], dir);
    assert.match(dry.out, /^would remove 1 stale folder list \(\.mlci\/state\/dirs\/\), freeing \d+\.\d kB; kept 1 /m);
    assert.deepEqual(listed(), both, '--dry-run removes nothing');
    const gc = mlci(['cache', 'gc'], dir);
    assert.equal(gc.code, 0, gc.out + gc.err);
    assert.match(gc.out, /^removed 1 stale folder list .*kept 1 /m);
    assert.deepEqual(listed(), [current]);
    // The lock's list is what names the changed file: still there.
    writeFileSync(path.join(dir, 'data/in.txt'), 'a third\n');
    assert.equal(mlci(['run', 'prep', 'train'], dir).code, 0);
    assert.match(mlci(['status'], dir).out, /evaluate +stale: dep model\/ changed: /);
  });
});
