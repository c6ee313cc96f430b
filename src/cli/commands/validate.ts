/**
 * `mlci validate [FILE...]`: check pipeline files and print each problem
 * as `file:line:col: severity code: message`, then a summary line.
 * Exit 0 without errors (warnings allowed), 1 with errors, 2 when a file
 * cannot be read.
 */
import { FILE_LIMITS, FileReadError, readRegularFileSync } from '../../core/files/regular-file';
import path from 'node:path';
import { nodeFiles } from '../../core/node-files';
import type { Problem } from '../../core/problems';
import { countBySeverity } from '../../core/problems';
import { validatePipeline } from '../../core/pipeline/validate';
import type { Command } from '../command';
import { CliError, EXIT } from '../errors';
import { findPipelineFiles } from '../find-pipelines';
import { plural } from '../format';

export interface FileReport {
  file: string;
  problems: Problem[];
  /** Set when the file could not be read at all. */
  error?: string;
}

export function readFailure(file: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `cannot read '${file}': no such file`;
  if (code === 'EISDIR') return `cannot read '${file}': it is a folder (give a pipeline file, or no argument to find them)`;
  if (code === 'EACCES') return `cannot read '${file}': permission denied`;
  if (e instanceof FileReadError) return e.message;
  return `cannot read '${file}': ${(e as Error).message}`;
}

export function validateFile(cwd: string, file: string, checks?: { codeDeps?: boolean }): FileReport {
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    text = readRegularFileSync(abs, FILE_LIMITS.pipeline, file);
  } catch (e) {
    return { file, problems: [], error: readFailure(file, e) };
  }
  const r = validatePipeline({ file, text, root: path.dirname(abs), files: nodeFiles, ...(checks ? { checks } : {}) });
  return { file, problems: r.problems };
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check pipeline files and print problems with file:line:column',
  usage: 'mlci validate [FILE...] [--format text|json] [--no-code-deps]',
  help: `Checks each pipeline file (default: every mlci.yaml and *.mlci.yaml under the
current folder) against the schema and the semantic rules.

Options:
  --format text|json   text (default): one line per problem and a summary;
                       json: {"files":[{"file","problems":[...]}],"summary":{...}}
  --no-code-deps       skip the undeclared-code-dep check (Python imports of
                       repository modules that a stage's deps do not cover)
Exit codes:
  0  no errors (warnings may be printed)
  1  at least one error
  2  a file could not be read, or no pipeline file was found

Examples:
  mlci validate
  mlci validate examples/churn/mlci.yaml --format json`,
  options: { format: { type: 'string', default: 'text' }, 'no-code-deps': { type: 'boolean', default: false } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const format = String(values.format);
    if (format !== 'text' && format !== 'json') throw new CliError(`--format must be 'text' or 'json', not '${format}'`);
    let files = positionals;
    if (files.length === 0) {
      files = await findPipelineFiles(io.cwd);
      if (files.length === 0) throw new CliError(`no pipeline file found under ${io.cwd} (looked for mlci.yaml and *.mlci.yaml); create one or name a file`);
    }
    const checks = values['no-code-deps'] === true ? { codeDeps: false } : undefined;
    const reports = files.map((f) => validateFile(io.cwd, f, checks));
    const all = reports.flatMap((r) => r.problems);
    const counts = countBySeverity(all);
    const unreadable = reports.filter((r) => r.error);
    if (format === 'json') {
      io.out(JSON.stringify({
        files: reports.map((r) => ({ file: r.file, ...(r.error ? { error: r.error } : {}), problems: r.problems.map(toJson) })),
        summary: { files: reports.length, errors: counts.error, warnings: counts.warning, infos: counts.info, unreadable: unreadable.length },
      }, null, 2));
    } else {
      for (const r of reports) {
        if (r.error) io.err(`mlci: ${r.error}`);
        for (const p of r.problems) io.out(`${p.file}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}`);
      }
      const parts = [plural(counts.error, 'error'), plural(counts.warning, 'warning')];
      if (counts.info) parts.push(plural(counts.info, 'note'));
      io.out(`${parts.join(', ')} in ${plural(reports.length - unreadable.length, 'file')}` + (unreadable.length ? ` (${plural(unreadable.length, 'file')} could not be read)` : ''));
    }
    if (unreadable.length) return EXIT.usage;
    return counts.error > 0 ? EXIT.failed : EXIT.ok;
  },
};

function toJson(p: Problem) {
  return {
    file: p.file, line: p.line, column: p.column, endLine: p.endLine, endColumn: p.endColumn,
    severity: p.severity, code: p.code, message: p.message,
    ...(p.fixes?.length ? { fixes: p.fixes.map((f) => ({ title: f.title, ...(f.file ? { file: f.file } : {}), edits: f.edits })) } : {}),
  };
}
