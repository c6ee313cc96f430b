/**
 * `mlci drift`: compare a current data file with a reference, column by
 * column, and print the report (table, Markdown, JSON or self-contained
 * HTML). Two ways to say what to compare: files and settings on the command
 * line, or a `drift` stage of the pipeline (its files and `drift:` settings,
 * which command-line settings then override).
 * Exit 0 without dataset drift, 1 with it (drifted columns, a column on one
 * side only, nothing compared; unless --no-fail), 2 on bad usage
 * or a file that cannot be read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../../core/data/errors';
import { detectDrift } from '../../core/drift/detect';
import type { DriftReport } from '../../core/drift/report';
import { formatHtml, formatJson, formatMarkdown, formatTable, summaryLine } from '../../core/drift/report';
import type { DriftColumnSpec, DriftSpec, DriftTest } from '../../core/pipeline/model';
import type { Command, CliIo } from '../command';
import { CliError, EXIT } from '../errors';
import { loadPipeline } from '../workspace';

const TESTS: readonly DriftTest[] = ['auto', 'ks', 'chisquare', 'wasserstein', 'psi', 'jensenshannon'];
const FORMATS = ['table', 'json', 'md', 'markdown', 'html'] as const;
type Format = (typeof FORMATS)[number];

/** `NAME=TEST[:THRESHOLD]`; the name is everything before the last '=' (names may hold '=' or ':'). */
export function parseColumnOption(text: string): { name: string; test: DriftTest; threshold?: number } {
  const eq = text.lastIndexOf('=');
  if (eq <= 0) throw new CliError(`--column ${JSON.stringify(text)}: expected NAME=TEST[:THRESHOLD], e.g. tenure=ks:0.01`);
  const name = text.slice(0, eq);
  const [test, threshold, extra] = text.slice(eq + 1).split(':');
  if (!TESTS.includes(test as DriftTest)) {
    throw new CliError(`--column ${JSON.stringify(text)}: unknown test ${JSON.stringify(test)}; the tests are ${TESTS.join(', ')}`);
  }
  if (extra !== undefined) throw new CliError(`--column ${JSON.stringify(text)}: expected NAME=TEST[:THRESHOLD]`);
  if (threshold === undefined) return { name, test: test as DriftTest };
  const t = Number(threshold);
  if (threshold.trim() === '' || !Number.isFinite(t) || t < 0) {
    throw new CliError(`--column ${JSON.stringify(text)}: the threshold must be a number >= 0, not ${JSON.stringify(threshold)}`);
  }
  return { name, test: test as DriftTest, threshold: t };
}

export function parseShare(text: string): number {
  const share = Number(text);
  if (text.trim() === '' || !Number.isFinite(share) || share < 0 || share > 1) {
    throw new CliError(`--share must be a number from 0 to 1, not ${JSON.stringify(text)}`);
  }
  return share;
}

/** Command-line settings on top of the stage's (or the defaults). */
export function applyOverrides(base: DriftSpec, values: Record<string, unknown>): DriftSpec {
  const spec: DriftSpec = { ...base, columns: { ...base.columns }, exclude: [...base.exclude] };
  if (values.share !== undefined) spec.share = parseShare(String(values.share));
  for (const text of (values.column as string[] | undefined) ?? []) {
    const c = parseColumnOption(text);
    const merged: DriftColumnSpec = { ...spec.columns[c.name], test: c.test };
    if (c.threshold !== undefined) merged.threshold = c.threshold;
    else delete merged.threshold; // a stage's threshold was meant for its test, not this one
    spec.columns[c.name] = merged;
  }
  for (const name of (values.exclude as string[] | undefined) ?? []) if (!spec.exclude.includes(name)) spec.exclude.push(name);
  return spec;
}

const DEFAULT_SPEC: DriftSpec = { share: 0.5, columns: {}, exclude: [], format: 'auto' };

interface Target {
  reference: string;
  current: string;
  /** How messages and the report name the files. */
  referenceName: string;
  currentName: string;
  spec: DriftSpec;
}

async function stageTarget(values: Record<string, unknown>, positionals: string[], io: CliIo): Promise<Target> {
  if (positionals.length > 1) throw new CliError(`give at most one stage, not ${positionals.length}: ${positionals.join(' ')}`);
  let loaded;
  try {
    loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
  } catch (e) {
    // An unusable pipeline is a usage problem for this command (run uses 3 for "could not run").
    if (e instanceof CliError) throw new CliError(e.message, EXIT.usage);
    throw e;
  }
  const drifts = loaded.pipeline.stages.filter((s) => s.kind === 'drift');
  let stage;
  if (positionals.length === 1) {
    stage = loaded.pipeline.stageByName.get(positionals[0]!);
    if (!stage) throw new CliError(`${loaded.shown} has no stage '${positionals[0]}'${drifts.length ? `; its drift stages: ${drifts.map((s) => s.name).join(', ')}` : ''}`);
    if (stage.kind !== 'drift') throw new CliError(`stage '${stage.name}' is a ${stage.kind} stage, not a drift stage`);
  } else if (drifts.length === 1) {
    stage = drifts[0]!;
  } else if (drifts.length === 0) {
    throw new CliError(`${loaded.shown} has no drift stage; name the files with --reference and --current`);
  } else {
    throw new CliError(`${loaded.shown} has ${drifts.length} drift stages (${drifts.map((s) => s.name).join(', ')}); name one`);
  }
  if (!stage.reference || !stage.current) throw new CliError(`stage '${stage.name}' needs reference and current`);
  const reference = path.resolve(loaded.root, stage.reference);
  const current = path.resolve(loaded.root, stage.current);
  return {
    reference, current,
    referenceName: path.relative(io.cwd, reference) || reference,
    currentName: path.relative(io.cwd, current) || current,
    spec: applyOverrides(stage.drift ?? DEFAULT_SPEC, values),
  };
}

