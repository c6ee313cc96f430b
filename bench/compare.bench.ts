/**
 * The experiment comparison webview: time to the first complete render
 * (table, bar/history/scatter charts, parallel coordinates) of 100, 1,000
 * and 10,000 generated runs x 20 metrics x 10 params (plus a 50-step
 * history each), in real headless Chromium on the page the extension
 * serves. The time is the page's own (the `rendered` message: from the
 * 'runs' message to the last chart drawn), so moving 40 MB of runs into
 * the page is not counted. Each size renders in 3 fresh pages; medians.
 * Goal: 10,000 runs within 10x the time of 100 (virtualised table,
 * downsampled charts: the work must not grow with the run count).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ComparePage, generateRuns, serveComparePanel } from '../test/ui/compare-panel.ui';
import { median, type BenchResult } from './timing';

const repo = path.join(__dirname, '..');
const SIZES = [100, 1_000, 10_000];
const REPEATS = 3;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function benchCompare(): Promise<BenchResult[]> {
  // The bench measures the bundle of the current sources.
  execFileSync(process.execPath, [path.join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.MLCI_CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const server = await serveComparePanel();
  const times = new Map<number, number>();
  try {
    for (const n of SIZES) {
      const payload = generateRuns(n);
      const ms: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const p = await ComparePage.open(browser, server.url);
        try {
          ms.push(await p.sendRuns(payload, 120_000));
          if ((await p.page.locator('table.runs tbody tr').count()) >= 200) throw new Error(`${n} runs: the table is not virtualised`);
        } finally {
          await p.page.close();
        }
      }
      times.set(n, median(ms));
    }
  } finally {
    await server.close();
    await browser.close();
  }
  const ratio = times.get(10_000)! / times.get(100)!;
  return [
    ...SIZES.map((n): BenchResult => ({ name: `compare panel first render, ${n.toLocaleString('en')} runs x 20 metrics x 10 params`, ms: times.get(n)! })),
    { name: 'compare panel first render, 10,000 runs / 100 runs', ratio, goal: 10 },
  ];
}

// `node --import tsx bench/compare.bench.ts` runs it alone.
if (process.argv[1] && /compare\.bench\.ts$/.test(process.argv[1])) {
  void benchCompare().then((results) => {
    for (const r of results) console.log(r.ratio !== undefined ? `${r.name.padEnd(64)} ${r.ratio.toFixed(2)}x (goal <= ${r.goal}: ${r.ratio <= r.goal! ? 'met' : 'MISSED'})` : `${r.name.padEnd(64)} ${r.ms!.toFixed(1)} ms`);
  });
}
