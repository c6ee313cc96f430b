// Checks the packaged extension as a user receives it (`npm run package` runs
// this right after vsce):
//   1. it ships what it should and nothing else: the bundles, schemas, media,
//      docs the README links; no source maps, sources, tests or node_modules;
//   2. every shipped bundle loads from the unpacked vsix with no node_modules
//      anywhere above it (a module left external by the build fails here, as
//      it would once installed); `vscode` is the only module it may import
//      that the vsix does not carry, and the extension host provides it;
//   3. the bundled CLI answers `--version` with the package's version, and
//      reports a schema error through the lazily loaded schema validator;
//   4. every relative link and image of README.md resolves inside the vsix;
//   5. no clickable placeholder address (http(s) links to example.invalid/.com).
//
//   node scripts/check-vsix.mjs dist/mlci.vsix [--keep DIR]
// Prints one line per check; exits 1 on the first failed check.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';

const vsix = process.argv[2];
if (!vsix) {
  console.error('usage: node scripts/check-vsix.mjs VSIX [--keep DIR]');
  process.exit(2);
}
const keepAt = process.argv.indexOf('--keep');

/** Unzips `file` into `dir`; resolves with the entry names. */
export function unzip(file, dir) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(names));
      zip.on('entry', (entry) => {
        names.push(entry.fileName);
        const target = path.join(dir, entry.fileName);
        if (!target.startsWith(dir + path.sep)) return reject(new Error(`entry escapes the folder: ${entry.fileName}`));
        if (entry.fileName.endsWith('/')) {
          mkdirSync(target, { recursive: true });
          return zip.readEntry();
        }
        mkdirSync(path.dirname(target), { recursive: true });
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          stream.pipe(createWriteStream(target)).on('finish', () => zip.readEntry()).on('error', reject);
        });
      });
      zip.readEntry();
    });
  });
}

let failed = 0;
const ok = (msg) => console.log(`check-vsix: ok   ${msg}`);
const fail = (msg) => {
  failed++;
  console.log(`check-vsix: FAIL ${msg}`);
};

