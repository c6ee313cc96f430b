/**
 * `mlci init [DIR]`: write a first mlci.yaml from what the folder holds
 * (tests, training and evaluation scripts, data, a params file): the same
 * file the editor's "New Pipeline" writes (src/core/scaffold.ts).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Command } from '../command';
import { CliError, EXIT } from '../errors';
import { SCAFFOLD_MAX_FILES, SCAFFOLD_SKIPPED, scaffoldFor, scaffoldParamsFile } from '../../core/scaffold';

/** Workspace-relative `/` paths of the files below `root`, skipping tool folders, at most SCAFFOLD_MAX_FILES. */
export function scaffoldFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= SCAFFOLD_MAX_FILES) return;
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SCAFFOLD_SKIPPED.test(`${p}/`)) walk(p);
      } else if (e.isFile()) out.push(p);
    }
  };
  walk('');
  return out;
}

export const initCommand: Command = {
  name: 'init',
  summary: 'write a first mlci.yaml from what the folder holds (like New Pipeline in VS Code)',
  usage: 'mlci init [DIR] [--print] [--force]',
  help: `Looks at the folder (default: the current one) for tests, training and
evaluation scripts, data files, a params file and a Dockerfile or
requirements file, and writes DIR/mlci.yaml with a stage for each and comments
that explain every part. The same file as "MLCI: New Pipeline" in VS Code.

Options:
  --print    print the file instead of writing it
  --force    overwrite an existing mlci.yaml`,
  options: {
    print: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length > 1) throw new CliError('usage: mlci init [DIR] [--print] [--force]');
    const root = path.resolve(io.cwd, positionals[0] ?? '.');
    const files = scaffoldFiles(root);
    if (!files.length && !values.print) {
      try {
        readdirSync(root);
      } catch {
        throw new CliError(`cannot read the folder '${positionals[0] ?? '.'}': give an existing folder`);
      }
    }
    const paramsFile = scaffoldParamsFile(files);
    const text = scaffoldFor(files, paramsFile ? readFileSync(path.join(root, paramsFile), 'utf8') : undefined);
    if (values.print) {
      io.out(text.replace(/\n$/, ''));
      return EXIT.ok;
    }
    const target = path.join(root, 'mlci.yaml');
    const shown = path.relative(io.cwd, target) || 'mlci.yaml';
    const mlci = io.prog ?? 'mlci';
    try {
      writeFileSync(target, text, { flag: values.force ? 'w' : 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${shown} exists already: edit it, check it with '${mlci} validate', or overwrite it with '${mlci} init --force'`);
      throw e;
    }
    const stages = Object.keys((parse(text) as { stages?: Record<string, unknown> }).stages ?? {});
    io.out(`wrote ${shown} with ${stages.length} stage${stages.length === 1 ? '' : 's'}${stages.length ? `: ${stages.join(', ')}` : ''}`);
    const fileArg = positionals[0] ? ` -f ${shown}` : '';
    io.out(`next: ${mlci} validate${positionals[0] ? ` ${shown}` : ''}  |  ${mlci} dag${fileArg}  |  ${mlci} run${fileArg}`);
    return EXIT.ok;
  },
};
