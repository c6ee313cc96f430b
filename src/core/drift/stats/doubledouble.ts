/**
 * Double-double arithmetic, ported from scipy 1.10's
 * scipy/special/cephes/dd_idefs.h and dd_real_idefs.h (the QD library of
 * Hida, Li and Bailey), as used by cephes `smirnov` (kolmogorov.c).
 * Every operation is the same sequence of IEEE double operations as the C
 * code, so results are bit-identical (C's two_prod uses FMA or Dekker's split;
 * both give the exact product error).
 *
 * Speed: smirnov(n, x) sums up to n terms of ~40 double-double operations
 * each, so nothing here allocates. A double-double (hi, lo) is passed as two
 * numbers and results come back in the registers `R.hi`, `R.lo` (and `R.e`
 * for an exponent); read them before the next call.
 */

export const R = { hi: 0, lo: 0, e: 0 };

// ---- frexp / ldexp with C semantics ------------------------------------------

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Node runs on little-endian hosts only: the high word is index 1.
const HI = 1;
const TWO64 = 18446744073709551616;
const DBL_MIN = 2.2250738585072014e-308;

/** 2^k for -1074 <= k <= 1023, exact. */
const POW2 = new Float64Array(1023 + 1074 + 1);
for (let k = -1074; k <= 1023; k++) POW2[k + 1074] = 2 ** k;

/** C frexp: x = R.hi * 2^R.e with 0.5 <= |R.hi| < 1 (R.hi = x, R.e = 0 for 0, inf, nan). */
export function frexp(x: number): void {
  if (x === 0 || !Number.isFinite(x)) {
    R.hi = x;
    R.e = 0;
    return;
  }
  let adj = 0;
  if (Math.abs(x) < DBL_MIN) {
    x *= TWO64;
    adj = -64;
  }
  f64[0] = x;
  const w = u32[HI]!;
  R.e = ((w >>> 20) & 0x7ff) - 1022 + adj;
  u32[HI] = (w & 0x800fffff) | 0x3fe00000;
  R.hi = f64[0]!;
}

/** C ldexp: x * 2^e, rounded once even when the result is subnormal (as glibc). */
export function ldexp(x: number, e: number): number {
  if (x === 0 || !Number.isFinite(x) || e === 0) return x;
  if (e >= -1022 && e <= 1023) {
    const r = x * POW2[e + 1074]!;
    // Scaling by a normal power of two is exact unless it under- or overflows.
    if (Math.abs(r) >= DBL_MIN && Number.isFinite(r)) return r;
  }
  frexp(x);
  const m = R.hi; // |m| in [0.5, 1)
  const E = R.e + e; // result = m * 2^E
  if (E > 1024) return x > 0 ? Infinity : -Infinity;
  if (E >= -1021) return m * 2 * POW2[E - 1 + 1074]!; // normal: exact
  if (E < -1075) return x > 0 ? 0 : -0;
  // Subnormal: round m * 2^(E + 1074) to an integer, half to even.
  const q = Math.abs(m * POW2[E + 1074 + 1074]!); // E + 1074 in [-1, 52]: exact
  const r0 = Math.floor(q);
  const diff = q - r0;
  const r = (diff > 0.5 || (diff === 0.5 && r0 % 2 === 1)) ? r0 + 1 : r0;
  const res = r * 5e-324;
  return x < 0 ? -res : res;
}

// ---- error-free transformations (dd_idefs.h) ---------------------------------

const SPLITTER = 134217729.0; // 2^27 + 1
const SPLIT_THRESH = 6.69692879491417e+299; // 2^996

/** fl(a+b) and its error, assuming |a| >= |b| (quick_two_sum). */
export function quickTwoSum(a: number, b: number): void {
  const s = a + b;
  R.hi = s;
  R.lo = b - (s - a);
}

/** fl(a+b) and its error (two_sum). */
export function twoSum(a: number, b: number): void {
  const s = a + b;
  const c = s - a;
  const d = b - c;
  const e = s - c;
  R.hi = s;
  R.lo = (a - e) + d;
}

/** fl(a-b) and its error (two_diff). */
export function twoDiff(a: number, b: number): void {
  const s = a - b;
  const c = s - a;
  const d = b + c;
  const e = s - c;
  R.hi = s;
  R.lo = (a - e) - d;
}

