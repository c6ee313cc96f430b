// Extension-host tests in a REAL VS Code (code-server 4.100.3 = VS Code 1.100),
// driven through headless Chromium, against the INSTALLED extension: the
// packaged dist/mlci.vsix, installed with --install-extension into a fresh
// extensions dir, exactly as a user gets it. See test/vscode/README.md.
//
//   node scripts/test-vscode.mjs [--workspace DIR] [--restricted] [--grep PATTERN]
//                                [--no-build] [--vsix FILE] [--keep] [--timeout SECONDS]
//
// 1. npm run package (a clean production build + dist/mlci.vsix) unless --no-build
//    (then the existing dist/mlci.vsix) or --vsix FILE; scripts/build-tests.mjs
//    bundles the tests (out/vscode-test/suite.js)
// 2. a fresh git copy of examples/churn in a temp dir (or --workspace DIR, used as is)
// 3. the vsix installed into a fresh extensions dir, then code-server on a free
//    127.0.0.1 port (scripts/ci/code-server-start.sh; --restricted keeps
//    workspace trust on, so the folder opens in Restricted Mode)
// 4. Chromium opens the workbench with a tiny test-runner extension (no code of
//    mlci's: it only carries extensionTestsPath) and the bundled tests; the
//    tests talk to the installed mlci through its API; the page console is streamed
//    as `[ext-host] ...`; the workbench calls window.codeAutomationExit(code)
//    when the tests end
// 5. prints `N passed, N failed`, stops code-server and Chromium, exits with the code
//
// Env: MLCI_CODE_SERVER_ENTRY, MLCI_CHROMIUM, DOCKER_HOST (passed to the extension
// host), MLCI_TEST_TIMEOUT (per-test ms). stdout: test output + summary; stderr: harness log.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  repoRoot, log, elapsed, cleanup, run, makeWorkspace, startCodeServer, launchChromium,
  workbenchUrl, remoteUri, consoleText, parseSummary, tail, hostLogs, parseArgs, newStateDir, installVsix,
  snapshotFiles, snapshotDiff, engineEvents,
} from '../test/vscode/harness.mjs';

const USAGE = `usage: node scripts/test-vscode.mjs [--workspace DIR] [--restricted] [--grep PATTERN] [--no-build] [--keep] [--timeout SECONDS] [--open-view ID]
  --workspace DIR   open DIR (used as is) instead of a fresh git copy of examples/churn
  --restricted      workspace trust on: the folder opens in Restricted Mode (MLCI_TEST_TRUST=restricted)
  --grep PATTERN    only tests whose full title matches (mocha --grep, via MLCI_TEST_GREP)
  --no-build        use the existing dist/mlci.vsix (the test bundle is always rebuilt)
  --vsix FILE       install this .vsix
  --keep            keep the workspace copy and code-server's state dir (logs) for debugging
  --timeout S       give up after S seconds (default 900: the trusted suite runs real
                    containers for several minutes, longer on a loaded machine)
  --verbose         also stream workbench (non extension-host) console messages
  --open-view ID    open the view ID as the window starts, before any test loads
                    (MLCI_TEST_OPEN_VIEW): the activation bench's window that starts with
                    the Pipelines view open`;

