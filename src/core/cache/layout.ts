/**
 * Where the content-addressed cache keeps things, locally under
 * `<pipeline dir>/.mlci/cache/` and under the same keys on a remote:
 *
 *   objects/ab/cdef...        a file's bytes, named by their sha256
 *   objects/ab/cdef....dir    a directory: its sorted `relpath\0hash\n` lines
 *                             (the bytes the directory hash is taken over)
 *   objects/ab/cdef....link   a symlink's target text
 *   runs/ab/<fingerprint>.json   run-cache entry: one successful stage execution
 *   commits/<sha>/<pipeline>.json  the metrics a pipeline had at a commit (baselines)
 *
 * Every key is checked by `isCacheKey` before it touches a path, so a key
 * from a remote listing can never name a file outside the cache.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export const CACHE_SUBDIR = path.join('.mlci', 'cache');

export type ObjectKind = 'file' | 'dir' | 'link';

export function cacheRoot(pipelineRoot: string): string {
  return path.join(path.resolve(pipelineRoot), CACHE_SUBDIR);
}

const HEX64 = /^[0-9a-f]{64}$/;
export const isSha256 = (s: string): boolean => HEX64.test(s);

export function objectKey(hash: string, kind: ObjectKind): string {
  if (!isSha256(hash)) throw new Error(`not a sha256 content hash: '${hash}'`);
  return `objects/${hash.slice(0, 2)}/${hash.slice(2)}${kind === 'file' ? '' : '.' + kind}`;
}

export function runKey(fingerprint: string): string {
  if (!isSha256(fingerprint)) throw new Error(`not a stage fingerprint: '${fingerprint}'`);
  return `runs/${fingerprint.slice(0, 2)}/${fingerprint}.json`;
}

/** The pipeline file's name (without folders: the cache sits beside it), hashed: any name maps to a safe key. */
export function pipelineId(pipelineFile: string): string {
  return createHash('sha256').update(path.basename(pipelineFile)).digest('hex').slice(0, 16);
}

export function commitKey(commit: string, pipelineFile: string): string {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) throw new Error(`not a git commit id: '${commit}'`);
  return `commits/${commit}/${pipelineId(pipelineFile)}.json`;
}

const KEY = /^(objects\/[0-9a-f]{2}\/[0-9a-f]{62}(\.dir|\.link)?|runs\/[0-9a-f]{2}\/[0-9a-f]{64}\.json|commits\/[0-9a-f]{40}([0-9a-f]{24})?\/[0-9a-f]{16}\.json)$/;

export function isCacheKey(key: string): boolean {
  return KEY.test(key);
}

/** The object a key names: its hash and kind; undefined for runs/ and commits/ keys. */
export function parseObjectKey(key: string): { hash: string; kind: ObjectKind } | undefined {
  const m = /^objects\/([0-9a-f]{2})\/([0-9a-f]{62})(\.dir|\.link)?$/.exec(key);
  if (!m) return undefined;
  return { hash: m[1] + m[2], kind: m[3] === '.dir' ? 'dir' : m[3] === '.link' ? 'link' : 'file' };
}

/** Absolute path of a key inside a cache folder (the key must be valid). */
export function keyPath(cacheDir: string, key: string): string {
  if (!isCacheKey(key)) throw new Error(`not a cache key: '${key}'`);
  return path.join(cacheDir, ...key.split('/'));
}