// Unpack far from any node_modules (os.tmpdir(), not the repository).
const dir = keepAt > 0 ? path.resolve(process.argv[keepAt + 1]) : mkdtempSync(path.join(os.tmpdir(), 'mlci-vsix-check.'));
mkdirSync(dir, { recursive: true });
try {
  const names = await unzip(path.resolve(vsix), dir);
  const ext = path.join(dir, 'extension');
  const files = names.filter((n) => n.startsWith('extension/') && !n.endsWith('/')).map((n) => n.slice('extension/'.length));
  const pkg = JSON.parse(readFileSync(path.join(ext, 'package.json'), 'utf8'));

  // 1. contents
  const bad = files.filter((f) => /\.map$/.test(f) || /^(src|test|out|node_modules|bench|scripts)\//.test(f) || /(^|\/)node_modules\//.test(f) || /\.ts$/.test(f) && !f.endsWith('.d.ts'));
  if (bad.length) fail(`ships files it should not: ${bad.slice(0, 10).join(', ')}${bad.length > 10 ? ` and ${bad.length - 10} more` : ''}`);
  else ok(`${files.length} files, no source maps, sources, tests or node_modules`);
  const main = pkg.main.replace(/^\.\//, '');
  for (const need of [main, 'dist/cli.js', 'dist/drift-worker.js', 'dist/schema-validator.js', 'dist/status.js', 'schemas/mlci.schema.json', 'docs/pipeline-file.md', 'media/webview/drift.js', 'media/webview/compare.js', 'media/webview/dag.js', 'media/dag.css']) {
    if (!files.includes(need)) fail(`missing ${need}`);
  }

  // 2. every bundle loads with no node_modules (vscode stubbed: the host provides it)
  const stub = path.join(dir, 'vscode-stub.cjs');
  writeFileSync(stub, `const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'vscode') return __filename;
  return resolve.call(this, request, ...rest);
};
module.exports = new Proxy({}, { get: () => new Proxy(function () {}, { get: (t, k) => (k === 'prototype' ? {} : t), construct: () => ({}), apply: () => undefined }) });
`);
  for (const f of files.filter((n) => /^dist\/[^/]+\.js$/.test(n))) {
    // drift-worker.js is a worker_threads entry: loaded as a worker, as the engine does.
    const code = f.endsWith('drift-worker.js')
      ? `const { Worker } = require('worker_threads'); const w = new Worker(${JSON.stringify(path.join(ext, f))}, { workerData: {} }); w.on('error', (e) => { console.error(e && e.code, e && e.message); process.exit(/Cannot find module/.test(String(e && e.message)) ? 1 : 0); }); w.on('exit', () => process.exit(0)); setTimeout(() => process.exit(0), 3000).unref();`
      : `require(${JSON.stringify(path.join(ext, f))});`;
    const r = spawnSync(process.execPath, ['-r', stub, '-e', code], { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, HOME: dir, NODE_PATH: '' } });
    const missing = /Cannot find module '([^']+)'/.exec(`${r.stderr}${r.stdout}`);
    // Only a missing module counts: the stubbed `vscode` cannot stand in for
    // the real API at run time, and the extension tests load it for real.
    if (missing) fail(`${f} does not load once installed: Cannot find module '${missing[1]}'`);
    else ok(`${f} loads with no node_modules`);
  }

  // 3. the bundled CLI runs
  const v = spawnSync(process.execPath, [path.join(ext, 'dist', 'cli.js'), '--version'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  if (v.status === 0 && v.stdout.trim() === pkg.version) ok(`dist/cli.js --version prints ${pkg.version}`);
  else fail(`dist/cli.js --version: exit ${v.status}, '${v.stdout.trim()}' ${v.stderr.trim()}`);

  // 3a. the precompiled schema validator, a bundle of its own loaded on the
  // first validation (dist/schema-validator.js), finds and reports an unknown key.
  const badPipeline = path.join(dir, 'schema-check.mlci.yaml');
  writeFileSync(badPipeline, 'version: 1\nstages:\n  hello:\n    kind: custom\n    image: alpine:3\n    run: echo hi\n    bogus: 1\n');
  const sv = spawnSync(process.execPath, [path.join(ext, 'dist', 'cli.js'), 'validate', badPipeline], { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, HOME: dir } });
  if (sv.status === 1 && /unknown key 'bogus'/.test(sv.stdout) && !/Cannot find module/.test(`${sv.stdout}${sv.stderr}`)) ok('dist/cli.js validate reports a schema error through dist/schema-validator.js');
  else fail(`dist/cli.js validate with an unknown key: exit ${sv.status}: ${`${sv.stdout}${sv.stderr}`.trim().split('\n').slice(-3).join(' | ')}`);

  // 3b. the lazily loaded Docker client loads too: a dead engine must read as
  // "unreachable", never as a module that failed to load.
  const ws = path.join(dir, 'ws');
  mkdirSync(ws);
  writeFileSync(path.join(ws, 'mlci.yaml'), 'version: 1\nstages:\n  hello:\n    kind: custom\n    image: mlci-check/none:1\n    run: echo hi\n');
  const d = spawnSync(process.execPath, [path.join(ext, 'dist', 'cli.js'), 'run', '--dry-run', '--executor', 'docker'], {
    cwd: ws, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${path.join(dir, 'no-engine.sock')}` },
  });
  const said = `${d.stdout}${d.stderr}`;
  if (/Cannot find module|failed to load/.test(said)) fail(`dist/cli.js cannot load its Docker client: ${said.trim().split('\n').pop()}`);
  else if (d.status === 3 && /unreachable/.test(said)) ok('dist/cli.js loads its Docker client (a dead engine reads as unreachable, exit 3)');
  else fail(`dist/cli.js run --executor docker against no engine: exit ${d.status}: ${said.trim().split('\n').pop()}`);

  // 4. README links and images resolve inside the vsix
  // vsce stores the README as readme.md (and the changelog as changelog.md):
  // links resolve against the names the vsix really has.
  const readme = readFileSync(path.join(ext, files.find((f) => f.toLowerCase() === 'readme.md') ?? 'readme.md'), 'utf8');
  const targets = [...readme.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'));
  const broken = targets.filter((t) => !files.includes(path.posix.normalize(decodeURIComponent(t.split('#')[0]))));
  if (broken.length) fail(`README.md links to files the vsix does not ship: ${broken.join(', ')}`);
  else ok(`README.md: ${targets.length} relative links and images resolve inside the vsix`);

  // 5. no placeholder addresses a user can click (http/https links; an
  // ssh://host.example.com in a YAML example is documentation, not a link)
  const placeholder = /https?:\/\/[^\s"'()<>]*\bexample\.(invalid|com|org)\b/;
  const withPlaceholder = files.filter((f) => !/\.(png|jpe?g|gif|ico|woff2?)$/.test(f)).filter((f) => {
    const p = path.join(ext, f);
    return statSync(p).size < 50 * 1024 * 1024 && placeholder.test(readFileSync(p, 'utf8'));
  });
  if (withPlaceholder.length) fail(`placeholder addresses (example.invalid/.com) in: ${withPlaceholder.join(', ')}`);
  else ok('no placeholder addresses');
  const sizes = readdirSync(path.join(ext, 'dist')).map((f) => `${f} ${(statSync(path.join(ext, 'dist', f)).size / 1024).toFixed(0)} KB`);
  ok(`bundles: ${sizes.join(', ')}`);
} finally {
  if (keepAt < 0) rmSync(dir, { recursive: true, force: true });
}
if (failed) {
  console.log(`check-vsix: ${failed} check(s) failed for ${vsix}`);
  process.exit(1);
}
