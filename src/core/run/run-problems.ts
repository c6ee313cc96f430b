/**
 * Failures of a run that belong to a line of the pipeline file (a failed
 * image build at its `build:`, a GPU request at `gpus:`) or of a Dockerfile
 * (the failing step), as problems for the editor's Problems view. Not
 * validation problems: they come from running, so they carry their own codes.
 */
import type { PipelineSource } from '../pipeline/source';
import { lineStartsOf, locate } from '../pipeline/source';
import type { RunRecord } from './record';

export interface RunProblem {
  code: 'build-failed' | 'run-failed';
  /** Relative to the pipeline folder. */
  file: string;
  message: string;
  /** 1-based; end exclusive. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One problem per failing place (stages sharing a failed build give one), with the stages named. */
export function runProblems(record: RunRecord, pipelineFile: string, source: PipelineSource, readText: (rel: string) => string | undefined): RunProblem[] {
  const out = new Map<string, RunProblem & { stages: string[] }>();
  for (const s of record.stages) {
    const ref = s.problem;
    if (s.status !== 'failed' || !ref) continue;
    const code = ref.path.includes('build') ? 'build-failed' : 'run-failed';
    const span = locate(source, ref.path, 'key');
    const key = `${pipelineFile}:${span.start}`;
    const at = out.get(key) ?? { code, file: pipelineFile, message: ref.message, line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn, stages: [] };
    at.stages.push(s.name);
    out.set(key, at);
    if (ref.dockerfile) {
      const text = readText(ref.dockerfile.file);
      const starts = text !== undefined ? lineStartsOf(text) : [];
      const lineText = text !== undefined ? text.slice(starts[ref.dockerfile.line - 1] ?? 0, starts[ref.dockerfile.line] ?? text.length).replace(/\r?\n$/, '') : '';
      const dkey = `${ref.dockerfile.file}:${ref.dockerfile.line}`;
      const d = out.get(dkey) ?? { code, file: ref.dockerfile.file, message: ref.message, line: ref.dockerfile.line, column: 1, endLine: ref.dockerfile.line, endColumn: lineText.length + 1, stages: [] };
      d.stages.push(s.name);
      out.set(dkey, d);
    }
  }
  return [...out.values()].map(({ stages, ...p }) => ({ ...p, message: `${p.message} (run ${record.id}, stage${stages.length > 1 ? 's' : ''} ${stages.join(', ')})` }));
}
