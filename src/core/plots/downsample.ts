/**
 * Long series are thinned before they reach a chart (a 1,000,000-step loss
 * history would freeze a webview and bloat an HTML report): Largest
 * Triangle Three Buckets, from the `downsample` package, which keeps the
 * first and last points and, per bucket, the point making the largest
 * triangle with its neighbours, so spikes survive.
 */
import { createLTTB } from 'downsample';
import type { SeriesPoint } from './types';

const lttb = createLTTB<SeriesPoint>({ x: 'x', y: 'y' });

/** Points a series keeps by default. */
export const DEFAULT_MAX_POINTS = 2000;

export function downsampleSeries(points: SeriesPoint[], max = DEFAULT_MAX_POINTS): SeriesPoint[] {
  if (points.length <= max || max < 3) return points;
  // NaN/inf cannot be drawn and would poison the triangle areas.
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (finite.length <= max) return finite;
  return Array.from(lttb(finite, max) as ArrayLike<SeriesPoint>);
}
