/**
 * Metric trigger: the live metric (a JSON file written by monitoring,
 * nested keys flattened with dots like stage metrics) crosses `below` or
 * `above`. A missing or unreadable file never fires: retraining on a
 * monitoring outage would hide the outage.
 */
import path from 'node:path';
import type { Pipeline } from '../pipeline/model';
import { flattenMetrics } from '../run/metrics';
import type { TriggerFileReader, TriggerResult } from './types';

export function checkMetric(pipeline: Pipeline, root: string, readFile: TriggerFileReader): TriggerResult | undefined {
  const m = pipeline.triggers?.metric;
  if (!m) return undefined;
  const no = (reason: string): TriggerResult => ({ trigger: 'metric', fired: false, reason });
  if (!m.name || !m.source) return no('triggers.metric needs both name and source');
  const file = readFile(path.resolve(root, m.source));
  if (!file) return no(`live metrics file ${m.source} does not exist, so '${m.name}' cannot be checked`);
  let data: unknown;
  try {
    data = JSON.parse(file.text);
  } catch (e) {
    return no(`live metrics file ${m.source} is not valid JSON: ${(e as Error).message}`);
  }
  const value = flattenMetrics(data)[m.name];
  if (value === undefined) return no(`live metrics file ${m.source} has no numeric '${m.name}'`);
  if (m.below !== undefined && value < m.below) return { trigger: 'metric', fired: true, reason: `live ${m.name} = ${value} is below ${m.below} (${m.source})` };
  if (m.above !== undefined && value > m.above) return { trigger: 'metric', fired: true, reason: `live ${m.name} = ${value} is above ${m.above} (${m.source})` };
  const bounds = [m.below !== undefined ? `>= ${m.below}` : '', m.above !== undefined ? `<= ${m.above}` : ''].filter(Boolean).join(' and ');
  return no(`live ${m.name} = ${value} is within bounds (${bounds}) in ${m.source}`);
}
