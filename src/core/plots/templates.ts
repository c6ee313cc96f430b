/**
 * A data table and a plot's declaration -> what a chart draws, by template,
 * with DVC's defaults: x is `step` (or the row number), y the last other
 * field; `roc` reads fpr/tpr, `precision_recall` recall/precision, the
 * confusion templates actual/predicted (one row per prediction, counted
 * here). A field named in `x`/`y` that the file lacks is an error on the
 * plot naming the fields it has.
 */
import { closestName } from '../data/errors';
import type { Plot } from '../pipeline/model';
import { downsampleSeries } from './downsample';
import type { Cell, PlotTable } from './read-table';
import { PlotReadError } from './read-table';
import type { BarPlotData, ConfusionPlotData, Series, XYPlotData } from './types';

type Base = Pick<XYPlotData, 'id' | 'path' | 'stage' | 'title' | 'notes'>;

const XY_TEMPLATES = ['linear', 'scatter', 'smooth', 'simple', 'roc', 'precision_recall'] as const;

/** Row number stands in for x when the file has no `step` and names none. */
const ROW_INDEX = '(row)';

function missingField(shown: string, key: 'x' | 'y', name: string, fields: string[]): PlotReadError {
  const guess = closestName(name, fields);
  return new PlotReadError(`${shown}: ${key}: "${name}" is not a field of the file${guess ? ` (did you mean "${guess}"?)` : ''}; it has ${fields.map((f) => `"${f}"`).join(', ') || 'none'}`);
}

