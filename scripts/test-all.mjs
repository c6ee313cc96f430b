// `npm test`: every suite, in order, each against its real parts (the
// Docker engine from DOCKER_HOST, code-server, Chromium), then one closing
// line adding them up. It tests what ships: `npm test` packages dist/mlci.vsix
// first (a clean production build, checked by scripts/check-vsix.mjs); the
// mocha suites run that build's dist/cli.js, the VS Code suites install that
// vsix. A suite that fails fails the whole run; under CI=true a suite whose
// real part is missing fails instead of skipping.
//
// The closing line tells the truth: each suite's own `N passed, N failed`
// line is read line by line (never by chunk), and a suite that exits non-zero
// without one (it crashed, timed out, or failed to start) counts as one more
// failure, as does a suite whose count shows no failure but whose exit code does.
//
// A failed suite's failures are printed again at the very end (mocha's
// "N failing" section, or the suite's last lines when it has none): a CI
// log is often read from its tail, and the details must be there.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const node = process.execPath;
const suites = [
  ['unit, local and docker (mocha)', ['node_modules/mocha/bin/mocha.js', '--config', '.mocharc.json', 'test/unit/**/*.test.ts', 'test/local/**/*.test.ts', 'test/docker/**/*.test.ts', 'test/reliability/**/*.test.ts']],
  ['Slurm executor on the one-node cluster (mocha)', ['node_modules/mocha/bin/mocha.js', '--config', '.mocharc.json', '--timeout', '300000', 'test/slurm/**/*.test.ts']],
  ['extension host in VS Code (trusted)', ['scripts/test-vscode.mjs', '--no-build']],
  ['extension host in VS Code (Restricted Mode)', ['scripts/test-vscode.mjs', '--no-build', '--restricted']],
  ['workbench UI in Chromium', ['scripts/test-ui.mjs', '--no-build', '--vsix', 'dist/mlci.vsix']],
  ['webview panels in Chromium', ['scripts/test-panels.mjs', '--no-build']],
  ['comparison panel in Chromium', ['scripts/test-compare-panel.mjs', '--no-build']],
  ['pipeline graph panel in Chromium', ['scripts/test-dag-panel.mjs', '--no-build']],
  ['Plots panel in Chromium', ['scripts/test-plots-panel.mjs', '--no-build']],
];
const only = process.argv.slice(2);

/** The last `N passed, N failed[, N skipped]` line of a suite, with its numbers. */
export function summaryOf(line) {
  const m = /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/.exec(line.trim());
  return m ? { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0) } : undefined;
}

/** A suite's output kept for the closing report: mocha's failing section, else the tail. */
class SuiteLines {
  tail = [];
  failing = undefined;
  add(line) {
    if (this.failing) {
      if (this.failing.length < 400) this.failing.push(line);
    } else if (/^\s*\d+ failing\s*$/.test(line)) {
      this.failing = [line];
    }
    this.tail.push(line);
    if (this.tail.length > 60) this.tail.shift();
  }
  failureText() {
    // The suite's own count line is left out: only the closing line adds up.
    return (this.failing ?? this.tail).filter((l) => !summaryOf(l)).join('\n').trimEnd();
  }
}

const details = [];
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const [name, args] of suites) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  console.log(`\n=== ${name}`);
  let last;
  const seen = new SuiteLines();
  const code = await new Promise((resolve) => {
    const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      process.stdout.write(`${line}\n`);
      seen.add(line);
      last = summaryOf(line) ?? last;
    });
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
      process.stderr.write(`${line}\n`);
      seen.add(line);
    });
    child.on('error', (e) => {
      console.log(`could not start ${name}: ${e.message}`);
      resolve(127);
    });
    child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  if (last) {
    passed += last.passed;
    failed += last.failed;
    skipped += last.skipped;
  }
  if (code !== 0) {
    failures.push(`${name} (exit ${code})`);
    details.push(`--- ${name} (exit ${code}):\n${seen.failureText()}`);
    // A crash, or a runner that ended badly after reporting no failure, is a failure of its own.
    if (!last || last.failed === 0) failed += 1;
  }
}
if (details.length) console.log(`\n=== failures again, suite by suite\n${details.join('\n\n')}`);
if (failures.length) console.log(`\nfailed suites: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failures.length ? 1 : 0);
