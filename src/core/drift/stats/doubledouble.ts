/**
 * Double-double arithmetic, ported from scipy 1.10's
 * scipy/special/cephes/dd_idefs.h and dd_real_idefs.h (the QD library of
 * Hida, Li and Bailey), as used by cephes `smirnov` (kolmogorov.c).
 * Every operation is a sequence of IEEE double operations, so results are
 * bit-identical to the C code (which either uses FMA or Dekker's split in
 * two_prod; both give the exact product error).
 */

export interface DD { readonly hi: number; readonly lo: number }

export const DD_ZERO: DD = { hi: 0, lo: 0 };
export const DD_ONE: DD = { hi: 1, lo: 0 };
export const DD_NAN: DD = { hi: NaN, lo: NaN };
export const DD_INF: DD = { hi: Infinity, lo: 0 };
export const DD_NEGINF: DD = { hi: -Infinity, lo: 0 };

export function dd(hi: number, lo = 0): DD {
  return { hi, lo };
}

// ---- basic error-free transformations (dd_idefs.h) -------------------------

/** fl(a+b) and its error, assuming |a| >= |b|. Returns [s, err]. */
function quickTwoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const c = s - a;
  return [s, b - c];
}

function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const c = s - a;
  const d = b - c;
  const e = s - c;
  return [s, (a - e) + d];
}

function twoDiff(a: number, b: number): [number, number] {
  const s = a - b;
  const c = s - a;
  const d = b + c;
  const e = s - c;
  return [s, (a - e) - d];
}

const SPLITTER = 134217729.0; // 2^27 + 1
const SPLIT_THRESH = 6.69692879491417e+299; // 2^996

function twoSplit(a: number): [number, number] {
  if (a > SPLIT_THRESH || a < -SPLIT_THRESH) {
    a *= 3.7252902984619140625e-09; // 2^-28
    const temp = SPLITTER * a;
    const hi = temp - (temp - a);
    const lo = a - hi;
    return [hi * 268435456.0, lo * 268435456.0];
  }
  const temp = SPLITTER * a;
  const hi = temp - (temp - a);
  return [hi, a - hi];
}

function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  const [ahi, alo] = twoSplit(a);
  const [bhi, blo] = twoSplit(b);
  const c = ahi * bhi - p;
  const d = c + ahi * blo + alo * bhi;
  return [p, d + alo * blo];
}

// ---- frexp / ldexp with C semantics ------------------------------------------

const TWO64 = 18446744073709551616;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Little-endian hosts (every platform Node runs on): high word is index 1.
const HI = 1;

/** C frexp: x = m * 2^e with 0.5 <= |m| < 1 (m = x for 0, inf, nan; e = 0). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let adj = 0;
  if (Math.abs(x) < 2.2250738585072014e-308) {
    x *= TWO64;
    adj = -64;
  }
  f64[0] = x;
  const biased = (u32[HI]! >>> 20) & 0x7ff;
  const e = biased - 1022;
  u32[HI] = (u32[HI]! & 0x800fffff) | (1022 << 20);
  return [f64[0]!, e + adj];
}

/** 2^k as a double, for -1022 <= k <= 1023 (exact). */
function pow2(k: number): number {
  f64[0] = 0;
  u32[HI] = (k + 1023) << 20;
  u32[0] = 0;
  return f64[0]!;
}

/**
 * C ldexp: x * 2^e correctly rounded once (so subnormal results round like
 * glibc's ldexp, not twice as a naive chain of multiplications would).
 */
export function ldexp(x: number, e: number): number {
  if (x === 0 || !Number.isFinite(x) || e === 0) return x;
  const [m, ex] = frexp(x); // |m| in [0.5, 1)
  const E = ex + e; // result = m * 2^E
  if (E > 1024) return x > 0 ? Infinity : -Infinity;
  if (E >= -1021) {
    // Normal result: exact. m * 2^E with 2^(E-1) representable.
    return m * 2 * pow2(E - 1);
  }
  if (E < -1075) return x > 0 ? 0 : -0;
  // Subnormal result: round m * 2^(E + 1074) to an integer, half to even.
  const q = m * pow2(E + 1074); // exact: E + 1074 is in [-1, 52]
  const r0 = Math.floor(Math.abs(q));
  const diff = Math.abs(q) - r0;
  let r = r0;
  if (diff > 0.5 || (diff === 0.5 && r0 % 2 === 1)) r += 1;
  const res = r * 5e-324;
  return q < 0 ? -res : res;
}

