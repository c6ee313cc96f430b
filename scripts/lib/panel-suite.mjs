// The harness of the webview suites in REAL headless Chromium (no VS Code
// needed): builds the bundles (unless --no-build), loads a test/ui/*.ui.ts
// file through tsx (export `panelTests`, and `stopPanelServer`), runs each
// test with { browser, shot, note }, and ends with `N passed, N failed`.
// Used by scripts/test-panels.mjs (drift), test-compare-panel.mjs,
// test-dag-panel.mjs and test-plots-panel.mjs; screenshots go to test-results/panels/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(path.dirname(new URL(import.meta.url).pathname)));
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * @param {object} o
 * @param {string} o.bundle      media/webview/<bundle>.js must exist after the build
 * @param {string} o.testFile    the suite, relative to the repo
 * @param {(file: string) => boolean} o.ownsShot  which files of test-results/panels/ this suite wrote (removed first)
 * @param {string} o.shotsHint   where to look, printed at the end
 */
export async function runPanelSuite({ bundle, testFile, ownsShot, shotsHint }) {
  const args = process.argv.slice(2);
  const grepAt = args.indexOf('--grep');
  const grep = grepAt >= 0 ? new RegExp(args[grepAt + 1]) : undefined;
  const shotsDir = path.join(root, 'test-results', 'panels');

  if (!args.includes('--no-build')) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(path.join(root, 'media', 'webview', `${bundle}.js`))) {
    console.error(`media/webview/${bundle}.js is missing: run node scripts/build.mjs`);
    process.exit(2);
  }
  // Only this suite's screenshots: the other panel suites share the folder.
  mkdirSync(shotsDir, { recursive: true });
  for (const f of readdirSync(shotsDir)) if (ownsShot(f)) rmSync(path.join(shotsDir, f), { recursive: true, force: true });

  const { chromium } = await import('playwright-core');
  const { tsImport } = await import('tsx/esm/api');
  const executablePath = process.env.MLCI_CHROMIUM || '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  const mod = await tsImport(pathToFileURL(path.join(root, testFile)).href, import.meta.url);
  const notes = [];
  const ctx = {
    browser,
    async shot(page, name) {
      await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true });
    },
    note: (text) => notes.push(text),
  };

  let passed = 0;
  let failed = 0;
  try {
    console.log(`\n  ${testFile}`);
    for (const t of mod.panelTests.filter((t) => !grep || grep.test(t.name))) {
      const t0 = performance.now();
      try {
        await t.run(ctx);
        passed++;
        console.log(`    ✔ ${t.name} (${Math.round(performance.now() - t0)} ms)`);
      } catch (e) {
        failed++;
        // tsImport's frames are data: URLs holding the whole module: keep the message only.
        const message = String(e?.message ?? e).replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
        console.log(`    ✘ ${t.name} (${Math.round(performance.now() - t0)} ms)\n      ${message.split('\n').join('\n      ')}`);
      }
    }
  } finally {
    await mod.stopPanelServer?.();
    await browser.close();
  }
  for (const n of notes) console.log(`\n  ${n}`);
  console.log(`\n  screenshots: ${path.relative(process.cwd(), shotsDir) || shotsDir}/${shotsHint}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
