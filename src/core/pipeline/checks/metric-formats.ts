/** `metrics.<name>.format` must be a d3-format spec: a bad one would be dropped silently in every output. */
import { metricFormatProblem } from '../../metric-format';
import type { CheckContext } from './context';

export function checkMetricFormats(ctx: CheckContext): void {
  for (const [name, m] of Object.entries(ctx.pipeline.metrics)) {
    const why = m.format !== undefined ? metricFormatProblem(m.format) : undefined;
    if (why) ctx.report('invalid-value', ['metrics', name, 'format'], `format of metric '${name}': ${why}`);
  }
}
