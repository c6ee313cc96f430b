/**
 * Bundled by data-checks.bench.ts with the drift worker beside it, so the
 * bench times the data checks as the shipped CLI runs them (a bundle and
 * its drift-worker.js, not TypeScript compiled on the fly in each worker).
 * argv: file, expectations as JSON, runs, workers ("default" or a number).
 * Prints { times, maxRssMb }: the timed runs and the process's peak RSS.
 */
import { runDataChecks } from '../src/core/data-checks';
import type { Expectations } from '../src/core/pipeline/model';

async function main(): Promise<void> {
  const [file, json, runs, workers] = process.argv.slice(2);
  const expect = JSON.parse(json) as Expectations;
  const opts = workers === 'default' ? {} : { workers: Number(workers) };
  const times: number[] = [];
  for (let i = 0; i <= Number(runs); i++) {
    const t = performance.now();
    const r = await runDataChecks(file, expect, opts);
    if (!r.passed) throw new Error(`bench data failed its own checks: ${r.checks.filter((c) => !c.passed).map((c) => c.message).join('; ')}`);
    if (i > 0) times.push(performance.now() - t); // the first run warms up
  }
  process.stdout.write(JSON.stringify({ times, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

void main();
