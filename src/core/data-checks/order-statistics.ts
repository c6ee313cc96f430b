/**
 * Exact order statistics (the k-th smallest value) of a column that arrives
 * in chunks, in memory bounded by constants rather than by the column.
 *
 * Each value has a 64-bit key that sorts as the values do (the IEEE bits,
 * negatives flipped: -inf < ... < -0 < +0 < ... < inf, the order of
 * Float64Array.prototype.sort). The first pass counts the values by the
 * key's top 16 bits (65,536 bins); the bin holding rank k is then known, and
 * so is k's rank inside it. Each further pass over the column either counts
 * the values of that bin by the next 16 bits (when the bin holds more than
 * `limit` values) or keeps them, sorts them and reads the answer. Four
 * digits fix the key, hence the value, so a rank needs at most five passes
 * and usually two: with a million values spread over the top bins, the bin
 * of a median holds a few thousand. Memory: 256 KiB of counts per column
 * and rank, plus at most `limit` values (2 MiB at the default).
 */

const BINS = 65536;
/** Most values kept for a final sort (8 bytes each). */
export const SELECT_LIMIT = 1 << 18;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

/** The key's high word (f64[0] must hold the value). */
function keyHi(): number {
  const hi = u32[HI];
  return hi & 0x80000000 ? ~hi >>> 0 : (hi | 0x80000000) >>> 0;
}

function keyLo(): number {
  return u32[HI] & 0x80000000 ? ~u32[LO] >>> 0 : u32[LO];
}

function fromKey(kh: number, kl: number): number {
  if (kh & 0x80000000) {
    u32[HI] = kh & 0x7fffffff;
    u32[LO] = kl;
  } else {
    u32[HI] = ~kh >>> 0;
    u32[LO] = ~kl >>> 0;
  }
  return f64[0];
}

/** The search for one rank: the key digits fixed so far, and what the next pass does. */
class Target {
  depth = 0;
  prefixHi = 0;
  prefixLo = 0;
  maskHi = 0;
  maskLo = 0;
  hist: Uint32Array | undefined;
  values: Float64Array | undefined;
  filled = 0;
  value = NaN;
  done = false;

  /** `rank`: among the values whose keys have the fixed digits. */
  constructor(public rank: number) {}
}

export class OrderStatistics {
  private top: Uint32Array | undefined = new Uint32Array(BINS);
  private readonly targets = new Map<number, Target>();

  constructor(private readonly limit = SELECT_LIMIT) {}

  /** First pass: the values of a chunk (NaN skipped). */
  add(numbers: Float64Array): void {
    const top = this.top!;
    for (let i = 0; i < numbers.length; i++) {
      const v = numbers[i];
      if (v !== v) continue;
      f64[0] = v;
      top[keyHi() >>> 16]++;
    }
  }

  /** After the first pass: the ranks (0-based, < the count) to find. */
  want(ranks: readonly number[]): void {
    for (const rank of ranks) {
      if (this.targets.has(rank)) continue;
      const t = new Target(rank);
      this.narrow(t, this.top!);
      this.targets.set(rank, t);
    }
    this.top = undefined;
  }

  get pending(): boolean {
    for (const t of this.targets.values()) if (!t.done) return true;
    return false;
  }

  /** A further pass: the values of a chunk, as in the first. */
  addPass(numbers: Float64Array): void {
    const active = [...this.targets.values()].filter((t) => !t.done);
    for (let i = 0; i < numbers.length; i++) {
      const v = numbers[i];
      if (v !== v) continue;
      f64[0] = v;
      const kh = keyHi();
      const kl = keyLo();
      for (const t of active) {
        if ((kh & t.maskHi) >>> 0 !== t.prefixHi || (kl & t.maskLo) >>> 0 !== t.prefixLo) continue;
        if (t.values !== undefined) t.values[t.filled++] = v;
        else t.hist![t.depth === 1 ? kh & 0xffff : t.depth === 2 ? kl >>> 16 : kl & 0xffff]++;
      }
    }
  }

  endPass(): void {
    for (const t of this.targets.values()) {
      if (t.done) continue;
      if (t.values !== undefined) {
        t.value = t.values.subarray(0, t.filled).sort()[t.rank];
        t.values = undefined;
        t.done = true;
      } else this.narrow(t, t.hist!);
    }
  }

  /** The k-th smallest value (after the passes). */
  at(rank: number): number {
    return this.targets.get(rank)?.value ?? NaN;
  }

  /** Fixes the next digit from the counts of the current one. */
  private narrow(t: Target, hist: Uint32Array): void {
    let below = 0;
    let g = 0;
    for (; g < BINS - 1; g++) {
      if (below + hist[g] > t.rank) break;
      below += hist[g];
    }
    t.rank -= below;
    const inBin = hist[g];
    switch (t.depth) {
      case 0: t.prefixHi = (g << 16) >>> 0; t.maskHi = 0xffff0000; break;
      case 1: t.prefixHi = (t.prefixHi | g) >>> 0; t.maskHi = 0xffffffff; break;
      case 2: t.prefixLo = (g << 16) >>> 0; t.maskLo = 0xffff0000; break;
      default: t.prefixLo = (t.prefixLo | g) >>> 0; t.maskLo = 0xffffffff;
    }
    t.depth++;
    t.hist = undefined;
    if (t.depth === 4) {
      t.value = fromKey(t.prefixHi, t.prefixLo);
      t.done = true;
    } else if (inBin <= this.limit) {
      t.values = new Float64Array(inBin);
      t.filled = 0;
    } else {
      t.hist = new Uint32Array(BINS);
    }
  }
}
