/** gitFileReader and repoRelative against real temporary repositories (and a bare one as origin). */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitFileReader, repoRelative } from '../../../src/adapters/git/ref-reader';
import { GitBaseline } from '../../../src/core/gates/baseline';
import { buildPipeline } from '../../../src/core/pipeline/build-model';

/** git for the fixtures: no user or system config, no GIT_* leaking in from a hook. */
function git(cwd: string, ...args: string[]): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
  return execFileSync('git', args, { cwd, env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: os.devNull }, encoding: 'utf8' }).trim();
}

describe('git ref reader', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'mlci-ref-'));
    dirs.push(d);
    return d;
  };
  const configure = (d: string) => {
    git(d, 'config', 'user.name', 'mlci test');
    git(d, 'config', 'user.email', 'test@example.invalid');
    git(d, 'config', 'commit.gpgsign', 'false');
  };
  const newRepo = () => {
    const d = tempDir();
    git(d, 'init', '-q', '-b', 'main');
    configure(d);
    return d;
  };
  const commitFile = (repo: string, file: string, text: string) => {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), text);
    git(repo, 'add', file);
    git(repo, 'commit', '-q', '-m', `change ${file}`);
  };

  /** main has f1 0.786; branch `feature` (checked out) has 0.755 committed and 0.7 uncommitted. */
  const fixture = () => {
    const repo = newRepo();
    commitFile(repo, 'ml/metrics.json', '{"f1": 0.786}\n');
    git(repo, 'checkout', '-q', '-b', 'feature');
    commitFile(repo, 'ml/metrics.json', '{"f1": 0.755}\n');
    writeFileSync(path.join(repo, 'ml/metrics.json'), '{"f1": 0.7}\n');
    return repo;
  };

  it('reads a file as committed at main and at HEAD, not the working tree', async () => {
    const repo = fixture();
    const read = gitFileReader(repo);
    assert.equal(await read('main', 'ml/metrics.json'), '{"f1": 0.786}\n');
    assert.equal(await read('HEAD', 'ml/metrics.json'), '{"f1": 0.755}\n');
    assert.equal(await read('feature', 'ml/metrics.json'), '{"f1": 0.755}\n');
    assert.equal(await read(git(repo, 'rev-parse', 'main'), 'ml/metrics.json'), '{"f1": 0.786}\n', 'a commit sha');
    git(repo, 'tag', '-a', 'v1', '-m', 'v1', 'main');
    assert.equal(await read('v1', 'ml/metrics.json'), '{"f1": 0.786}\n', 'an annotated tag');
  });

  it('works from a subfolder: paths stay relative to the repository root', async () => {
    const repo = fixture();
    assert.equal(await gitFileReader(path.join(repo, 'ml'))('main', 'ml/metrics.json'), '{"f1": 0.786}\n');
  });

  it('undefined for a missing path, a folder, a missing ref and an option-like ref', async () => {
    const read = gitFileReader(fixture());
    assert.equal(await read('main', 'ml/missing.json'), undefined);
    assert.equal(await read('main', 'ml'), undefined);
    assert.equal(await read('no-such-branch', 'ml/metrics.json'), undefined);
    assert.equal(await read('--output=/tmp/x', 'ml/metrics.json'), undefined);
    assert.equal(await read('', 'ml/metrics.json'), undefined);
  });

  it('undefined in a repository without commits', async () => {
    assert.equal(await gitFileReader(newRepo())('HEAD', 'x.json'), undefined);
  });

  it('falls back to origin/<ref> when <ref> is not a local branch (a bare repo as origin)', async () => {
    const origin = tempDir();
    git(origin, 'init', '-q', '--bare', '-b', 'main');
    const upstream = fixture();
    git(upstream, 'push', '-q', origin, 'main');
    // A CI-like clone: only the feature branch locally, main as origin/main.
    const clone = tempDir();
    git(clone, 'init', '-q', '-b', 'feature');
    configure(clone);
    git(clone, 'remote', 'add', 'origin', origin);
    git(clone, 'fetch', '-q', 'origin');
    commitFile(clone, 'ml/metrics.json', '{"f1": 0.6}\n');
    assert.throws(() => git(clone, 'rev-parse', '--verify', '--quiet', 'main'), 'no local main');
    const read = gitFileReader(clone);
    assert.equal(await read('main', 'ml/metrics.json'), '{"f1": 0.786}\n');
    assert.equal(await read('origin/main', 'ml/metrics.json'), '{"f1": 0.786}\n');
    assert.equal(await read('HEAD', 'ml/metrics.json'), '{"f1": 0.6}\n');
    // A local branch wins over origin/<same name>.
    git(clone, 'branch', 'main', 'HEAD');
    assert.equal(await gitFileReader(clone)('main', 'ml/metrics.json'), '{"f1": 0.6}\n');
  });

  it('repoRelative: the pipeline folder relative to the git root, through symlinks', async () => {
    const repo = fixture();
    assert.equal(await repoRelative(repo, path.join(repo, 'ml')), 'ml');
    assert.equal(await repoRelative(path.join(repo, 'ml'), repo), '');
    assert.equal(await repoRelative(repo, path.join(repo, 'ml', 'new', 'deep')), 'ml/new/deep', 'a path that does not exist yet');
    const link = path.join(tempDir(), 'link');
    symlinkSync(repo, link);
    assert.equal(await repoRelative(link, path.join(link, 'ml')), 'ml');
    assert.equal(await repoRelative(repo, tempDir()), undefined, 'outside the repository');
    assert.equal(await repoRelative(tempDir(), tempDir()), undefined, 'not a repository');
    assert.equal(await repoRelative(path.join(tempDir(), 'missing'), repo), undefined, 'a folder that does not exist');
  });

  it('feeds GitBaseline end to end', async () => {
    const repo = fixture();
    const pipeline = buildPipeline('ml/mlci.yaml', { version: 1, stages: { evaluate: { kind: 'evaluate', run: 'true', metrics: 'metrics.json' } } });
    const dir = await repoRelative(repo, path.join(repo, 'ml'));
    const baseline = new GitBaseline(gitFileReader(repo), pipeline, dir ?? '');
    assert.equal(await baseline.metric('main', 'evaluate', 'f1'), 0.786);
    assert.equal(await baseline.metric('gone', 'evaluate', 'f1'), undefined);
  });
});
