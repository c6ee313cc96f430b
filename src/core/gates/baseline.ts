/**
 * Where regression gates get the value to compare against. The evaluator
 * only sees `BaselineProvider`; which values stand behind a ref is decided
 * here: the stage's metrics file as committed at a git ref (`GitBaseline`),
 * or a given run record such as the pinned experiment (`RecordBaseline`).
 * Pure: git access comes in as a function, so the core never imports git.
 */
import path from 'node:path';
import type { Pipeline } from '../pipeline/model';
import type { RunRecord } from '../run/record';
import { flattenMetrics, type Metrics } from '../run/metrics';
import { parseImportancesText } from '../importance/file';
import type { FeatureImportance } from '../importance/types';

/** The `baseline:` value that means "the pinned run" rather than a git ref. */
export const PINNED_BASELINE = 'pinned';

export interface BaselineProvider {
  /** The baseline value of `metric` for `stage` at `ref`; undefined when it has none. */
  metric(ref: string, stage: string, metric: string): Promise<number | undefined>;
  /** The stage's feature importances at `ref` (stability gates); undefined when it has none. */
  importances?(ref: string, stage: string): Promise<FeatureImportance[] | undefined>;
  /** Where else it looked for `ref` and what it found, for a "no baseline" verdict (e.g. the remote's answer). */
  lookedAt?(ref: string): Promise<string | undefined>;
}

/** A file's text at a git ref (`relPath` relative to the repository root, `/`-separated); undefined when the ref or the path does not exist. */
export type ReadFileAtRef = (ref: string, relPath: string) => Promise<string | undefined>;

/**
 * Reads the stage's metrics file as committed at the ref. `pipelineDirInRepo`
 * is the pipeline folder relative to the git root ('' or '.' at the root),
 * because `metricsFile` is relative to the pipeline folder but git paths are
 * relative to the repository. Each (ref, file) is read once: several gates
 * usually ask the same file at the same ref.
 */
export class GitBaseline implements BaselineProvider {
  private readonly cache = new Map<string, Promise<Metrics | undefined>>();

  constructor(
    private readonly read: ReadFileAtRef,
    private readonly pipeline: Pick<Pipeline, 'stageByName'>,
    private readonly pipelineDirInRepo: string,
  ) {}

