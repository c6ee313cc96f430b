/**
 * `mlci install [--dir DIR]`: put a command named `mlci` on the PATH that
 * runs this bundled CLI with this node. The one install line for a clone
 * (`node dist/cli.js install`) and for the vsix (the same file inside the
 * installed extension's folder).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../command';
import { defaultInstallDir, onPath, writeShims } from '../../adapters/cli-shim';

export const installCommand: Command = {
  name: 'install',
  summary: "put an 'mlci' command on your PATH that runs this CLI",
  usage: 'mlci install [--dir DIR]',
  help: `Writes DIR/mlci (mlci.cmd on Windows), a small script that runs this
bundled CLI with the node that runs it now. Run it again after moving the
clone or updating the extension.

Options:
  --dir DIR   where to write it (default: ~/.local/bin; %LOCALAPPDATA%\\mlci\\bin on Windows)

Examples:
  node dist/cli.js install                                  (from a clone, after npm run build)
  node ~/.vscode/extensions/mlci.mlci-*/dist/cli.js install (from the installed vsix)`,
  options: { dir: { type: 'string' } },
  allowPositionals: false,
  async run({ values }, io) {
    const dir = path.resolve(io.cwd, (values.dir as string | undefined) ?? defaultInstallDir(io.env));
    // The file that started this process (followed through links): the bundle to run.
    const cliPath = realpathSync(path.resolve(io.cwd, process.argv[1] ?? 'dist/cli.js'));
    const [file] = await writeShims(dir, { nodePath: process.execPath, cliPath });
    io.out(`installed ${file}: runs ${cliPath} with ${process.execPath}`);
    if (onPath(dir, io.env)) io.out('next: mlci --version  |  mlci init  |  mlci run');
    else {
      io.out(`${dir} is not on your PATH: add it, e.g.`);
      io.out(process.platform === 'win32' ? `  setx PATH "%PATH%;${dir}"` : `  echo 'export PATH="${dir}:$PATH"' >> ~/.profile && . ~/.profile`);
    }
    return 0;
  },
};
