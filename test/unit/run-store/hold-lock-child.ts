/**
 * Child process for the workspace lock tests: takes the lock for
 * argv[2] (root) as run argv[3], prints 'locked', then waits to be killed.
 */
import { acquireWorkspaceLock } from '../../../src/core/run/workspace-lock';

acquireWorkspaceLock(process.argv[2]!, { runId: process.argv[3]!, command: 'mlci run (test child)' }).then(
  () => {
    process.stdout.write('locked\n');
    setInterval(() => undefined, 60_000);
  },
  (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
