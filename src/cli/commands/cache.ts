/**
 * `mlci cache push|pull|gc`: move the content-addressed cache (objects,
 * run-cache entries, commit records) to and from a remote, and trim it.
 */
import type { Command } from '../command';
import { CliError } from '../errors';
import { loadPipeline } from '../workspace';
import { cacheDeps } from '../compose';
import { openRemote, resolveRemoteUrl } from '../../adapters/remotes';
import { RemoteError } from '../../core/cache/remote/types';
import type { PullWant, TransferReport } from '../../core/cache/remote/transfer';
import { pull, push } from '../../core/cache/remote/transfer';
import { runCacheKey } from '../../core/cache/run-cache';
import { runKey } from '../../core/cache/layout';
import { collectGarbage } from '../../core/cache/gc';
import { pruneFolderLists } from '../../core/run/dep-files';
import { outPaths } from '../../core/run/fingerprint';
import { readLock } from '../../core/run/lockfile';
import { readPinned } from '../../core/experiments/baseline';
import type { LoadedPipeline } from '../workspace';
import type { CliIo } from '../command';
import type { Pipeline } from '../../core/pipeline/model';
import { outOptionsOf } from '../../core/pipeline/model';
import { cacheMounts } from '../../core/build/caches';
import { pipelineLabel } from '../../core/run/engine';
import { chooseRunner } from '../executor';

const mb = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);

function jobsOf(v: unknown): number {
  if (v === undefined) return 4;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new CliError(`--jobs must be a whole number from 1 to 16, not '${String(v)}'`);
  return n;
}

function keepOf(v: unknown): number {
  if (v === undefined) return 10;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--keep-runs must be a whole number of at least 0, not '${String(v)}'`);
  return n;
}

/** The run-cache keys and output hashes the lock of this pipeline names (outputs with `cache: false` are never in the cache). */
export function lockWants(loaded: LoadedPipeline): Required<Pick<PullWant, 'hashes' | 'outputs'>> & { runs: string[] } {
  const lock = readLock(loaded.root);
  const runs: string[] = [];
  const outputs: Array<{ label: string; hash: string }> = [];
  for (const [name, l] of Object.entries(lock.stages)) {
    const stage = loaded.pipeline.stageByName.get(name);
    if (stage && /^[0-9a-f]{64}$/.test(l.fingerprint ?? '')) runs.push(runKey(runCacheKey(l.fingerprint, name, outPaths(stage))));
    for (const [out, hash] of Object.entries(l.outs ?? {})) {
      if (/^[0-9a-f]{64}$/.test(hash) && !(stage && outOptionsOf(stage, out).cache === false)) outputs.push({ label: `${name}: ${out}`, hash });
    }
  }
  return { runs, hashes: outputs.map((o) => o.hash), outputs };
}

function summary(verb: string, r: TransferReport, display: string): string {
  return `${verb} ${r.keys} key${r.keys === 1 ? '' : 's'} (${mb(r.bytes)}) ${verb === 'pushed' ? 'to' : 'from'} ${display}; ${r.present} already there`;
}

/**
 * The pipeline's named cache volumes (`caches:`) that no stage of it mounts
 * any more (a cache taken out of mlci.yaml, a stage removed): removed by gc,
 * or listed with --dry-run. Without a Docker engine there is nothing to
 * check, and gc says so rather than passing over them in silence.
 */
async function gcCacheVolumes(pipeline: Pipeline, dryRun: boolean, io: CliIo): Promise<void> {
  const label = pipelineLabel(pipeline);
  const keep = new Set(pipeline.stages.flatMap((s) => cacheMounts(label, s.caches ?? []).map((m) => m.volume)));
  let builder;
  try {
    builder = (await chooseRunner('docker', () => undefined)).builder;
  } catch (e) {
    io.err(`mlci cache gc: cache volumes not checked: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return;
  }
  if (!builder) return;
  const removed = await builder.removeVolumes({ 'mlci.pipeline': label }, { keep, dryRun });
  if (removed.length) io.out(`${dryRun ? 'would remove' : 'removed'} ${removed.length} cache volume${removed.length === 1 ? '' : 's'} no stage mounts: ${removed.join(', ')}`);
  else io.out(`cache volumes: none unused (${keep.size} in use by ${label})`);
}

