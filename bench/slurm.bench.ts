/**
 * Scheduling overhead of `--executor slurm` per stage: the engine running a
 * chain of three no-op stages (forced) as Slurm jobs (the whole DAG held and
 * released, states from squeue) vs `sbatch --wait` of the same command,
 * three times one after the other, on the same cluster in the same run
 * (goal <= 1.2x). Needs the cluster of scripts/ci/slurm.sh (SLURM_CONF).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngineDeps } from '../src/adapters/engine-deps';
import { SlurmRunner } from '../src/adapters/slurm/slurm-runner';
import { nodeFiles } from '../src/core/node-files';
import { validatePipeline } from '../src/core/pipeline/validate';
import { runPipeline } from '../src/core/run/engine';
import { median, timeRuns, type BenchResult } from './timing';

const STAGES = 3;

export async function benchSlurm(): Promise<BenchResult[]> {
  const env = { ...process.env };
  if (!env.SLURM_CONF && existsSync('/tmp/mlci-slurm/slurm.conf')) env.SLURM_CONF = '/tmp/mlci-slurm/slurm.conf';
  process.env.SLURM_CONF = env.SLURM_CONF;
  execFileSync('sinfo', ['-h'], { env, stdio: 'ignore' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-slurm-'));
  try {
    const yaml = `version: 1\ndefaults: { image: python:3.12-slim }\nstages:\n${Array.from({ length: STAGES }, (_, k) => `  s${k}:\n    run: "true"\n${k ? `    needs: [s${k - 1}]\n` : ''}`).join('')}`;
    writeFileSync(path.join(dir, 'mlci.yaml'), yaml);
    const v = validatePipeline({ file: 'mlci.yaml', text: yaml, root: dir, files: nodeFiles });
    if (!v.pipeline) throw new Error('bench pipeline invalid');
    const pipeline = v.pipeline;
    const deps = await createEngineDeps(dir, new SlurmRunner({ env }));
    let i = 0;
    const engine = await timeRuns(4, async () => {
      const r = await runPipeline({ runId: `bench-${process.pid}-${i++}`, root: dir, pipelineFile: 'mlci.yaml', pipeline, params: {}, targets: [], force: true }, deps);
      if (r.status !== 'passed') throw new Error(`no-op chain ${r.status}: ${r.stages.map((s) => s.reason).join('; ')}`);
    }, 1);
    const wait = await timeRuns(4, () => {
      for (let k = 0; k < STAGES; k++) execFileSync('sbatch', ['--wait', '--quiet', `--output=${path.join(dir, 'wait.out')}`, `--chdir=${dir}`, '--wrap', 'true'], { env, stdio: 'ignore' });
    }, 1);
    return [
      { name: `${STAGES} chained no-op stages: mlci --executor slurm, per stage`, ms: median(engine) / STAGES },
      { name: `${STAGES} no-op jobs: sbatch --wait one after the other, per job`, ms: median(wait) / STAGES },
      { name: 'slurm scheduling overhead per stage vs sbatch --wait (goal <= 1.2)', ratio: median(engine) / median(wait), goal: 1.2 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
