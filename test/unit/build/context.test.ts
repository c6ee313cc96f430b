/**
 * A build context's listing and hash: `.dockerignore` decided per folder
 * must leave out exactly what @balena/dockerignore (what mlci asked per
 * file before, a port of Moby's rules) left out, and the content hash
 * written out directly must be the hash of the canonical manifest, so image
 * tags do not move.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { FileHasher } from '../../../src/core/hash';
import { manifestHash, manifestOf, resolveBuild } from '../../../src/core/build/context';
import { DockerIgnore } from '../../../src/core/build/dockerignore';
import { canonicalJson, sha256 } from '../../../src/core/run/fingerprint';

const PATHS = [
  'Dockerfile', '.dockerignore', 'README.md', 'readme.MD', 'a', 'a.txt', 'a-b', 'a0', 'ab', 'data/x.csv', 'data/raw/big.bin', 'data/raw/deep/er/y.csv',
  'src/main.py', 'src/pkg/__init__.py', 'src/pkg/mod.py', 'src/pkg/test_mod.py', 'src/tests/test_a.py', 'docs/a.md', 'docs/sub/b.md',
  'build/out.o', 'build/keep/me.txt', 'node/x.js', 'x/y/z/w.txt', 'x/y.txt', '.env', '.env.local', 'notes.tmp', 'dir.tmp/inner.txt',
  'a$b', 'we?ird', 'sp ace/f ile', 'ünï/çødé.txt', 'Data/Upper.CSV', 'logs/2024/01/app.log', 'logs/app.log', 'z/a/b/c/d/e.txt',
];

const PATTERNS: string[][] = [
  [],
  ['data'],
  ['data/'],
  ['/data'],
  ['./data'],
  ['data/raw'],
  ['*.md'],
  ['**/*.md'],
  ['docs/**'],
  ['**'],
  ['*', '!Dockerfile', '!src'],
  ['**', '!src/**'],
  ['src', '!src/pkg/mod.py'],
  ['build', '!build/keep'],
  ['build/*', '!build/keep'],
  ['**/test_*.py'],
  ['src/**/test_*'],
  ['*.tmp'],
  ['*.tmp/'],
  ['.env*', '!.env.local'],
  ['logs/**/*.log'],
  ['**/deep'],
  ['x/*/z'],
  ['?'],
  ['a?'],
  ['a\\$b', 'we\\?ird'],
  ['a$b'],
  ['sp ace'],
  ['ünï'],
  ['data', '!data/raw', 'data/raw/deep'],
  ['# a comment', '   ', '  data  ', '!', '!  '],
  ['z/a/b'],
  ['z/**/e.txt'],
  ['**/e.txt', '!z/a/**'],
  ['DATA'],
  ['[a-b]*'],
  ['[!a]*'],
];

/** What resolveBuild listed before: every file, then the package asked per path. */
function balenaIgnores(lines: string[]): (rel: string) => boolean {
  // Case-sensitive, as Docker matches on Linux (the package's default ignores case).
  const ig = dockerignore({ ignorecase: false });
  ig.add(lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  return (rel) => ig.ignores(rel);
}

function tree(files: string[]): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mlci-ctx-'));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), `content of ${f}\n`);
  }
  return root;
}

