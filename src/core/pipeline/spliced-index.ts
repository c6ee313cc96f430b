/**
 * The position index after an incremental re-parse (incremental.ts),
 * without copying it: the previous index, with one stage's entries
 * replaced and every offset at or after the edit shifted, computed when an
 * entry is read. Copying 20,000 entries of a 1,000-stage file cost more
 * than re-parsing the stage. Reads are Map reads (get/has/iteration in the
 * order a full parse gives); the index is never written after parsing.
 * A chain of splices is flattened into a plain Map every few edits so a
 * read never walks more than a few layers.
 */
import type { NodeInfo } from './source';

const MAX_DEPTH = 8;

export interface Splice {
  /** Keys of the replaced stage's entries (the stage and everything under it). */
  replaced: (key: string) => boolean;
  /** The new entries of the stage, in parse order, offsets already final. */
  added: Map<string, NodeInfo>;
  /** Entries whose new value is given (the ancestors whose end moved). */
  overrides: Map<string, NodeInfo>;
  /** Offsets >= `from` move by `delta`. */
  from: number;
  delta: number;
}

export class SplicedIndex extends Map<string, NodeInfo> {
  private readonly moved = new Map<string, NodeInfo>();
  readonly depth: number;

  private constructor(private readonly base: Map<string, NodeInfo>, private readonly splice: Splice) {
    super();
    this.depth = base instanceof SplicedIndex ? base.depth + 1 : 1;
  }

  /** `base` with `splice` applied; a plain Map when the chain would get too deep. */
  static of(base: Map<string, NodeInfo>, splice: Splice): Map<string, NodeInfo> {
    const index = new SplicedIndex(base, splice);
    return index.depth >= MAX_DEPTH ? new Map(index) : index;
  }

  override get(key: string): NodeInfo | undefined {
    const s = this.splice;
    const own = s.added.get(key) ?? s.overrides.get(key);
    if (own) return own;
    if (s.replaced(key)) return undefined;
    const n = this.base.get(key);
    if (!n || (n.start < s.from && n.end < s.from && (n.keyStart ?? 0) < s.from)) return n;
    let m = this.moved.get(key);
    if (!m) {
      const shift = (o: number) => (o >= s.from ? o + s.delta : o);
      m = { ...n, start: shift(n.start), end: shift(n.end) };
      if (n.keyStart !== undefined) m.keyStart = shift(n.keyStart);
      if (n.keyEnd !== undefined) m.keyEnd = shift(n.keyEnd);
      this.moved.set(key, m);
    }
    return m;
  }

  override has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  override get size(): number {
    let n = 0;
    for (const _ of this.keys()) n++;
    return n;
  }

  override *entries(): MapIterator<[string, NodeInfo]> {
    let inserted = false;
    for (const key of this.base.keys()) {
      if (this.splice.replaced(key)) {
        if (!inserted) {
          inserted = true;
          yield* this.splice.added.entries();
        }
        continue;
      }
      yield [key, this.get(key)!];
    }
  }

  override *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  override *values(): MapIterator<NodeInfo> {
    for (const [, v] of this.entries()) yield v;
  }

  override [Symbol.iterator](): MapIterator<[string, NodeInfo]> {
    return this.entries();
  }

  override forEach(fn: (value: NodeInfo, key: string, map: Map<string, NodeInfo>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  override set(): this {
    throw new Error('the position index is read-only');
  }

  override delete(): boolean {
    throw new Error('the position index is read-only');
  }

  override clear(): void {
    throw new Error('the position index is read-only');
  }
}
