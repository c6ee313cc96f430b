/**
 * The ssh:// cache remote against a real OpenSSH server on 127.0.0.1:
 * push, then a fresh clone pulls and runs zero stages; a push killed in the
 * middle leaves no partial object visible and the next push completes it;
 * a killed push or pull resumes without moving again what it completed;
 * a pull names the outputs the remote cannot give back (missing or corrupt
 * objects, the corrupt ones never stored); Ctrl+C in a pull leaves nothing
 * behind on either side; an unknown host key and a full remote give clear
 * errors; two pushes at once lose nothing; push and pull each cost one
 * remote shell.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildCli, git, makeProject, mlci, repo, statuses } from './support';
import type { Sshd } from './sshd';
import { requireSshd, startSshd } from './sshd';
import { readLock } from '../../../src/core/run/lockfile';

/** Every object file under a remote folder, checked against the hash its name says. */
function badObjects(root: string): string[] {
  const bad: string[] = [];
  const objects = path.join(root, 'objects');
  if (!existsSync(objects)) return bad;
  for (const d of readdirSync(objects)) {
    for (const f of readdirSync(path.join(objects, d))) {
      const data = readFileSync(path.join(objects, d, f));
      const hash = d + f.replace(/\.(dir|link)$/, '');
      const actual = createHash('sha256').update(f.endsWith('.link') ? Buffer.concat([Buffer.from('symlink\0'), data]) : data).digest('hex');
      if (actual !== hash) bad.push(`${d}/${f}`);
    }
  }
  return bad;
}

/** The cache test project, run and its lock committed. */
function ranProject(): string {
  const dir = makeProject();
  mlci(['run'], dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'lock');
  return dir;
}

/** The cache test project plus a stage writing `n` random files of 2 MB, run and its lock committed. */
function bigProject(n: number, files: Record<string, string> = {}): string {
  const dir = makeProject({ ...files, '.gitignore': 'out/\nmodel/\nmetrics/\nbig/\n' });
  writeFileSync(path.join(dir, 'mlci.yaml'), readFileSync(path.join(dir, 'mlci.yaml'), 'utf8').replace('stages:\n', `stages:\n  big:\n    kind: custom\n    run: mkdir -p big && for i in $(seq 1 ${n}); do head -c 2000000 /dev/urandom > big/f$i.bin; done\n    outs: [big/]\n`));
  git(dir, 'commit', '-qam', 'big');
  assert.equal(mlci(['run'], dir).code, 0);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'lock');
  return dir;
}

