/**
 * A parsed pipeline file: the YAML document with its line counter, and the
 * look-ups that turn a JSON path into the exact text range of a key or a
 * value. Aliases are followed (the range is the anchored text) and `<<`
 * merge keys are searched, so positions stay exact whatever YAML the user
 * writes.
 */
import type { Document, LineCounter, Node, Pair } from 'yaml';
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Span } from '../problems';

export type JsonPath = ReadonlyArray<string | number>;

export interface PipelineSource {
  /** The file as the user names it (relative or absolute); used in messages. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export function spanOf(src: Pick<PipelineSource, 'lineCounter' | 'text'>, start: number, end: number): Span {
  const s = Math.max(0, Math.min(start, src.text.length));
  const e = Math.max(s, Math.min(end, src.text.length));
  const a = src.lineCounter.linePos(s);
  const b = src.lineCounter.linePos(e);
  return { start: s, end: e, line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

function resolve(src: PipelineSource, node: unknown): unknown {
  let n = node;
  // A chain of aliases is bounded by the number of anchors; guard anyway.
  for (let i = 0; i < 64 && isAlias(n); i++) n = n.resolve(src.doc);
  return n;
}

function scalarKey(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

/** The pair for `key` in a map node, looking into `<<` merge sources last. */
export function findPair(src: PipelineSource, mapNode: unknown, key: string): Pair | undefined {
  const map = resolve(src, mapNode);
  if (!isMap(map)) return undefined;
  let merged: Pair | undefined;
  for (const item of map.items) {
    const k = scalarKey(item);
    if (k === key) return item;
    if (k === '<<' && merged === undefined) {
      const srcs = resolve(src, item.value);
      const list = isSeq(srcs) ? srcs.items : [srcs];
      for (const s of list) {
        merged = findPair(src, s, key);
        if (merged) break;
      }
    }
  }
  return merged;
}

/** The value node at `path`, following aliases; undefined when absent. */
export function nodeAt(src: PipelineSource, path: JsonPath): Node | undefined {
  let node: unknown = src.doc.contents;
  for (const seg of path) {
    node = resolve(src, node);
    if (typeof seg === 'number') {
      if (!isSeq(node)) return undefined;
      node = node.items[seg];
    } else {
      const pair = findPair(src, node, seg);
      if (!pair) return undefined;
      node = pair.value;
    }
  }
  return (resolve(src, node) ?? undefined) as Node | undefined;
}

/** The key node of the last segment of `path` (a map key), if any. */
export function keyNodeAt(src: PipelineSource, path: JsonPath): Node | undefined {
  if (path.length === 0) return undefined;
  const last = path[path.length - 1];
  if (typeof last !== 'string') return undefined;
  const parent = nodeAt(src, path.slice(0, -1));
  const pair = findPair(src, parent, last);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

function rangeOfNode(node: Node | undefined | null): [number, number] | undefined {
  const r = node?.range;
  if (!r) return undefined;
  // range = [start, valueEnd, nodeEnd]: valueEnd excludes trailing comments.
  return [r[0], r[1]];
}

/**
 * The range to report for a problem at `path`: the value when `at` is
 * 'value', the key when 'key'. When that node does not exist (a missing
 * key), the nearest existing ancestor's key (or list item) is used, so every
 * problem has a small range inside the document.
 */
export function locate(src: PipelineSource, path: JsonPath, at: 'key' | 'value' = 'value'): Span {
  // A list item has no key: its 'key' is the item itself.
  const keyOf = (p: JsonPath) => (typeof p[p.length - 1] === 'number' ? nodeAt(src, p) : keyNodeAt(src, p));
  const exact = at === 'key' ? rangeOfNode(keyOf(path)) : path.length > 0 ? rangeOfNode(nodeAt(src, path)) : undefined;
  if (exact) return spanOf(src, exact[0], exact[1]);
  for (let len = path.length - (at === 'key' ? 1 : 0); len >= 1; len--) {
    const p = path.slice(0, len);
    const r = rangeOfNode(keyOf(p));
    if (r) return spanOf(src, r[0], r[1]);
  }
  // The document itself: its first line with content.
  const first = src.text.search(/\S/);
  const start = first < 0 ? 0 : first;
  const nl = src.text.indexOf('\n', start);
  return spanOf(src, start, nl < 0 ? src.text.length : nl);
}

/** Keys of the map at `path` (including merged ones), with their key nodes. */
export function mapKeys(src: PipelineSource, path: JsonPath): string[] {
  const node = nodeAt(src, path);
  const out: string[] = [];
  const walk = (m: unknown) => {
    const map = resolve(src, m);
    if (!isMap(map)) return;
    for (const item of map.items) {
      const k = scalarKey(item);
      if (k === '<<') {
        const s = resolve(src, item.value);
        for (const x of isSeq(s) ? s.items : [s]) walk(x);
      } else if (typeof k === 'string' && !out.includes(k)) out.push(k);
    }
  };
  walk(node);
  return out;
}

export { isPair };
