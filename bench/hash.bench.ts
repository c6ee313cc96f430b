/**
 * Content hashing of a 10,000-file, ~1 GB tree (9,900 files of ~10 KB and
 * 100 of ~9 MB), in the same run:
 *  - cold: FileHasher with no state file vs `sha256sum` over the same files;
 *  - warm: a new FileHasher loading the state file the cold run saved (a
 *    stat-only walk) vs `git status --porcelain` (git's index makes that a
 *    stat-only walk too).
 * The page cache is warm for both sides of both comparisons: the tree was
 * just written, and dropping caches would need root and disturb the rest of
 * the machine. So "cold" means no stat cache, not a cold disk.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileHasher } from '../src/core/hash';
import { median, timeRuns, type BenchResult } from './timing';

const KB = 1024;
const MB = 1024 * KB;

/**
 * Deterministic pseudo-random bytes from a seed: the AES-128-CTR keystream
 * (encrypting zeros) runs at GB/s with AES-NI, so 1 GB is generated in well
 * under a second, and the content does not compress (git sees real data).
 */
function seededBytes(seed: string): (n: number) => Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  return (n) => cipher.update(Buffer.alloc(n));
}

/** Writes the tree; returns its byte total. Small files spread over 99 folders, the big ones in one. */
export function generateTree(root: string, small = 9900, big = 100): number {
  const bytes = seededBytes('mlci-hash-bench');
  // Sizes vary a little around the targets (seeded too), as real data does.
  const sizeOf = (target: number, i: number): number => Math.round(target * (0.8 + ((i * 7919) % 401) / 1000));
  let total = 0;
  for (let i = 0; i < small; i++) {
    const dir = path.join(root, 'samples', `s${String(i % 99).padStart(2, '0')}`);
    if (i < 99) mkdirSync(dir, { recursive: true });
    const data = bytes(sizeOf(10 * KB, i));
    writeFileSync(path.join(dir, `x${String(i).padStart(5, '0')}.bin`), data);
    total += data.length;
  }
  mkdirSync(path.join(root, 'shards'), { recursive: true });
  for (let i = 0; i < big; i++) {
    const data = bytes(sizeOf(9 * MB, i));
    writeFileSync(path.join(root, 'shards', `shard-${String(i).padStart(3, '0')}.bin`), data);
    total += data.length;
  }
  return total;
}

function sh(cmd: string, cwd: string): void {
  execFileSync('sh', ['-c', cmd], { cwd, stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 64 * MB });
}

/** Times `a` and `b` in turns, so neither side gets a systematically warmer cache or a quieter machine. */
async function alternate(n: number, warmup: number, a: () => unknown, b: () => unknown): Promise<[number[], number[]]> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const x = await timeRuns(1, a, 0);
    const y = await timeRuns(1, b, 0);
    if (i >= warmup) {
      ta.push(...x);
      tb.push(...y);
    }
  }
  return [ta, tb];
}

export async function benchHash(): Promise<BenchResult[]> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-hash-'));
  const tree = path.join(base, 'tree');
  const state = path.join(base, 'state', 'hashes.json');
  try {
    const genT0 = Date.now();
    const total = generateTree(tree);
    const genMs = Date.now() - genT0;
    // Files modified within the last second are not cached (racy-git
    // protection); let the newest ones age so the warm run is all stat hits.
    await new Promise((r) => setTimeout(r, 1100));

    // Cold: no state file yet (only the last run's cache is saved, after the
    // loop), every file read and hashed.
    const hashes = new Set<string>();
    let last: FileHasher | undefined;
    const [mlciCold, shaCold] = await alternate(3, 0, async () => {
      last = new FileHasher(state);
      const h = await last.hashPath(tree);
      if (h?.files !== 10000) throw new Error(`hashed ${h?.files} files, expected 10000`);
      hashes.add(h.hash);
    }, () => sh('find . -type f -print0 | xargs -0 sha256sum > /dev/null', tree));
    if (hashes.size !== 1) throw new Error('cold runs disagree');
    const [coldHash] = hashes;
    // The state file the warm runs load: what the last cold run learned.
    await last!.save();

    // Warm: git's side needs a committed tree whose index is refreshed (the
    // warm-up statuses rewrite entries git still considered racy). Settings
    // that would let git skip the walk (fsmonitor, untracked cache) are off,
    // as they are by default.
    sh('git init -q && git config user.name bench && git config user.email bench@example.invalid && git config core.fsmonitor false && git config core.untrackedCache false', tree);
    sh('git -c core.compression=0 add -A && git commit -q -m tree', tree);
    // Medians of 11 after 3 warm-up rounds: the first few in-process runs are
    // up to 2x slower while V8 optimizes the cache-hit path.
    const [mlciWarm, gitWarm] = await alternate(11, 3, async () => {
      // A new instance each time: loading the state file is part of the cost.
      const hasher = new FileHasher(state);
      const h = await hasher.hashPath(tree);
      if (h?.hash !== coldHash) throw new Error('warm hash differs from cold');
      await hasher.save(); // a no-op when every file was a stat hit
    }, () => sh('git status --porcelain > /dev/null', tree));

    const cold = median(mlciCold) / median(shaCold);
    const warm = median(mlciWarm) / median(gitWarm);
    const note = `(10,000 files, ${(total / MB).toFixed(0)} MiB, generated in ${genMs} ms; page cache warm for both sides: "cold" = no stat cache)`;
    return [
      { name: 'hash tree cold: FileHasher, no state file', ms: median(mlciCold), note },
      { name: 'hash tree cold: find | xargs sha256sum', ms: median(shaCold) },
      { name: 'hash cold ratio FileHasher / sha256sum (goal <= 1.2)', ratio: cold, goal: 1.2 },
      { name: 'hash tree warm: FileHasher, state file from the cold run', ms: median(mlciWarm) },
      { name: 'hash tree warm: git status --porcelain', ms: median(gitWarm) },
      { name: 'hash warm ratio FileHasher / git status (goal <= 2)', ratio: warm, goal: 2 },
    ];
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
