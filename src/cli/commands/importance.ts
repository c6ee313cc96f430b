/**
 * `mlci importance`: feature dependencies and importances as a table.
 * Two sources: a data file and a target on the command line (computed now,
 * with the same readers and statistics as a data stage's `importance:`), or
 * what a run recorded (the latest by default) for a stage or every stage.
 * Exit 0; 1 when the target cannot be measured (missing, constant, too many
 * classes); 2 on bad usage or an unreadable file.
 */
import path from 'node:path';
import { DataError } from '../../core/data/errors';
import { formatImportance, type ImportanceFormat } from '../../core/importance/format';
import { measureDependencies } from '../../core/importance/measure';
import type { ImportanceReport } from '../../core/importance/types';
import type { DataFormat } from '../../core/pipeline/model';
import { RunStore } from '../../core/run/store';
import type { Command } from '../command';
import { CliError, EXIT } from '../errors';
import { loadPipeline } from '../workspace';

const FORMATS: readonly ImportanceFormat[] = ['table', 'json', 'md'];
const list = (v: unknown): string[] => ((v as string[] | undefined) ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);

export const importanceCommand: Command = {
  name: 'importance',
  summary: 'how much each feature depends on a target (or the importances a run recorded)',
  usage: 'mlci importance FILE --target COL [options] | mlci importance [STAGE] [--run RUN] [-f PIPELINE]',
  help: `With FILE and --target: measures every other column against the target on the
data: mutual information (numbers binned with numpy's Sturges rule; p-value from
the G-test), Spearman and Pearson for numeric pairs, Cramér's V for categorical
pairs, each with the rows used (n). The dependency column is mutual information
over the target's entropy: 0 = independent, 1 = the feature determines the target.

Without FILE: the dependencies and model importances a run recorded (data stages'
importance:, stages' importances: files), for STAGE or every stage.

Options:
  --target COL              the column the features should predict
  --features A,B            only these features (repeatable)
  --exclude COL             leave a column out (repeatable)
  --data-format auto|csv|jsonl|parquet
  --run RUN                 recorded mode: the run (default: the latest)
  -f, --file FILE           pipeline file (recorded mode)
  --format table|json|md    table (default), the JSON report, or Markdown

Examples:
  mlci importance data/train.csv --target churned --exclude customer_id
  mlci importance features --format md >> "$GITHUB_STEP_SUMMARY"`,
  options: {
    target: { type: 'string', short: 't' },
    features: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    'data-format': { type: 'string', default: 'auto' },
    run: { type: 'string' },
    file: { type: 'string', short: 'f' },
    format: { type: 'string', default: 'table' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const format = String(values.format) as ImportanceFormat;
    if (!FORMATS.includes(format)) throw new CliError(`--format must be table, json or md, not '${format}'`);
    const reports: ImportanceReport[] = [];
    const headings: string[] = [];
    if (values.target !== undefined) {
      if (positionals.length !== 1) throw new CliError('give one data file with --target, e.g. mlci importance data/train.csv --target label');
      const dataFormat = String(values['data-format']) as DataFormat;
      if (!['auto', 'csv', 'jsonl', 'parquet'].includes(dataFormat)) throw new CliError(`--data-format must be auto, csv, jsonl or parquet, not '${dataFormat}'`);
      const file = positionals[0]!;
      const features = list(values.features);
      try {
        reports.push(await measureDependencies(path.resolve(io.cwd, file), {
          target: String(values.target), format: dataFormat, exclude: list(values.exclude), ...(features.length ? { features } : {}),
        }, { file }));
      } catch (e) {
        if (e instanceof DataError) throw new CliError(e.message, EXIT.usage);
        throw e;
      }
    } else {
      if (positionals.length > 1) throw new CliError(`give at most one stage, not ${positionals.length}: ${positionals.join(' ')}`);
      if (positionals.length === 1 && /\.(csv|tsv|txt|jsonl|ndjson|parquet)$/i.test(positionals[0]!)) throw new CliError(`${positionals[0]}: say which column is the target with --target COL`);
      const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
      const store = new RunStore(loaded.root);
      let record;
      try {
        record = await store.get(await store.resolve(String(values.run ?? 'latest')));
      } catch (e) {
        throw new CliError((e as Error).message, EXIT.usage);
      }
      const recorded = Object.entries(record.importance ?? {});
      const wanted = positionals[0];
      const chosen = wanted ? recorded.filter(([s]) => s === wanted) : recorded;
      if (chosen.length === 0) {
        const which = recorded.map(([s]) => s);
        throw new CliError(`run ${record.id} recorded no importances${wanted ? ` for stage '${wanted}'` : ''}${which.length ? ` (it has: ${which.join(', ')})` : ': add importance: to a data stage or importances: to a stage'}`);
      }
      for (const [stage, r] of chosen) {
        headings[reports.length] = `${stage} (run ${record.id}):`;
        reports.push(r);
      }
    }
    if (format === 'json') io.out(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
    else {
      reports.forEach((r, i) => {
        if (headings[i] && format === 'table') io.out(headings[i]!);
        io.out(formatImportance(r, format).replace(/\n$/, ''));
      });
    }
    return reports.some((r) => r.problems.length > 0) ? EXIT.failed : EXIT.ok;
  },
};
