// Shared plumbing of scripts/test-vscode.mjs (extension-host tests) and
// scripts/test-ui.mjs (Playwright UI tests): a throwaway git workspace, a
// throwaway code-server (real VS Code 1.100 host, through scripts/ci/), and
// headless Chromium driven by playwright-core. Every resource is registered
// with a cleanup list that runs on normal exit, on errors and on SIGINT/SIGTERM,
// so a run leaves no code-server, extension host or browser process behind.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, existsSync, readFileSync, mkdirSync, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ciDir = path.join(repoRoot, 'scripts', 'ci');

const t0 = performance.now();
/** Seconds since the harness module loaded, for the timing lines. */
export const elapsed = () => ((performance.now() - t0) / 1000).toFixed(1);
/** A harness log line on stderr (stdout carries the test output and the final summary). */
export const log = (msg) => process.stderr.write(`[harness +${elapsed()}s] ${msg}\n`);

// ---------------------------------------------------------------- cleanup

const cleanups = [];
/** Register fn to run (last registered first) when the harness exits. */
export function onCleanup(fn) {
  cleanups.push(fn);
}
let cleaning;
export function cleanup() {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (e) {
        log(`cleanup step failed: ${e?.message ?? e}`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}

// ---------------------------------------------------------------- processes

/** Run a command with inherited stdio (output goes to stderr so stdout stays for results); rejects on non-zero exit. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', opts.stdout ?? process.stderr, process.stderr], ...opts });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}`)));
  });
}

/** Run a command and return its stdout (trimmed); stderr passes through. */
export function capture(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', process.stderr], ...opts });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}`)));
  });
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- build

/** `npm run build` (the extension bundle) unless skipped. */
export async function buildExtension({ skip = false } = {}) {
  if (skip) return log('build: skipped (--no-build)');
  const t = performance.now();
  await run('npm', ['run', '--silent', 'build']);
  log(`build: npm run build done in ${((performance.now() - t) / 1000).toFixed(1)}s`);
}

// ---------------------------------------------------------------- workspace

/**
 * A fresh copy of examples/churn (or `from`) in a temp dir, as a git repo with
 * one commit on branch main, so git features (dirty files, baselines on main)
 * work. Returns its absolute path; removed at cleanup unless keep.
 */
export function makeWorkspace({ from = path.join(repoRoot, 'examples', 'churn'), keep = false } = {}) {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'mlci-test-ws.'));
  const ws = path.join(parent, path.basename(from));
  // Only the files git tracks (as they are in the working tree): what a run of
  // the example left in it (mlci.lock, models/, .mlci/, as after the README's
  // main job in CI) must not make the copy "up to date" before any test ran.
  // serve.mlci.yaml (the example's service pipeline) stays out: these tests read the training pipeline as the one pipeline of the tree.
  const skip = (rel) => /(^|[/\\])(\.mlci|node_modules|__pycache__|serve\.mlci\.yaml)([/\\]|$)/.test(rel);
  let tracked;
  try {
    tracked = execFileSync('git', ['ls-files', '-z', '.'], { cwd: from, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\0').filter(Boolean);
  } catch {
    tracked = undefined; // not in a git repository: copy the folder as it is
  }
  if (tracked?.length) {
    for (const rel of tracked) {
      if (skip(rel) || !existsSync(path.join(from, rel))) continue;
      mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      cpSync(path.join(from, rel), path.join(ws, rel));
    }
  } else {
    cpSync(from, ws, { recursive: true, filter: (src) => !skip(path.relative(from, src)) });
  }
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=mlci tests', '-c', 'user.email=tests@mlci.invalid', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: ws, stdio: ['ignore', 'ignore', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'test workspace');
  if (keep) log(`workspace: ${ws} (kept)`);
  else onCleanup(() => rmSync(parent, { recursive: true, force: true }));
  return ws;
}

// ---------------------------------------------------------------- code-server

/** entry.js of code-server: MLCI_CODE_SERVER_ENTRY, else scripts/ci/code-server.sh (installs it once). */
export async function codeServerEntry() {
  if (process.env.MLCI_CODE_SERVER_ENTRY) return process.env.MLCI_CODE_SERVER_ENTRY;
  const entry = await capture('bash', [path.join(ciDir, 'code-server.sh')]);
  process.env.MLCI_CODE_SERVER_ENTRY = entry;
  return entry;
}

/** A state dir that code-server-stop.sh --clean recognises and removes. */
export function newStateDir() {
  return mkdtempSync('/tmp/mlci-code-server.');
}

/**
 * `code-server --install-extension VSIX` into stateDir/extensions (what
 * code-server-start.sh uses as --extensions-dir), with HOME/XDG inside the
 * state dir like the server itself.
 */
export async function installVsix(stateDir, vsix) {
  const entry = await codeServerEntry();
  const ext = path.join(stateDir, 'extensions');
  for (const d of ['extensions', 'user-data', 'home', 'xdg/data', 'xdg/config', 'xdg/cache']) mkdirSync(path.join(stateDir, d), { recursive: true });
  const t = performance.now();
  await run('node', [entry, '--extensions-dir', ext, '--user-data-dir', path.join(stateDir, 'user-data'), '--install-extension', vsix, '--force'], {
    env: { ...process.env, HOME: path.join(stateDir, 'home'), XDG_DATA_HOME: path.join(stateDir, 'xdg/data'), XDG_CONFIG_HOME: path.join(stateDir, 'xdg/config'), XDG_CACHE_HOME: path.join(stateDir, 'xdg/cache') },
  });
  log(`installed ${vsix.startsWith(repoRoot + path.sep) ? path.relative(repoRoot, vsix) : vsix} into ${ext} in ${((performance.now() - t) / 1000).toFixed(1)}s`);
}

/**
 * Start code-server through scripts/ci/code-server-start.sh on a free port.
 * `env` is added to the server's environment, which the extension host
 * inherits (DOCKER_HOST, MLCI_TEST_GREP...). Stopped (and its state dir
 * removed unless keep) at cleanup.
 */
export async function startCodeServer({ workspace, restricted = false, env = {}, stateDir, extraArgs = [], keep = false }) {
  await codeServerEntry();
  const t = performance.now();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = [path.join(ciDir, 'code-server-start.sh'), workspace, String(port)];
    if (restricted) args.push('--restricted');
    if (extraArgs.length) args.push('--', ...extraArgs);
    try {
      const pidfile = await capture('bash', args, { env: { ...process.env, ...env, ...(stateDir ? { MLCI_CS_STATE_DIR: stateDir } : {}) } });
      const state = path.dirname(pidfile);
      onCleanup(async () => {
        await run('bash', [path.join(ciDir, 'code-server-stop.sh'), pidfile, ...(keep ? [] : ['--clean'])]);
        if (keep) log(`code-server state kept in ${state} (log: ${state}/code-server.log)`);
      });
      log(`code-server up on port ${port} in ${((performance.now() - t) / 1000).toFixed(1)}s (state ${state})`);
      return { port, url: `http://127.0.0.1:${port}/`, pidfile, state, log: path.join(state, 'code-server.log') };
    } catch (e) {
      // Another process may have taken the port between freePort() and the bind.
      if (attempt >= 3) throw e;
      log(`code-server start failed (${e.message}); retrying on another port`);
    }
  }
}

