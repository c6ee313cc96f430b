/**
 * The engine-run stage kinds: `data` (the expect checks) and `drift`
 * (reference vs current). Each returns pass/fail, lines for the stage log
 * and a report kept with the run.
 */
import path from 'node:path';
import type { BuiltinExecutor } from './engine';
import { runDataChecks } from '../data-checks';
import { formatDataReport } from '../data-checks/format';

export function builtinExecutors(): Partial<Record<'data' | 'drift', BuiltinExecutor>> {
  return {
    data: async (stage, root, signal) => {
      if (!stage.expect?.file) return { passed: false, lines: [`stage ${stage.name} has no expect.file`] };
      const report = await runDataChecks(path.resolve(root, stage.expect.file), stage.expect, { signal });
      return { passed: report.passed, lines: formatDataReport(report), report };
    },
  };
}
