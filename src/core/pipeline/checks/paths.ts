/**
 * Every path field of the pipeline, with its JSON path, so one place knows
 * which fields hold paths (used for the workspace check, missing deps and
 * output overlap).
 */
import { escapeReason, resolveIn } from '../../paths';
import type { Pipeline } from '../model';
import type { JsonPath } from '../source';
import type { CheckContext } from './context';

export type PathRole = 'dep' | 'out' | 'other';

export interface PathRef {
  path: string;
  at: JsonPath;
  role: PathRole;
  /** The stage the path belongs to, if any. */
  stage?: string;
}

export function pathRefs(p: Pipeline, data: Record<string, unknown>): PathRef[] {
  const refs: PathRef[] = [];
  const add = (path: string | undefined, at: JsonPath, role: PathRole, stage?: string) => {
    if (typeof path === 'string') refs.push({ path, at, role, ...(stage ? { stage } : {}) });
  };
  if (typeof data.params === 'string') add(data.params, ['params'], 'other');
  for (const s of p.stages) {
    const base = ['stages', s.name];
    s.deps.forEach((d, i) => add(d, [...base, 'deps', i], 'dep', s.name));
    rawOuts(data, s.name).forEach((item, i) => {
      // A string item is located at itself; a `{PATH: options}` item at its options.
      if (typeof item === 'string') add(item, [...base, 'outs', i], 'out', s.name);
      else if (item && typeof item === 'object' && Object.keys(item).length === 1) add(Object.keys(item)[0], [...base, 'outs', i, Object.keys(item)[0]], 'out', s.name);
    });
    const rawStage = (data.stages as Record<string, Record<string, unknown>> | undefined)?.[s.name];
    const rawMetrics = rawStage?.metrics;
    if (typeof rawMetrics === 'string') add(rawMetrics, [...base, 'metrics'], 'out', s.name);
    else if (rawMetrics && typeof rawMetrics === 'object') {
      const m = rawMetrics as Record<string, unknown>;
      add(typeof m.file === 'string' ? m.file : undefined, [...base, 'metrics', 'file'], 'out', s.name);
      if (Array.isArray(m.files)) m.files.forEach((f, i) => add(typeof f === 'string' ? f : undefined, [...base, 'metrics', 'files', i], 'out', s.name));
    }
    if (Array.isArray(rawStage?.plots)) {
      rawStage.plots.forEach((item, i) => {
        if (typeof item === 'string') add(item, [...base, 'plots', i], 'out', s.name);
        else if (item && typeof item === 'object') for (const p of Object.keys(item as object)) add(p, [...base, 'plots', i, p], 'out', s.name);
      });
    }
    add(s.history, [...base, 'history'], 'out', s.name);
    add(s.reports.junit, [...base, 'reports', 'junit'], 'out', s.name);
    if (s.workdir !== '.') add(s.workdir, [...base, 'workdir'], 'other', s.name);
    if (s.kind === 'data') add(s.expect?.file, [...base, 'expect', 'file'], 'dep', s.name);
    if (s.kind === 'data') add(s.importance?.file, [...base, 'importance', 'file'], 'dep', s.name);
    if (s.kind === 'data') add(s.importance?.report, [...base, 'importance', 'report'], 'out', s.name);
    add(s.importances, [...base, 'importances'], 'out', s.name);
    if (s.kind === 'drift') {
      add(s.reference, [...base, 'reference'], 'dep', s.name);
      add(s.current, [...base, 'current'], 'dep', s.name);
      add(s.drift?.report, [...base, 'drift', 'report'], 'out', s.name);
    }
  }
  add(p.triggers?.metric?.source, ['triggers', 'metric', 'source'], 'other');
  add(p.ci.file, ['ci', 'file'], 'other');
  return refs;
}

function rawOuts(data: Record<string, unknown>, stage: string): unknown[] {
  const outs = (data.stages as Record<string, Record<string, unknown> | undefined> | undefined)?.[stage]?.outs;
  return Array.isArray(outs) ? outs : typeof outs === 'string' ? [outs] : [];
}

export function checkWorkspacePaths(ctx: CheckContext, refs: PathRef[]): void {
  for (const ref of refs) {
    const why = escapeReason(ref.path);
    if (why) {
      ctx.report('path-escapes-workspace', ref.at, `path '${ref.path}' is not allowed: ${why}; paths are relative to the pipeline's folder and must stay inside it`);
      continue;
    }
    // The text stays inside; a symlink on the way may still lead out.
    const link = ctx.files.linkEscape?.(ctx.root, resolveIn(ctx.root, ref.path), ref.path);
    if (link) ctx.report('path-escapes-workspace', ref.at, `path '${ref.path}' is not allowed: ${link}`);
  }
}
