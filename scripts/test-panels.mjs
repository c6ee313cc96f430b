// Webview panels in REAL headless Chromium (no VS Code needed): builds the
// bundles, then runs the tests of test/ui/drift-panel.ui.ts (export
// `panelTests`) against the page the extension serves.
//
//   node scripts/test-panels.mjs [--no-build] [--grep PATTERN]
//
// Screenshots go to test-results/panels/ (printed at the end); the last line
// is `N passed, N failed`; exit 0 only if every test passed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const args = process.argv.slice(2);
const grepAt = args.indexOf('--grep');
const grep = grepAt >= 0 ? new RegExp(args[grepAt + 1]) : undefined;
const shotsDir = path.join(root, 'test-results', 'panels');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!args.includes('--no-build')) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (!existsSync(path.join(root, 'media', 'webview', 'drift.js'))) {
  console.error('media/webview/drift.js is missing: run node scripts/build.mjs');
  process.exit(2);
}
// Only this runner's screenshots: the comparison panel's runner writes compare-*.png here too.
if (existsSync(shotsDir)) for (const f of readdirSync(shotsDir)) if (!f.startsWith('compare-')) rmSync(path.join(shotsDir, f), { recursive: true, force: true });
mkdirSync(shotsDir, { recursive: true });

const { chromium } = await import('playwright-core');
const { tsImport } = await import('tsx/esm/api');
const executablePath = process.env.MLCI_CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
const mod = await tsImport(pathToFileURL(path.join(root, 'test', 'ui', 'drift-panel.ui.ts')).href, import.meta.url);
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
  console.log('\n  test/ui/drift-panel.ui.ts');
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
  await mod.stopPanelServer();
  await browser.close();
}
for (const n of notes) console.log(`\n  ${n}`);
console.log(`\n  screenshots: ${path.relative(process.cwd(), shotsDir) || shotsDir}/`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
