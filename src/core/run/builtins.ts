/**
 * The engine-run stage kinds: `data` (the expect checks) and `drift`
 * (reference vs current). Each returns pass/fail, lines for the stage log
 * and a report kept with the run.
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
import { writeFileAtomic } from './atomic';
import type { BuiltinExecutor } from './engine';

export function builtinExecutors(): Partial<Record<'data' | 'drift', BuiltinExecutor>> {
  return {
    data: async (stage, root, signal) => {
      if (!stage.expect?.file) return { passed: false, lines: [`stage ${stage.name} has no expect.file`] };
      const report = await runDataChecks(path.resolve(root, stage.expect.file), stage.expect, { signal });
      return { passed: report.passed, lines: formatDataReport(report), report };
    },
    drift: async (stage, root, signal) => {
      if (!stage.reference || !stage.current || !stage.drift) return { passed: false, lines: [`drift stage ${stage.name} needs reference and current`] };
      const report = await detectDrift(path.resolve(root, stage.reference), path.resolve(root, stage.current), stage.drift, {
        signal, referenceName: stage.reference, currentName: stage.current,
      });
      if (stage.drift.report) {
        const out = path.resolve(root, stage.drift.report);
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
