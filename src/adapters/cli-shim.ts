/**
 * A command named `mlci` that runs a given bundled CLI (dist/cli.js) with a
 * given node: a small sh script (and a .cmd on Windows) with absolute paths.
 * `mlci install` writes one to ~/.local/bin (from a clone or an unpacked
 * vsix); the extension writes one to its storage folder and puts that
 * folder on its integrated terminals' PATH (trusted workspaces only).
 * MLCI_PROG=mlci makes the CLI's hints say `mlci ...`; ELECTRON_RUN_AS_NODE
 * lets desktop VS Code's own binary act as node, set only for this process
 * (set in a terminal, it would break the `code` command there).
 */
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface ShimTarget {
  /** The node (or Electron) binary. */
  nodePath: string;
  /** Absolute path of the bundled dist/cli.js. */
  cliPath: string;
}

function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function shimFiles(t: ShimTarget, platform: NodeJS.Platform = process.platform): Array<{ name: string; text: string }> {
  if (platform === 'win32') {
    return [{ name: 'mlci.cmd', text: `@echo off\r\nsetlocal\r\nset MLCI_PROG=mlci\r\nset ELECTRON_RUN_AS_NODE=1\r\n"${t.nodePath}" "${t.cliPath}" %*\r\n` }];
  }
  return [{ name: 'mlci', text: `#!/bin/sh\n# mlci: runs ${t.cliPath} (written by mlci; rewrite it with mlci install)\nMLCI_PROG=mlci ELECTRON_RUN_AS_NODE=1 exec ${sh(t.nodePath)} ${sh(t.cliPath)} "$@"\n` }];
}

/** Writes the shim files into `dir` (created), leaving unchanged ones alone; returns their paths. */
export async function writeShims(dir: string, t: ShimTarget, platform: NodeJS.Platform = process.platform): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (const f of shimFiles(t, platform)) {
    const file = path.join(dir, f.name);
    const now = await readFile(file, 'utf8').catch(() => undefined);
    if (now !== f.text) await writeFile(file, f.text, { mode: 0o755 });
    await chmod(file, 0o755);
    out.push(file);
  }
  return out;
}

/** Where `mlci install` puts the command: ~/.local/bin (XDG), %LOCALAPPDATA%\mlci\bin on Windows. */
export function defaultInstallDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'mlci', 'bin');
  return path.join(env.HOME ?? os.homedir(), '.local', 'bin');
}

export function onPath(dir: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  const norm = (p: string) => (platform === 'win32' ? path.resolve(p).toLowerCase() : path.resolve(p));
  return (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean).some((p) => norm(p) === norm(dir));
}
