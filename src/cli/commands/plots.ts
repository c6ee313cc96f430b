/**
 * `mlci plots show|diff`: the stages' plots (`plots:`) and metric histories
 * (`history:`, or what a stage logged live) of the workspace or of recorded
 * runs, as the Plots panel shows them, as one self-contained HTML file, Markdown (for PR
 * comments and CI summaries) or JSON. Exit 0; 1 when a plot could not be
 * drawn (each such plot says why, the rest are written); 2 on bad usage.
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { runPlotsWithHistory, workspacePlotsWithHistory } from '../../core/plots/collect';
import { DEFAULT_MAX_POINTS } from '../../core/plots/downsample';
import { plotsHtml } from '../../core/plots/render/html';
import { plotsMarkdown } from '../../core/plots/render/markdown';
import type { RunPlots } from '../../core/plots/types';
import { PLOTS_JSON_VERSION } from '../../core/plots/types';
import { writeFileAtomic } from '../../core/run/atomic';
import type { RunRecord } from '../../core/run/record';
import { RunStore } from '../../core/run/store';
import type { Command } from '../command';
import { CliError, EXIT } from '../errors';
import { loadPipeline } from '../workspace';

const FORMATS = ['html', 'md', 'json'] as const;
type Format = (typeof FORMATS)[number];
const WORKSPACE = 'workspace';

/** The run kept plot files or a stage's metric history. */
const keptPlots = (r: Pick<RunRecord, 'plots' | 'history'>) => !!r.plots?.length || Object.values(r.history ?? {}).some((rows) => rows.length > 0);

export const plotsCommand: Command = {
  name: 'plots',
  summary: 'the stages\' plots and metric histories of the workspace or of runs, as HTML, Markdown or JSON',
  usage: 'mlci plots show|diff [RUN...] [--format html|md|json] [--out FILE] [-f PIPELINE]',
  help: `show: the plots as the workspace has them now, or as the given runs kept them,
then each stage's metric history as a line plot (a run's recorded history: its
\`history\` file, or what it logged live, e.g. DVCLive; the workspace's: the
\`history\` files as they are now).
diff: several side by side (line charts overlaid, confusion matrices and images
next to each other): the given runs, or the workspace against the latest run
that kept plots or a history (one RUN: the workspace against it). RUN is an id,
a unique prefix, 'latest', or 'workspace'.

Options:
  --format html|md|json  md (default); html is one file with everything inlined
                         (no script, no external fetch); json is the data drawn
  --out FILE             write there instead of standard output. With md, the
                         images are written beside it in FILE's name + '-plots/';
                         without --out they are inlined as data: URIs (which
                         GitHub comments do not show: use --out there)
  --plot PATH            only this plot (a path or stage:path; repeatable);
                         (history) or stage:(history) is a metric history
  --max-points N         points kept per series, longer ones downsampled with
                         LTTB (default ${DEFAULT_MAX_POINTS})
  -f, --file FILE        pipeline file

Examples:
  mlci plots show --format html --out plots.html
  mlci plots diff latest workspace --format md --out summary.md`,
  options: {
    format: { type: 'string', default: 'md' },
    out: { type: 'string', short: 'o' },
    plot: { type: 'string', multiple: true },
    'max-points': { type: 'string' },
    file: { type: 'string', short: 'f' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const [sub, ...refs] = positionals;
    if (sub !== 'show' && sub !== 'diff') throw new CliError(`say show or diff: mlci plots show|diff [RUN...]${sub ? ` (not '${sub}')` : ''}`);
    const format = String(values.format) as Format;
    if (!FORMATS.includes(format)) throw new CliError(`--format must be html, md or json, not '${format}'`);
    let maxPoints = DEFAULT_MAX_POINTS;
    if (values['max-points'] !== undefined) {
      maxPoints = Number(values['max-points']);
      if (!Number.isInteger(maxPoints) || maxPoints < 3) throw new CliError(`--max-points must be a whole number of at least 3, not '${String(values['max-points'])}'`);
    }
    const only = (values.plot as string[] | undefined) ?? [];
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    const store = new RunStore(loaded.root);
    const opts = { maxPoints, only };

    let wanted = refs;
    if (sub === 'diff' && refs.length < 2) {
      const latest = refs[0] ?? (await store.list()).find(keptPlots)?.id;
      if (!latest) throw new CliError('no run kept plots or a metric history yet to compare with the workspace: run the pipeline (mlci run), or name two runs');
      wanted = [latest, WORKSPACE];
    }
    if (wanted.length === 0) wanted = [WORKSPACE];
    const runs: RunPlots[] = [];
    for (const ref of wanted) {
      if (ref === WORKSPACE) {
        runs.push(await workspacePlotsWithHistory(loaded.pipeline, loaded.root, opts));
        continue;
      }
      let record;
      try {
        record = await store.get(await store.resolve(ref));
      } catch (e) {
        throw new CliError((e as Error).message, EXIT.usage);
      }
      if (!keptPlots(record)) io.err(`run ${record.id} kept no plots and no metric history (it ran before plots were declared, or its stages declare none)`);
      runs.push(await runPlotsWithHistory(record, store.runDir(record.id), opts));
    }

    const heading = sub === 'diff' ? 'Plots: ' + runs.map((r) => r.label).join(' vs ') : `Plots: ${runs.map((r) => r.label).join(', ')}`;
    const outFile = values.out !== undefined ? path.resolve(io.cwd, String(values.out)) : undefined;
    let text: string;
    if (format === 'json') text = JSON.stringify({ version: PLOTS_JSON_VERSION, runs }, null, 2) + '\n';
    else if (format === 'html') text = plotsHtml(runs, heading);
    else {
      const assetDir = outFile ? `${path.basename(outFile).replace(/\.[^.]*$/, '')}-plots` : undefined;
      const md = plotsMarkdown(runs, heading, assetDir);
      text = md.text;
      if (outFile) {
        for (const a of md.assets) {
          const abs = path.join(path.dirname(outFile), a.name);
          await mkdir(path.dirname(abs), { recursive: true });
          await writeFileAtomic(abs, a.bytes);
        }
      }
    }
    if (outFile) {
      await writeFileAtomic(outFile, text);
      io.err(`wrote ${path.relative(io.cwd, outFile) || outFile}`);
    } else io.out(text.replace(/\n$/, ''));

    const failed = runs.flatMap((r) => r.plots.filter((p) => p.kind === 'error').map((p) => `${r.label}: ${(p as { error: string }).error}`));
    for (const f of failed) io.err(`cannot draw: ${f}`);
    return failed.length ? EXIT.failed : EXIT.ok;
  },
};