export const cacheCommand: Command = {
  name: 'cache',
  summary: 'push, pull or garbage-collect the cache of stage outputs (.mlci/cache)',
  usage: 'mlci cache push|pull|gc [-f FILE] [--remote URL|NAME] [-j N] [--all] [--keep-runs N] [--dry-run]',
  help: `push   send every object, run-cache entry and commit record the remote lacks
       (objects first, so an entry never names an object that is not there)
pull   fetch the run-cache entries and objects mlci.lock names (--all: everything),
       and every commit record (baselines); each object is verified by its hash
gc     keep what mlci.lock, the pinned run and the last --keep-runs runs need;
       delete the rest and say what it frees (--dry-run: only say); also
       remove the folder deps' file lists (.mlci/state/dirs/) mlci.lock no
       longer names, and this pipeline's cache volumes (caches:) no stage mounts any more
       (mlci build --prune removes all of them)

Options:
  -f, --file FILE     pipeline file (default: ./mlci.yaml, or the only one below)
  --remote URL|NAME   a folder, ssh://[user@]host[:port]/path, or a name from
                      cache.remotes (default: MLCI_REMOTE, else cache.remote)
  -j, --jobs N        parallel transfers (default 4)
  --all               pull: everything on the remote
  --keep-runs N       gc: runs whose outputs to keep besides the lock's (default 10)
  --dry-run           gc: report only

SSH: keys from MLCI_SSH_KEY or ~/.ssh/id_*, or the SSH agent; host keys from
MLCI_SSH_KNOWN_HOSTS or ~/.ssh/known_hosts. The server needs sh and tar.
Transfers resume: what reached the remote is not sent again.

Exit codes: 0 done, 1 some objects were rejected (corrupt) or missing, 2 usage or remote error.`,
  options: {
    file: { type: 'string', short: 'f' },
    remote: { type: 'string' },
    jobs: { type: 'string', short: 'j' },
    all: { type: 'boolean', default: false },
    'keep-runs': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const [sub, ...extra] = positionals;
    if (!sub || !['push', 'pull', 'gc'].includes(sub)) throw new CliError(`say what to do: mlci cache push, pull or gc${sub ? ` (not '${sub}')` : ''}`);
    if (extra.length) throw new CliError(`unexpected argument '${extra[0]}'`);
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    const { cache, store } = await cacheDeps(loaded.root);
    if (sub === 'gc') {
      const keep = keepOf(values['keep-runs']);
      const runs = (await store.list()).slice(0, keep);
      const pinned = await readPinned(loaded.root).catch(() => undefined);
      const pinnedRun = pinned ? await store.get(pinned).catch(() => undefined) : undefined;
      const kept = [...runs, ...(pinnedRun ? [pinnedRun] : [])];
      const r = collectGarbage({
        dir: cache.dir, objects: cache.objects, records: cache.records, locks: [readLock(loaded.root)],
        keepRuns: new Set(kept.map((x) => x.id)),
        keepFingerprints: new Set(kept.flatMap((x) => x.stages.map((s) => s.fingerprint).filter((f): f is string => !!f))),
        dryRun: values['dry-run'] as boolean,
      });
      const verb = values['dry-run'] ? 'would remove' : 'removed';
      io.out(`${verb} ${r.removedObjects} object${r.removedObjects === 1 ? '' : 's'} and ${r.removedEntries} run-cache entr${r.removedEntries === 1 ? 'y' : 'ies'}, freeing ${mb(r.freedBytes)}; kept ${r.keptObjects} objects and ${r.keptEntries} entries (mlci.lock, ${pinnedRun ? 'the pinned run, ' : ''}the last ${runs.length} run${runs.length === 1 ? '' : 's'})`);
      // The file lists of folder deps (`dep src/ changed: logs.py`): only those of mlci.lock's hashes are ever read.
      const lists = pruneFolderLists(loaded.root, [readLock(loaded.root)], values['dry-run'] === true);
      io.out(`${verb} ${lists.removed} stale folder list${lists.removed === 1 ? '' : 's'} (.mlci/state/dirs/), freeing ${mb(lists.freedBytes)}; kept ${lists.kept} (mlci.lock's folder deps, and lists from the last hour)`);
      await gcCacheVolumes(loaded.pipeline, values['dry-run'] === true, io);
      return 0;
    }
    const jobs = jobsOf(values.jobs);
    let remote;
    try {
      remote = await openRemote(resolveRemoteUrl(values.remote as string | undefined, loaded.pipeline.cache, io.env), loaded.root, io.env);
    } catch (e) {
      if (e instanceof RemoteError) throw new CliError(e.message);
      throw e;
    }
    // Ctrl+C closes the connection: the server's commands end with it (a
    // push's staging folder is removed by its script), and every object
    // being received is dropped with its temp file before the command exits.
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
      void remote.close();
    };
    process.once('SIGINT', onSigint);
    try {
      const report = sub === 'push'
        ? await push(cache, remote, { jobs })
        : await pull(cache, remote, values.all ? { runs: 'all' } : lockWants(loaded), { jobs });
      io.out(summary(sub === 'push' ? 'pushed' : 'pulled', report, remote.display));
      for (const r of report.rejected) io.err(`mlci cache ${sub}: rejected ${r.key}: ${r.reason} (not stored; push it again from a good copy)`);
      if (sub === 'pull' && report.unrestored?.length) {
        // Named by output: which ones the pull could not bring back, and from where.
        io.err(`mlci cache pull: ${report.unrestored.length} output${report.unrestored.length === 1 ? '' : 's'} of mlci.lock cannot be restored from ${remote.display}${report.absent.length ? ` (${report.absent.length} key${report.absent.length === 1 ? '' : 's'} not there)` : ''}; their stages will run:`);
        for (const u of report.unrestored) io.err(`  ${u.output}: ${u.missing}`);
      } else if (sub === 'pull' && report.absent.length) {
        io.err(`mlci cache pull: ${report.absent.length} key${report.absent.length === 1 ? ' is' : 's are'} not on ${remote.display} (e.g. ${report.absent[0]}); those stages will run`);
      }
      return report.rejected.length ? 1 : 0;
    } catch (e) {
      if (interrupted) {
        io.err(`mlci cache ${sub}: interrupted; every key ${sub === 'pull' ? 'fetched so far is complete and verified' : 'sent so far is complete on the remote'}, nothing partial was kept (run it again to go on)`);
        return 130;
      }
      if (e instanceof RemoteError) throw new CliError(e.message);
      throw e;
    } finally {
      process.removeListener('SIGINT', onSigint);
      await remote.close();
    }
  },
};
