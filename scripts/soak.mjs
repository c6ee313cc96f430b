// `npm run soak`: the reliability suite (test/reliability) at soak scale
// (MLCI_SOAK=1: 100,000 generated pipeline files, repeated kill cycles),
// against the bundled CLI, printing the same figures line as `npm test`:
// "reliability: tried N, survived N, lost N (crashes, hangs, leaks, corrupted records)".
import { spawnSync } from 'node:child_process';

const node = process.execPath;
const build = spawnSync(node, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const t0 = Date.now();
const r = spawnSync(node, ['node_modules/mocha/bin/mocha.js', '--config', '.mocharc.json', '--timeout', '3600000', 'test/reliability/**/*.test.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, MLCI_SOAK: '1' },
});
console.log(`soak finished in ${Math.round((Date.now() - t0) / 1000)} s`);
process.exit(r.status ?? 1);