let args;
try {
  args = parseArgs(process.argv.slice(2), { flags: ['restricted', 'no-build', 'keep', 'verbose'], options: ['workspace', 'grep', 'timeout', 'vsix', 'open-view'] });
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const timeoutMs = Number(args.timeout ?? 900) * 1000;
/** Line prefix of test output (test/vscode/suite/index.ts MARK). */
const MARK = '[mlci-test] ';

let exitCode = 1;
let summary;
let timedOutRun = false;
let harnessError = false;
const out = [];
/** Checks the harness itself makes after the tests (each adds a ✔/✘ line to the results). */
const afterChecks = [];
try {
  // 1. the vsix, and the tests
  const vsix = args.vsix ? path.resolve(args.vsix) : path.join(repoRoot, 'dist', 'mlci.vsix');
  if (!args.vsix && !args['no-build']) {
    const t = performance.now();
    await run('npm', ['run', '--silent', 'package'], { stdio: ['ignore', process.stderr, process.stderr] });
    log(`package: dist/mlci.vsix in ${((performance.now() - t) / 1000).toFixed(1)}s`);
  }
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run npm run package (or drop --no-build)`);
  await run('node', [path.join(repoRoot, 'scripts', 'build-tests.mjs')]);
  const suite = path.join(repoRoot, 'out', 'vscode-test', 'suite.js');
  // The test runner as an extension of its own (extensionDevelopmentPath must
  // name one): a manifest only, so the mlci under test is the installed vsix.
  const runner = path.join(repoRoot, 'out', 'vscode-test', 'runner');
  mkdirSync(runner, { recursive: true });
  writeFileSync(path.join(runner, 'package.json'), JSON.stringify({ name: 'mlci-test-runner', publisher: 'mlci-tests', version: '0.0.0', engines: { vscode: '^1.90.0' } }, null, 2));

  // 2. workspace
  const workspace = args.workspace ? path.resolve(args.workspace) : makeWorkspace({ keep: args.keep });
  log(`workspace ${workspace}${args.restricted ? ' (Restricted Mode)' : ''}`);

  // 3. code-server; its env reaches the extension host
  const env = { MLCI_TEST_TRUST: args.restricted ? 'restricted' : 'trusted' };
  if (args.grep) env.MLCI_TEST_GREP = args.grep;
  if (args['open-view']) env.MLCI_TEST_OPEN_VIEW = args['open-view'];
  for (const k of ['DOCKER_HOST', 'MLCI_TEST_TIMEOUT']) if (process.env[k]) env[k] = process.env[k];
  const stateDir = newStateDir();
  await installVsix(stateDir, vsix);
  // Restricted Mode must leave no trace: every file of the workspace is
  // compared before and after, and the engine is asked what it saw from this
  // session (containers carry mlci.host, unique per session here).
  const hostId = `vscode-test-${process.pid}-${Date.now()}`;
  env.MLCI_HOST_ID = hostId;
  const t0 = Math.floor(Date.now() / 1000) - 1;
  const before = args.restricted ? await snapshotFiles(workspace) : undefined;
  if (args.restricted) afterChecks.push(async () => {
    const diff = snapshotDiff(before, await snapshotFiles(workspace));
    out.push(diff.length ? `  ✘ [harness] Restricted Mode left the workspace changed: ${diff.slice(0, 10).join(', ')}` : `  ✔ [harness] Restricted Mode: every file of the workspace is byte-identical afterwards (${before.size} paths)`);
    const t1 = Math.floor(Date.now() / 1000) + 1;
    const created = await engineEvents(t0, t1, { type: ['container'], event: ['create'], label: [`mlci.host=${hostId}`] });
    const pulled = await engineEvents(t0, t1, { type: ['image'], event: ['pull'] });
    if (created === undefined) {
      out.push(process.env.CI === 'true' ? '  ✘ [harness] Restricted Mode: no unix DOCKER_HOST to ask the engine what it saw' : '  - [harness] Restricted Mode: engine not checked (no unix DOCKER_HOST)');
    } else {
      out.push(created.length || pulled.length
        ? `  ✘ [harness] Restricted Mode: the engine saw ${created.length} container(s) created and ${pulled.length} pull(s)`
        : '  ✔ [harness] Restricted Mode: the engine saw no container created and no image pulled');
    }
  });
  env.MLCI_TEST_EXTENSIONS_DIR = path.join(stateDir, 'extensions');
  const server = await startCodeServer({ workspace, restricted: args.restricted, env, stateDir, keep: args.keep });

  // 4. browser
  const { page } = await launchChromium();
  const exited = new Promise((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code) => {
      resolve(Number(code));
      return Promise.resolve();
    });
  });
  page.on('console', (msg) => {
    // index.ts prefixes every extension-host console line with MARK. Handled
    // synchronously so lines keep their order.
    const text = msg.text();
    const at = text.indexOf(MARK);
    if (at >= 0) {
      for (const line of text.slice(at).split('\n')) {
        const l = line.startsWith(MARK) ? line.slice(MARK.length) : line;
        out.push(l);
        process.stdout.write(`[ext-host] ${l}\n`);
      }
    } else if (args.verbose || (msg.type() === 'error' && !/Failed to load resource|net::ERR_|open-vsx\.org|extension-host test\(s\) failed/.test(text))) {
      void consoleText(msg).then((t) => process.stdout.write(`[page:${msg.type()}] ${args.verbose ? t : t.split('\n')[0]}\n`));
    }
  });
  page.on('pageerror', (e) => process.stdout.write(`[page:exception] ${e.message}\n`));
  const payload = [
    ['extensionDevelopmentPath', remoteUri(server, runner)],
    ['extensionTestsPath', remoteUri(server, suite)],
    ['skipWelcome', 'true'],
    // Test runs send extension-host console output to the log service, not the
    // page console; at level info the web log service prints it there.
    ['logLevel', 'info'],
  ];
  const url = workbenchUrl(server, workspace, payload);
  log(`opening ${url}`);
  const tOpen = performance.now();
  let timer;
  const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  // A loaded machine can take longer than playwright's 30 s default to serve the workbench page.
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  const shots = path.join(repoRoot, 'test-results', 'vscode');
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, args.restricted ? 'workbench-restricted.png' : 'workbench.png') }).catch(() => {});
  if (result === 'timeout') {
    log(`TIMEOUT: no codeAutomationExit within ${timeoutMs / 1000}s; last lines of ${server.log}:\n${tail(server.log)}`);
    timedOutRun = true;
    exitCode = 1;
  } else {
    exitCode = result;
    log(`extension host exited with ${exitCode}, ${((performance.now() - tOpen) / 1000).toFixed(1)}s after opening the page (screenshot: ${path.relative(repoRoot, shots)}/)`);
  }
  // The console events of the last lines may still be in flight.
  await new Promise((r) => setTimeout(r, 200));
  summary = parseSummary(out.join('\n'));
  for (const check of afterChecks) {
    const n = out.length;
    await check();
    for (const line of out.slice(n)) {
      process.stdout.write(`${line}\n`);
      if (summary && /^\s*✔ /.test(line)) summary.passed++;
      if (summary && /^\s*✘ /.test(line)) {
        summary.failed++;
        if (exitCode === 0) exitCode = 1;
      }
    }
  }
  if (exitCode !== 0) log(`the run failed; what the host logged (${server.state}):\n${hostLogs(server.state)}`);
} catch (e) {
  log(`ERROR: ${e?.stack ?? e}`);
  harnessError = true;
  exitCode = 1;
} finally {
  await cleanup();
}
if (!summary) {
  // Tests that finished before a timeout or crash still count; the run itself is one failure.
  const passed = out.filter((l) => /^\s*✔ /.test(l)).length;
  const failed = out.filter((l) => /^\s*\d+\) /.test(l) && !/:$/.test(l)).length;
  log(timedOutRun
    ? `timed out: ${passed} test(s) had passed, ${failed} had failed; the unfinished run counts as one more failure`
    : harnessError
      ? 'the harness failed (see ERROR above): counting the run as one failure'
      : 'no mocha summary line from the extension host (tests did not load or run): counting the run as one failure');
  summary = { passed, failed: failed + 1 };
  if (exitCode === 0) exitCode = 1;
}
log(`done in ${elapsed()}s`);
console.log(`${summary.passed} passed, ${summary.failed} failed`);
process.exit(exitCode);
