/**
 * The engine-run stage kinds: `data` (the expect checks, and the feature
 * dependencies of `importance:`) and `drift` (reference vs current). Each
 * returns pass/fail, lines for the stage log and a report kept with the run.
 * A data stage whose target cannot be measured (absent, constant, too many
 * classes) fails with that message; a feature that cannot be measured is
 * noted on the feature and the stage still passes.
 *
 * A drift stage passes when it computed its report, drifted or not: the
 * verdict is data (recorded, shown, exported as the metrics
 * `dataset_drift` and `drifted_share`), and what to do about it is decided
 * by a `{ drift: <stage> }` gate or by `triggers.drift`. `mlci drift` on
 * its own exits 1 on drift, for scripts.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runDataChecks } from '../data-checks';
import { formatDataReport } from '../data-checks/format';
import { detectDrift } from '../drift/detect';
import { formatJson, formatTable } from '../drift/report';
import { formatImportanceTable } from '../importance/format';
import { measureDependencies, writeImportanceReport } from '../importance/measure';
import { writeFileAtomic } from './atomic';
import { containedPath } from '../files/contain';
import type { BuiltinExecutor, BuiltinResult } from './engine';
import type { ImportanceReport } from '../importance/types';
import type { Stage } from '../pipeline/model';

/**
 * A data stage's feature dependencies measured again without its checks or
 * its report file: for a stage that did not run (up to date, restored) and
 * left no measurement in the run-cache, whose importance gates still need it.
 */
export async function measureStageImportance(stage: Stage, root: string, signal: AbortSignal): Promise<ImportanceReport | undefined> {
  const spec = stage.importance;
  const file = spec?.file ?? stage.expect?.file;
  if (!spec || !file) return undefined;
  return measureDependencies(containedPath(root, path.resolve(root, file), file), spec, { file, signal });
}

export function builtinExecutors(): Partial<Record<'data' | 'drift', BuiltinExecutor>> {
  return {
    data: async (stage, root, signal) => {
      const spec = stage.importance;
      if (!stage.expect?.file && !spec) return { passed: false, lines: [`stage ${stage.name} has no expect.file`] };
      const result: BuiltinResult = { passed: true, lines: [] };
      if (stage.expect?.file) {
        const report = await runDataChecks(containedPath(root, path.resolve(root, stage.expect.file), stage.expect.file), stage.expect, { signal });
        Object.assign(result, { passed: report.passed, lines: formatDataReport(report), report });
      }
      if (spec) {
        const file = spec.file ?? stage.expect?.file;
        if (!file) return { ...result, passed: false, lines: [...result.lines, `stage ${stage.name}: importance needs a file (or expect.file)`] };
        const importance = await measureDependencies(containedPath(root, path.resolve(root, file), file), spec, { file, signal });
        if (spec.report) await writeImportanceReport(root, spec.report, importance);
        result.importance = importance;
        result.lines.push(...formatImportanceTable(importance).split('\n'));
        if (importance.problems.length > 0) result.passed = false;
      }
      return result;
    },
    drift: async (stage, root, signal) => {
      if (!stage.reference || !stage.current || !stage.drift) return { passed: false, lines: [`drift stage ${stage.name} needs reference and current`] };
      const inside = (p: string) => containedPath(root, path.resolve(root, p), p);
      const report = await detectDrift(inside(stage.reference), inside(stage.current), stage.drift, {
        signal, referenceName: stage.reference, currentName: stage.current,
      });
      if (stage.drift.report) {
        // Checked again here: the stages before may have replaced a folder by a link out.
        const out = inside(stage.drift.report);
        await mkdir(path.dirname(out), { recursive: true });
        await writeFileAtomic(out, formatJson(report));
      }
      return {
        passed: true,
        lines: formatTable(report).split('\n'),
        report,
        metrics: { dataset_drift: report.datasetDrift ? 1 : 0, drifted_share: report.driftedShare },
      };
    },
  };
}