describe('build context: .dockerignore per folder, the content hash written out', () => {
  it('ignores exactly what @balena/dockerignore ignores, for each pattern set and path', () => {
    for (const lines of PATTERNS) {
      const ours = new DockerIgnore(lines.join('\n'));
      const theirs = balenaIgnores(lines);
      for (const p of PATHS) assert.equal(ours.ignores(p), theirs(p), `${JSON.stringify(lines)} on ${p}`);
    }
  });

  it('lists the same context files as walking everything and asking the package per file; an excluded folder is never read', async () => {
    const root = tree(PATHS.filter((p) => !['a', 'a.txt'].includes(p)));
    try {
      for (const lines of PATTERNS) {
        writeFileSync(path.join(root, '.dockerignore'), lines.join('\n'));
        const all = (await new FileHasher().listFiles(root)).map((f) => f.rel);
        const ignores = balenaIgnores(lines);
        const expected = all.filter((r) => r !== 'Dockerfile' && (r === '.dockerignore' || !ignores(r)));
        const asked: string[] = [];
        const filter = new DockerIgnore(lines.join('\n')).filter({ always: new Set(['.dockerignore']), never: new Set(['Dockerfile']) });
        const got = await new FileHasher().listFiles(root, { dir: (rel) => (asked.push(rel), filter.dir(rel)) });
        assert.deepEqual(got.map((f) => f.rel), expected, JSON.stringify(lines));
        if (lines.length === 1 && lines[0] === 'data') {
          // data/ is out as a whole: none of its folders is asked about (nor read).
          assert.ok(asked.includes('data/') && !asked.some((d) => d.startsWith('data/raw')), asked.join(' '));
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('matches case-sensitively, as docker build does on Linux: `data` leaves Data/ and DATA.csv in the context', () => {
    const ig = new DockerIgnore('data\n*.CSV');
    assert.equal(ig.ignores('data/x.csv'), true);
    assert.equal(ig.ignores('Data/x.csv'), false);
    assert.equal(ig.ignores('DATA.csv'), false);
    assert.equal(ig.ignores('DATA.CSV'), true);
    assert.equal(ig.ignores('data.csv'), false);
  });

  it('walks below an excluded folder when a ! rule may bring a file back', () => {
    const f = new DockerIgnore('build\n!build/keep').filter();
    assert.ok(f.dir('build/'), 'build/ is walked: build/keep is sent');
    assert.equal(new DockerIgnore('build').filter().dir('build/'), undefined);
    assert.ok(new DockerIgnore('build').filter({ always: new Set(['build/x']) }).dir('build/'), 'a file always sent keeps its folder walked');
  });

  it('hashes the manifest as sha256 of its canonical JSON (tags unchanged), for names that need escaping or look like numbers', async () => {
    const names = ['10', '2', '__proto__', 'a"quote', 'back\\slash', 'tab\there', 'ünï/çødé', 'emoji-😀', 'Z', 'a/b', 'a.b', 'a-b'];
    const root = tree(['Dockerfile', ...names.map((n) => `ctx/${n}`), 'ctx/Dockerfile']);
    try {
      writeFileSync(path.join(root, 'ctx', 'Dockerfile'), 'FROM busybox\nARG V=1\n');
      const spec = { context: 'ctx', dockerfile: 'Dockerfile', args: { V: '2', 'A"B': 'x' }, target: 'final', owner: 'defaults' };
      const b = await resolveBuild({ root, pipelineName: 'p', spec, imageMap: new Map(), lister: new FileHasher() });
      assert.equal(b.files.length, names.length);
      assert.equal(b.hash, sha256(canonicalJson(manifestOf(b))));
      // Unsorted input is sorted first: the hash does not depend on the lister's order.
      const rest = { dockerfile: sha256(b.dockerfileText), dockerfilePath: b.dockerfile, args: spec.args, target: spec.target };
      assert.equal(manifestHash([...b.files].reverse(), rest), b.hash);
      // Names no file system here gives, straight to the function: a lone surrogate, U+2028, a control character.
      const odd = ['a\ud800b', 'line\u2028sep', 'bell\u0007', 'pair😀'].map((rel) => ({ rel, hash: sha256(rel), size: 1 })).sort((x, y) => (x.rel < y.rel ? -1 : 1));
      assert.equal(manifestHash(odd, rest), sha256(canonicalJson({ ...rest, files: Object.fromEntries(odd.map((f) => [f.rel, f.hash])) })));
      const noTarget = { ...spec, target: undefined };
      const b2 = await resolveBuild({ root, pipelineName: 'p', spec: noTarget, imageMap: new Map(), lister: new FileHasher() });
      assert.equal(b2.hash, sha256(canonicalJson(manifestOf(b2))));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
