/**
 * The git pre-push hook mlci installs: it runs `mlci verify` so a plain
 * `git push` from a terminal is guarded like "Verify and Push". An
 * existing hook is never overwritten silently: install refuses, or with
 * `chain` keeps it as pre-push.local and runs it first.
 */
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const HOOK_MARKER = '# mlci pre-push hook';

export function hookScript(opts: { node: string; cli: string; pipelineFile: string; chained: boolean }): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh
${HOOK_MARKER}: runs the pipeline's CI stages and gates before a push.
# Installed by \`mlci hook install\`; remove with \`mlci hook uninstall\`.
# Bypass once (not recommended): git push --no-verify
hookdir=$(dirname "$0")
${opts.chained ? `"$hookdir/pre-push.local" "$@" || exit $?\n` : ''}# "mlci push" verified this very commit already.
if [ -n "$MLCI_VERIFIED" ] && [ "$MLCI_VERIFIED" = "$(git rev-parse HEAD)" ]; then exit 0; fi
exec ${q(opts.node)} ${q(opts.cli)} verify --file ${q(opts.pipelineFile)}
`;
}

export type HookResult = { ok: true; message: string } | { ok: false; message: string };

export function installHook(hooksDir: string, opts: { node: string; cli: string; pipelineFile: string; chain?: boolean }): HookResult {
  const file = path.join(hooksDir, 'pre-push');
  let chained = false;
  if (existsSync(file)) {
    const current = readFileSync(file, 'utf8');
    if (current.includes(HOOK_MARKER)) {
      chained = existsSync(path.join(hooksDir, 'pre-push.local'));
    } else if (opts.chain) {
      renameSync(file, path.join(hooksDir, 'pre-push.local'));
      chained = true;
    } else {
      return { ok: false, message: `${file} exists and is not mlci's: not overwritten. Use --chain to keep it (as pre-push.local, run first), or merge it by hand` };
    }
  }
  writeFileSync(file, hookScript({ ...opts, chained }));
  chmodSync(file, 0o755);
  return { ok: true, message: `installed ${file}${chained ? ' (runs pre-push.local first)' : ''}: git push now runs mlci verify` };
}

export function uninstallHook(hooksDir: string): HookResult {
  const file = path.join(hooksDir, 'pre-push');
  if (!existsSync(file)) return { ok: true, message: 'no pre-push hook installed' };
  if (!readFileSync(file, 'utf8').includes(HOOK_MARKER)) return { ok: false, message: `${file} is not mlci's hook: left alone` };
  rmSync(file);
  const local = path.join(hooksDir, 'pre-push.local');
  if (existsSync(local)) renameSync(local, file);
  return { ok: true, message: `removed mlci's pre-push hook${existsSync(file) ? ' (restored the previous hook)' : ''}` };
}
