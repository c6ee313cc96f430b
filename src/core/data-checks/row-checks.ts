/** `rows: {min, max}`: bounds on the number of data rows (a CSV header is not a row). */
import type { Bounds } from '../pipeline/model';
import type { CheckResult } from './report';
import { plural } from './text';

export function checkRows(bounds: Bounds | undefined, rows: number): CheckResult[] {
  const checks: CheckResult[] = [];
  for (const which of ['min', 'max'] as const) {
    const bound = bounds?.[which];
    if (bound === undefined) continue;
    const sign = which === 'min' ? '≥' : '≤';
    const base = { id: `rows.${which}`, title: `rows ${sign} ${bound}`, expected: `${sign} ${bound}`, actual: String(rows), value: rows };
    const passed = which === 'min' ? rows >= bound : rows <= bound;
    const message = passed
      ? `${plural(rows, 'row')} (${which}imum ${bound})`
      : `${plural(rows, 'row')}, ${which === 'min' ? 'fewer' : 'more'} than the ${which}imum ${bound}`;
    checks.push({ ...base, passed, message });
  }
  return checks;
}
