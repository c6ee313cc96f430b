/**
 * Interning byte strings to dense codes 0, 1, 2, ... A category field is
 * hashed and compared as bytes, so a string is only decoded once per distinct
 * value (at the end), not once per row. Open addressing, FNV-1a.
 */

export class ByteInterner {
  private arena: Uint8Array = new Uint8Array(1024);
  private arenaLen = 0;
  private starts: Int32Array = new Int32Array(64);
  private ends: Int32Array = new Int32Array(64);
  private hashes: Int32Array = new Int32Array(64);
  private count = 0;
  private table: Int32Array = new Int32Array(128); // code + 1, 0 = empty
  private mask = 127;

  get size(): number {
    return this.count;
  }

  /** Bytes held, for memory accounting. */
  get bytes(): number {
    return this.arenaLen;
  }

  intern(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const len = end - start;
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === 0) break;
      const code = entry - 1;
      if (this.hashes[code] === h) {
        const s = this.starts[code];
        if (this.ends[code] - s === len && this.sameBytes(s, buf, start, len)) return code;
      }
      slot = (slot + 1) & mask;
    }
    const code = this.add(buf, start, end, h);
    table[slot] = code + 1;
    if (this.count * 2 > mask) this.rehash();
    return code;
  }

  /** Every value decoded, index = code. */
  decode(encoding: BufferEncoding): string[] {
    const view = Buffer.from(this.arena.buffer, this.arena.byteOffset, this.arenaLen);
    const out = new Array<string>(this.count);
    for (let k = 0; k < this.count; k++) out[k] = view.toString(encoding, this.starts[k], this.ends[k]);
    return out;
  }

  private sameBytes(at: number, buf: Uint8Array, start: number, len: number): boolean {
    const arena = this.arena;
    for (let k = 0; k < len; k++) if (arena[at + k] !== buf[start + k]) return false;
    return true;
  }

  private add(buf: Uint8Array, start: number, end: number, hash: number): number {
    const len = end - start;
    if (this.arenaLen + len > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLen + len));
      grown.set(this.arena.subarray(0, this.arenaLen));
      this.arena = grown;
    }
    this.arena.set(buf.subarray(start, end), this.arenaLen);
    const code = this.count++;
    if (code >= this.starts.length) {
      const n = this.starts.length * 2;
      this.starts = grow(this.starts, n);
      this.ends = grow(this.ends, n);
      this.hashes = grow(this.hashes, n);
    }
    this.starts[code] = this.arenaLen;
    this.ends[code] = this.arenaLen + len;
    this.hashes[code] = hash;
    this.arenaLen += len;
    return code;
  }

  private rehash(): void {
    const size = this.table.length * 2;
    const table = new Int32Array(size);
    const mask = size - 1;
    for (let code = 0; code < this.count; code++) {
      let slot = this.hashes[code] & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = code + 1;
    }
    this.table = table;
    this.mask = mask;
  }
}

function grow(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
