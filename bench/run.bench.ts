/**
 * Run engine benchmarks, each against a baseline measured in the same run:
 *  - per-stage overhead: the engine running one no-op stage (forced) vs raw
 *    dockerode create/start/wait/remove of the same image (goal <= 1.15x);
 *  - eight independent no-op stages, --jobs 2 vs --jobs 1 (goal <= 0.6x);
 *  - `mlci status` (the real CLI process) on a 10,000-file / 1 GB dep tree:
 *    cold (no stat cache) vs sha256sum (goal <= 1.2x), warm vs `git status`
 *    (goal <= 2x).
 * Needs DOCKER_HOST with the images of scripts/ci/images.sh for the first two.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { DockerRunner } from '../src/adapters/docker/docker-runner';
import { createEngineDeps } from '../src/adapters/engine-deps';
import { nodeFiles } from '../src/core/node-files';
import { validatePipeline } from '../src/core/pipeline/validate';
import { runPipeline } from '../src/core/run/engine';
import { pipelineStatus } from '../src/core/run/status';
import { LocalRunner } from '../src/adapters/local/local-runner';
import { generateTree } from './hash.bench';
import { median, timeRuns, type BenchResult } from './timing';

const IMAGE = 'mlci-test/busybox:latest';

function pipelineIn(dir: string, yaml: string) {
  writeFileSync(path.join(dir, 'mlci.yaml'), yaml);
  const r = validatePipeline({ file: 'mlci.yaml', text: yaml, root: dir, files: nodeFiles });
  if (!r.pipeline || r.problems.some((p) => p.severity === 'error')) throw new Error(`bench pipeline invalid: ${r.problems[0]?.message}`);
  return r.pipeline;
}

async function rawDockerode(docker: Docker): Promise<void> {
  const c = await docker.createContainer({ Image: IMAGE, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
  await c.start();
  await c.wait();
  await c.remove({ force: true });
}

export async function benchRun(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const docker = new Docker();
  try {
    await docker.getImage(IMAGE).inspect();
  } catch (e) {
    throw new Error(`needs a Docker engine with ${IMAGE} (scripts/ci/docker-up.sh + images.sh): ${(e as Error).message}`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-run-'));
  try {
    // 1. Per-stage overhead.
    const one = pipelineIn(dir, `version: 1\nstages:\n  noop:\n    image: ${IMAGE}\n    run: "true"\n`);
    const deps = await createEngineDeps(dir, new DockerRunner());
    let i = 0;
    const engine = await timeRuns(15, async () => {
      const r = await runPipeline({ runId: `bench-${process.pid}-${i++}`, root: dir, pipelineFile: 'mlci.yaml', pipeline: one, params: {}, targets: [], force: true }, deps);
      if (r.status !== 'passed') throw new Error(`no-op stage ${r.status}: ${r.stages[0].reason}`);
    });
    const raw = await timeRuns(15, () => rawDockerode(docker));
    results.push(
      { name: 'one no-op stage: mlci engine', ms: median(engine) },
      { name: 'one no-op container: raw dockerode', ms: median(raw) },
      { name: 'per-stage overhead ratio (goal <= 1.15)', ratio: median(engine) / median(raw), goal: 1.15 },
    );

    // 2. Parallelism: eight independent stages.
    const eight = pipelineIn(dir, `version: 1\nstages:\n${Array.from({ length: 8 }, (_, k) => `  s${k}:\n    image: ${IMAGE}\n    run: "sleep 0.5"\n`).join('')}`);
    const timeJobs = (jobs: number) => timeRuns(3, async () => {
      await runPipeline({ runId: `bench-j${jobs}-${process.pid}-${i++}`, root: dir, pipelineFile: 'mlci.yaml', pipeline: eight, params: {}, targets: [], force: true, jobs }, deps);
    }, 1);
    const j1 = await timeJobs(1);
    const j2 = await timeJobs(2);
    results.push(
      { name: '8 independent stages (sleep 0.5): --jobs 1', ms: median(j1) },
      { name: '8 independent stages (sleep 0.5): --jobs 2', ms: median(j2) },
      { name: 'jobs 2 / jobs 1 (goal <= 0.6)', ratio: median(j2) / median(j1), goal: 0.6 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // 3. mlci status on a big dep tree, through the real CLI.
  const tree = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-status-'));
  try {
    generateTree(path.join(tree, 'data'));
    writeFileSync(path.join(tree, 'mlci.yaml'), 'version: 1\nstages:\n  read:\n    image: busybox\n    run: "true"\n    deps: [data/]\n');
    const cli = path.join(__dirname, '../dist/cli.js');
    const status = () => execFileSync(process.execPath, [cli, 'status', '--executor', 'local'], { cwd: tree, stdio: 'pipe' });
    const t0 = process.hrtime.bigint();
    status();
    const cold = Number(process.hrtime.bigint() - t0) / 1e6;
    const t1 = process.hrtime.bigint();
    execFileSync('sh', ['-c', 'find data -type f -print0 | xargs -0 sha256sum > /dev/null'], { cwd: tree });
    const sha = Number(process.hrtime.bigint() - t1) / 1e6;
    const warm = await timeRuns(5, status, 1);
    execFileSync('sh', ['-c', 'git init -q && git -c user.name=b -c user.email=b@b add -A && git -c user.name=b -c user.email=b@b commit -qm tree'], { cwd: tree });
    const git = await timeRuns(5, () => execFileSync('git', ['status', '--porcelain'], { cwd: tree, stdio: 'pipe' }), 1);
    // The same status in-process (what the extension does on every refresh):
    // a fresh hasher loading the saved stat cache, like git loading its index.
    const loaded = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(tree, 'mlci.yaml'), 'utf8'), root: tree, files: nodeFiles });
    const inProcess = await timeRuns(7, async () => {
      const d = await createEngineDeps(tree, new LocalRunner());
      await pipelineStatus({ pipeline: loaded.pipeline!, root: tree, params: {} }, d);
    }, 2);
    const start = await timeRuns(5, () => execFileSync(process.execPath, [cli, '--version'], { stdio: 'pipe' }), 1);
    results.push(
      { name: 'mlci status, 10,000 files / 1 GB, cold (no stat cache)', ms: cold },
      { name: 'sha256sum of the same files', ms: sha },
      { name: 'status cold / sha256sum (goal <= 1.2; page cache warm for both)', ratio: cold / sha, goal: 1.2 },
      { name: 'git status --porcelain, same tree', ms: median(git) },
      { name: 'mlci status in-process, warm (stat cache loaded each time)', ms: median(inProcess) },
      { name: 'status warm in-process / git status (goal <= 2)', ratio: median(inProcess) / median(git), goal: 2 },
      { name: 'mlci status as a CLI process, warm', ms: median(warm), note: `(of which Node start + bundle load, mlci --version: ${median(start).toFixed(0)} ms)` },
      { name: 'status warm CLI process / git status', ratio: median(warm) / median(git) },
    );
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
  return results;
}
