// Playwright UI tests of the packaged extension in a REAL VS Code workbench
// (code-server 4.100.3 = VS Code 1.100) in headless Chromium. See test/vscode/README.md.
//
//   node scripts/test-ui.mjs [--workspace DIR] [--restricted] [--grep PATTERN]
//                            [--no-build] [--vsix FILE | --dev] [--keep]
//
// 1. npm run build + npm run package (dist/mlci.vsix), unless --vsix FILE or --dev
// 2. a fresh git copy of examples/churn (or --workspace DIR, used as is)
// 3. code-server --install-extension <vsix> into a fresh extensions dir, then
//    code-server on a free port (--dev: no install, the repo is loaded as a
//    development extension through the page URL instead)
// 4. Chromium opens the workbench; every test of test/ui/*.ui.ts (export
//    `tests: UiTest[]`, loaded through tsx) runs in order on that page;
//    screenshots go to test-results/ui/ (printed at the end)
// 5. prints `N passed, N failed`, stops everything, exits 0 only if all passed
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  repoRoot, log, elapsed, cleanup, run, buildExtension, makeWorkspace, startCodeServer, launchChromium,
  workbenchUrl, remoteUri, newStateDir, installVsix, parseArgs, hostLogs,
} from '../test/vscode/harness.mjs';

const USAGE = `usage: node scripts/test-ui.mjs [--workspace DIR] [--restricted] [--grep PATTERN] [--no-build] [--vsix FILE | --dev] [--keep]
  --workspace DIR   open DIR (used as is) instead of a fresh git copy of examples/churn
  --restricted      workspace trust on: the folder opens in Restricted Mode
  --grep PATTERN    only tests whose name matches (regular expression)
  --no-build        skip npm run build (still packages dist/ unless --vsix/--dev)
  --vsix FILE       install this .vsix instead of packaging one
  --dev             load the repo as a development extension (no .vsix): faster, less faithful
  --keep            keep the workspace copy and code-server's state dir
  --verbose         stream the page console`;

let args;
try {
  args = parseArgs(process.argv.slice(2), { flags: ['restricted', 'no-build', 'dev', 'keep', 'verbose'], options: ['workspace', 'grep', 'vsix'] });
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const shotsDir = path.join(repoRoot, 'test-results', 'ui');
let passed = 0;
let failed = 0;
try {
  // 1. build + package
  let vsix = args.vsix ? path.resolve(args.vsix) : undefined;
  if (!vsix && !args.dev) {
    await buildExtension({ skip: args['no-build'] });
    const t = performance.now();
    await run('npm', ['run', '--silent', 'package'], { stdio: ['ignore', process.stderr, process.stderr] });
    vsix = path.join(repoRoot, 'dist', 'mlci.vsix');
    log(`package: ${path.relative(repoRoot, vsix)} in ${((performance.now() - t) / 1000).toFixed(1)}s`);
  } else if (args.dev) {
    await buildExtension({ skip: args['no-build'] });
  }

  // 2. workspace
  const workspace = args.workspace ? path.resolve(args.workspace) : makeWorkspace({ keep: args.keep });
  log(`workspace ${workspace}${args.restricted ? ' (Restricted Mode)' : ''}`);

  // 3. install + start
  const stateDir = newStateDir();
  if (vsix) await installVsix(stateDir, vsix);
  const env = {};
  if (process.env.DOCKER_HOST) env.DOCKER_HOST = process.env.DOCKER_HOST;
  // Containers this session's extension creates carry mlci.host=<this id>, so
  // a test can ask the engine for exactly them (the engine may be shared).
  process.env.MLCI_HOST_ID = env.MLCI_HOST_ID = `ui-test-${process.pid}-${Date.now()}`;
  const server = await startCodeServer({ workspace, restricted: args.restricted, env, stateDir, keep: args.keep });

  // 4. browser + tests
  const { page } = await launchChromium();
  if (args.verbose) page.on('console', (m) => process.stdout.write(`[page:${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stdout.write(`[page:exception] ${e.message}\n`));
  const payload = [['skipWelcome', 'true']];
  if (args.dev) payload.unshift(['extensionDevelopmentPath', remoteUri(server, repoRoot)]);
  const url = workbenchUrl(server, workspace, payload);
  log(`opening ${url}`);
  rmSync(shotsDir, { recursive: true, force: true });
  mkdirSync(shotsDir, { recursive: true });
  const tOpen = performance.now();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.activitybar').waitFor({ timeout: 60_000 });
  log(`workbench rendered ${((performance.now() - tOpen) / 1000).toFixed(1)}s after opening the page`);

  const { tsImport } = await import('tsx/esm/api');
  const files = readdirSync(path.join(repoRoot, 'test', 'ui')).filter((f) => f.endsWith('.ui.ts')).sort();
  const grep = args.grep ? new RegExp(args.grep) : undefined;
  const ctx = {
    page,
    workspace,
    async screenshot(name) {
      const file = path.join(shotsDir, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
  };
  for (const f of files) {
    const mod = await tsImport(pathToFileURL(path.join(repoRoot, 'test', 'ui', f)).href, import.meta.url);
    const tests = (mod.tests ?? mod.default?.tests ?? []).filter((t) => !grep || grep.test(t.name));
    console.log(`\n  ${f}`);
    for (const t of tests) {
      const t0 = performance.now();
      let timer;
      try {
        const timeoutMs = t.timeoutMs ?? 60_000;
        await Promise.race([
          t.run(ctx),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`test timed out after ${timeoutMs} ms`)), timeoutMs))),
        ]);
        passed++;
        console.log(`    ✔ ${t.name} (${Math.round(performance.now() - t0)} ms)`);
      } catch (e) {
        failed++;
        const shot = `failure-${passed + failed}`;
        await ctx.screenshot(shot).catch(() => {});
        const message = String(e?.message ?? e).replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
        console.log(`    ✘ ${t.name} (${Math.round(performance.now() - t0)} ms)\n      ${message.split('\n').join('\n      ')}\n      screenshot: ${path.relative(repoRoot, shotsDir)}/${shot}.png`);
        await page.keyboard.press('Escape').catch(() => {});
      } finally {
        clearTimeout(timer);
      }
    }
  }
  if (failed) log(`${failed} test(s) failed; what the host logged (${server.state}):\n${hostLogs(server.state)}`);
} catch (e) {
  log(`ERROR: ${e?.stack ?? e}`);
  failed++;
} finally {
  await cleanup();
}
log(`done in ${elapsed()}s; screenshots in ${shotsDir}`);
console.log(`\nscreenshots: ${path.relative(repoRoot, shotsDir)}/`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
