/**
 * Remote engines (issue 18), against the second engine of
 * scripts/ci/second-engine.sh (MLCI_SECOND_ENGINE; it shares no files):
 * - first upload: a stage whose deps are an input tree, run by mlci on a
 *   fresh workspace volume (hash, tar through the archive API, run `true`),
 *   vs `docker create` + `docker cp` of the same tree into a fresh volume +
 *   start + remove. Goal <= 1.2x.
 * - the same stage again, nothing changed (sends nothing) vs a no-op stage
 *   on the local engine (bind mount). Goal <= 1.3x.
 * Default tree: 1,000 files, 100 MB (2 cores shared); MLCI_BENCH_REMOTE_FULL=1
 * runs the 10,000 files, 1 GB. The sizes run are printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { DockerRunner } from '../src/adapters/docker/docker-runner';
import type { StageSpec } from '../src/core/ports';
import { median, type BenchResult } from './timing';

const IMAGE = 'mlci-test/busybox:latest';

function spec(root: string, runId: string): StageSpec {
  return { runId, stage: 'bench', image: IMAGE, commands: ['true'], workspace: root, workdir: '.', env: {}, network: 'none', inputs: ['data/'], outputs: [] };
}

function tree(files: number, bytes: number): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-remote-'));
  const per = Math.floor(bytes / files);
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, 'data', `d${i % 100}`);
    if (i < 100) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `f${i}.bin`), randomBytes(per));
  }
  return root;
}

function dockerCp(host: string, root: string, i: number): number {
  const vol = `mlci-bench-cp-${process.pid}-${i}`;
  const t0 = process.hrtime.bigint();
  const d = (...a: string[]) => execFileSync('docker', ['-H', host, ...a], { encoding: 'utf8' }).trim();
  const id = d('create', '-v', `${vol}:${root}`, IMAGE, 'true');
  d('cp', path.join(root, 'data'), `${id}:${root}/`);
  d('start', '-a', id);
  d('rm', '-f', id);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  d('volume', 'rm', vol);
  return ms;
}

export async function benchRemote(): Promise<BenchResult[]> {
  const host = process.env.MLCI_SECOND_ENGINE;
  if (!host) throw new Error('MLCI_SECOND_ENGINE is not set: eval "$(bash scripts/ci/second-engine.sh)"');
  const full = process.env.MLCI_BENCH_REMOTE_FULL === '1';
  const files = full ? 10_000 : 1_000;
  const bytes = full ? 1024 ** 3 : 100 * 1024 ** 2;
  const remote = new DockerRunner({ host, remote: true, engineName: 'second' });
  const results: BenchResult[] = [{ name: 'remote: input tree', value: bytes / 1024 ** 2, unit: `MB in ${files} files${full ? '' : ' (MLCI_BENCH_REMOTE_FULL=1: 1 GB, 10,000)'}` }];
  // The machine is shared: rounds alternate the measures, and each round times the rerun and the local no-op three times.
  const rounds = full ? 1 : 5;
  const up: number[] = [];
  const cp: number[] = [];
  const again: number[] = [];
  const noop: number[] = [];
  const log = () => undefined;
  for (let i = 0; i < rounds; i++) {
    // A fresh folder each round: a fresh workspace volume, so everything is sent.
    const root = tree(files, bytes);
    try {
      // The order alternates between rounds, so neither side always runs on a warmer cache.
      const upload = async () => {
        const t0 = process.hrtime.bigint();
        const first = await remote.run(spec(root, `bench-${i}`), log);
        up.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (first.transfer?.sentFiles !== files) throw new Error(`sent ${first.transfer?.sentFiles} files, expected ${files}: ${JSON.stringify(first.outcome)}`);
      };
      if (i % 2) {
        await upload();
        cp.push(dockerCp(host, root, i));
      } else {
        cp.push(dockerCp(host, root, i));
        await upload();
      }
      // Reruns are cheap (nothing is sent): three each, also for the 1 GB tree, so the ratio is a median.
      for (let k = 0; k < 3; k++) {
        // A new runner, as a new `mlci run` process has: nothing known about the volume in memory.
        let t0 = process.hrtime.bigint();
        const second = await new DockerRunner({ host, remote: true, engineName: 'second' }).run(spec(root, `bench-${i}b${k}`), log);
        again.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (second.transfer?.sentFiles !== 0) throw new Error(`the unchanged run sent ${second.transfer?.sentFiles} files`);
        t0 = process.hrtime.bigint();
        await new DockerRunner().run({ ...spec(root, `bench-${i}c${k}`), inputs: [] }, log);
        noop.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      await remote.releaseWorkspace(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  results.push(
    { name: 'remote: first upload + stage (mlci)', ms: median(up) },
    { name: 'remote: docker cp + stage (baseline)', ms: median(cp) },
    { name: 'remote: first upload vs docker cp', ratio: median(up) / median(cp), goal: 1.2 },
    { name: 'remote: unchanged rerun (sends nothing)', ms: median(again) },
    { name: 'remote: local no-op stage (baseline)', ms: median(noop) },
    { name: 'remote: unchanged rerun vs local no-op stage', ratio: median(again) / median(noop), goal: 1.3 },
  );
  return results;
}
