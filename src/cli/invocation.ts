/**
 * How the user started mlci, so every "next:" hint is a command that works
 * where it is printed: `mlci` when it came through a command named mlci (an
 * npm bin link, the VS Code terminal's shim), `npx mlci` under npx (a bin
 * link below node_modules), and
 * `node dist/cli.js` (the path as seen from the working folder) when the
 * bundle was run with node directly, where `mlci` may not be on the PATH.
 */
import path from 'node:path';

export function invokedAs(script: string | undefined, cwd: string, env: NodeJS.ProcessEnv): string {
  if (env.MLCI_PROG) return env.MLCI_PROG;
  if (!script) return 'mlci';
  const base = path.basename(script).replace(/\.(cmd|ps1|exe)$/i, '');
  // npx runs the package's bin link from node_modules (or its own cache, _npx).
  if (base === 'mlci') return env.npm_command === 'exec' && /[\\/](node_modules|_npx)[\\/]/.test(script) ? 'npx mlci' : 'mlci';
  const rel = path.relative(cwd, script);
  const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : script;
  return `node ${/[\s"'$`\\]/.test(shown) ? JSON.stringify(shown) : shown}`;
}
