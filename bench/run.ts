/**
 * `npm run bench`: every benchmark prints its own numbers and ratios
 * against a baseline measured in the same run. Nothing here asserts a time;
 * a missed goal is printed as such. Pass names to run a subset:
 * `npm run bench -- validate`.
 */
import { benchActivation } from './activation.bench';
import { benchBuild } from './build.bench';
import { benchCache } from './cache.bench';
import { benchCliStart } from './cli-start.bench';
import { benchCompare } from './compare.bench';
import { benchDataChecks } from './data-checks.bench';
import { benchDrift } from './drift.bench';
import { benchHash } from './hash.bench';
import { benchImportance } from './importance.bench';
import { benchLive } from './live.bench';
import { benchPlots } from './plots.bench';
import { benchRun } from './run.bench';
import { benchRemote } from './remote.bench';
import { benchService } from './service.bench';
import { benchSlurm } from './slurm.bench';
import { benchValidate } from './validate.bench';
import type { BenchResult } from './timing';

const BENCHES: Record<string, () => Promise<BenchResult[]>> = {
  validate: benchValidate,
  hash: benchHash,
  run: benchRun,
  drift: benchDrift,
  data: benchDataChecks,
  importance: benchImportance,
  compare: benchCompare,
  activation: benchActivation,
  cli: benchCliStart,
  build: benchBuild,
  cache: benchCache,
  service: benchService,
  slurm: benchSlurm,
  live: benchLive,
  plots: benchPlots,
  remote: benchRemote,
};

function show(r: BenchResult): string {
  if (r.ratio !== undefined) {
    const verdict = r.goal === undefined ? '' : r.ratio <= r.goal ? '  (goal met)' : '  (GOAL MISSED)';
    return `${r.name.padEnd(64)} ${r.ratio.toFixed(3)}x${verdict}`;
  }
  const v = r.ms !== undefined ? `${r.ms.toFixed(1)} ms` : r.value !== undefined ? `${r.value.toFixed(1)} ${r.unit ?? ''}` : '';
  return `${r.name.padEnd(64)} ${v}${r.note ? ` ${r.note}` : ''}`;
}

async function main() {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  for (const name of names) {
    const bench = BENCHES[name];
    if (!bench) {
      console.error(`unknown bench '${name}'; known: ${Object.keys(BENCHES).join(', ')}`);
      process.exitCode = 2;
      return;
    }
    console.log(`\n== ${name}`);
    try {
      for (const r of await bench()) console.log(show(r));
    } catch (e) {
      console.log(`bench '${name}' could not run: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  }
}

void main();