/** The workbench URL for a folder, with an optional extension-development payload. */
export function workbenchUrl(server, workspace, payload) {
  const q = new URLSearchParams({ folder: workspace });
  if (payload) q.set('payload', JSON.stringify(payload));
  return `${server.url}?${q}`;
}

/** A path on the server as the remote URI the web workbench understands. */
export const remoteUri = (server, absPath) => `vscode-remote://127.0.0.1:${server.port}${absPath}`;

// ---------------------------------------------------------------- Chromium

export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Headless Chromium (MLCI_CHROMIUM, /usr/bin/chromium, else scripts/ci/chromium.sh); closed at cleanup. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  let executablePath = process.env.MLCI_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) executablePath = await capture('bash', [path.join(ciDir, 'chromium.sh')]);
  // Our own signal handlers close the browser as part of cleanup; Playwright's
  // would exit the process first and strand code-server.
  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  onCleanup(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  return { browser, context, page };
}

/**
 * The text of a console message as the workbench meant it: the workbench
 * logs extension-host output as ('%c[Extension Host] %c<fmt>', css, css, ...args);
 * drop the %c styling and its css arguments.
 */
export async function consoleText(msg) {
  const text = msg.text();
  if (!text.includes('%c')) return text;
  try {
    const args = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => String(a))));
    if (typeof args[0] !== 'string') return text;
    const fmt = args[0];
    const styles = (fmt.match(/%c/g) ?? []).length;
    const rest = args.slice(1 + styles).map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
    return [fmt.replace(/%c/g, ''), ...rest].join(' ');
  } catch {
    return text.replace(/%c/g, '');
  }
}

