/**
 * Gate-time lookup of a baseline in the configured cache remote: when the
 * local cache has no record of the baseline ref's commit (a fresh clone, a
 * CI runner that did not `mlci cache pull`), the remote named by
 * MLCI_REMOTE or `cache.remote` is asked for that one commit record. A
 * record found is verified by its checksum and kept in the local cache, so
 * the next run reads it locally. Without a configured remote the gate's
 * "no baseline" says so; an unreachable remote is named with its error.
 */
import { commitKey } from '../core/cache/layout';
import type { CommitRecord, RecordStore } from '../core/cache/run-cache';
import { openJson } from '../core/cache/sealed-json';
import { fetchText } from '../core/cache/remote/transfer';
import { RemoteCommitBaseline, type BaselineProvider } from '../core/gates';
import type { CacheSpec } from '../core/pipeline/model';
import { openRemote } from './remotes';

export function remoteBaseline(
  root: string,
  pipeline: { file: string; cache?: CacheSpec },
  records: RecordStore,
  resolve: (ref: string) => Promise<string | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): BaselineProvider {
  const chosen = env.MLCI_REMOTE ?? pipeline.cache?.remote;
  if (!chosen) {
    return {
      metric: async () => undefined,
      lookedAt: async () => 'no cache remote is configured to ask (cache.remote in the pipeline file, or MLCI_REMOTE)',
    };
  }
  const url = pipeline.cache?.remotes[chosen] ?? chosen;
  const display = url.replace(/\/\/[^@/]*@/, '//');
  return new RemoteCommitBaseline(resolve, async (commit) => {
    const key = commitKey(commit, pipeline.file);
    const remote = await openRemote(url, root, env);
    try {
      if (!(await remote.has([key])).has(key)) return undefined;
      const r = openJson<CommitRecord>(await fetchText(remote, key));
      if ('error' in r) throw new Error(`its record of commit ${commit.slice(0, 12)} is corrupt: ${r.error}`);
      await records.write(key, r.value);
      return r.value;
    } finally {
      await remote.close();
    }
  }, display);
}
