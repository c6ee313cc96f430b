/**
 * Cron schedules (triggers.schedule): five fields, as GitHub Actions and
 * GitLab accept them; parsed with cron-parser for the field ranges.
 */
import { CronExpressionParser } from '../../text/cron';
import type { CheckContext } from './context';

/** Why `expr` is not a five-field cron expression, or undefined. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `it has ${fields.length} field${fields.length === 1 ? '' : 's'}; a schedule has five: minute hour day-of-month month day-of-week (e.g. "0 3 * * 1")`;
  try {
    CronExpressionParser.parse(expr, { strict: false });
    return undefined;
  } catch (e) {
    return String((e as Error).message).replace(/^Error:\s*/, '');
  }
}

export function checkSchedules(ctx: CheckContext): void {
  const raw = (ctx.data.triggers as Record<string, unknown> | undefined)?.schedule;
  const list = typeof raw === 'string' ? [[raw, ['triggers', 'schedule']] as const] : Array.isArray(raw) ? raw.map((r, i) => [r, ['triggers', 'schedule', i]] as const) : [];
  for (const [expr, path] of list) {
    if (typeof expr !== 'string') continue;
    const why = cronProblem(expr);
    if (why) ctx.report('invalid-cron', path, `schedule '${expr}' is not a valid cron expression: ${why}`);
  }
}
