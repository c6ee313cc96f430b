/**
 * The `mlci` process: wires main() to stdin/stdout and exits with its
 * code. The bundle entry (scripts/build.mjs); main.ts holds the logic so
 * tests can call it in-process.
 */
import type { CliIo } from './command';
import { EXIT } from './errors';
import { main } from './main';
import { terminalSafe } from './terminal-text';
import { invokedAs } from './invocation';

// `mlci runs | head`: a closed pipe ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const io: CliIo = {
  // Every line through terminalSafe: data (YAML keys, values, stage output) must not drive the terminal.
  out: (l) => process.stdout.write(terminalSafe(l) + '\n'),
  err: (l) => process.stderr.write(terminalSafe(l) + '\n'),
  cwd: process.cwd(),
  env: process.env,
  isTTY: !!process.stdout.isTTY,
  prog: invokedAs(process.argv[1], process.cwd(), process.env),
};
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    // Exit once output is flushed: a helper thread or port left referenced
    // (the hash stat worker on large trees) must not keep a finished
    // command alive.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (e) => {
    process.stderr.write(`mlci: internal error (a bug in mlci; please report it): ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = EXIT.internal;
  },
);
