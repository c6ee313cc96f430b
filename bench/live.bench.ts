/**
 * Live metrics latency: a line appended to a DVCLive history file until the
 * update carrying it reaches the engine's listener (what the CLI streams to
 * the extension as a stage-metrics event), median over lines written about
 * every 300 ms. Goal: median ≤ 300 ms, printed as the ratio to it. The
 * Plots panel's render (200 plots × 20 runs vs 10 × 2) and its redraw of a
 * live update are bench/plots.bench.ts (`npm run bench -- plots`).
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LiveTail } from '../src/core/live/tail';
import type { BenchResult } from './timing';
import { median } from './timing';

const GOAL_MS = 300;
const LINES = 25;

export async function benchLive(): Promise<BenchResult[]> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-live-'));
  try {
    const dir = path.join(root, 'dvclive/plots/metrics');
    mkdirSync(dir, { recursive: true });
    const written = new Map<number, number>();
    const latencies: number[] = [];
    const tail = new LiveTail('train', { root, workdir: '.' }, (u) => {
      const now = performance.now();
      for (const p of u.points) {
        const at = written.get(p.step);
        if (at !== undefined) latencies.push(now - at);
      }
    });
    tail.start();
    writeFileSync(path.join(dir, 'loss.tsv'), 'timestamp\tstep\tloss\n');
    for (let step = 0; step < LINES; step++) {
      // Off the poll grid on purpose: writes land anywhere between two polls.
      await new Promise((r) => setTimeout(r, 300 + ((step * 37) % 100)));
      written.set(step, performance.now());
      appendFileSync(path.join(dir, 'loss.tsv'), `${Date.now()}\t${step}\t${1 / (step + 1)}\n`);
    }
    await new Promise((r) => setTimeout(r, 600));
    tail.stop();
    const m = median(latencies);
    return [
      { name: `live: line written -> update, median of ${latencies.length}`, ms: m },
      { name: `live: median latency vs the ${GOAL_MS} ms goal`, ratio: m / GOAL_MS, goal: 1 },
      { name: 'live: slowest line', ms: Math.max(...latencies) },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
