/**
 * `mlci exp`: experiments over the recorded runs: list, show, diff against
 * a baseline, pin a baseline, rename, tag, remove. `--mlflow DIR` reads an
 * MLflow file store (mlruns/) instead, read-only (list, show, diff).
 */
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command, CliIo } from '../command';
import { CliError } from '../errors';
import { loadPipeline, resolvePipelineFile } from '../workspace';
import type { MetricGoals } from '../../core/experiments/compare';
import { compareRuns, flattenParams } from '../../core/experiments/compare';
import { compareImportances, describeMoves } from '../../core/importance/compare';
import type { CompareFormat } from '../../core/experiments/format';
import { formatComparison, formatValue, shortLabels } from '../../core/experiments/format';
import { formatMetric } from '../../core/metric-format';
import { defaultBaseline, pinBaseline, readPinned, unpinBaseline } from '../../core/experiments/baseline';
import { formatRunList, hiddenNote, listedRuns } from '../../core/experiments/list';
import { isExperiment } from '../../core/run/kind';
import { importMlflow } from '../../core/experiments/mlflow';
import type { RunRecord } from '../../core/run/record';
import type { StoredRunRecord } from '../../core/run/store';
import { RunStore } from '../../core/run/store';

const SUBCOMMANDS = ['list', 'show', 'diff', 'pin', 'unpin', 'rename', 'tag', 'rm'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
const READ_ONLY: readonly Sub[] = ['list', 'show', 'diff'];

/** Where runs come from: the workspace's store or an MLflow folder. */
interface RunSource {
  list(): Promise<RunRecord[]>;
  resolve(ref: string): Promise<string>;
  get(id: string): Promise<RunRecord>;
}

function mlflowSource(dir: string, io: CliIo): RunSource {
  let imported;
  try {
    imported = importMlflow(dir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  for (const s of imported.skipped) io.err(`mlci: skipped ${s.dir}: ${s.reason}`);
  const runs: RunRecord[] = imported.runs;
  return {
    list: async () => runs,
    async resolve(ref) {
      if (ref === 'last' || ref === 'latest') {
        if (!runs[0]) throw new CliError(`no runs in ${dir}`);
        return runs[0].id;
      }
      const matches = runs.filter((r) => r.id.startsWith(ref) || r.name === ref);
      if (matches.length === 1) return matches[0]!.id;
      throw new CliError(matches.length ? `'${ref}' matches ${matches.length} MLflow runs; give more of the id` : `no MLflow run matches '${ref}' in ${dir}`);
    },
    get: async (id) => runs.find((r) => r.id === id)!,
  };
}

function storeSource(store: RunStore, io: CliIo): RunSource {
  const wrap = async <T>(p: Promise<T>) => p.catch((e: Error) => { throw new CliError(e.message); });
  return { list: () => listRuns(store, io), resolve: (ref) => wrap(store.resolve(ref)), get: (id) => wrap(store.get(id)) };
}

/**
 * The readable runs; the unreadable ones are named on stderr, never dropped
 * silently. Runs left 'running' by a dead mlci process are marked cancelled
 * (interrupted) first, so a killed run never reads 'running'.
 */
export async function listRuns(store: RunStore, io: Pick<CliIo, 'err'>): Promise<StoredRunRecord[]> {
  await store.markInterrupted().catch(() => undefined);
  const { runs, skipped } = await store.scan();
  for (const s of skipped.slice(0, 10)) io.err(`mlci: skipped run ${s.id}: ${s.reason}`);
  if (skipped.length > 10) io.err(`mlci: and ${skipped.length - 10} more unreadable runs in ${store.runsDir}`);
  return runs;
}

function parseFormat(v: unknown): CompareFormat {
  const f = String(v ?? 'table');
  if (f === 'table' || f === 'json' || f === 'md') return f;
  throw new CliError(`--format must be table, json or md, not '${f}'`);
}

async function goalsFor(cwd: string, file: string | undefined): Promise<MetricGoals> {
  // Goals only colour the comparison: a missing or invalid pipeline just means no verdicts.
  try {
    return (await loadPipeline(cwd, file, () => undefined)).pipeline.metrics;
  } catch {
    return {};
  }
}

function need(positionals: string[], n: number, usage: string): void {
  if (positionals.length < n) throw new CliError(`usage: ${usage}`);
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

function showRun(r: RunRecord, io: CliIo): void {
  io.out(`run ${r.id}${r.name ? ` "${r.name}"` : ''}: ${r.status}`);
  io.out(`  started ${r.startedAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''}; ${r.pipeline}, ${r.executor} executor`);
  if (r.git) io.out(`  git ${r.git.commit}${r.git.branch ? ` on ${r.git.branch}` : ''}${r.git.dirty ? ' (uncommitted changes)' : ''}`);
  if (r.tags?.length) io.out(`  tags ${r.tags.join(', ')}`);
  const section = (title: string, values: Record<string, unknown>) => {
    const entries = Object.entries(values);
    if (!entries.length) return;
    io.out(`${title}:`);
    const w = Math.max(...entries.map(([k]) => k.length));
    const show = (k: string, v: unknown) => (title === 'metrics' && typeof v === 'number' ? formatMetric(v, r.metricFormats?.[k]) : formatValue(v as never));
    for (const [k, v] of entries) io.out(`  ${k.padEnd(w)}  ${show(k, v)}`);
  };
  section('overrides', r.overrides ?? {});
  section('params', flattenParams(r.params ?? {}));
  section('metrics', r.metrics ?? {});
  if (r.stages.length) {
    io.out('stages:');
    const w = Math.max(...r.stages.map((s) => s.name.length));
    for (const s of r.stages) io.out(`  ${s.name.padEnd(w)}  ${s.status.padEnd(9)} ${s.reason ?? ''}`.trimEnd());
  }
}

export const expCommand: Command = {
  name: 'exp',
  summary: 'experiments: list, show and compare runs, pin a baseline, rename, tag, remove',
  usage: 'mlci exp list|show|diff|pin|unpin|rename|tag|rm [ARGS] [options]',
  help: `Subcommands:
  list                     the experiments, newest first, with overrides and metrics;
                           history (runs where nothing ran, Test Explorer runs, a
                           sweep's shared stages) only with --all
  show RUN                 one run: params, overrides, metrics, stages, git
  diff [A] [B...]          compare runs against a baseline: params and metrics per
                           run, difference to the baseline, ↑ better / ↓ worse by the
                           metric's goal (metrics: in the pipeline file).
                           No run: the last experiment. One run: it against the baseline.
                           Two or more: against the first (git diff A B order).
                           The baseline (when not given) is the pinned one, else the
                           experiment before.
  pin RUN                  pin RUN as the baseline (.mlci/baseline); pin alone shows it
  unpin                    forget the pinned baseline
  rename RUN NAME          set the run's name ('' removes it)
  tag RUN TAG...           add tags (--untag TAG removes one)
  rm RUN...                delete runs (--yes needed when not on a terminal)
RUN is an id, a unique prefix of one, or 'last'.

Options:
  -f, --file FILE          pipeline file (default: ./mlci.yaml, or the only one below)
  --format table|json|md   output of list, show (json) and diff; md is a Markdown
                           table for a PR comment or CI job summary
  --baseline RUN           diff: compare against RUN
  --only-diff              diff: only rows where some run differs from the baseline
  --all-params             diff: every param, also those the same in every run
                           (by default only params that differ are shown)
  --mlflow DIR             list/show/diff the runs of an MLflow file store (mlruns/)
  --limit N                list: at most N runs (default 50)
  -a, --all                list: history too, with a kind column (experiment, cached,
                           tests, shared-stages)
  --untag TAG              tag: remove TAG (repeatable)
  -y, --yes                rm: do not ask

Examples:
  mlci exp diff
  mlci exp diff --only-diff --format md >> "$GITHUB_STEP_SUMMARY"
  mlci exp pin 20261127-053912-4f2a
  mlci exp list --mlflow ./mlruns`,
  options: {
    file: { type: 'string', short: 'f' },
    format: { type: 'string', default: 'table' },
    baseline: { type: 'string' },
    'only-diff': { type: 'boolean', default: false },
    'all-params': { type: 'boolean', default: false },
    mlflow: { type: 'string' },
    limit: { type: 'string', default: '50' },
    all: { type: 'boolean', short: 'a', default: false },
    untag: { type: 'string', multiple: true },
    yes: { type: 'boolean', short: 'y', default: false },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const [subText, ...args] = positionals;
    const sub = (subText ?? 'list') as Sub;
    if (!SUBCOMMANDS.includes(sub)) throw new CliError(`unknown 'mlci exp' subcommand '${subText}'; one of ${SUBCOMMANDS.join(', ')}`);
    const format = parseFormat(values.format);
    const mlflowDir = values.mlflow as string | undefined;
    if (mlflowDir && !READ_ONLY.includes(sub)) throw new CliError(`--mlflow is read-only: 'mlci exp ${sub}' works on mlci's own runs`);
    const fileOpt = values.file as string | undefined;
    // With --mlflow a pipeline file is optional (only its metric goals are used).
    const root = mlflowDir ? undefined : path.dirname(await resolvePipelineFile(io.cwd, fileOpt));
    const store = root ? new RunStore(root) : undefined;
    const source = mlflowDir ? mlflowSource(path.resolve(io.cwd, mlflowDir), io) : storeSource(store!, io);
    const pinned = root ? await readPinned(root) : undefined;

    switch (sub) {
      case 'list': {
        const limit = Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a whole number of at least 1, not '${String(values.limit)}'`);
        const history = values.all as boolean;
        const listed = listedRuns(await source.list(), history);
        const runs = listed.runs.slice(0, limit);
        io.out(formatRunList(runs, format, { goals: await goalsFor(io.cwd, fileOpt), history, ...(pinned ? { pinned } : {}) }));
        // Said on stderr: stdout stays the table/JSON/Markdown a script reads.
        const note = hiddenNote(listed.hidden);
        if (note) io.err(note);
        return 0;
      }
      case 'show': {
        need(args, 1, 'mlci exp show RUN');
        const run = await source.get(await source.resolve(args[0]!));
        if (format === 'json') io.out(JSON.stringify(run, null, 2));
        else showRun(run, io);
        return 0;
      }
      case 'diff': {
        const runs = await source.list();
        const last = runs.find(isExperiment) ?? runs[0];
        const ids = args.length ? await Promise.all(args.map((a) => source.resolve(a))) : last ? [last.id] : [];
        if (!ids.length) throw new CliError('no runs to compare yet: mlci run');
        let baseline: string | undefined;
        if (values.baseline) baseline = await source.resolve(String(values.baseline));
        else if (ids.length >= 2) baseline = ids[0];
        else baseline = defaultBaseline(runs, ids[0]!, pinned);
        if (!baseline) throw new CliError(`nothing to compare run ${ids[0]} with: it is the only run (pin one with mlci exp pin, or give --baseline)`);
        const order = [baseline, ...ids.filter((id) => id !== baseline)];
        const records = await Promise.all(order.map((id) => source.get(id)));
        const comparison = compareRuns(records, baseline, await goalsFor(io.cwd, fileOpt), { onlyDiff: values['only-diff'] as boolean, onlyDiffParams: !values['all-params'] });
        // Short headers (name, or a unique id prefix) in tables; JSON keeps just the ids.
        if (format !== 'json') {
          const labels = shortLabels(comparison.runs, runs.map((r) => r.id));
          comparison.runs.forEach((r, i) => (r.label = labels[i]));
        }
        io.out(formatComparison(comparison, format));
        if (format !== 'json') for (const line of importanceShifts(records)) io.out(line);
        return 0;
      }
      case 'pin': {
        if (!args.length) {
          io.out(pinned ? `baseline: ${pinned}` : 'no baseline pinned: mlci exp pin RUN');
          return 0;
        }
        const id = await source.resolve(args[0]!);
        await pinBaseline(root!, id);
        io.out(`pinned ${id} as the baseline`);
        return 0;
      }
      case 'unpin':
        await unpinBaseline(root!);
        io.out(pinned ? `unpinned ${pinned}` : 'no baseline was pinned');
        return 0;
      case 'rename': {
        need(args, 2, 'mlci exp rename RUN NAME');
        const id = await source.resolve(args[0]!);
        const r = await store!.rename(id, args.slice(1).join(' ')).catch((e: Error) => { throw new CliError(e.message); });
        io.out(r.name ? `run ${id} is now "${r.name}"` : `run ${id} has no name now`);
        return 0;
      }
      case 'tag': {
        const untag = (values.untag as string[] | undefined) ?? [];
        if (args.length < 2 && !(args.length === 1 && untag.length)) throw new CliError('usage: mlci exp tag RUN TAG... [--untag TAG]');
        const id = await source.resolve(args[0]!);
        const r = await store!.tag(id, args.slice(1), untag).catch((e: Error) => { throw new CliError(e.message); });
        io.out(`run ${id} tags: ${(r.tags ?? []).join(', ') || '(none)'}`);
        return 0;
      }
      case 'rm': {
        need(args, 1, 'mlci exp rm RUN... [--yes]');
        const ids = await Promise.all(args.map((a) => source.resolve(a)));
        if (!values.yes) {
          if (!io.isTTY) throw new CliError(`not removing ${ids.join(', ')}: pass --yes (no terminal to ask on)`);
          if (!(await confirm(`delete run${ids.length > 1 ? 's' : ''} ${ids.join(', ')} and ${ids.length > 1 ? 'their' : 'its'} logs?`))) {
            io.out('nothing removed');
            return 1;
          }
        }
        for (const id of ids) {
          await store!.delete(id).catch((e: Error) => { throw new CliError(e.message); });
          if (id === pinned) await unpinBaseline(root!);
          io.out(`removed ${id}${id === pinned ? ' (it was the pinned baseline: unpinned)' : ''}`);
        }
        return 0;
      }
    }
  },
};

/** Per stage with importances in the baseline (first) and another run: how much their order changed. */
function importanceShifts(records: readonly RunRecord[]): string[] {
  const [base, ...others] = records;
  const lines: string[] = [];
  for (const [stage, before] of Object.entries(base?.importance ?? {})) {
    for (const r of others) {
      const after = r.importance?.[stage];
      if (!after) continue;
      const c = compareImportances(before.features, after.features);
      const rho = c.rankCorrelation === undefined ? `only ${c.shared} shared features` : `rank correlation ${c.rankCorrelation.toFixed(3)}`;
      const moved = describeMoves(c);
      lines.push(`importance ${stage}, ${r.id} vs ${base!.id}: ${rho}${moved ? `; moved most: ${moved}` : '; same order'}`);
    }
  }
  return lines.length ? ['', ...lines] : [];
}
