/**
 * How a cache object reaches the workspace (and a workspace file the cache):
 * a reflink (a copy-on-write clone: safe and instant where the file system
 * has them, e.g. Btrfs, XFS, APFS), else a hardlink (instant, shares the
 * inode), else a copy. `MLCI_CACHE_LINK` (auto | reflink | hardlink | copy)
 * picks one; auto tries them in that order and remembers what worked.
 *
 * Storing a stage's fresh output copies it (or reflinks it), so the files a
 * stage just wrote stay private and writable; only restores link. Hardlinks
 * are safe from stages because of two rules the engine keeps: outputs are
 * deleted before their stage reruns (a stage writes new inodes, never
 * through a link), and a `persist` output is first replaced by private
 * copies. Objects are made read-only (a restored hardlink is read-only too,
 * as in DVC), and their mtime is set to a fixed instant (OBJECT_MTIME_MS):
 * an edit through a link changes it, which the cache notices and answers by
 * re-hashing the object, deleting it if it no longer matches, and rerunning
 * or re-fetching; a corrupt object is never restored.
 */
import { chmodSync, constants, copyFileSync, linkSync, utimesSync } from 'node:fs';

export type LinkMode = 'reflink' | 'hardlink' | 'copy';
export type LinkPreference = LinkMode | 'auto';

export const LINK_PREFERENCES: readonly LinkPreference[] = ['auto', 'reflink', 'hardlink', 'copy'];

/** 2001-09-09T01:46:40Z: the mtime every cache object is given. */
export const OBJECT_MTIME_S = 1_000_000_000;
export const OBJECT_MTIME_MS = OBJECT_MTIME_S * 1000;

export function parseLinkPreference(v: string | undefined): LinkPreference {
  if (v === undefined || v === '') return 'auto';
  if ((LINK_PREFERENCES as readonly string[]).includes(v)) return v as LinkPreference;
  throw new Error(`MLCI_CACHE_LINK must be one of ${LINK_PREFERENCES.join(', ')}, not '${v}'`);
}

const FALLBACK_CODES = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EINVAL', 'ENOSYS', 'EPERM', 'EMLINK', 'ETXTBSY']);

export class Linker {
  private mode: LinkMode | undefined;

  /** `auto` tries the modes of `order`, in order (storing a stage's fresh output never hardlinks by default; see stage-cache.ts). */
  constructor(private readonly preference: LinkPreference = 'auto', private readonly order: readonly LinkMode[] = ['reflink', 'hardlink', 'copy']) {
    if (preference !== 'auto') this.mode = preference;
  }

  /** The mode in use (after the first `place`; auto before). */
  get current(): LinkMode | 'auto' {
    return this.mode ?? 'auto';
  }

  /** Puts `src`'s content at `dest` (which must not exist); returns how. */
  place(src: string, dest: string): LinkMode {
    if (this.mode) {
      try {
        return this.placeWith(this.mode, src, dest);
      } catch (e) {
        // A forced mode fails loudly; auto's choice can still hit another device (EXDEV).
        if (this.preference !== 'auto' || !FALLBACK_CODES.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      }
    }
    for (const m of this.order) {
      try {
        const used = this.placeWith(m, src, dest);
        this.mode = used;
        return used;
      } catch (e) {
        if (m === 'copy' || !FALLBACK_CODES.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      }
    }
    throw new Error('unreachable');
  }

  private placeWith(m: LinkMode, src: string, dest: string): LinkMode {
    if (m === 'hardlink') {
      linkSync(src, dest);
      return m;
    }
    copyFileSync(src, dest, constants.COPYFILE_EXCL | (m === 'reflink' ? constants.COPYFILE_FICLONE_FORCE : 0));
    // A private copy: writable like any file the stage wrote (the object is read-only).
    chmodSync(dest, 0o644);
    return m;
  }
}

/** Marks a file as a cache object: read-only, with the fixed mtime. */
export function sealObject(file: string): void {
  chmodSync(file, 0o444);
  utimesSync(file, OBJECT_MTIME_S, OBJECT_MTIME_S);
}
