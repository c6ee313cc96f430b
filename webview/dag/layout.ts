/**
 * A layered layout of the pipeline graph: one row per DAG layer (the layer
 * src/core/pipeline/dag.ts computed), nodes in a row ordered by the mean
 * position of the stages they need (one top-down barycenter pass, ties in
 * pipeline order, which keeps crossings few for pipelines of this size),
 * each row centred. Edges are cubic curves from the bottom of a needed
 * stage to the top of the stage that needs it. Pure: no DOM.
 */

export interface LayoutInput {
  name: string;
  layer: number;
  needs: readonly string[];
}

export interface NodeBox {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Position in its row (0 = leftmost) and the row. */
  column: number;
  row: number;
}

export interface EdgePath {
  from: string;
  to: string;
  /** SVG path data. */
  d: string;
}

export interface Layout {
  nodes: Map<string, NodeBox>;
  edges: EdgePath[];
  /** Rows top to bottom, each left to right (keyboard navigation walks these). */
  rows: string[][];
  width: number;
  height: number;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  gapX: number;
  gapY: number;
  margin: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { nodeWidth: 160, nodeHeight: 48, gapX: 28, gapY: 44, margin: 16 };

export function layoutDag(input: readonly LayoutInput[], o: LayoutOptions = DEFAULT_LAYOUT): Layout {
  const order = new Map(input.map((n, i) => [n.name, i]));
  const rowCount = input.reduce((m, n) => Math.max(m, n.layer + 1), 0);
  const rows: string[][] = Array.from({ length: rowCount }, () => []);
  /** Where each placed stage sits across its row, 0..1 (rows differ in length). */
  const across = new Map<string, number>();
  for (let r = 0; r < rowCount; r++) {
    const here = input.filter((n) => n.layer === r);
    const key = (n: LayoutInput) => {
      const placed = n.needs.filter((x) => across.has(x)).map((x) => across.get(x)!);
      return placed.length ? placed.reduce((a, b) => a + b, 0) / placed.length : Number.POSITIVE_INFINITY;
    };
    const keyed = here.map((n) => ({ n, k: key(n) }));
    // Stages that need nothing keep pipeline order after those placed under their needs.
    keyed.sort((a, b) => (a.k === b.k ? order.get(a.n.name)! - order.get(b.n.name)! : a.k === Number.POSITIVE_INFINITY ? 1 : b.k === Number.POSITIVE_INFINITY ? -1 : a.k - b.k));
    rows[r] = keyed.map((x) => x.n.name);
    rows[r]!.forEach((name, i) => across.set(name, (i + 0.5) / rows[r]!.length));
  }
  const widest = Math.max(0, ...rows.map((r) => r.length));
  const width = o.margin * 2 + widest * o.nodeWidth + Math.max(0, widest - 1) * o.gapX;
  const height = o.margin * 2 + rowCount * o.nodeHeight + Math.max(0, rowCount - 1) * o.gapY;
  const nodes = new Map<string, NodeBox>();
  rows.forEach((names, r) => {
    const rowWidth = names.length * o.nodeWidth + Math.max(0, names.length - 1) * o.gapX;
    const left = (width - rowWidth) / 2;
    names.forEach((name, i) => {
      nodes.set(name, { name, x: left + i * (o.nodeWidth + o.gapX), y: o.margin + r * (o.nodeHeight + o.gapY), width: o.nodeWidth, height: o.nodeHeight, column: i, row: r });
    });
  });
  // Each edge leaves and enters at its own point along the node's side, in left-to-right order of the other end.
  const dependents = new Map<string, string[]>();
  for (const n of input) for (const need of n.needs) if (nodes.has(need)) dependents.set(need, [...(dependents.get(need) ?? []), n.name]);
  const byX = (a: string, b: string) => nodes.get(a)!.x - nodes.get(b)!.x;
  const port = (box: NodeBox, others: string[], other: string) => {
    const sorted = [...others].sort(byX);
    return box.x + (box.width * (sorted.indexOf(other) + 1)) / (sorted.length + 1);
  };
  const edges: EdgePath[] = [];
  for (const n of input) {
    const to = nodes.get(n.name)!;
    const needs = n.needs.filter((x) => nodes.has(x));
    for (const need of needs) {
      const from = nodes.get(need)!;
      const x1 = port(from, dependents.get(need)!, n.name);
      const y1 = from.y + from.height;
      const x2 = port(to, needs, need);
      const y2 = to.y;
      const bend = Math.max(12, (y2 - y1) / 2);
      edges.push({ from: need, to: n.name, d: `M ${r1(x1)} ${r1(y1)} C ${r1(x1)} ${r1(y1 + bend)}, ${r1(x2)} ${r1(y2 - bend)}, ${r1(x2)} ${r1(y2)}` });
    }
  }
  return { nodes, edges, rows, width, height };
}

function r1(v: number): number {
  return Math.round(v * 10) / 10;
}
