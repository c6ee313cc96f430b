/**
 * A parsed pipeline file: its text, line starts, the plain data, and a
 * position index from JSON paths to the exact ranges of keys and values.
 * Both parsers (the fast event path and the `yaml` fallback) fill the same
 * index, so every check reports ranges the same way whatever parsed it.
 *
 * Content reached through an alias or a `<<` merge is not indexed under the
 * path that uses it: a problem there is reported at the alias or the
 * merging key, which is where the user wrote the reference.
 */
import type { Span } from '../problems';

export type JsonPath = ReadonlyArray<string | number>;

export interface NodeInfo {
  kind: 'map' | 'seq' | 'scalar' | 'alias';
  /** Value range, offsets, end exclusive. */
  start: number;
  end: number;
  /** Key range when the node is a mapping value. */
  keyStart?: number;
  keyEnd?: number;
  /** Flow style (`[a, b]`, `{a: 1}`) for collections. */
  flow?: boolean;
  /** Number of items (seq) or keys (map). */
  count?: number;
  /** For an alias: the index key of the anchored node it stands for. */
  target?: string;
}

export interface PipelineSource {
  /** The file as the user names it (relative or absolute); used in messages. */
  file: string;
  text: string;
  /** Offsets at which each line starts (line 1 at index 0). */
  lineStarts: number[];
  index: Map<string, NodeInfo>;
}

const SEP = '\u0001';

/** The index key of a JSON path: list positions are marked so `0` and `"0"` differ. */
export function pathKey(path: JsonPath): string {
  let k = '';
  for (const seg of path) k += SEP + (typeof seg === 'number' ? '#' + seg : seg);
  return k;
}

export function childKey(parent: string, seg: string | number): string {
  return parent + SEP + (typeof seg === 'number' ? '#' + seg : seg);
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function linePos(lineStarts: number[], offset: number): { line: number; col: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - lineStarts[lo] + 1 };
}

export function spanOf(src: Pick<PipelineSource, 'lineStarts' | 'text'>, start: number, end: number): Span {
  const s = Math.max(0, Math.min(start, src.text.length));
  const e = Math.max(s, Math.min(end, src.text.length));
  const a = linePos(src.lineStarts, s);
  const b = linePos(src.lineStarts, e);
  return { start: s, end: e, line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/**
 * The index entry for `path`. A path that runs through an alias continues
 * at the anchored node, so a mistake in shared content is reported where
 * it is written (the anchor), once, whichever stage uses it.
 */
export function nodeInfo(src: PipelineSource, path: JsonPath): NodeInfo | undefined {
  const direct = src.index.get(pathKey(path));
  if (direct) return direct;
  let key = '';
  for (let i = 0; i < path.length; i++) {
    key = childKey(key, path[i]);
    const n = src.index.get(key);
    if (n?.target !== undefined && i < path.length - 1) {
      let rest = n.target;
      for (const seg of path.slice(i + 1)) rest = childKey(rest, seg);
      return src.index.get(rest) ?? undefined;
    }
    if (!n) return undefined;
  }
  return undefined;
}

/**
 * The range to report for a problem at `path`: the value when `at` is
 * 'value', the key when 'key' (a list item's "key" is the item). When that
 * node does not exist (a missing key), the nearest existing ancestor's key
 * (or list item) is used, so every problem has a small range inside the
 * document.
 */
export function locate(src: PipelineSource, path: JsonPath, at: 'key' | 'value' = 'value'): Span {
  const keyRange = (p: JsonPath): [number, number] | undefined => {
    const n = nodeInfo(src, p);
    if (!n) return undefined;
    if (typeof p[p.length - 1] === 'number' || n.keyStart === undefined) return [n.start, n.end];
    return [n.keyStart, n.keyEnd!];
  };
  let exact: [number, number] | undefined;
  if (path.length > 0) {
    if (at === 'key') exact = keyRange(path);
    else {
      const n = nodeInfo(src, path);
      if (n) exact = [n.start, n.end];
    }
  }
  if (exact) return spanOf(src, exact[0], exact[1]);
  for (let len = path.length - (at === 'key' ? 1 : 0); len >= 1; len--) {
    const r = keyRange(path.slice(0, len));
    if (r) return spanOf(src, r[0], r[1]);
  }
  // The document itself: its first line of content (not a comment or marker).
  const m = /^(?![ \t]*(?:#|---|%|$))[ \t]*(\S[^\r\n]*)/m.exec(src.text);
  if (!m) return spanOf(src, 0, 0);
  const start = m.index + m[0].length - m[1].length;
  const content = m[1].replace(/\s+#.*$/, '').trimEnd();
  return spanOf(src, start, start + content.length);
}
