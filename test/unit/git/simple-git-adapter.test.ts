/** SimpleGitAdapter against real temporary repositories. */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimpleGitAdapter } from '../../../src/adapters/git/simple-git-adapter';
import { RunStore } from '../../../src/core/run/store';
import { acquireWorkspaceLock } from '../../../src/core/run/workspace-lock';
import { RUN_RECORD_VERSION } from '../../../src/core/run/record';

/** git for the fixtures: no user or system config, no GIT_* leaking in from a hook. */
function git(cwd: string, ...args: string[]): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
  return execFileSync('git', args, { cwd, env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: os.devNull }, encoding: 'utf8' }).trim();
}

describe('SimpleGitAdapter', function () {
  this.timeout(30_000);
  const adapter = new SimpleGitAdapter();
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'mlci-git-'));
    dirs.push(d);
    return d;
  };
  const newRepo = () => {
    const d = tempDir();
    git(d, 'init', '-q', '-b', 'main');
    git(d, 'config', 'user.name', 'mlci test');
    git(d, 'config', 'user.email', 'test@example.invalid');
    git(d, 'config', 'commit.gpgsign', 'false');
    return d;
  };
  const commitFile = (repo: string, file: string, text: string) => {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), text);
    git(repo, 'add', file);
    git(repo, 'commit', '-q', '-m', `add ${file}`);
    return git(repo, 'rev-parse', 'HEAD');
  };

  it('is undefined outside a work tree: a plain folder, a missing one, inside .git', async () => {
    assert.equal(await adapter.info(tempDir()), undefined);
    assert.equal(await adapter.info(path.join(tempDir(), 'missing')), undefined);
    assert.equal(await adapter.info(path.join(newRepo(), '.git')), undefined);
  });

  it('reports an empty commit and the branch before the first commit', async () => {
    const repo = newRepo();
    assert.deepEqual(await adapter.info(repo), { commit: '', branch: 'main', dirty: false });
    writeFileSync(path.join(repo, 'new.txt'), 'x');
    assert.deepEqual(await adapter.info(repo), { commit: '', branch: 'main', dirty: true });
  });

  it('reports the full HEAD sha and branch of a clean repo, from any subfolder', async () => {
    const repo = newRepo();
    const sha = commitFile(repo, 'src/train.py', 'print(1)\n');
    assert.match(sha, /^[0-9a-f]{40}$/);
    assert.deepEqual(await adapter.info(repo), { commit: sha, branch: 'main', dirty: false });
    assert.deepEqual(await adapter.info(path.join(repo, 'src')), { commit: sha, branch: 'main', dirty: false });
    git(repo, 'checkout', '-q', '-b', 'feature/x');
    assert.equal((await adapter.info(repo))?.branch, 'feature/x');
  });

  it('counts modified, staged and untracked files as dirty, ignored files not', async () => {
    const repo = newRepo();
    commitFile(repo, '.gitignore', '*.log\ndata/\n');
    commitFile(repo, 'a.txt', 'a\n');
    writeFileSync(path.join(repo, 'train.log'), 'ignored');
    mkdirSync(path.join(repo, 'data'));
    writeFileSync(path.join(repo, 'data', 'big.csv'), '1,2\n');
    assert.equal((await adapter.info(repo))?.dirty, false, 'ignored files only');

    writeFileSync(path.join(repo, 'a.txt'), 'changed\n');
    assert.equal((await adapter.info(repo))?.dirty, true, 'modified');
    git(repo, 'add', 'a.txt');
    assert.equal((await adapter.info(repo))?.dirty, true, 'staged');
    git(repo, 'commit', '-q', '-m', 'change');
    assert.equal((await adapter.info(repo))?.dirty, false);
    writeFileSync(path.join(repo, 'untracked.py'), '');
    assert.equal((await adapter.info(repo))?.dirty, true, 'untracked');
  });

  it('has no branch on a detached HEAD', async () => {
    const repo = newRepo();
    const first = commitFile(repo, 'a.txt', '1\n');
    commitFile(repo, 'a.txt', '2\n');
    git(repo, 'checkout', '-q', '--detach', first);
    assert.deepEqual(await adapter.info(repo), { commit: first, dirty: false });
  });

  it('lets cwd decide even when GIT_DIR is set (mlci run inside a git hook)', async () => {
    const repo = newRepo();
    const saved = { dir: process.env.GIT_DIR, tree: process.env.GIT_WORK_TREE };
    process.env.GIT_DIR = path.join(repo, '.git');
    process.env.GIT_WORK_TREE = repo;
    try {
      assert.equal(await adapter.info(tempDir()), undefined);
    } finally {
      for (const [k, v] of [['GIT_DIR', saved.dir], ['GIT_WORK_TREE', saved.tree]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('never rewrites the index (no .git/index.lock to collide with a concurrent git command)', async () => {
    const repo = newRepo();
    commitFile(repo, 'a.txt', 'same\n');
    // A touched file makes a plain `git status` refresh and rewrite the index.
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(repo, 'a.txt'), later, later);
    const index = path.join(repo, '.git', 'index');
    const before = readFileSync(index);
    assert.equal((await adapter.info(repo))?.dirty, false);
    assert.ok(readFileSync(index).equals(before));
  });

  it('does not see the .mlci folder the store and the workspace lock write', async () => {
    const repo = newRepo();
    commitFile(repo, 'mlci.yaml', 'version: 1\n');
    const release = await acquireWorkspaceLock(repo, { runId: 'r1', command: 'mlci run' });
    const store = new RunStore(repo);
    await store.create({ version: RUN_RECORD_VERSION, id: 'r1', pipeline: 'mlci.yaml', status: 'running', startedAt: new Date().toISOString(), executor: 'local', params: {}, metrics: {}, history: {}, stages: [] });
    const log = store.openLog('r1', 'train');
    log.write('hello\n');
    await log.close();
    assert.equal((await adapter.info(repo))?.dirty, false);
    await release();
  });
});
