/**
 * Drift trigger: the newest drift verdict of the trigger's drift stage,
 * from the latest run that recorded its report or from the stage's report
 * file on disk when that file is newer (a drift check run by monitoring or
 * by `mlci drift` writes the file without a run record).
 */
import path from 'node:path';
import type { Pipeline } from '../pipeline/model';
import type { RunRecord } from '../run/record';
import type { TriggerFileReader, TriggerResult } from './types';

interface Verdict {
  datasetDrift: boolean;
  driftedShare?: number;
  from: string;
  at: Date;
}

function verdictOf(report: unknown): { datasetDrift: boolean; driftedShare?: number } | undefined {
  if (!report || typeof report !== 'object') return undefined;
  const r = report as { datasetDrift?: unknown; driftedShare?: unknown };
  if (typeof r.datasetDrift !== 'boolean') return undefined;
  return { datasetDrift: r.datasetDrift, ...(typeof r.driftedShare === 'number' ? { driftedShare: r.driftedShare } : {}) };
}

function fromRuns(stage: string, runs: readonly RunRecord[]): Verdict | undefined {
  let best: Verdict | undefined;
  for (const run of runs) {
    const v = verdictOf(run.reports?.[stage]);
    if (!v) continue;
    const at = new Date(run.finishedAt ?? run.startedAt);
    if (Number.isNaN(at.getTime())) continue;
    if (!best || at > best.at) best = { ...v, from: `run ${run.id}`, at };
  }
  return best;
}

export function checkDrift(pipeline: Pipeline, root: string, runs: readonly RunRecord[], readFile: TriggerFileReader): TriggerResult | undefined {
  const name = pipeline.triggers?.drift;
  if (!name) return undefined;
  const stage = pipeline.stageByName.get(name);
  let verdict = fromRuns(name, runs);
  const reportPath = stage?.drift?.report;
  if (reportPath) {
    const file = readFile(path.resolve(root, reportPath));
    if (file && (!verdict || file.modified > verdict.at)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(file.text);
      } catch {
        parsed = undefined;
      }
      const v = verdictOf(parsed);
      if (v) verdict = { ...v, from: `${reportPath}`, at: file.modified };
    }
  }
  if (!verdict) return { trigger: 'drift', fired: false, reason: `stage '${name}' has no drift report yet (no recorded run ran it${reportPath ? `, no ${reportPath}` : ''})` };
  const share = verdict.driftedShare !== undefined ? ` (${Math.round(verdict.driftedShare * 100)}% of the tested columns drifted)` : '';
  return verdict.datasetDrift
    ? { trigger: 'drift', fired: true, reason: `stage '${name}' reports dataset drift${share} in ${verdict.from} (${verdict.at.toISOString()})` }
    : { trigger: 'drift', fired: false, reason: `stage '${name}' reports no dataset drift${share} in ${verdict.from} (${verdict.at.toISOString()})` };
}