describe('cache: ssh:// remote through a real OpenSSH server', function () {
  this.timeout(240_000);
  let sshd: Sshd;
  before(async function () {
    requireSshd(this);
    buildCli();
    sshd = await startSshd();
  });
  after(() => sshd?.stop());
  const url = (p: string) => `ssh://root@127.0.0.1:${sshd.port}${p}`;

  it('push, then a fresh clone pulls and runs zero stages; a second push sends nothing new', () => {
    const dir = ranProject();
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-remote-'));
    const push = mlci(['cache', 'push', '--remote', url(remote)], dir, sshd.env);
    assert.equal(push.code, 0, push.out + push.err);
    assert.match(push.out, /^pushed \d+ keys .* to ssh:\/\/root@127\.0\.0\.1:\d+\/.*; 0 already there/);
    assert.deepEqual(badObjects(remote), []);
    assert.deepEqual(readdirSync(path.join(remote, 'tmp')), [], 'staging folders are removed');
    assert.match(mlci(['cache', 'push', '--remote', url(remote)], dir, sshd.env).out, /^pushed 1 key .*; \d+ already there/);

    const clone = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
    git(clone, 'clone', '-q', dir, '.');
    writeFileSync(path.join(clone, 'mlci.yaml'), readFileSync(path.join(clone, 'mlci.yaml'), 'utf8') + `cache:\n  remote: team\n  remotes:\n    team: ${url(remote)}\n`);
    const pull = mlci(['cache', 'pull'], clone, sshd.env);
    assert.equal(pull.code, 0, pull.out + pull.err);
    const r = mlci(['run'], clone, sshd.env);
    assert.equal(statuses(r.out), '3 restored', r.out + r.err);
  });

  it('a push killed mid-transfer leaves no partial object visible; the next push completes it and pull verifies every object', async () => {
    // A large output (48 files of 2 MB) so the push takes long enough to interrupt.
    const dir = bigProject(48, { 'data/in.txt': 'x'.repeat(1000) + '\n' });
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-remote-'));
    const child = spawn(process.execPath, [path.join(repo, 'dist/cli.js'), 'cache', 'push', '--remote', url(remote), '-j', '1'], { cwd: dir, env: { ...process.env, ...sshd.env }, stdio: 'ignore' });
    // Kill it once the server's staging folder holds some bytes.
    for (let i = 0; i < 400; i++) {
      const staging = existsSync(path.join(remote, 'tmp')) ? readdirSync(path.join(remote, 'tmp')) : [];
      const some = staging.some((s) => readdirSync(path.join(remote, 'tmp', s)).length > 0);
      if (some) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    assert.deepEqual(badObjects(remote), [], 'no partial object under a real name');
    const again = mlci(['cache', 'push', '--remote', url(remote)], dir, sshd.env);
    assert.equal(again.code, 0, again.out + again.err);
    assert.deepEqual(badObjects(remote), []);
    const clone = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
    git(clone, 'clone', '-q', dir, '.');
    assert.equal(mlci(['cache', 'pull', '--remote', url(remote)], clone, sshd.env).code, 0);
    assert.equal(statuses(mlci(['run'], clone).out), '4 restored');
  });

  it('an interrupted push or pull resumes without redoing completed work: objects already moved are neither sent nor fetched again (processes killed mid-transfer)', async function () {
    this.timeout(600_000);
    // 64 files of 2 MB: each object gets its key (a hard link made by the server's tar) as soon as it is complete.
    const dir = bigProject(64);
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-remote-'));
    const bigObjects = (root: string) => {
      const out = new Map<string, number>();
      const objects = path.join(root, 'objects');
      if (!existsSync(objects)) return out;
      for (const d of readdirSync(objects)) for (const f of readdirSync(path.join(objects, d))) {
        const st = statSync(path.join(objects, d, f));
        if (st.size === 2_000_000) out.set(`${d}/${f}`, st.ino);
      }
      return out;
    };
    const killWhen = async (args: string[], cwd: string, ready: () => boolean) => {
      const child = spawn(process.execPath, [path.join(repo, 'dist/cli.js'), ...args], { cwd, env: { ...process.env, ...sshd.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let said = '';
      child.stdout.on('data', (d: Buffer) => (said += d));
      child.stderr.on('data', (d: Buffer) => (said += d));
      const exited = new Promise((r) => child.on('exit', r));
      for (let i = 0; i < 9000 && !ready() && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGKILL');
      await exited;
      return said;
    };
    await killWhen(['cache', 'push', '--remote', url(remote), '-j', '1'], dir, () => bigObjects(remote).size > 0);
    const sent = bigObjects(remote);
    assert.ok(sent.size > 0 && sent.size < 64, `the objects sent before the kill were kept, not all (${sent.size} of 64)`);
    assert.deepEqual(badObjects(remote), [], 'no partial object under a real name');
    const again = mlci(['cache', 'push', '--remote', url(remote), '-j', '1'], dir, sshd.env);
    assert.equal(again.code, 0, again.out + again.err);
    const pushed = /pushed (\d+) keys .*; (\d+) already there/.exec(again.out);
    assert.ok(pushed && Number(pushed[2]) >= sent.size && Number(pushed[1]) <= 64 - sent.size + 20, again.out);
    const after = bigObjects(remote);
    assert.equal(after.size, 64);
    for (const [k, ino] of sent) assert.equal(after.get(k), ino, `${k} was not sent again`);
    assert.deepEqual(badObjects(remote), []);

    const clone = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
    git(clone, 'clone', '-q', dir, '.');
    const local = path.join(clone, '.mlci/cache');
    const said = await killWhen(['cache', 'pull', '--remote', url(remote), '-j', '1'], clone, () => bigObjects(local).size >= 8);
    const fetched = bigObjects(local);
    assert.ok(fetched.size > 0 && fetched.size < 64, `part of the pull was kept (${fetched.size} of 64): ${said} ${existsSync(local) ? readdirSync(local).join(',') : 'no cache'}`);
    const resumed = mlci(['cache', 'pull', '--remote', url(remote), '-j', '1'], clone, sshd.env);
    assert.equal(resumed.code, 0, resumed.out + resumed.err);
    const pulled = /pulled (\d+) keys .*; (\d+) already there/.exec(resumed.out);
    assert.ok(pulled && Number(pulled[2]) >= fetched.size && Number(pulled[1]) < 64 + 20 - fetched.size + 1, resumed.out);
    const whole = bigObjects(local);
    assert.equal(whole.size, 64);
    for (const [k, ino] of fetched) assert.equal(whole.get(k), ino, `${k} was not fetched again`);
    assert.equal(statuses(mlci(['run'], clone).out), '4 restored');
  });

  /** The remote path of the object a lock output is stored as (a file or a folder's manifest). */
  const objectOf = (remote: string, hash: string) => ['', '.dir', '.link'].map((x) => path.join(remote, 'objects', hash.slice(0, 2), hash.slice(2) + x)).find((f) => existsSync(f))!;
  /** The file a folder output's manifest names for `rel`: its remote path. */
  const fileIn = (remote: string, dirHash: string, rel: string) => {
    const line = readFileSync(objectOf(remote, dirHash), 'utf8').split('\n').find((l) => l.startsWith(`${rel}\0`))!;
    return objectOf(remote, line.split('\0')[1]);
  };
  /** A clone of `dir` with its lock, and the lock's output hashes. */
  const cloneOf = (dir: string) => {
    const clone = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
    git(clone, 'clone', '-q', dir, '.');
    return clone;
  };
  const outsOf = (dir: string) => readLock(dir).stages as Record<string, { outs: Record<string, string> }>;
  /** Every object key under a cache folder. */
  const objectsIn = (root: string) => {
    const d = path.join(root, 'objects');
    return existsSync(d) ? readdirSync(d).flatMap((x) => readdirSync(path.join(d, x)).map((f) => `${x}/${f}`)).sort() : [];
  };
  const tmpIn = (cacheDir: string) => (existsSync(path.join(cacheDir, 'tmp')) ? readdirSync(path.join(cacheDir, 'tmp')) : []);

  it('a pull of a lock whose remote lacks some objects restores the others and names each output it cannot restore, and the remote', () => {
    const dir = ranProject();
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-remote-'));
    assert.equal(mlci(['cache', 'push', '--remote', url(remote)], dir, sshd.env).code, 0);
    const outs = outsOf(dir);
    // evaluate's metrics file is gone from the remote, and so is the symlink inside train's model/ folder.
    rmSync(objectOf(remote, outs.evaluate.outs['metrics/eval.json']));
    rmSync(fileIn(remote, outs.train.outs['model/'] ?? outs.train.outs.model, 'link.txt'));
    const there = objectsIn(remote);
    const clone = cloneOf(dir);
    const pull = mlci(['cache', 'pull', '--remote', url(remote)], clone, sshd.env);
    assert.equal(pull.code, 0, pull.out + pull.err);
    assert.match(pull.out, /^pulled \d+ keys/);
    assert.match(pull.err, new RegExp(`mlci cache pull: 2 outputs of mlci\\.lock cannot be restored from ssh://root@127\\.0\\.0\\.1:${sshd.port}${remote} \\(2 keys not there\\); their stages will run:\\n`));
    assert.match(pull.err, /\n {2}train: model\/?: 1 of \d+ files missing \(not on the remote\), e\.g\. link\.txt\n/);
    assert.match(pull.err, /\n {2}evaluate: metrics\/eval\.json: not on the remote\n/);
    // Everything the remote holds was restored, and nothing partial was left.
    assert.deepEqual(objectsIn(path.join(clone, '.mlci/cache')), there);
    assert.deepEqual(tmpIn(path.join(clone, '.mlci/cache')), []);
    const run = mlci(['run'], clone, sshd.env);
    assert.match(statuses(run.out), /\b1 restored\b/, run.out + run.err);
  });

  it('a corrupt object on the remote is rejected by its hash and not stored; the rest is restored', () => {
    const dir = ranProject();
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-remote-'));
    assert.equal(mlci(['cache', 'push', '--remote', url(remote)], dir, sshd.env).code, 0);
    const hash = outsOf(dir).train.outs['metrics/train.json'];
    const bad = objectOf(remote, hash);
    writeFileSync(bad, '{"loss": 0.0}\n');
    const clone = cloneOf(dir);
    const pull = mlci(['cache', 'pull', '--remote', url(remote)], clone, sshd.env);
    assert.equal(pull.code, 1, pull.out + pull.err);
    assert.match(pull.err, new RegExp(`mlci cache pull: rejected objects/${hash.slice(0, 2)}/${hash.slice(2)}: received content hashes to [0-9a-f]{12}, not ${hash.slice(0, 12)} \\(not stored`));
    assert.match(pull.err, /\n {2}train: metrics\/train\.json: rejected: its content does not match its hash\n/);
    const local = path.join(clone, '.mlci/cache');
    assert.ok(!existsSync(path.join(local, 'objects', hash.slice(0, 2), hash.slice(2))), 'the corrupt object is not in the local cache');
    assert.deepEqual(tmpIn(local), [], 'nor its temp file');
    assert.deepEqual(objectsIn(local), objectsIn(remote).filter((k) => k !== `${hash.slice(0, 2)}/${hash.slice(2)}`));
  });

  it('Ctrl+C in the middle of a push or a pull leaves no process on the server and no temp file on either side; the next one completes', async () => {
    const dir = bigProject(40);
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-remote-'));
    /** `mlci cache ARGS` in `cwd`, sent SIGINT once `ready()`: its exit code and what it said. */
    const interrupt = async (args: string[], cwd: string, ready: () => boolean): Promise<[number | null, string]> => {
      const child = spawn(process.execPath, [path.join(repo, 'dist/cli.js'), 'cache', ...args, '--remote', url(remote)], { cwd, env: { ...process.env, ...sshd.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let said = '';
      child.stdout.on('data', (d: Buffer) => (said += d));
      child.stderr.on('data', (d: Buffer) => (said += d));
      const exited = new Promise<number | null>((r) => child.on('exit', r));
      for (let i = 0; i < 3000 && !ready() && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGINT');
      return [await exited, said];
    };
    /** The processes whose working folder is the remote folder: the server's shells and tars of a push or pull. */
    const inRemote = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/cwd`) === remote;
      } catch {
        return false;
      }
    });
    const nothingLeft = async (what: string) => {
      for (let i = 0; i < 100 && inRemote().length; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(inRemote(), [], `no process of the ${what} left in the remote folder`);
      assert.deepEqual(tmpIn(remote), [], `no temp file of the ${what} on the server`);
      assert.deepEqual(badObjects(remote), []);
    };
    const staged = () => tmpIn(remote).some((s) => readdirSync(path.join(remote, 'tmp', s)).length > 3);
    let [code, said] = await interrupt(['push', '-j', '1'], dir, staged);
    assert.ok(objectsIn(remote).length < objectsIn(path.join(dir, '.mlci/cache')).length, `interrupted before the end: ${said}`);
    assert.equal(code, 130, said);
    assert.match(said, /mlci cache push: interrupted; every key sent so far is complete on the remote, nothing partial was kept/);
    await nothingLeft('push');
    assert.equal(mlci(['cache', 'push', '--remote', url(remote)], dir, sshd.env).code, 0);

    const clone = cloneOf(dir);
    const local = path.join(clone, '.mlci/cache');
    // Interrupted once some objects arrived, while the server's tar is still sending.
    [code, said] = await interrupt(['pull'], clone, () => objectsIn(local).length >= 5);
    assert.ok(objectsIn(local).length < objectsIn(remote).length, `interrupted before the end: ${said}`);
    assert.equal(code, 130, said);
    assert.match(said, /mlci cache pull: interrupted; every key fetched so far is complete and verified, nothing partial was kept/);
    assert.deepEqual(tmpIn(local), [], 'no temp file in the local cache');
    assert.deepEqual(badObjects(local), []);
    await nothingLeft('pull');
    const again = mlci(['cache', 'pull', '--remote', url(remote)], clone, sshd.env);
    assert.equal(again.code, 0, again.out + again.err);
    assert.deepEqual(objectsIn(local), objectsIn(remote));
    assert.equal(statuses(mlci(['run'], clone).out), '4 restored');
  });

  it('two pushes at once to one remote lose nothing', async () => {
    const a = makeProject({ 'data/in.txt': 'first project\n' });
    const b = makeProject({ 'data/in.txt': 'second project\n' });
    mlci(['run'], a);
    mlci(['run'], b);
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-remote-'));
    const run = (cwd: string) => new Promise<number | null>((resolve) => {
      spawn(process.execPath, [path.join(repo, 'dist/cli.js'), 'cache', 'push', '--remote', url(remote)], { cwd, env: { ...process.env, ...sshd.env }, stdio: 'ignore' }).on('exit', resolve);
    });
    assert.deepEqual(await Promise.all([run(a), run(b)]), [0, 0]);
    assert.deepEqual(badObjects(remote), []);
    for (const p of [a, b]) {
      const local = path.join(p, '.mlci/cache/objects');
      for (const d of readdirSync(local)) for (const f of readdirSync(path.join(local, d))) assert.ok(existsSync(path.join(remote, 'objects', d, f)), `${d}/${f} of ${p} is on the remote`);
    }
  });

  it('an unknown host key, a wrong key and a full remote give clear errors and leave the local cache intact', () => {
    const dir = makeProject();
    mlci(['run'], dir);
    const count = () => readdirSync(path.join(dir, '.mlci/cache/objects')).length;
    const before = count();
    const emptyKnown = path.join(sshd.dir, 'empty_known_hosts');
    writeFileSync(emptyKnown, '');
    const unknown = mlci(['cache', 'push', '--remote', url('/tmp/x')], dir, { ...sshd.env, MLCI_SSH_KNOWN_HOSTS: emptyKnown });
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /the host key of \[127\.0\.0\.1\]:\d+ is not in .*empty_known_hosts; check it and add it \(ssh-keyscan -p \d+ 127\.0\.0\.1 >> /);
    const otherKey = path.join(sshd.dir, 'other_key');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    const denied = mlci(['cache', 'push', '--remote', url('/tmp/x')], dir, { ...sshd.env, MLCI_SSH_KEY: otherKey });
    assert.match(denied.err, /authentication as root failed .*set MLCI_SSH_KEY/);
    // A 1 MB tmpfs: the push cannot fit.
    const small = mkdtempSync(path.join(os.tmpdir(), 'mlci-full-'));
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]);
    assert.equal(mount.status, 0, `mount a small tmpfs (root needed): ${mount.stderr}`);
    try {
      mkdirSync(path.join(dir, 'data/more'), { recursive: true });
      writeFileSync(path.join(dir, 'data/in.txt'), 'y'.repeat(300_000));
      mlci(['run'], dir);
      const full = mlci(['cache', 'push', '--remote', url(small)], dir, sshd.env);
      assert.equal(full.code, 2, full.out + full.err);
      assert.match(full.err, /cache remote ssh:\/\/.*: writing failed: the remote is full; the local cache is unchanged/);
      assert.ok(count() >= before);
      assert.deepEqual(badObjects(small), []);
    } finally {
      spawnSync('umount', [small]);
    }
  });
});

describe('cache: ssh:// push needs one remote shell on its critical path', function () {
  this.timeout(300_000);
  let sshd: Sshd;
  before(async function () {
    requireSshd(this);
    buildCli();
    // Every shell takes a second more to start, as with a `conda init` in the user's start-up files.
    sshd = await startSshd({ logSessions: { startupSeconds: 1 } });
  });
  after(() => sshd?.stop());
  const url = (p: string) => `ssh://root@127.0.0.1:${sshd.port}${p}`;
  /** What a command did on the server, in order: `shell` when sshd started a command's shell, `script` when the command itself began. */
  const sessionsOf = <T>(f: () => T): [string[], T] => {
    const from = readFileSync(sshd.log!, 'utf8').length;
    const r = f();
    return [readFileSync(sshd.log!, 'utf8').slice(from).split('\n').flatMap((l) => (/Starting session:/.test(l) ? ['shell'] : l === 'script' ? ['script'] : [])), r];
  };
  const pushTo = (remote: string, dir: string) => sessionsOf(() => mlci(['cache', 'push', '--remote', url(remote)], dir, sshd.env));

  it('a small push opens one shell, which answers what is missing and then receives it; so does a push that merges commit records', () => {
    const dir = ranProject();
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-remote-'));
    let [sessions, push] = pushTo(remote, dir);
    assert.deepEqual(sessions, ['shell', 'script']);
    assert.equal(push.code, 0, push.out + push.err);
    assert.match(push.out, /^pushed \d+ keys .*; 0 already there/);
    assert.deepEqual(badObjects(remote), []);
    assert.deepEqual(readdirSync(path.join(remote, 'tmp')), [], 'staging folders are removed');
    // Again: everything is there but the commit record, which the same shell reads back to merge.
    [sessions, push] = pushTo(remote, dir);
    assert.deepEqual(sessions, ['shell', 'script']);
    assert.match(push.out, /^pushed 1 key .*; \d+ already there/, push.out + push.err);
    const clone = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
    git(clone, 'clone', '-q', dir, '.');
    assert.equal(mlci(['cache', 'pull', '--remote', url(remote)], clone, sshd.env).code, 0);
    assert.equal(statuses(mlci(['run'], clone).out), '3 restored');
  });

  it('a pull opens one shell: the listing and every round of keys (entries, objects, then the files of their folders) go over it', () => {
    const dir = ranProject();
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-remote-'));
    assert.equal(pushTo(remote, dir)[1].code, 0);
    for (const all of [false, true]) {
      const clone = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
      git(clone, 'clone', '-q', dir, '.');
      const [sessions, pull] = sessionsOf(() => mlci(['cache', 'pull', '--remote', url(remote), ...(all ? ['--all'] : [])], clone, sshd.env));
      assert.equal(pull.code, 0, pull.out + pull.err);
      assert.deepEqual(sessions, ['shell', 'script'], all ? '--all' : 'the lock');
      assert.match(pull.out, /^pulled \d+ keys .*; 0 already there/);
      assert.equal(statuses(mlci(['run'], clone).out), '3 restored');
    }
  });

  it('a push large enough for two channels starts both shells together: the second starts before the first one\'s script begins', () => {
    // 70 files of 2 MB: 140 MB of objects, two channels of 128 MB at most.
    const dir = bigProject(70);
    const remote = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-remote-'));
    const [sessions, push] = pushTo(remote, dir);
    assert.equal(push.code, 0, push.out + push.err);
    assert.deepEqual(sessions, ['shell', 'shell', 'script', 'script']);
    assert.match(push.out, /^pushed \d+ keys .*; 0 already there/);
    assert.deepEqual(badObjects(remote), []);
    assert.deepEqual(readdirSync(path.join(remote, 'tmp')), [], 'staging folders are removed');
    const clone = mkdtempSync(path.join(os.tmpdir(), 'mlci-clone-'));
    git(clone, 'clone', '-q', dir, '.');
    assert.equal(mlci(['cache', 'pull', '--remote', url(remote)], clone, sshd.env).code, 0);
    assert.equal(statuses(mlci(['run'], clone).out), '4 restored');
  });
});
