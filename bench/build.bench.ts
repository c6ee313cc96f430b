/**
 * `build:` benchmarks, each against a baseline measured in the same run:
 *  - up-to-date check of a 10,000-file build context: a new FileHasher
 *    loading its state file, then the context listed through .dockerignore
 *    and hashed (what `mlci status` does for a build: stats, no tar, no
 *    engine call) vs `git status --porcelain` on the same committed tree;
 *  - a build with every layer cached: DockerBuilder.build (tar-pack.ts's tar
 *    of the listed files, in ~1 MB runs, through dockerode) vs `docker
 *    build` (classic builder, as the
 *    engine here offers) of the same context and Dockerfile. Needs
 *    DOCKER_HOST and mlci-test/busybox:latest (scripts/ci/images.sh).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileHasher } from '../src/core/hash';
import { resolveBuild } from '../src/core/build/context';
import type { BuildSpec } from '../src/core/pipeline/model';
import { DockerRunner } from '../src/adapters/docker/docker-runner';
import { median, timeRuns, type BenchResult } from './timing';

function sh(cmd: string, cwd: string): void {
  execFileSync('sh', ['-c', cmd], { cwd, stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
}

/**
 * 10,000 files of about 1 KiB in 100 folders, plus a Dockerfile and a
 * .dockerignore that leaves out one folder and .git (which mlci never
 * sends: without the line `docker build` also sent the repository's 10,000
 * objects, so the two did not build the same context).
 */
function generateContext(root: string, files = 10_000): void {
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, 'src', `d${String(i % 100).padStart(2, '0')}`);
    if (i < 100) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `f${String(i).padStart(5, '0')}.py`), `# file ${i}\n${'x = 1\n'.repeat(150 + (i % 50))}`);
  }
  writeFileSync(path.join(root, 'requirements.txt'), 'numpy\n');
  writeFileSync(path.join(root, '.dockerignore'), 'src/d99\n.git\n');
  writeFileSync(path.join(root, 'Dockerfile'), 'FROM mlci-test/busybox:latest\nCOPY requirements.txt /opt/\nCOPY src /opt/src\nRUN ls /opt/src | wc -l\n');
}

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

const spec: BuildSpec = { context: 'ctx', dockerfile: 'Dockerfile', args: {}, owner: 'defaults' };

export async function benchBuild(): Promise<BenchResult[]> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-build-'));
  const ctx = path.join(base, 'ctx');
  const state = path.join(base, 'state', 'hashes.json');
  const out: BenchResult[] = [];
  try {
    generateContext(ctx);
    await new Promise((r) => setTimeout(r, 1100)); // past the racy-mtime window: warm runs are all stat hits
    const first = new FileHasher(state);
    const cold = await resolveBuild({ root: base, pipelineName: 'bench', spec, imageMap: new Map(), lister: first });
    if (cold.files.length !== 9_902) throw new Error(`listed ${cold.files.length} files, expected 9,902 (100 ignored)`);
    await first.save();
    // gc.auto 0: with 10,000 loose objects the commit started a detached `git gc`, which
    // deleted objects under docker build's feet ("Error processing tar file") and ran beside the timings.
    sh('git init -q && git config user.name bench && git config user.email bench@example.invalid && git config core.fsmonitor false && git config core.untrackedCache false && git config gc.auto 0 && git add -A && git commit -q -m ctx', ctx);
    const [mlci, git] = await alternate(11, 3, async () => {
      const hasher = new FileHasher(state);
      const b = await resolveBuild({ root: base, pipelineName: 'bench', spec, imageMap: new Map(), lister: hasher });
      if (b.hash !== cold.hash) throw new Error('the context hash moved');
      await hasher.save();
    }, () => sh('git status --porcelain > /dev/null', ctx));
    out.push(
      { name: 'build up-to-date check: context hash via stat cache (10,000 files)', ms: median(mlci) },
      { name: 'build up-to-date check: git status --porcelain', ms: median(git) },
      { name: 'build check ratio mlci / git status (goal <= 1.5)', ratio: median(mlci) / median(git), goal: 1.5 },
    );

    const runner = new DockerRunner();
    try {
      await runner.check();
      await runner.builder.findImage('mlci-test/busybox:latest').then((id) => {
        if (!id) throw new Error('mlci-test/busybox:latest is missing (scripts/ci/images.sh)');
      });
    } catch (e) {
      out.push({ name: 'cached build vs docker build', note: `not measured: ${(e as Error).message.split('\n')[0]}` });
      return out;
    }
    const tag = `mlci-bench/build:${process.pid}`;
    const request = {
      tag, contextDir: ctx, files: cold.files, dockerfile: cold.dockerfile, dockerfileText: cold.dockerfileText, args: {}, labels: {},
    };
    const build = async () => {
      const r = await runner.builder.build(request, () => undefined);
      if (!r.ok) throw new Error(`build failed: ${r.failure.message}`);
    };
    await build(); // fills the layer cache; every timed build below hits it
    const env = { ...process.env, DOCKER_BUILDKIT: '0' };
    const dockerBuild = () => execFileSync('docker', ['build', '-q', '-t', `${tag}-cli`, '.'], { cwd: ctx, env, stdio: ['ignore', 'ignore', 'inherit'] });
    dockerBuild();
    try {
      const [ours, theirs] = await alternate(5, 1, build, dockerBuild);
      out.push(
        { name: 'cached build: mlci (tar-pack of the listed files, dockerode)', ms: median(ours) },
        { name: 'cached build: docker build (classic builder, same context)', ms: median(theirs) },
        { name: 'cached build ratio mlci / docker build (goal <= 1.2)', ratio: median(ours) / median(theirs), goal: 1.2 },
      );
    } finally {
      execFileSync('docker', ['rmi', '-f', tag, `${tag}-cli`], { stdio: 'ignore' });
    }
    return out;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
