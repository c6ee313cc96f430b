/**
 * The pipeline as a graph: stages in layers (a stage sits one layer below
 * the deepest stage it needs), and renderings of it for a terminal (text),
 * a README or PR (Mermaid) and Graphviz (DOT). `mlci dag` prints them; the
 * DAG view draws the same layers.
 */
import type { Pipeline } from './model';

export interface DagNode {
  name: string;
  kind: string;
  /** 0 for stages that need nothing. */
  layer: number;
  needs: string[];
}

export type DagFormat = 'text' | 'mermaid' | 'dot';

/** Nodes in pipeline order with their layer; `needs` on unknown stages are left out (validation reports them). */
export function dagNodes(pipeline: Pick<Pipeline, 'stages'>): DagNode[] {
  const byName = new Map(pipeline.stages.map((s) => [s.name, s]));
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (name: string): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    // A cycle is a validation error; break it here instead of recursing forever.
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const needs = (byName.get(name)?.needs ?? []).filter((n) => byName.has(n));
    const l = needs.length ? 1 + Math.max(...needs.map(layerOf)) : 0;
    visiting.delete(name);
    layer.set(name, l);
    return l;
  };
  return pipeline.stages.map((s) => ({ name: s.name, kind: s.kind, layer: layerOf(s.name), needs: s.needs.filter((n) => byName.has(n)) }));
}

/**
 * One line a layer, stages with their kind and what they need:
 *   1. unit-tests (test), validate-data (data)
 *   2. train (train) <- unit-tests, validate-data
 */
function text(nodes: readonly DagNode[]): string {
  const layers = Math.max(-1, ...nodes.map((n) => n.layer)) + 1;
  const lines: string[] = [];
  for (let l = 0; l < layers; l++) {
    const here = nodes.filter((n) => n.layer === l);
    const width = Math.max(...here.map((n) => `${n.name} (${n.kind})`.length));
    here.forEach((n, i) => {
      const head = i === 0 ? `${String(l + 1).padStart(2)}. ` : '    ';
      const label = `${n.name} (${n.kind})`;
      lines.push(`${head}${n.needs.length ? `${label.padEnd(width)}  <- ${n.needs.join(', ')}` : label}`.trimEnd());
    });
  }
  return lines.join('\n');
}

/** Mermaid node text: quotes and markup as entities (Mermaid's own escapes). */
function mermaidLabel(s: string): string {
  return s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function mermaid(nodes: readonly DagNode[]): string {
  const id = new Map(nodes.map((n, i) => [n.name, `s${i}`]));
  const lines = ['flowchart TD'];
  for (const n of nodes) lines.push(`  ${id.get(n.name)}["${mermaidLabel(n.name)}<br/><small>${mermaidLabel(n.kind)}</small>"]`);
  for (const n of nodes) for (const need of n.needs) lines.push(`  ${id.get(need)} --> ${id.get(n.name)}`);
  return lines.join('\n');
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function dot(nodes: readonly DagNode[], title: string): string {
  const lines = [`digraph ${dotString(title)} {`, '  rankdir=TB;', '  node [shape=box, style=rounded];'];
  for (const n of nodes) lines.push(`  ${dotString(n.name)} [label=${dotString(`${n.name}\n${n.kind}`)}];`);
  for (const n of nodes) for (const need of n.needs) lines.push(`  ${dotString(need)} -> ${dotString(n.name)};`);
  lines.push('}');
  return lines.join('\n');
}

export function formatDag(pipeline: Pick<Pipeline, 'stages'>, format: DagFormat, title = 'mlci'): string {
  const nodes = dagNodes(pipeline);
  if (!nodes.length) return format === 'text' ? '(no stages)' : format === 'mermaid' ? 'flowchart TD' : `digraph ${dotString(title)} {\n}`;
  return format === 'mermaid' ? mermaid(nodes) : format === 'dot' ? dot(nodes, title) : text(nodes);
}