// ---- double2 routines (dd_real_idefs.h) --------------------------------------

export function ddFrexp(a: DD): [DD, number] {
  const [man0, exponent0] = frexp(a.hi);
  let man = man0;
  let exponent = exponent0;
  let b1 = ldexp(a.lo, -exponent);
  if (Math.abs(man) === 0.5 && man * b1 < 0) {
    man *= 2;
    b1 *= 2;
    exponent -= 1;
  }
  return [dd(man, b1), exponent];
}

export function ddLdexp(a: DD, e: number): DD {
  return dd(ldexp(a.hi, e), ldexp(a.lo, e));
}

export function ddFloor(a: DD): DD {
  let hi = Math.floor(a.hi);
  let lo = 0;
  if (hi === a.hi) {
    [hi, lo] = quickTwoSum(hi, Math.floor(a.lo));
  }
  return dd(hi, lo);
}

export function ddAddDD(a: number, b: number): DD {
  const [s, e] = twoSum(a, b);
  return dd(s, e);
}

export function ddAddDdD(a: DD, b: number): DD {
  let [s1, s2] = twoSum(a.hi, b);
  s2 += a.lo;
  [s1, s2] = quickTwoSum(s1, s2);
  return dd(s1, s2);
}

/** dd_ieee_add: the IEEE-style bound (Briggs and Kahan), which dd_add uses. */
export function ddAdd(a: DD, b: DD): DD {
  let [s1, s2] = twoSum(a.hi, b.hi);
  const [t1, t2] = twoSum(a.lo, b.lo);
  s2 += t1;
  [s1, s2] = quickTwoSum(s1, s2);
  s2 += t2;
  [s1, s2] = quickTwoSum(s1, s2);
  return dd(s1, s2);
}

export function ddNeg(a: DD): DD {
  return dd(-a.hi, -a.lo);
}

export function ddSub(a: DD, b: DD): DD {
  return ddAdd(a, ddNeg(b));
}

export function ddSubDD(a: number, b: number): DD {
  const [s, e] = twoDiff(a, b);
  return dd(s, e);
}

export function ddSubDdD(a: DD, b: number): DD {
  let [s1, s2] = twoSum(a.hi, -b);
  s2 += a.lo;
  [s1, s2] = quickTwoSum(s1, s2);
  return dd(s1, s2);
}

export function ddSubDDd(a: number, b: DD): DD {
  let [s1, s2] = twoSum(a, -b.hi);
  s2 -= b.lo;
  [s1, s2] = quickTwoSum(s1, s2);
  return dd(s1, s2);
}

export function ddMulDD(a: number, b: number): DD {
  const [p, e] = twoProd(a, b);
  return dd(p, e);
}

export function ddMul(a: DD, b: DD): DD {
  let [p1, p2] = twoProd(a.hi, b.hi);
  p2 += (a.hi * b.lo + a.lo * b.hi);
  [p1, p2] = quickTwoSum(p1, p2);
  return dd(p1, p2);
}

export function ddMulDdD(a: DD, b: number): DD {
  const [p1, e1] = twoProd(a.hi, b);
  const [p2, e2] = twoProd(a.lo, b);
  const [s, e] = quickTwoSum(p1, e2 + p2 + e1);
  return dd(s, e);
}

export function ddMulDDd(a: number, b: DD): DD {
  const [p1, e1] = twoProd(a, b.hi);
  const [p2, e2] = twoProd(a, b.lo);
  const [s, e] = quickTwoSum(p1, e2 + p2 + e1);
  return dd(s, e);
}

/** dd_accurate_div, which dd_div and all the mixed divisions use. */
export function ddDiv(a: DD, b: DD): DD {
  let q1 = a.hi / b.hi;
  let r = ddSub(a, ddMulDdD(b, q1));
  let q2 = r.hi / b.hi;
  r = ddSub(r, ddMulDdD(b, q2));
  const q3 = r.hi / b.hi;
  [q1, q2] = quickTwoSum(q1, q2);
  return ddAddDdD(dd(q1, q2), q3);
}

export function ddDivDD(a: number, b: number): DD {
  return ddDiv(dd(a), dd(b));
}

export function ddDivDdD(a: DD, b: number): DD {
  return ddDiv(a, dd(b));
}

export function ddDivDDd(a: number, b: DD): DD {
  return ddDiv(dd(a), b);
}

export function ddInv(a: DD): DD {
  return ddDiv(DD_ONE, a);
}
