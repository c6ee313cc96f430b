/**
 * The content-addressed cache on a 10,000-file, ~1 GB output tree (the
 * hash bench's tree), each side timed in turns in the same run:
 *  - restore: StageCache.materialise of the stored tree vs `cp -al` of the
 *    same tree (both make hardlinks; goal ≤ 1.5x);
 *  - ssh:// remote: `mlci cache push` / `pull` logic through a real OpenSSH
 *    server on 127.0.0.1 vs `rsync -a` over the same server (goal ≤ 1.2x).
 *    Skipped with a note when sshd or rsync is missing.
 * MLCI_BENCH_CACHE=restore measures only the restore, =ssh only the remote;
 * MLCI_BENCH_CACHE_TREE=SMALL,BIG makes the tree SMALL files of ~10 kB and
 * BIG of ~9 MB (default 9900,100: 10,000 files, ~1 GB).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileHasher } from '../src/core/hash';
import type { Stage } from '../src/core/pipeline/model';
import { StageCache } from '../src/core/cache/stage-cache';
import { pull, push } from '../src/core/cache/remote/transfer';
import { SshRemote } from '../src/adapters/ssh/ssh-remote';
import { sshdMissing, startSshd } from '../test/unit/cache/sshd';
import { generateTree } from './hash.bench';
import { median, timeRuns, type BenchResult } from './timing';

const stage = { name: 'gen', kind: 'custom', outs: ['tree'], outOptions: {}, metricsFiles: [], plots: [], reports: {}, deps: [] } as unknown as Stage;

async function alternate(n: number, a: () => unknown, b: () => unknown, reset: () => void): Promise<[number[], number[]]> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < n; i++) {
    reset();
    ta.push(...(await timeRuns(1, a, 0)));
    reset();
    tb.push(...(await timeRuns(1, b, 0)));
  }
  return [ta, tb];
}

/** Each turn's time, for the spread. */
const each = (ms: number[]) => `(turns: ${ms.map((t) => (t / 1000).toFixed(1)).join(', ')} s)`;

export async function benchCache(): Promise<BenchResult[]> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-cache-'));
  const results: BenchResult[] = [];
  try {
    const root = path.join(base, 'ws');
    const [small, big] = (process.env.MLCI_BENCH_CACHE_TREE ?? '9900,100').split(',').map(Number);
    if (!Number.isInteger(small) || !Number.isInteger(big)) throw new Error(`MLCI_BENCH_CACHE_TREE must be SMALL,BIG (file counts), not '${process.env.MLCI_BENCH_CACHE_TREE}'`);
    const bytes = generateTree(path.join(root, 'tree'), small, big);
    const hasher = new FileHasher(path.join(root, '.mlci/state/hashes.json'));
    const cache = new StageCache(root, hasher);
    const entry = await cache.save(stage, '0'.repeat(64), { runId: 'bench', pipeline: 'mlci.yaml', lock: { fingerprint: '0'.repeat(64), cmd: [], env: {}, params: {}, deps: {}, outs: {} } });
    const rec = entry.outs.tree;
    results.push({ name: `cache: tree stored (${(bytes / 1e6).toFixed(0)} MB, ${(small + big).toLocaleString('en')} files)`, note: `as ${rec.kind} ${rec.hash.slice(0, 12)}` });

    if (process.env.MLCI_BENCH_CACHE !== 'ssh') {
      const dest = path.join(root, 'restored');
      const copy = path.join(root, 'copied');
      const [mine, cp] = await alternate(5, () => cache.materialise(dest, rec), () => execFileSync('cp', ['-al', path.join(root, 'tree'), copy]), () => {
        rmSync(dest, { recursive: true, force: true });
        rmSync(copy, { recursive: true, force: true });
      });
      results.push({ name: 'cache: restore 1 GB / 10,000 files from the local cache', ms: median(mine) });
      results.push({ name: 'cache: cp -al of the same tree', ms: median(cp) });
      results.push({ name: 'cache: restore vs cp -al (goal ≤ 1.5)', ratio: median(mine) / median(cp), goal: 1.5 });
    }

    // MLCI_BENCH_CACHE=restore measures the restore only (the SSH half moves 8 GB in all).
    if (process.env.MLCI_BENCH_CACHE === 'restore') return results;
    if (sshdMissing() || spawnSync('rsync', ['--version']).error) {
      results.push({ name: 'cache: ssh:// push/pull vs rsync', note: 'skipped: sshd or rsync missing (bash scripts/ci/sshd.sh)' });
      return results;
    }
    const sshd = await startSshd();
    try {
      const sshOpts = `ssh -p ${sshd.port} -i ${sshd.env.MLCI_SSH_KEY} -o UserKnownHostsFile=${sshd.env.MLCI_SSH_KNOWN_HOSTS} -o BatchMode=yes`;
      const remoteDir = path.join(base, 'remote');
      const rsyncDir = path.join(base, 'rsync-remote');
      const target = { user: 'root', host: '127.0.0.1', port: sshd.port, path: remoteDir };
      const open = () => new SshRemote(target, { ...process.env, ...sshd.env }).open();
      const [pushMine, pushRsync] = await alternate(2, async () => {
        const r = await open();
        try {
          await push(cache, r, { jobs: 4 });
        } finally {
          await r.close();
        }
      }, () => execFileSync('rsync', ['-a', '-e', sshOpts, `${cache.dir}/`, `root@127.0.0.1:${rsyncDir}/`]), () => {
        rmSync(remoteDir, { recursive: true, force: true });
        rmSync(rsyncDir, { recursive: true, force: true });
      });
      results.push({ name: 'cache: push the tree to ssh:// (localhost)', ms: median(pushMine), note: each(pushMine) });
      results.push({ name: 'cache: rsync -a of the same cache over the same sshd', ms: median(pushRsync), note: each(pushRsync) });
      results.push({ name: 'cache: ssh push vs rsync (goal ≤ 1.2)', ratio: median(pushMine) / median(pushRsync), goal: 1.2 });

      // Pull: both sides fetch into an empty folder from the remote the last push left.
      await (async () => {
        const r = await open();
        await push(cache, r, { jobs: 4 });
        await r.close();
      })();
      execFileSync('rsync', ['-a', '-e', sshOpts, `${cache.dir}/`, `root@127.0.0.1:${rsyncDir}/`]);
      const pullRoot = path.join(base, 'pulled');
      const rsyncLocal = path.join(base, 'rsync-local');
      const [pullMine, pullRsync] = await alternate(2, async () => {
        const r = await open();
        try {
          const fresh = new StageCache(pullRoot, new FileHasher());
          await pull(fresh, r, { runs: 'all' }, { jobs: 4 });
        } finally {
          await r.close();
        }
      }, () => execFileSync('rsync', ['-a', '-e', sshOpts, `root@127.0.0.1:${rsyncDir}/`, `${rsyncLocal}/`]), () => {
        rmSync(pullRoot, { recursive: true, force: true });
        rmSync(rsyncLocal, { recursive: true, force: true });
      });
      results.push({ name: 'cache: pull the tree from ssh:// (localhost, hash-verified)', ms: median(pullMine), note: each(pullMine) });
      results.push({ name: 'cache: rsync -a of the same cache back', ms: median(pullRsync), note: each(pullRsync) });
      results.push({ name: 'cache: ssh pull vs rsync (goal ≤ 1.2)', ratio: median(pullMine) / median(pullRsync), goal: 1.2 });
    } finally {
      sshd.stop();
    }
    return results;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
