/**
 * Opens a cache remote from what the user gave: `--remote`, MLCI_REMOTE or
 * `cache.remote` in the pipeline, each a name from `cache.remotes`, an
 * `ssh://` URL, a `file://` URL or a folder path (relative to the pipeline
 * folder). The SSH remote (and ssh2) loads only when used.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CacheSpec } from '../core/pipeline/model';
import { DirRemote } from '../core/cache/remote/dir-remote';
import type { RemoteStore } from '../core/cache/remote/types';
import { RemoteError } from '../core/cache/remote/types';

export function resolveRemoteUrl(given: string | undefined, spec: CacheSpec, env: NodeJS.ProcessEnv): string {
  const chosen = given ?? env.MLCI_REMOTE ?? spec.remote;
  if (!chosen) throw new RemoteError('no cache remote: pass --remote URL (a folder or ssh://[user@]host[:port]/path), set MLCI_REMOTE, or set cache.remote in the pipeline file');
  return spec.remotes[chosen] ?? chosen;
}

export async function openRemote(url: string, root: string, env: NodeJS.ProcessEnv = process.env): Promise<RemoteStore> {
  if (url.startsWith('ssh://')) {
    const { SshRemote, parseSshUrl } = await import('./ssh/ssh-remote');
    return new SshRemote(parseSshUrl(url), env).open();
  }
  if (url.startsWith('file://')) return new DirRemote(fileURLToPath(url)).open();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme) throw new RemoteError(`${scheme}:// cache remotes are not supported yet (use a folder or ssh://); a new kind implements RemoteStore in src/core/cache/remote/types.ts`);
  return new DirRemote(path.resolve(root, url)).open();
}
