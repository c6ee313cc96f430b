/**
 * Undeclared code deps: a Python stage whose script imports modules of the
 * repository that its `deps` do not cover reruns too rarely (edit the
 * shared `src/utils/logs.py` and nothing reruns). A warning, with a fix
 * adding the files; callers can turn the check off.
 */
import { escapeReason, normalizeRel, resolveIn } from '../../paths';
import { CONTAINER_KINDS } from '../model';
import { pythonEntries, pythonFilesOf } from '../python-imports';
import type { CheckContext } from './context';
import { appendToListFix } from './edits';

export function checkCodeDeps(ctx: CheckContext): void {
  for (const stage of ctx.pipeline.stages) {
    if (!CONTAINER_KINDS.includes(stage.kind) || stage.run.length === 0 || escapeReason(stage.workdir)) continue;
    const cwd = normalizeRel(stage.workdir);
    const entries = stage.run.flatMap((cmd) => pythonEntries(cmd, cwd));
    if (entries.length === 0) continue;
    const pythonPath = (stage.env.PYTHONPATH ?? '').split(':').filter((p) => p && !escapeReason(p)).map((p) => normalizeRel(`${cwd}/${p}`));
    const used = pythonFilesOf(entries, pythonPath, (rel) => resolveIn(ctx.root, rel), ctx.files);
    const deps = stage.deps.filter((d) => !escapeReason(d)).map(normalizeRel);
    const covered = (f: string) => deps.some((d) => d === '.' || f === d || f.startsWith(d + '/'));
    const missing = used.filter((f) => !covered(f));
    if (missing.length === 0) continue;
    const base = ['stages', stage.name];
    const hasDeps = Array.isArray((ctx.data.stages as Record<string, Record<string, unknown>>)[stage.name]?.deps);
    const fix = appendToListFix(ctx.src, ctx.where(base), 'deps', missing, `Add ${missing.length === 1 ? `'${missing[0]}'` : `${missing.length} files`} to the deps of '${stage.name}'`);
    const shown = missing.slice(0, 5).map((f) => `'${f}'`).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
    ctx.report('undeclared-code-dep', hasDeps ? [...base, 'deps'] : base,
      `stage '${stage.name}' runs Python that uses ${shown}, not covered by its deps: changing ${missing.length === 1 ? 'it' : 'them'} would not rerun the stage`,
      { at: 'key', severity: 'warning', fixes: fix ? [fix] : [] });
  }
}
