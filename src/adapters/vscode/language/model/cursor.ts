/**
 * What is being typed at an offset: a key of some mapping, the value at
 * some JSON path, or a new list item, read from the text before the cursor
 * with the lenient scanner (the document may not parse at all while it is
 * being typed).
 */
import type { Path } from './yaml-scan';
import { Scanner } from './yaml-scan';

export interface CursorContext {
  /**
   * key: a key of the mapping at `path`; value: the value at `path`;
   * item: a new item of a list, `path` ends with its index (a scalar, or
   * the first key of a mapping item: the schema tells which).
   */
  kind: 'key' | 'value' | 'item';
  path: Path;
  /** What is typed so far, from `start` to the cursor. */
  prefix: string;
  start: number;
  /** End of the word the cursor is in, to replace it whole. */
  end: number;
  /** Inside `[...]` or `{...}`: one-line insertions only. */
  flow: boolean;
  /** To insert before the completion: ' ' right after `key:` or `-`, '- ' on a blank line of a list. */
  lead: string;
  /** The key under the cursor already has its ':' (replace the name only). */
  keyHasColon: boolean;
  /** The word starts after an opening quote: insert it as is. */
  quoted: boolean;
}

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t';

class CursorScanner extends Scanner {
  private cursor = 0;
  private lineEnd = 0;

  contextAt(ls: number, cursor: number): CursorContext | undefined {
    const t = this.text;
    this.cursor = cursor;
    const le = t.indexOf('\n', cursor);
    this.lineEnd = le < 0 ? t.length : le;
    if (this.ended) return undefined;
    let i = ls;
    while (i < cursor && isWs(t[i])) i++;
    const n = i - ls;
    // A flow collection open from earlier lines goes on, unless this line is back at its owner's column.
    if (this.flow.length > 0 && !(i < cursor && this.flowEndsAt(i, cursor, n))) {
      this.flowScan(ls, cursor, false);
      return this.flowContext();
    }
    if (this.blockScalarIndent >= 0) {
      if (n > this.blockScalarIndent) return undefined;
      this.blockScalarIndent = -1;
    }
    if (i === cursor) return this.blankLine(n);
    if (t[i] === '#') return undefined;
    const dash = this.isDash(i, cursor);
    this.popTo(n, dash);
    const top = this.top();
    if (top && n > top.indent && !top.open) return undefined;
    return this.nodeAt(i, n);
  }

  /** Only indentation before the cursor: a key of the mapping at that column, or a new item. */
  private blankLine(n: number): CursorContext | undefined {
    for (let top = this.top(); top && top.indent > n; top = this.top()) this.frames.pop();
    const top = this.top();
    const at = this.cursor;
    if (!top) return this.make('key', [], at);
    if (top.indent === n) {
      if (top.kind === 'map') return this.make('key', top.path, at);
      // A list written at its key's column ends where the next key of that mapping would start.
      if (top.compact) {
        this.frames.pop();
        return this.make('key', this.top()!.path, at);
      }
      return this.make('item', [...top.path, top.count], at, '- ');
    }
    if (!top.open) return undefined;
    return this.make('key', this.childPath(n), at);
  }

