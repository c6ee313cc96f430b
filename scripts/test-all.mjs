// `npm test`: every suite, in order, each against its real parts (the
// Docker engine from DOCKER_HOST, code-server, Chromium), then one closing
// line adding them up. A suite that fails fails the whole run; under
// CI=true a suite whose real part is missing fails instead of skipping.
import { spawn } from 'node:child_process';

const node = process.execPath;
const suites = [
  ['unit, local and docker (mocha)', ['node_modules/mocha/bin/mocha.js', '--config', '.mocharc.json', 'test/unit/**/*.test.ts', 'test/local/**/*.test.ts', 'test/docker/**/*.test.ts', 'test/reliability/**/*.test.ts']],
  ['extension host in VS Code (trusted)', ['scripts/test-vscode.mjs', '--no-build']],
  ['extension host in VS Code (Restricted Mode)', ['scripts/test-vscode.mjs', '--no-build', '--restricted']],
  ['workbench UI in Chromium', ['scripts/test-ui.mjs', '--no-build']],
  ['webview panels in Chromium', ['scripts/test-panels.mjs', '--no-build']],
  ['comparison panel in Chromium', ['scripts/test-compare-panel.mjs', '--no-build']],
];
const only = process.argv.slice(2);

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const [name, args] of suites) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  console.log(`\n=== ${name}`);
  let last = '';
  const code = await new Promise((resolve) => {
    const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      const lines = String(d).trim().split('\n');
      for (const l of lines) if (/^\d+ passed, \d+ failed/.test(l.trim())) last = l.trim();
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  const m = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(last);
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    skipped += Number(m[3] ?? 0);
  }
  if (code !== 0) failures.push(`${name} (exit ${code})`);
}
if (failures.length) console.log(`\nfailed suites: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failures.length ? 1 : 0);
