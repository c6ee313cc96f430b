/** Temp trees for the hasher tests: real files, written with an old mtime unless asked otherwise. */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** An hour ago, whole seconds: outside the racy window, and restorable exactly with utimesSync. */
export const OLD_SECONDS = Math.floor(Date.now() / 1000) - 3600;

export class Tree {
  readonly root = mkdtempSync(path.join(os.tmpdir(), 'mlci-hash-'));

  abs(rel: string): string {
    return path.join(this.root, rel);
  }

  /** Writes `rel` (creating folders) and sets its mtime to `mtime` seconds (default an hour ago, so the stat cache may keep it). */
  write(rel: string, content: string | Uint8Array, mtime: number | 'now' = OLD_SECONDS): string {
    const p = this.abs(rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
    if (mtime !== 'now') utimesSync(p, mtime, mtime);
    return p;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
