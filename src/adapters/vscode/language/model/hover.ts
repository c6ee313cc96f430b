/**
 * Hover text for a position: the schema's documentation of the key (or of
 * the field a value belongs to), and for stage names a short summary the
 * adapter completes with the stage's run status.
 */
import type { PipelineFacts } from './facts';
import { keysOf, pipelineFacts } from './facts';
import { refKindAt } from './refs';
import { enumValueDoc, fieldDoc, schemaAt, typeLabel } from './schema';
import type { ScanEntry } from './yaml-scan';
import { scanYaml } from './yaml-scan';

export interface HoverInfo {
  start: number;
  end: number;
  markdown: string;
  /** The stage the hover is about, for the adapter to add its status. */
  stage?: string;
}

export function hoverAt(text: string, offset: number, entries: ScanEntry[] = scanYaml(text)): HoverInfo | undefined {
  const facts = pipelineFacts(entries);
  const keysAtPath = (p: readonly (string | number)[]) => keysOf(entries, [...p]);
  const onKey = findLast(entries, (e) => e.keyStart !== undefined && e.keyStart <= offset && offset <= e.keyEnd!);
  if (onKey) {
    const path = onKey.path;
    const range = { start: onKey.keyStart!, end: onKey.keyEnd! };
    const name = String(path[path.length - 1]);
    if (path.length === 2 && path[0] === 'stages') return { ...range, markdown: stageSummary(facts, name), stage: name };
    if (path.length === 2 && path[0] === 'metrics') return { ...range, markdown: metricSummary(facts, name) };
    const node = schemaAt(path, keysAtPath);
    if (!node) return undefined;
    return { ...range, markdown: `**${name}** · ${typeLabel(node)}\n\n${fieldDoc(node, name)}` };
  }
  const onValue = findLast(entries, (e) => e.value === 'scalar' && e.valueStart <= offset && offset <= e.valueEnd);
  if (!onValue || onValue.scalar === undefined) return undefined;
  const range = { start: onValue.valueStart, end: onValue.valueEnd };
  const node = schemaAt(onValue.path, keysAtPath);
  if (!node) return undefined;
  const ref = refKindAt(onValue.path, node);
  const value = onValue.scalar;
  if (ref === 'stage' && facts.stageByName.has(value)) return { ...range, markdown: stageSummary(facts, value), stage: value };
  if (ref === 'metric' && facts.metrics.has(value)) return { ...range, markdown: metricSummary(facts, value) };
  const field = [...onValue.path].reverse().find((s): s is string => typeof s === 'string');
  const valueDoc = enumValueDoc(node, value);
  return { ...range, markdown: (valueDoc ? `\`${value}\`: ${valueDoc}\n\n---\n\n` : '') + fieldDoc(node, field) };
}

/** A stage in a few lines: kind, description, what it needs and what needs it. */
export function stageSummary(facts: PipelineFacts, name: string): string {
  const s = facts.stageByName.get(name);
  if (!s) return `**${name}**`;
  const lines = [`**${name}** · ${s.kind ?? 'custom'} stage`];
  if (s.description) lines.push(s.description);
  if (s.needs.length > 0) lines.push(`needs: ${s.needs.map((n) => `\`${n}\``).join(', ')}`);
  const users = facts.stages.filter((o) => o.needs.includes(name)).map((o) => `\`${o.name}\``);
  if (users.length > 0) lines.push(`needed by: ${users.join(', ')}`);
  return lines.join('\n\n');
}

function metricSummary(facts: PipelineFacts, name: string): string {
  const m = facts.metrics.get(name);
  const lines = [`**${name}** · metric`];
  if (m?.goal) lines.push(`goal: \`${m.goal}\` (${m.goal === 'max' ? 'higher is better' : 'lower is better'})`);
  if (m?.description) lines.push(m.description);
  return lines.join('\n\n');
}

function findLast<T>(items: readonly T[], pred: (t: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i])) return items[i];
  return undefined;
}
