/**
 * `mlci import dvc [DIR] [--out mlci.yaml] [--force] [--image IMG] [--env K=V]...`:
 * writes an mlci.yaml for a DVC project (its dvc.yaml, params.yaml and
 * dvc.lock), prints what was imported and what was left as comments, then
 * validates the written file. Never overwrites a pipeline file without --force.
 */
import path from 'node:path';
import { DvcImportError, importDvc } from '../../core/import/dvc';
import { nodeFiles } from '../../core/node-files';
import { countBySeverity } from '../../core/problems';
import { writeFileAtomic } from '../../core/run/atomic';
import type { Command } from '../command';
import { CliError, EXIT } from '../errors';
import { plural } from '../format';
import { validateFile } from './validate';

function envPairs(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of Array.isArray(list) ? list : []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(String(item));
    if (!m) throw new CliError(`--env takes NAME=VALUE (e.g. --env PYTHONPATH=src), not '${String(item)}'`);
    out[m[1]] = m[2];
  }
  return out;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'write an mlci.yaml from another tool\'s pipeline (dvc.yaml)',
  usage: 'mlci import dvc [DIR] [--out FILE] [--force] [--image IMAGE] [--env NAME=VALUE]...',
  help: `Reads DIR/dvc.yaml (default: the current folder), params.yaml and dvc.lock
if present, and writes DIR/mlci.yaml running the same commands in the same
order: cmd -> run, wdir -> workdir (paths moved to the project folder), deps,
params (keys, file:key, whole files), outs with cache/persist, metrics, plots,
frozen, always_changed, matrix/vars/\${} kept as mlci templates, foreach
expanded, needs inferred from deps and outs. What mlci has no equivalent for
becomes a '# dvc:' comment at its place and a line of the summary. The
written file is validated; its problems are printed.

Options:
  --out FILE          the pipeline file to write, in DIR (default mlci.yaml)
  --force             overwrite an existing pipeline file
  --image IMAGE       the Docker image stages run in (defaults.image); without
                      it the import picks python:3.12-slim for Python commands
                      and says so in a comment
  --env NAME=VALUE    an environment variable for every stage (defaults.env),
                      e.g. --env PYTHONPATH=src --env MPLBACKEND=Agg; repeatable
Exit codes:
  0  written, and it validates (warnings may be printed)
  1  written, with validation errors to fix (printed)
  2  nothing written: no dvc.yaml, unreadable YAML, or the file exists

Examples:
  mlci import dvc
  mlci import dvc ../course-project --image python:3.12-slim --env PYTHONPATH=.`,
  options: {
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    image: { type: 'string' },
    env: { type: 'string', multiple: true },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const [tool, dirArg, ...extra] = positionals;
    if (tool !== 'dvc') throw new CliError(tool === undefined ? 'say what to import: mlci import dvc [DIR]' : `mlci import knows 'dvc', not '${tool}'`);
    if (extra.length) throw new CliError(`unexpected argument '${extra[0]}'`);
    const dir = path.resolve(io.cwd, dirArg ?? '.');
    const out = path.resolve(dir, typeof values.out === 'string' ? values.out : 'mlci.yaml');
    if (path.dirname(out) !== dir) throw new CliError(`--out must name a file in ${dir}: paths in the pipeline are relative to its folder, the DVC project's`);
    if (!/(^|\.)mlci\.yaml$/.test(path.basename(out))) throw new CliError(`--out must be mlci.yaml or end in .mlci.yaml so mlci finds it, not '${path.basename(out)}'`);
    const shown = path.relative(io.cwd, out) || path.basename(out);
    if (nodeFiles.stat(out) && values.force !== true) throw new CliError(`${shown} exists; pass --force to overwrite it`);
    const image = typeof values.image === 'string' ? values.image : undefined;
    let result;
    try {
      result = importDvc({ dir, files: nodeFiles, ...(image ? { image } : {}), env: envPairs(values.env) });
    } catch (e) {
      if (e instanceof DvcImportError) throw new CliError(e.message);
      throw e;
    }
    await writeFileAtomic(out, result.text);
    io.out(`wrote ${shown}`);
    for (const n of result.notes) io.out(`  ${n}`);
    const report = validateFile(io.cwd, shown);
    for (const p of report.problems) io.out(`${p.file}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}`);
    const counts = countBySeverity(report.problems);
    io.out(`${shown}: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}` + (counts.error ? ' (fix them, then mlci run)' : '; run it with mlci run'));
    return counts.error ? EXIT.failed : EXIT.ok;
  },
};
