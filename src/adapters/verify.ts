/**
 * `mlci verify`: the stages remote CI runs (`ci.stages`, default every
 * test, data, evaluate and drift stage, with what they need), in the same
 * images, then the gates against the baseline; a Markdown and a JSON report
 * kept with the run. Shared by the CLI (`verify`, `push`, the pre-push
 * hook) and the extension's "Verify and Push".
 */
import path from 'node:path';
import type { ParamValue } from '../core/params';
import type { Pipeline } from '../core/pipeline/model';
import { TEST_KINDS } from '../core/pipeline/model';
import type { ContainerRunner } from '../core/ports';
import type { EngineEvent } from '../core/run/engine';
import { runPipeline } from '../core/run/engine';
import type { RunRecord } from '../core/run/record';
import { formatRunMarkdown } from '../core/run/report';
import { newRunId } from '../core/run/run-id';
import { acquireWorkspaceLock } from '../core/run/workspace-lock';
import { writeFileAtomic, writeJsonAtomic } from '../core/run/atomic';
import { formatGatesMarkdown } from '../core/gates';
import type { ImageMap } from '../core/run/images';
import { createBaseline, createEngineDeps, hostUser } from './engine-deps';

export interface VerifyOptions {
  root: string;
  pipelineFile: string;
  pipeline: Pipeline;
  params: Record<string, ParamValue>;
  runner: ContainerRunner;
  imageMap?: ImageMap;
  jobs?: number;
  signal?: AbortSignal;
  onEvent?: (e: EngineEvent) => void;
}

export interface VerifyResult {
  record: RunRecord;
  /** 0 all green, 1 a stage failed, 2 a gate failed, 130 cancelled. */
  exitCode: number;
  markdown: string;
  reportFile: string;
}

/** The stages verification runs: `ci.stages`, else every test-like stage. */
export function verifyTargets(pipeline: Pipeline): string[] {
  return pipeline.ci.stages ?? pipeline.stages.filter((s) => TEST_KINDS.includes(s.kind)).map((s) => s.name);
}

export async function verify(opts: VerifyOptions): Promise<VerifyResult> {
  const deps = await createEngineDeps(opts.root, opts.runner);
  const runId = newRunId();
  const release = await acquireWorkspaceLock(opts.root, { runId, command: 'mlci verify' });
  try {
    const user = opts.runner.name === 'docker' ? hostUser() : undefined;
    const record = await runPipeline({
      runId, name: 'verify', root: opts.root, pipelineFile: opts.pipelineFile, pipeline: opts.pipeline, params: opts.params,
      targets: verifyTargets(opts.pipeline), ...(opts.imageMap ? { imageMap: opts.imageMap } : {}), ...(opts.jobs ? { jobs: opts.jobs } : {}),
      ...(user ? { user } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      baseline: await createBaseline(opts.root, opts.pipeline, deps.store),
    }, deps);
    const markdown = formatRunMarkdown(record, { title: `mlci verify (${opts.pipelineFile})` }) + (record.gates?.length ? `\n${formatGatesMarkdown(record.gates)}` : '');
    const dir = path.join(opts.root, '.mlci', 'runs', record.id);
    const reportFile = path.join(dir, 'verify.md');
    await writeFileAtomic(reportFile, markdown);
    await writeJsonAtomic(path.join(dir, 'verify.json'), { run: record.id, status: record.status, stages: record.stages, gates: record.gates ?? [] });
    const exitCode = record.status === 'passed' ? 0 : record.status === 'gate-failed' ? 2 : record.status === 'cancelled' ? 130 : 1;
    return { record, exitCode, markdown, reportFile };
  } finally {
    await release();
  }
}
