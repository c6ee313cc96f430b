/**
 * `mlci export github|gitlab`: write the remote CI file for a pipeline
 * (GitHub Actions workflow or .gitlab-ci.yml, see src/core/export). The
 * file goes to the git repository root, since that is where GitHub and
 * GitLab look for it; outside a git repository it goes beside the
 * pipeline file. A file mlci wrote and nobody changed is replaced quietly;
 * a hand-edited one (its marker hash no longer matches) or one mlci did not
 * write is kept unless --force.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { linkEscape } from '../../core/files/contain';
import { FILE_LIMITS, FileReadError, readRegularFileSync } from '../../core/files/regular-file';
import path from 'node:path';
import type { CiProvider } from '../../core/export';
import { defaultCiFile, exportCi, markerState } from '../../core/export';
import type { Command } from '../command';
import { CliError, EXIT } from '../errors';
import { loadPipeline } from '../workspace';
import { findRepoRoot } from '../../core/paths';
import { version } from '../../../package.json';

export { findRepoRoot } from '../../core/paths';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write the GitHub Actions workflow or .gitlab-ci.yml that runs the pipeline in remote CI',
  usage: 'mlci export [github|gitlab] [-f FILE] [--output PATH] [--force] [--stdout]',
  help: `Writes the remote CI file for the pipeline: one job that runs the ci.stages
with 'mlci run --ci', restores the content-addressed cache (.mlci/cache and
.mlci/state; with cache.remote also pulls it) before the run and saves it
after, so an unchanged commit runs no stage, uploads the report, and
(with triggers) retrains on schedule when 'mlci triggers check' fires.
The provider defaults to ci.provider. The file goes to ci.file (for
ci.provider), else .github/workflows/mlci.yml or .gitlab-ci.yml, relative to
the git repository root (outside a git repository: the pipeline's folder).
A file mlci wrote and nobody edited is updated; a hand-edited file, or one
mlci did not write, is kept unless --force.

Options:
  -f, --file FILE   pipeline file (default: ./mlci.yaml, or the only one below)
  --output PATH     write here instead (relative to the current folder)
  --force           replace the file even if it was edited by hand
  --stdout          print the file instead of writing it
Exit codes:
  0  written (or already up to date)
  1  the existing file was edited by hand or not written by mlci (kept)
  2  usage error, invalid pipeline or unwritable file

Examples:
  mlci export github
  mlci export gitlab -f examples/churn/mlci.yaml --stdout`,
  options: {
    file: { type: 'string', short: 'f' },
    output: { type: 'string' },
    force: { type: 'boolean', default: false },
    stdout: { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length > 1) throw new CliError(`expected one provider (github or gitlab), got: ${positionals.join(' ')}`);
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err).catch((e: unknown) => {
      throw e instanceof CliError ? new CliError(e.message, EXIT.usage) : e;
    });
    const provider = (positionals[0] ?? loaded.pipeline.ci.provider) as CiProvider;
    if (provider !== 'github' && provider !== 'gitlab') throw new CliError(`unknown provider '${String(provider)}': use github or gitlab`);
    const repoRoot = findRepoRoot(loaded.root) ?? loaded.root;
    const pipelineFile = path.relative(repoRoot, loaded.file).split(path.sep).join('/');
    const text = exportCi(provider, loaded.pipeline, { pipelineFile, mlciVersion: version });
    if (values.stdout) {
      io.out(text.replace(/\n$/, ''));
      return EXIT.ok;
    }
    const target = values.output !== undefined
      ? path.resolve(io.cwd, String(values.output))
      // ci.file names the file of ci.provider; exporting for the other provider uses its default path.
      : path.resolve(repoRoot, (provider === loaded.pipeline.ci.provider ? loaded.pipeline.ci.file : undefined) ?? defaultCiFile(provider));
    const shown = path.relative(io.cwd, target) || target;
    // A repository may link .github (or the file) elsewhere: never write through it.
    // (An --output path is the user's own choice.)
    if (values.output === undefined) {
      const escape = linkEscape(repoRoot, target, path.relative(repoRoot, target).split(path.sep).join('/'));
      if (escape) throw new CliError(escape.message);
    }
    let existing: string | undefined;
    try {
      existing = readRegularFileSync(target, FILE_LIMITS.pipeline, shown);
    } catch (e) {
      if (e instanceof FileReadError) throw new CliError(`cannot update ${shown}: ${e.message}`);
      existing = undefined;
    }
    if (existing === text) {
      io.out(`${shown} is up to date`);
      return EXIT.ok;
    }
    const state = existing === undefined ? undefined : markerState(existing);
    if (state && state !== 'generated' && !values.force) {
      const why = state === 'edited' ? 'was edited by hand (it no longer matches its mlci-hash)' : 'was not written by mlci (no mlci marker)';
      io.err(`mlci export: ${shown} ${why}; keeping it. Compare with 'mlci export ${provider} --stdout', or replace it with --force.`);
      return EXIT.failed;
    }
    try {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, text);
    } catch (e) {
      throw new CliError(`cannot write ${shown}: ${(e as Error).message}`);
    }
    const what = provider === 'github' ? 'GitHub Actions workflow' : 'GitLab CI file';
    const replaced = state && state !== 'generated' ? ' (replaced a hand-edited file: --force)' : existing !== undefined ? ' (updated)' : '';
    io.out(`wrote ${shown}: ${what} for ${pipelineFile}${replaced}`);
    return EXIT.ok;
  },
};
