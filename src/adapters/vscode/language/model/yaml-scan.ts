/**
 * A lenient structural scan of YAML text: every mapping key and list item
 * with its JSON path and ranges, read from indentation and brackets alone.
 *
 * Editor features need the structure of documents that are half typed
 * (`needs: [`, a key without its colon, a stray tab) where a real YAML
 * parser gives up or recovers to a guess. This scan never fails: it keeps
 * the block structure from indentation, follows flow collections across
 * lines, skips block scalars, comments and multi-line plain scalars, and
 * records what it saw. Anchors, tags and aliases are skipped, not resolved.
 * The same machine, stopped at the cursor, tells what is being typed there
 * (see cursor.ts), so completion and the outline agree on paths.
 */

export type Seg = string | number;
export type Path = Seg[];

export interface ScanEntry {
  path: Path;
  /** Key range, for mapping entries. */
  keyStart?: number;
  keyEnd?: number;
  /** The value as written after the key or dash: a scalar, a flow collection, or empty (children follow). */
  valueStart: number;
  valueEnd: number;
  value: 'none' | 'scalar' | 'flow' | 'alias' | 'block-scalar';
  /** The scalar, quotes removed. */
  scalar?: string;
  /** The end of the entry including its children (filled after the scan). */
  end: number;
}

/** A block collection being read: its indentation column and where its last entry stands. */
interface Frame {
  kind: 'map' | 'seq';
  indent: number;
  path: Path;
  count: number;
  lastKey?: string;
  /** The last entry's value is empty on its line: deeper lines are its children. */
  open: boolean;
  /** A list written at the same column as its parent key (`needs:\n- a`). */
  compact: boolean;
}

interface FlowFrame {
  kind: 'map' | 'seq';
  path: Path;
  entry?: ScanEntry;
  index: number;
  key?: string;
  keyStart?: number;
  keyEnd?: number;
  afterColon: boolean;
  /** A node was written at the current position (for `[a, ]` and `{a}`). */
  filled: boolean;
}

interface Token {
  start: number;
  end: number;
  text: string;
  quoted: boolean;
  /** The token runs into the stop offset (the cursor), it may go on. */
  open: boolean;
}

export interface KeyMatch {
  name: string;
  start: number;
  end: number;
  /** Offset just after the ':'. */
  after: number;
}

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t';
const FLOW_END = new Set([',', ']', '}']);

export class Scanner {
  readonly entries: ScanEntry[] = [];
  protected frames: Frame[] = [];
  protected flow: FlowFrame[] = [];
  /** Indentation of the block entry holding the open flow collection (-1 at the document's root). */
  protected flowOwnerIndent = -1;
  /** The flow token read last, when it ran into the stop offset. */
  protected openToken: Token | undefined;
  /** Lines indented deeper than this belong to a block scalar (`|`, `>`); -1 when none. */
  protected blockScalarIndent = -1;
  private blockScalarEntry: ScanEntry | undefined;
  /** A second document started: the rest is not this pipeline. */
  protected ended = false;

  constructor(readonly text: string) {}

  /** Scan the whole lines in [from, to): `to` is a line start or the end of the text. */
  scanLines(from: number, to: number): void {
    let ls = from;
    while (ls < to && !this.ended) {
      let le = this.text.indexOf('\n', ls);
      if (le < 0 || le > to) le = to;
      this.line(ls, le > ls && this.text[le - 1] === '\r' ? le - 1 : le);
      ls = le + 1;
    }
  }

  protected top(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }

  private line(ls: number, le: number): void {
    const t = this.text;
    let i = ls;
    while (i < le && isWs(t[i])) i++;
    const n = i - ls;
    if (this.flow.length > 0) {
      if (!this.flowEndsAt(i, le, n)) {
        this.flowScan(ls, le, true);
        return;
      }
    }
    if (i === le || t[i] === '#') return;
    if (this.blockScalarIndent >= 0) {
      if (n > this.blockScalarIndent) {
        // Content of a `|` or `>` scalar: the value runs to the end of its last line.
        let e = le;
        while (e > i && isWs(t[e - 1])) e--;
        if (this.blockScalarEntry) this.blockScalarEntry.valueEnd = this.blockScalarEntry.end = e;
        return;
      }
      this.blockScalarIndent = -1;
    }
    if (n === 0 && /^(---|\.\.\.)(\s|$)/.test(t.slice(i, Math.min(le, i + 4)))) {
      if (this.entries.length > 0) this.ended = true;
      return;
    }
    if (n === 0 && t[i] === '%') return;
    const dash = this.isDash(i, le);
    this.popTo(n, dash);
    const top = this.top();
    // Deeper than an entry whose value is already on its line: a multi-line plain scalar.
    if (top && n > top.indent && !top.open) return;
    this.node(i, le, n);
  }