  async metric(ref: string, stage: string, metric: string): Promise<number | undefined> {
    const files = this.pipeline.stageByName.get(stage)?.metricsFiles ?? [];
    // Later files win on clashing names, as when the run read them.
    for (const file of [...files].reverse()) {
      const value = (await this.metricsAt(ref, repoPath(this.pipelineDirInRepo, file)))?.[metric];
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** The stage's `importances` file, or its data stage's `importance.report`, as committed at the ref. */
  async importances(ref: string, stage: string): Promise<FeatureImportance[] | undefined> {
    const s = this.pipeline.stageByName.get(stage);
    const file = s?.importances ?? s?.importance?.report;
    if (!file) return undefined;
    const rel = repoPath(this.pipelineDirInRepo, file);
    const text = await this.read(ref, rel);
    return text === undefined ? undefined : (await parseImportancesText(text, file, `${ref}:${rel}`)).features;
  }

  private metricsAt(ref: string, relPath: string): Promise<Metrics | undefined> {
    const key = `${ref}\0${relPath}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.read(ref, relPath).then((text) => (text === undefined ? undefined : parseMetrics(text, `${ref}:${relPath}`)));
      this.cache.set(key, entry);
    }
    return entry;
  }
}

/** `dir/file` as git wants it: forward slashes, normalised, no leading `./`. */
export function repoPath(dirInRepo: string, file: string): string {
  const joined = path.posix.join(dirInRepo.replace(/\\/g, '/') || '.', file.replace(/\\/g, '/'));
  return path.posix.normalize(joined).replace(/^\.\//, '');
}

/**
 * A committed metrics file that is not a JSON object is an error, not "no
 * baseline": silently skipping would hide that the baseline is broken.
 */
function parseMetrics(text: string, shown: string): Metrics {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`baseline metrics file ${shown} is not valid JSON: ${(e as Error).message}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`baseline metrics file ${shown} must hold a JSON object of metric names to numbers`);
  return flattenMetrics(data);
}

/**
 * Baseline values from a run record (e.g. the pinned experiment); the ref is
 * ignored. Records written before `stageMetrics` existed only have the
 * flattened `metrics`, which are used then.
 */
export class RecordBaseline implements BaselineProvider {
  constructor(private readonly record: Pick<RunRecord, 'metrics' | 'stageMetrics' | 'importance'>) {}

  async metric(_ref: string, stage: string, metric: string): Promise<number | undefined> {
    const values = this.record.stageMetrics ? this.record.stageMetrics[stage] : this.record.metrics;
    const v = values?.[metric];
    return typeof v === 'number' ? v : undefined;
  }

  async importances(_ref: string, stage: string): Promise<FeatureImportance[] | undefined> {
    return this.record.importance?.[stage]?.features;
  }
}

/**
 * Baseline values from the cache's record of what the pipeline measured at
 * the ref's commit (`.mlci/cache/commits/`, written by every clean run and
 * moved by `mlci cache push|pull`): the baseline when the metrics files are
 * gitignored, as in most DVC-style repositories.
 */
export class CommitRecordBaseline implements BaselineProvider {
  constructor(
    private readonly resolve: (ref: string) => Promise<string | undefined>,
    private readonly read: (commit: string) => { stageMetrics: Record<string, Record<string, number>> } | undefined,
  ) {}

  async metric(ref: string, stage: string, metric: string): Promise<number | undefined> {
    const commit = await this.resolve(ref);
    const v = commit ? this.read(commit)?.stageMetrics[stage]?.[metric] : undefined;
    return typeof v === 'number' ? v : undefined;
  }
}

/**
 * The cache remote's record of the ref's commit, fetched on demand when the
 * local cache has none (gate time in a fresh clone or CI runner that did not
 * `mlci cache pull`). One lookup per commit; what the remote answered (no
 * record, unreachable) is kept for the "no baseline" verdict, so a gate
 * never reads as having had nothing to look at.
 */
export class RemoteCommitBaseline implements BaselineProvider {
  private readonly fetched = new Map<string, Promise<{ stageMetrics: Record<string, Record<string, number>> } | undefined>>();
  private readonly notes = new Map<string, string>();

  constructor(
    private readonly resolve: (ref: string) => Promise<string | undefined>,
    /** The record of `commit` on the remote; undefined when it has none; throws when the remote cannot be asked. */
    private readonly fetch: (commit: string) => Promise<{ stageMetrics: Record<string, Record<string, number>> } | undefined>,
    private readonly display: string,
  ) {}

  async metric(ref: string, stage: string, metric: string): Promise<number | undefined> {
    const commit = await this.resolve(ref);
    if (!commit) {
      this.notes.set(ref, `the cache remote ${this.display} was not asked: ${ref} is not a commit here`);
      return undefined;
    }
    let pending = this.fetched.get(commit);
    if (!pending) {
      pending = this.fetch(commit).then(
        (rec) => {
          if (!rec) this.notes.set(ref, `the cache remote ${this.display} has no record of ${ref}'s commit ${commit.slice(0, 12)} either`);
          return rec;
        },
        (e: Error) => {
          this.notes.set(ref, `the cache remote ${this.display} could not be asked (${e.message})`);
          return undefined;
        },
      );
      this.fetched.set(commit, pending);
    }
    const v = (await pending)?.stageMetrics[stage]?.[metric];
    if ((await pending) && typeof v !== 'number') this.notes.set(ref, `the cache remote ${this.display}'s record of ${ref}'s commit has no ${stage}:${metric}`);
    return typeof v === 'number' ? v : undefined;
  }

  async lookedAt(ref: string): Promise<string | undefined> {
    return this.notes.get(ref);
  }
}

/** The first provider's value, else the second's (committed metrics file first, then the cache's record). */
export function firstBaseline(a: BaselineProvider, b: BaselineProvider): BaselineProvider {
  return {
    metric: async (ref, stage, metric) => (await a.metric(ref, stage, metric)) ?? b.metric(ref, stage, metric),
    importances: async (ref, stage) => (await a.importances?.(ref, stage)) ?? b.importances?.(ref, stage),
    lookedAt: async (ref) => {
      const notes = [await a.lookedAt?.(ref), await b.lookedAt?.(ref)].filter((n): n is string => !!n);
      return notes.length ? notes.join('; ') : undefined;
    },
  };
}

/**
 * One provider for a whole pipeline: `baseline: pinned` goes to `pinned`
 * (undefined when nothing is pinned: those gates are skipped), any other
 * ref to `git`.
 */
export function routeBaselines(git: BaselineProvider, pinned?: BaselineProvider): BaselineProvider {
  return {
    metric: (ref, stage, metric) => (ref === PINNED_BASELINE ? (pinned?.metric(ref, stage, metric) ?? Promise.resolve(undefined)) : git.metric(ref, stage, metric)),
    importances: (ref, stage) => {
      const from = ref === PINNED_BASELINE ? pinned : git;
      return from?.importances?.(ref, stage) ?? Promise.resolve(undefined);
    },
    lookedAt: (ref) => (ref === PINNED_BASELINE ? Promise.resolve(undefined) : git.lookedAt?.(ref) ?? Promise.resolve(undefined)),
  };
}