/** fl(a*b) and its exact error by Dekker's split (two_prod). */
export function twoProd(a: number, b: number): void {
  const p = a * b;
  let ahi: number, alo: number, bhi: number, blo: number;
  if (a > SPLIT_THRESH || a < -SPLIT_THRESH) {
    const as = a * 3.7252902984619140625e-09;
    const t = SPLITTER * as;
    const h = t - (t - as);
    ahi = h * 268435456.0;
    alo = (as - h) * 268435456.0;
  } else {
    const t = SPLITTER * a;
    ahi = t - (t - a);
    alo = a - ahi;
  }
  if (b > SPLIT_THRESH || b < -SPLIT_THRESH) {
    const bs = b * 3.7252902984619140625e-09;
    const t = SPLITTER * bs;
    const h = t - (t - bs);
    bhi = h * 268435456.0;
    blo = (bs - h) * 268435456.0;
  } else {
    const t = SPLITTER * b;
    bhi = t - (t - b);
    blo = b - bhi;
  }
  const c = ahi * bhi - p;
  const d = c + ahi * blo + alo * bhi;
  R.hi = p;
  R.lo = d + alo * blo;
}

// ---- double2 routines (dd_real_idefs.h) --------------------------------------

/** dd_frexp: R.hi + R.lo = (a) * 2^-R.e with 0.5 <= |R.hi| < 1 (or |R.hi| = 1 with opposite-signed lo). */
export function ddFrexp(ah: number, al: number): void {
  frexp(ah);
  let man = R.hi;
  let exponent = R.e;
  let b1 = ldexp(al, -exponent);
  if (Math.abs(man) === 0.5 && man * b1 < 0) {
    man *= 2;
    b1 *= 2;
    exponent -= 1;
  }
  R.hi = man;
  R.lo = b1;
  R.e = exponent;
}

/** dd_floor. */
export function ddFloor(ah: number, al: number): void {
  const hi = Math.floor(ah);
  if (hi === ah) {
    quickTwoSum(hi, Math.floor(al));
    return;
  }
  R.hi = hi;
  R.lo = 0;
}

/** dd_add_dd_d: (ah, al) + b. */
export function ddAddDdD(ah: number, al: number, b: number): void {
  twoSum(ah, b);
  quickTwoSum(R.hi, R.lo + al);
}

/** dd_sub_dd_d: (ah, al) - b. */
export function ddSubDdD(ah: number, al: number, b: number): void {
  twoSum(ah, -b);
  quickTwoSum(R.hi, R.lo + al);
}

/** dd_ieee_add (what dd_add uses): the IEEE-style error bound of Briggs and Kahan. */
export function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const s1 = R.hi;
  let s2 = R.lo;
  twoSum(al, bl);
  const t1 = R.hi;
  const t2 = R.lo;
  s2 += t1;
  quickTwoSum(s1, s2);
  quickTwoSum(R.hi, R.lo + t2);
}

/** dd_mul. */
export function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p1 = R.hi;
  const p2 = R.lo + (ah * bl + al * bh);
  quickTwoSum(p1, p2);
}

/** dd_mul_dd_d: (ah, al) * b. */
export function ddMulDdD(ah: number, al: number, b: number): void {
  twoProd(ah, b);
  const p1 = R.hi;
  const e1 = R.lo;
  twoProd(al, b);
  quickTwoSum(p1, R.lo + R.hi + e1);
}

/** dd_mul_d_dd: a * (bh, bl). */
export function ddMulDDd(a: number, bh: number, bl: number): void {
  twoProd(a, bh);
  const p1 = R.hi;
  const e1 = R.lo;
  twoProd(a, bl);
  quickTwoSum(p1, R.lo + R.hi + e1);
}

/** dd_accurate_div (what dd_div and every mixed division use). */
export function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  let q1 = ah / bh;
  ddMulDdD(bh, bl, q1);
  ddAdd(ah, al, -R.hi, -R.lo); // r = a - b*q1
  const rh = R.hi;
  const rl = R.lo;
  let q2 = rh / bh;
  ddMulDdD(bh, bl, q2);
  ddAdd(rh, rl, -R.hi, -R.lo); // r = r - b*q2
  const q3 = R.hi / bh;
  quickTwoSum(q1, q2);
  q1 = R.hi;
  q2 = R.lo;
  ddAddDdD(q1, q2, q3);
}