function render(report: DriftReport, format: Format): string {
  switch (format) {
    case 'json': return formatJson(report);
    case 'md': case 'markdown': return formatMarkdown(report);
    case 'html': return formatHtml(report);
    case 'table': return formatTable(report) + '\n';
  }
}

export const driftCommand: Command = {
  name: 'drift',
  summary: 'compare current data with reference data, column by column',
  usage: 'mlci drift --reference FILE --current FILE [options] | mlci drift [-f PIPELINE] [STAGE] [options]',
  help: `Tests each column present in both files for a change of distribution and
reports dataset drift when at least --share of the compared columns drift,
or when a column is in one file only (--exclude it if that is expected) or
no column could be compared.
Without --reference/--current the files and settings come from the pipeline's
drift stage (STAGE, or the only one); the options below override them.

Tests (per column; auto follows Evidently's defaults): with at most 1,000
reference values, ks for numbers and chisquare for categories; above that,
wasserstein (normalised) and jensenshannon. Numbers with at most 5 distinct
values are compared as categories.

Options:
  --reference FILE          reference data (e.g. the training data)
  --current FILE            current data
  -f, --file FILE           pipeline file (default: ./mlci.yaml, or the only one below)
  --format table|md|json|html
                            table (default): aligned text; md: Markdown for PR
                            comments and CI summaries; json: the versioned report;
                            html: one self-contained page with histograms
  --output FILE             write the report there (and print the verdict)
  --share X                 dataset drift when drifted/compared >= X (default 0.5)
  --column NAME=TEST[:T]    test (and threshold) for one column; repeatable
                            tests: auto, ks, chisquare, wasserstein, psi, jensenshannon
  --exclude NAME            leave a column out; repeatable
  --no-fail                 exit 0 even when the dataset drifts
Exit codes:
  0  no dataset drift (or --no-fail)
  1  dataset drift (columns drifted, a column in one file only, or none compared)
  2  bad usage, an invalid pipeline, or a file that cannot be read

Examples:
  mlci drift --reference data/train.csv --current data/current.csv
  mlci drift --reference a.csv --current b.csv --column tenure=ks:0.01 --format md
  mlci drift drift --format html --output reports/drift.html`,
  options: {
    reference: { type: 'string' },
    current: { type: 'string' },
    file: { type: 'string', short: 'f' },
    format: { type: 'string', default: 'table' },
    output: { type: 'string', short: 'o' },
    share: { type: 'string' },
    column: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    'no-fail': { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const format = String(values.format) as Format;
    if (!FORMATS.includes(format)) throw new CliError(`--format must be table, md, json or html, not '${format}'`);
    let target: Target;
    if (values.reference !== undefined || values.current !== undefined) {
      if (values.reference === undefined || values.current === undefined) throw new CliError('give both --reference and --current');
      if (positionals.length > 0 || values.file !== undefined) {
        throw new CliError('give either --reference/--current or a pipeline stage (-f, STAGE), not both');
      }
      const reference = String(values.reference);
      const current = String(values.current);
      target = {
        reference: path.resolve(io.cwd, reference), current: path.resolve(io.cwd, current),
        referenceName: reference, currentName: current,
        spec: applyOverrides(DEFAULT_SPEC, values),
      };
    } else {
      target = await stageTarget(values, positionals, io);
    }

    let report: DriftReport;
    try {
      report = await detectDrift(target.reference, target.current, target.spec, { referenceName: target.referenceName, currentName: target.currentName });
    } catch (e) {
      if (e instanceof DataError) throw new CliError(e.message, EXIT.usage); // "<file>: row N, ..."
      throw e;
    }
    const text = render(report, format);
    if (values.output !== undefined) {
      const out = path.resolve(io.cwd, String(values.output));
      try {
        mkdirSync(path.dirname(out), { recursive: true });
        writeFileSync(out, text);
      } catch (e) {
        throw new CliError(`cannot write '${String(values.output)}': ${(e as Error).message}`);
      }
      io.out(`${summaryLine(report)} (report: ${String(values.output)})`);
    } else {
      io.out(text.replace(/\n$/, ''));
    }
    return report.datasetDrift && values['no-fail'] !== true ? EXIT.failed : EXIT.ok;
  },
};