function toNumber(c: Cell | undefined): number {
  if (typeof c === 'number') return c;
  if (typeof c === 'boolean') return c ? 1 : 0;
  if (c === null || c === undefined) return NaN;
  const t = c.trim();
  if (t === '' || /^(nan|na|null|none)$/i.test(t)) return NaN;
  if (/^[-+]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  const n = Number(t);
  return n;
}

function numberAt(table: PlotTable, shown: string, field: string, i: number): number {
  const c = table.columns.get(field)?.[i];
  const n = toNumber(c);
  // Gaps (empty, NaN) are drawn as gaps; text where a number belongs is an error.
  if (Number.isNaN(n) && typeof c === 'string' && !/^\s*(nan|na|null|none)?\s*$/i.test(c)) {
    throw new PlotReadError(`${shown}: row ${i + 1}, ${field} is ${JSON.stringify(c.length > 40 ? c.slice(0, 40) + '…' : c)}, not a number`);
  }
  return n;
}

function yFields(plot: Plot, table: PlotTable, x: string, dflt?: string): string[] {
  if (Array.isArray(plot.y)) return plot.y;
  if (typeof plot.y === 'string') return [plot.y];
  if (dflt) return [dflt];
  const others = table.fields.filter((f) => f !== x);
  return others.length ? [others[others.length - 1]] : [];
}

function check(shown: string, table: PlotTable, key: 'x' | 'y', names: string[]): void {
  // An empty table has no fields to check against; it draws as empty.
  if (table.length === 0) return;
  for (const n of names) if (n !== ROW_INDEX && !table.fields.includes(n)) throw missingField(shown, key, n, table.fields);
}

export function xyPlot(base: Base, plot: Plot, table: PlotTable, template: XYPlotData['template'], maxPoints?: number): XYPlotData {
  const shown = base.path;
  const dx = template === 'roc' ? 'fpr' : template === 'precision_recall' ? 'recall' : undefined;
  const dy = template === 'roc' ? 'tpr' : template === 'precision_recall' ? 'precision' : undefined;
  const x = plot.x ?? dx ?? (table.fields.includes('step') ? 'step' : ROW_INDEX);
  const ys = yFields(plot, table, x, dy);
  check(shown, table, 'x', [x]);
  check(shown, table, 'y', ys);
  if (ys.length === 0 && table.length) throw new PlotReadError(`${shown}: no field to draw on y; name one with y:`);
  const series: Series[] = ys.map((y) => {
    const xs = table.columns.get(x);
    const yv = table.columns.get(y)!;
    const points = new Array<{ x: number; y: number }>(table.length);
    for (let i = 0; i < table.length; i++) {
      const cx = xs?.[i];
      const cy = yv[i];
      // Numbers were parsed while reading: only text cells go the slow way.
      points[i] = { x: xs === undefined ? i : typeof cx === 'number' ? cx : numberAt(table, shown, x, i), y: typeof cy === 'number' ? cy : numberAt(table, shown, y, i) };
    }
    const kept = downsampleSeries(points, maxPoints);
    return { name: y, points: kept, total: points.length };
  });
  const thinned = series.filter((s) => s.points.length < s.total);
  const notes = [...base.notes];
  if (thinned.length) notes.push(`${thinned.map((s) => `${s.name}: ${s.total} points shown as ${s.points.length}`).join('; ')} (downsampled, LTTB)`);
  return {
    ...base, notes, kind: 'xy', template,
    xLabel: plot.xLabel ?? (x === ROW_INDEX ? 'row' : x),
    yLabel: plot.yLabel ?? ys.join(', '),
    series,
  };
}

export function barPlot(base: Base, plot: Plot, table: PlotTable): BarPlotData {
  const shown = base.path;
  const x = plot.x ?? table.fields[0] ?? ROW_INDEX;
  const ys = yFields(plot, table, x);
  check(shown, table, 'x', [x]);
  check(shown, table, 'y', ys);
  const xs = table.columns.get(x);
  const labels = Array.from({ length: table.length }, (_, i) => (x === ROW_INDEX ? String(i) : String(xs?.[i] ?? '')));
  return {
    ...base, kind: 'bar', template: 'bar',
    xLabel: plot.xLabel ?? x, yLabel: plot.yLabel ?? ys.join(', '),
    labels,
    series: ys.map((y) => ({ name: y, values: Array.from({ length: table.length }, (_, i) => numberAt(table, shown, y, i)) })),
  };
}

/** Natural order for labels: numbers by value, then text. */
function labelOrder(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  const an = a.trim() !== '' && Number.isFinite(na);
  const bn = b.trim() !== '' && Number.isFinite(nb);
  if (an && bn) return na - nb;
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function confusionPlot(base: Base, plot: Plot, table: PlotTable, normalized: boolean): ConfusionPlotData {
  const shown = base.path;
  const x = plot.x ?? (table.fields.includes('actual') ? 'actual' : table.fields[0]);
  const y = (typeof plot.y === 'string' ? plot.y : Array.isArray(plot.y) ? plot.y[0] : undefined) ?? (table.fields.includes('predicted') ? 'predicted' : table.fields[1]);
  if (table.length && (x === undefined || y === undefined)) throw new PlotReadError(`${shown}: a confusion matrix needs two fields, the actual and the predicted class (x: and y:)`);
  check(shown, table, 'x', x ? [x] : []);
  check(shown, table, 'y', y ? [y] : []);
  const cell = (c: Cell | undefined) => (c === null || c === undefined ? '' : String(c));
  const actual = (x !== undefined ? table.columns.get(x) : undefined) ?? [];
  const predicted = (y !== undefined ? table.columns.get(y) : undefined) ?? [];
  const labels = [...new Set([...actual.slice(0, table.length), ...predicted.slice(0, table.length)].map(cell))].sort(labelOrder);
  const index = new Map(labels.map((l, i) => [l, i]));
  const counts = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < table.length; i++) counts[index.get(cell(actual[i]))!]![index.get(cell(predicted[i]))!]!++;
  return {
    ...base, kind: 'confusion', template: normalized ? 'confusion_normalized' : 'confusion',
    xLabel: plot.xLabel ?? x ?? 'actual', yLabel: plot.yLabel ?? y ?? 'predicted',
    labels, counts, normalized,
  };
}

export function isXyTemplate(t: string): t is XYPlotData['template'] {
  return (XY_TEMPLATES as readonly string[]).includes(t);
}
