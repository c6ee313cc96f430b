/**
 * The Plots webview: time to the first complete render (every card built,
 * the charts in view drawn) of 200 plots x 20 runs against 10 plots x 2
 * runs, measured in the same run, in real headless Chromium on the page the
 * extension serves. The time is the page's own (the `rendered` message:
 * from the 'plots' message to the last chart in view drawn), so moving the
 * payload into the page is not counted. Each size renders in 3 fresh pages;
 * medians. Goal (issue 16): 200 x 20 within 10x the time of 10 x 2.
 * Also: a 'live' message (a running stage's history plot of 500 points)
 * until the page has redrawn it, median of 20.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { generatePlots, PlotsPage, servePlotsPanel } from '../test/ui/plots-panel.ui';
import type { BenchResult } from './timing';
import { median } from './timing';

const repo = path.join(__dirname, '..');
const SIZES: Array<[number, number]> = [[10, 2], [200, 20]];
const REPEATS = 3;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function benchPlots(): Promise<BenchResult[]> {
  execFileSync(process.execPath, [path.join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.MLCI_CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const server = await servePlotsPanel();
  const times = new Map<string, number>();
  const liveMs: number[] = [];
  try {
    for (const [plots, runs] of SIZES) {
      const payload = generatePlots(plots, runs);
      const ms: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const p = await PlotsPage.open(browser, server.url);
        try {
          const r = await p.send(payload, 120_000);
          if (r.plots !== plots) throw new Error(`${plots} plots sent, ${r.plots} cards built`);
          ms.push(r.ms);
        } finally {
          await p.page.close();
        }
      }
      times.set(`${plots}x${runs}`, median(ms));
    }
    // Live: one recorded run and a running one whose history grows by 25 points a message.
    const p = await PlotsPage.open(browser, server.url);
    try {
      const base = generatePlots(10, 1);
      await p.send({ ...base, runs: [...base.runs, { run: 'live', label: 'running now', live: true, plots: [] }] });
      const plot = { id: 'train:(history)', path: '(history)', stage: 'train', title: 'train: metric history', notes: [], kind: 'xy' as const, template: 'linear' as const, xLabel: 'step', yLabel: 'value', series: [{ name: 'loss', points: [] as Array<{ x: number; y: number }>, total: 0 }] };
      for (let i = 0; i < 20; i++) {
        for (let k = 0; k < 25; k++) plot.series[0]!.points.push({ x: i * 25 + k, y: 1 / (i * 25 + k + 1) });
        const t0 = performance.now();
        await p.live({ run: 'live', stage: 'train', step: i * 25 + 24, plot, points: 25, at: Date.now() });
        liveMs.push(performance.now() - t0);
      }
    } finally {
      await p.page.close();
    }
  } finally {
    await server.close();
    await browser.close();
  }
  const small = times.get('10x2')!;
  const big = times.get('200x20')!;
  return [
    { name: 'plots panel first render, 10 plots x 2 runs', ms: small },
    { name: 'plots panel first render, 200 plots x 20 runs', ms: big },
    { name: 'plots panel first render, 200 x 20 / 10 x 2', ratio: big / small, goal: 10 },
    { name: 'plots panel: live message -> history redrawn (500 points), median', ms: median(liveMs), note: '(includes the test harness round trip)' },
  ];
}