  private nodeAt(i: number, col: number): CursorContext | undefined {
    const t = this.text;
    const cur = this.cursor;
    if (this.isDash(i, cur)) {
      const seq = this.seqAt(col);
      const index = seq.count++;
      let j = i + 1;
      while (j < cur && isWs(t[j])) j++;
      const path = [...seq.path, index];
      if (j === cur) return this.make('item', path, cur, j === i + 1 ? ' ' : '');
      if (this.isDash(j, cur) || this.matchKey(j, cur)) return this.nodeAt(j, col + (j - i));
      if (t[j] === '[' || t[j] === '{') return this.flowFrom(j, path, seq.indent);
      return this.word('item', path, j);
    }
    const key = this.matchKey(i, cur);
    if (key) {
      const map = this.mapAt(col);
      map.lastKey = key.name;
      const path = [...map.path, key.name];
      let j = key.after;
      if (j === cur) return this.make('value', path, cur, ' ');
      while (j < cur && isWs(t[j])) j++;
      while (j < cur && (t[j] === '&' || t[j] === '!')) {
        while (j < cur && !isWs(t[j])) j++;
        if (j === cur) return undefined; // typing an anchor or tag name
        while (j < cur && isWs(t[j])) j++;
      }
      if (j === cur) return this.make('value', path, cur);
      const c = t[j];
      if (c === '#' || c === '|' || c === '>' || c === '*') return undefined;
      if (c === '[' || c === '{') return this.flowFrom(j, path, map.indent);
      return this.word('value', path, j);
    }
    if (t[i] === '[' || t[i] === '{') return this.flowFrom(i, this.childPath(col), col - 1);
    // A key being typed (no ':' yet) at the column of a mapping, or as the first key of a new one.
    const top = this.top();
    if (!top) return this.word('key', [], i);
    if (top.kind === 'map' && top.indent === col) return this.word('key', top.path, i);
    if (col > top.indent && top.open) return this.word('key', this.childPath(col), i);
    return undefined;
  }

  private flowFrom(j: number, path: Path, ownerIndent: number): CursorContext | undefined {
    this.flowOwnerIndent = ownerIndent;
    this.flowScan(j, this.cursor, false, path);
    return this.flowContext();
  }

  private flowContext(): CursorContext | undefined {
    const f = this.flow[this.flow.length - 1];
    if (!f) return undefined; // the collection closed before the cursor
    const tok = this.openToken;
    const start = tok ? tok.start + (tok.quoted ? 1 : 0) : this.cursor;
    const prefix = tok ? this.text.slice(start, this.cursor) : '';
    const lead = !tok && this.text[this.cursor - 1] === ':' ? ' ' : '';
    const quoted = !!tok?.quoted;
    if (f.kind === 'seq') return this.make('value', [...f.path, f.index], start, lead, prefix, true, quoted);
    if (f.afterColon && f.key !== undefined) return this.make('value', [...f.path, f.key], start, lead, prefix, true, quoted);
    if (f.afterColon) return undefined;
    return this.make('key', f.path, start, '', prefix, true, quoted);
  }

  /** A word typed from `j` to the cursor; none when the cursor is in a comment or after a closed quote. */
  private word(kind: CursorContext['kind'], path: Path, j: number): CursorContext | undefined {
    const t = this.text;
    const typed = t.slice(j, this.cursor);
    if (/(^|\s)#/.test(typed)) return undefined;
    if (t[j] === '"' || t[j] === "'") {
      if (this.quoteEnd(j, this.cursor) >= 0) return undefined;
      return this.make(kind, path, j + 1, '', typed.slice(1), false, true);
    }
    return this.make(kind, path, j, '', typed);
  }

  private make(kind: CursorContext['kind'], path: Path, start: number, lead = '', prefix = '', flow = false, quoted = false): CursorContext {
    const t = this.text;
    // The rest of the word after the cursor, and whether a ':' follows it (an existing key).
    const rest = t.slice(this.cursor, this.lineEnd);
    const word = /^[^\s,[\]{}:#"']*/.exec(rest)![0];
    const keyHasColon = kind !== 'value' && /^\s*:(\s|$)/.test(rest.slice(word.length));
    return { kind, path, prefix, start, end: this.cursor + word.length, flow, lead, keyHasColon, quoted };
  }
}

/** The completion context at `offset` in `text`, or undefined where nothing fits (comments, block scalars...). */
export function cursorContext(text: string, offset: number): CursorContext | undefined {
  const ls = text.lastIndexOf('\n', offset - 1) + 1;
  const s = new CursorScanner(text);
  s.scanLines(0, ls);
  return s.contextAt(ls, offset);
}