  /**
   * An unclosed flow collection ends at a line no deeper than the entry
   * that holds it (as the `yaml` parser recovers), so `needs: [` typed in
   * the middle of a file does not swallow the stages after it.
   */
  protected flowEndsAt(i: number, le: number, n: number): boolean {
    const t = this.text;
    if (i === le || t[i] === '#' || t[i] === ']' || t[i] === '}' || n > this.flowOwnerIndent) return false;
    this.flow = [];
    return true;
  }

  protected isDash(i: number, end: number): boolean {
    return this.text[i] === '-' && (i + 1 === end || isWs(this.text[i + 1]));
  }

  protected popTo(n: number, dash: boolean): void {
    for (let top = this.top(); top; top = this.top()) {
      if (top.indent > n || (top.indent === n && top.kind === 'seq' && !dash)) this.frames.pop();
      else break;
    }
  }

  /** The path of a node that starts at column `col` on a new line or after a dash. */
  protected childPath(col: number): Path {
    const top = this.top();
    if (!top) return [];
    if (top.kind === 'map') return top.lastKey === undefined ? [...top.path] : [...top.path, top.lastKey];
    return col > top.indent ? [...top.path, Math.max(0, top.count - 1)] : [...top.path];
  }

  protected mapAt(col: number): Frame {
    const top = this.top();
    if (top && top.kind === 'map' && top.indent === col) return top;
    const frame: Frame = { kind: 'map', indent: col, path: this.childPath(col), count: 0, open: false, compact: false };
    this.frames.push(frame);
    return frame;
  }

  protected seqAt(col: number): Frame {
    const top = this.top();
    if (top && top.kind === 'seq' && top.indent === col) return top;
    const compact = !!top && top.kind === 'map' && top.indent === col;
    const frame: Frame = { kind: 'seq', indent: col, path: this.childPath(col), count: 0, open: false, compact };
    this.frames.push(frame);
    return frame;
  }

  /** A mapping key at `i` (plain or quoted) followed by ':' and a space or the end. */
  matchKey(i: number, end: number): KeyMatch | undefined {
    const t = this.text;
    const c = t[i];
    if (c === '"' || c === "'") {
      const close = this.quoteEnd(i, end);
      if (close < 0) return undefined;
      let j = close + 1;
      while (j < end && isWs(t[j])) j++;
      if (t[j] !== ':' || !(j + 1 >= end || isWs(t[j + 1]))) return undefined;
      return { name: unquote(t.slice(i, close + 1)), start: i, end: close + 1, after: j + 1 };
    }
    if (c === undefined || '[]{},&*!|>%@`#'.includes(c) || ((c === '?' || c === ':') && isWs(t[i + 1]))) return undefined;
    for (let j = i; j < end; j++) {
      if (t[j] === ':' && (j + 1 >= end || isWs(t[j + 1]))) {
        const name = t.slice(i, j).trimEnd();
        return name ? { name, start: i, end: i + name.length, after: j + 1 } : undefined;
      }
      if (t[j] === '#' && j > i && isWs(t[j - 1])) return undefined;
    }
    return undefined;
  }

  /** The offset of the closing quote of the string opening at `i`, or -1. */
  protected quoteEnd(i: number, end: number): number {
    const t = this.text;
    const q = t[i];
    for (let j = i + 1; j < end; j++) {
      if (q === '"' && t[j] === '\\') j++;
      else if (t[j] === q) {
        if (q === "'" && t[j + 1] === "'") j++;
        else return j;
      }
    }
    return -1;
  }

  /** A node at `i` (column `col`) in block context: a list item, a key, or a value. */
  private node(i: number, end: number, col: number): void {
    const t = this.text;
    if (this.isDash(i, end)) {
      const seq = this.seqAt(col);
      const index = seq.count++;
      let j = i + 1;
      while (j < end && isWs(t[j])) j++;
      const entry: ScanEntry = { path: [...seq.path, index], valueStart: j, valueEnd: j, value: 'none', end: j };
      this.entries.push(entry);
      seq.open = j === end || t[j] === '#';
      if (seq.open) return;
      if (this.isDash(j, end) || this.matchKey(j, end)) this.node(j, end, col + (j - i));
      else this.inlineValue(entry, j, end, seq.indent);
      return;
    }
    const key = this.matchKey(i, end);
    if (key) {
      const map = this.mapAt(col);
      map.lastKey = key.name;
      map.count++;
      const entry: ScanEntry = { path: [...map.path, key.name], keyStart: key.start, keyEnd: key.end, valueStart: key.after, valueEnd: key.after, value: 'none', end: key.end };
      this.entries.push(entry);
      map.open = this.inlineValue(entry, key.after, end, map.indent);
      return;
    }
    if (t[i] === '[' || t[i] === '{') {
      // A flow collection standing as a node of its own (a whole document in flow style).
      this.flowOwnerIndent = col - 1;
      this.flowScan(i, end, true, this.childPath(col));
    }
  }