/** Parse the last "N passed, N failed" line of some output. */
export function parseSummary(text) {
  const all = [...text.matchAll(/^(\d+) passed, (\d+) failed/gm)];
  const m = all.at(-1);
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined;
}

/** The last lines of a file, for failure reports. */
export function tail(file, n = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/**
 * The server-side logs of a code-server state dir that say what the host did:
 * the remote agent (file watcher, search), the extension host, and mlci's own
 * log channel; their last lines, for a run that failed (the state dir is
 * removed at cleanup unless --keep, and a flake seldom comes back on demand).
 */
export function hostLogs(state, n = 60) {
  const logs = path.join(state, 'user-data', 'logs');
  let sessions = [];
  try {
    sessions = readdirSync(logs).sort();
  } catch {
    return `(no logs under ${logs})`;
  }
  const out = [];
  for (const session of sessions) {
    const dir = path.join(logs, session);
    const files = ['remoteagent.log'];
    for (const e of readdirSync(dir)) if (/^exthost\d+$/.test(e)) files.push(path.join(e, 'remoteexthost.log'), path.join(e, 'mlci.mlci', 'mlci.log'));
    for (const f of files) {
      const text = tail(path.join(dir, f), n);
      if (text.trim()) out.push(`--- ${path.join(session, f)} (last ${n} lines)\n${text}`);
    }
  }
  return out.join('\n') || `(the logs under ${logs} are empty)`;
}

/** Minimal argv parsing: flags (boolean) and options (with a value). */
export function parseArgs(argv, { flags = [], options = [] }) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [name, inline] = a.startsWith('--') ? a.slice(2).split(/=(.*)/s, 2) : [undefined];
    if (name !== undefined && flags.includes(name)) out[name] = true;
    else if (name !== undefined && options.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`--${name} needs a value`);
      out[name] = v;
    } else if (a === '-h' || a === '--help') out.help = true;
    else throw new Error(`unknown argument '${a}'`);
  }
  return out;
}

// ---------------------------------------------------------------- checks around a session

/** sha256 of every file under dir (relative path -> hash), skipping `skip` (e.g. /^\.git\//). */
export async function snapshotFiles(dir, skip = /^\.git(\/|$)/) {
  const { createHash } = await import('node:crypto');
  const { readdirSync, readFileSync, lstatSync, readlinkSync } = await import('node:fs');
  const out = new Map();
  const walk = (rel) => {
    for (const d of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (skip.test(r)) continue;
      if (d.isDirectory()) {
        out.set(`${r}/`, 'dir');
        walk(r);
      } else if (d.isSymbolicLink()) out.set(r, `-> ${readlinkSync(path.join(dir, r))}`);
      else if (lstatSync(path.join(dir, r)).isFile()) out.set(r, createHash('sha256').update(readFileSync(path.join(dir, r))).digest('hex'));
      else out.set(r, 'special');
    }
  };
  walk('');
  return out;
}

/** What differs between two snapshots: added, removed and changed paths. */
export function snapshotDiff(before, after) {
  const diff = [];
  for (const [k, v] of after) if (!before.has(k)) diff.push(`added ${k}`);
  else if (before.get(k) !== v) diff.push(`changed ${k}`);
  for (const k of before.keys()) if (!after.has(k)) diff.push(`removed ${k}`);
  return diff;
}

/**
 * The Docker engine's events between two times (seconds), filtered as the
 * engine API's /events takes them (`{ type: ['container'], label: ['k=v'] }`),
 * over the unix socket DOCKER_HOST names. Undefined without a unix DOCKER_HOST.
 */
export async function engineEvents(since, until, filters) {
  const host = process.env.DOCKER_HOST ?? '';
  if (!host.startsWith('unix://')) return undefined;
  const http = await import('node:http');
  const q = new URLSearchParams({ since: String(since), until: String(until), filters: JSON.stringify(filters) });
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: host.slice('unix://'.length), path: `/events?${q}`, headers: { Host: 'docker' }, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.split('\n').filter(Boolean).map((l) => JSON.parse(l))));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('the engine did not answer /events')));
  });
}