  /** The value written after a key or dash; true when it is empty (children on the next lines). */
  private inlineValue(entry: ScanEntry, from: number, end: number, ownerIndent: number): boolean {
    const t = this.text;
    let j = from;
    while (j < end && isWs(t[j])) j++;
    // Anchors and tags (`&big`, `!!str`) stand before the value.
    while (j < end && (t[j] === '&' || t[j] === '!')) {
      while (j < end && !isWs(t[j])) j++;
      while (j < end && isWs(t[j])) j++;
    }
    if (j >= end || t[j] === '#') return true;
    entry.valueStart = j;
    const c = t[j];
    if (c === '|' || c === '>') {
      entry.value = 'block-scalar';
      entry.valueEnd = entry.end = plainEnd(t, j, end);
      this.blockScalarIndent = ownerIndent;
      this.blockScalarEntry = entry;
      return false;
    }
    if (c === '[' || c === '{') {
      entry.value = 'flow';
      this.flowOwnerIndent = ownerIndent;
      this.flowScan(j, end, true, entry.path, entry);
      return false;
    }
    if (c === '*') {
      entry.value = 'alias';
      entry.valueEnd = entry.end = plainEnd(t, j, end);
      return false;
    }
    entry.value = 'scalar';
    if (c === '"' || c === "'") {
      const close = this.quoteEnd(j, end);
      const stop = close < 0 ? end : close + 1;
      entry.scalar = unquote(t.slice(j, stop));
      entry.valueEnd = entry.end = stop;
      return false;
    }
    entry.valueEnd = entry.end = plainEnd(t, j, end);
    entry.scalar = t.slice(j, entry.valueEnd);
    return false;
  }

  /**
   * Flow collections (`[a, b]`, `{k: v}`), possibly over several lines.
   * `root` starts a new collection at `from`; otherwise the one open from
   * an earlier line goes on. When `eol` is false the scan stops at `to`
   * mid-token (the cursor) and keeps that token in `openToken`.
   */
  protected flowScan(from: number, to: number, eol: boolean, root?: Path, rootEntry?: ScanEntry): void {
    const t = this.text;
    let i = from;
    this.openToken = undefined;
    if (root) {
      const kind = t[i] === '[' ? 'seq' : 'map';
      this.flow = [{ kind, path: root, ...(rootEntry ? { entry: rootEntry } : {}), index: 0, afterColon: false, filled: false }];
      i++;
    }
    while (i < to && this.flow.length > 0) {
      const c = t[i];
      const f = this.flow[this.flow.length - 1];
      if (isWs(c)) {
        i++;
        continue;
      }
      if (c === '#' && (i === from || isWs(t[i - 1]))) break;
      if (c === ',') {
        this.endFlowItem(f);
        i++;
        continue;
      }
      if (c === ']' || c === '}') {
        this.endFlowItem(f, true);
        this.flow.pop();
        if (f.entry) f.entry.valueEnd = f.entry.end = i + 1;
        i++;
        continue;
      }
      if (c === ':' && f.kind === 'map' && !f.afterColon && (i + 1 >= to || isWs(t[i + 1]) || FLOW_END.has(t[i + 1]) || f.key !== undefined)) {
        f.afterColon = true;
        i++;
        continue;
      }
      if (c === '[' || c === '{') {
        const entry = this.flowNode(f, i);
        this.flow.push({ kind: c === '[' ? 'seq' : 'map', path: entry ? entry.path : [...f.path, '?'], ...(entry ? { entry } : {}), index: 0, afterColon: false, filled: false });
        i++;
        continue;
      }
      if (c === ':') {
        i++; // a ':' that separates nothing here (`[a: b]`): skip it
        continue;
      }
      const tok = this.flowToken(i, to, eol);
      i = tok.end;
      if (tok.open) {
        this.openToken = tok;
        break;
      }
      if (f.kind === 'map' && !f.afterColon) {
        f.key = tok.text;
        f.keyStart = tok.start;
        f.keyEnd = tok.end;
        f.filled = true;
      } else {
        const entry = this.flowNode(f, tok.start);
        if (entry) {
          entry.value = 'scalar';
          entry.scalar = tok.text;
          entry.valueEnd = entry.end = tok.end;
        }
      }
    }
  }

  /** An entry for a node that starts at `at` in flow frame `f` (a list item or a key's value). */
  private flowNode(f: FlowFrame, at: number): ScanEntry | undefined {
    f.filled = true;
    let entry: ScanEntry;
    if (f.kind === 'seq') entry = { path: [...f.path, f.index], valueStart: at, valueEnd: at, value: 'flow', end: at };
    else if (f.afterColon && f.key !== undefined) {
      entry = { path: [...f.path, f.key], keyStart: f.keyStart!, keyEnd: f.keyEnd!, valueStart: at, valueEnd: at, value: 'flow', end: at };
      f.key = undefined;
    } else return undefined;
    this.entries.push(entry);
    return entry;
  }

  /** A ',' or closing bracket: a key without a value (`{a, b}`) still counts; lists move on. */
  private endFlowItem(f: FlowFrame, closing = false): void {
    if (f.kind === 'map' && f.key !== undefined) {
      this.entries.push({ path: [...f.path, f.key], keyStart: f.keyStart!, keyEnd: f.keyEnd!, valueStart: f.keyEnd!, valueEnd: f.keyEnd!, value: 'none', end: f.keyEnd! });
    }
    if (f.kind === 'seq' && (!closing || f.filled)) f.index++;
    f.key = undefined;
    f.afterColon = false;
    f.filled = false;
  }

  /** A scalar token in flow context, plain or quoted. */
  private flowToken(i: number, to: number, eol: boolean): Token {
    const t = this.text;
    if (t[i] === '"' || t[i] === "'") {
      const close = this.quoteEnd(i, to);
      if (close < 0) return { start: i, end: to, text: unquote(t.slice(i, to)), quoted: true, open: !eol };
      return { start: i, end: close + 1, text: unquote(t.slice(i, close + 1)), quoted: true, open: false };
    }
    let j = i;
    while (j < to) {
      const c = t[j];
      if (FLOW_END.has(c)) break;
      if (c === ':' && (j + 1 >= to || isWs(t[j + 1]) || FLOW_END.has(t[j + 1]))) break;
      if (c === '#' && isWs(t[j - 1])) break;
      j++;
    }
    let e = j;
    while (e > i && isWs(t[e - 1])) e--;
    return { start: i, end: e, text: t.slice(i, e), quoted: false, open: !eol && j >= to && e === to };
  }
}

/** End of a plain scalar on its line: before a ` #` comment, trailing spaces trimmed. */
function plainEnd(t: string, from: number, end: number): number {
  let j = from;
  while (j < end && !(t[j] === '#' && j > from && isWs(t[j - 1]))) j++;
  while (j > from && isWs(t[j - 1])) j--;
  return j;
}

export function unquote(s: string): string {
  if (s.startsWith('"')) {
    const body = s.endsWith('"') && s.length > 1 ? s.slice(1, -1) : s.slice(1);
    return body.replace(/\\(.)/g, (_, ch: string) => ({ n: '\n', t: '\t', '"': '"', '\\': '\\' })[ch] ?? ch);
  }
  if (s.startsWith("'")) {
    const body = s.endsWith("'") && s.length > 1 ? s.slice(1, -1) : s.slice(1);
    return body.replace(/''/g, "'");
  }
  return s;
}

/** Every key and item of `text`, in document order, with `end` covering children. */
export function scanYaml(text: string): ScanEntry[] {
  const s = new Scanner(text);
  s.scanLines(0, text.length);
  return withExtents(s.entries);
}

function withExtents(entries: ScanEntry[]): ScanEntry[] {
  const open: ScanEntry[] = [];
  const close = (e: ScanEntry) => {
    const parent = open[open.length - 1];
    if (parent && e.end > parent.end) parent.end = e.end;
  };
  for (const e of entries) {
    while (open.length > 0 && !isPrefix(open[open.length - 1].path, e.path)) close(open.pop()!);
    open.push(e);
  }
  while (open.length > 0) close(open.pop()!);
  return entries;
}

/** `a` is a proper prefix of `b`. */
export function isPrefix(a: readonly Seg[], b: readonly Seg[]): boolean {
  return a.length < b.length && a.every((s, i) => s === b[i]);
}
