/**
 * The one-sided Smirnov survival function, `scipy.special.smirnov(n, x)`,
 * ported from scipy 1.10's scipy/special/cephes/kolmogorov.c (`_smirnov`,
 * van Mulbregt 2018): the Birnbaum-Tingey / Smirnov sum
 *
 *   Pr(D+_n >= x) = x * sum_{v=0}^{floor(n(1-x))} C(n,v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v)
 *
 * evaluated in double-double arithmetic with the binomial coefficient kept as
 * (mantissa, exponent) so it never overflows, or the "upper" alternating sum
 * when that has at most 3 terms. Only the survival value is computed: the C
 * code's density accumulator (dAj) influences neither the sum nor its early
 * termination.
 *
 * kstwo.sf (kolmogorov.ts) calls this for large deviations, where 2 * smirnov
 * is the two-sided tail. For n ~ 1e5..1e6 the sum visits almost every term, so
 * the double-double code (doubledouble.ts) is written not to allocate.
 */
import * as DD from './doubledouble';

// Local bindings, taken once: transpilers that turn ES imports into CommonJS
// (tsx, ts-node) read every imported name through a getter on each use, which
// tripled the time of this hot loop.
const {
  R, ddAdd, ddAddDdD, ddDiv, ddFloor, ddFrexp, ddMul, ddMulDDd, ddSubDdD, ldexp, twoProd, twoSum,
} = DD;

/** cephes MINLOG with DENORMAL: log(2^-1075). scipy gives smirnov(2000, 0.421) > 0 at -2nx^2 = -708.96. */
const MINLOG = -7.451332191019412076235e2;
const DBL_EPSILON = 2.220446049250313e-16;
const M_LN2 = 0.6931471805599453;
/** n above this uses an approximation instead of the sum. */
const SMIRNOV_MAX_COMPUTE_N = 1000000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
/** Keep both words of a double2 normal: exponents stay below 1023-52. */
const MAX_EXPONENT = 960;

function clip01(v: number): number {
  return v < 0 ? 0 : Math.min(v, 1);
}

/** pow_D: (ah, al)^m -> R.hi, R.lo, trading accuracy for time with pow() as the C code does. */
function powD(ah: number, al: number, m: number): void {
  if (m <= 0) {
    if (m === 0) {
      R.hi = 1; R.lo = 0;
      return;
    }
    powD(ah, al, -m);
    ddDiv(1, 0, R.hi, R.lo); // dd_inv
    return;
  }
  if (ah === 0) {
    R.hi = 0; R.lo = 0;
    return;
  }
  const ans = Math.pow(ah, m);
  const r = al / ah;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) {
      // First two terms of the Taylor series of (1+r)^m.
      adj += (m * r) * ((m - 1) / 2.0 * r);
    } else {
      adj = Math.expm1(m * Math.log1p(r));
    }
  }
  twoSum(ans, ans * adj); // dd_add_d_d
}

/** kolmogorov.c's nextPowerOf2 (x * (1 + 2^-52), made integral when it is). */
function nextPowerOf2(x: number): number {
  const q = x * 2.220446049250313e-16; // ldexp(x, 1 - DBL_MANT_DIG)
  let L = Math.abs(q + x);
  if (L === 0) {
    L = Math.abs(x);
  } else {
    const Lint = Math.trunc(L);
    if (Lint === L) L = Lint;
  }
  return L;
}

/** pow2Scaled_D: (ah, al)^m as significand (R.hi, R.lo) and exponent R.e, split up when it would underflow. */
function pow2ScaledD(ah: number, al: number, m: number): void {
  let maxExpt = MAX_EXPONENT;
  if (m <= 0) {
    if (m === 0) {
      R.hi = 1; R.lo = 0; R.e = 0;
      return;
    }
    pow2ScaledD(ah, al, -m);
    const aE1 = R.e;
    ddDiv(1, 0, R.hi, R.lo);
    ddFrexp(R.hi, R.lo);
    R.e = -aE1 + R.e;
    return;
  }
  ddFrexp(ah, al);
  const yh = R.hi;
  const yl = R.lo;
  const yE = R.e;
  if (m === 1) return; // (y, yE)
  // Quick check whether the exponentiation needs breaking up.
  if (m * (yh - 1) / yh < -MAX_EXPONENT * M_LN2) {
    const lg2y = Math.log(yh) / M_LN2;
    const lgAns = m * lg2y;
    if (lgAns <= -MAX_EXPONENT) {
      maxExpt = Math.trunc(nextPowerOf2(-MAX_EXPONENT / lg2y + 1) / 2);
    }
  }
  if (m <= maxExpt) {
    powD(yh, yl, m);
    ddFrexp(R.hi, R.lo);
    R.e += m * yE;
    return;
  }
  const q = Math.trunc(m / maxExpt);
  const r = m % maxExpt;
  // y^m = (y^maxExpt)^q * y^r
  pow2ScaledD(yh, yl, r);
  const y2rh = R.hi, y2rl = R.lo, y2rE = R.e;
  pow2ScaledD(yh, yl, maxExpt);
  const y2mh = R.hi, y2ml = R.lo, y2mE = R.e;
  pow2ScaledD(y2mh, y2ml, q);
  const y2mqh = R.hi, y2mql = R.lo;
  const y2mqE = R.e + y2mE * q;
  ddMul(y2rh, y2rl, y2mqh, y2mql);
  ddFrexp(R.hi, R.lo);
  R.e += y2mqE + y2rE + m * yE;
}

/** pow4_D: ((a+b)/(c+d))^m -> R.hi, R.lo. */
function pow4D(a: number, b: number, c: number, d: number, m: number): void {
  if (m <= 0) {
    if (m === 0) {
      R.hi = 1; R.lo = 0;
      return;
    }
    pow4D(c, d, a, b, -m);
    return;
  }
  twoSum(a, b);
  const Ah = R.hi, Al = R.lo;
  twoSum(c, d);
  const Ch = R.hi, Cl = R.lo;
  if (Ah === 0) {
    R.hi = Ch === 0 ? NaN : 0; R.lo = Ch === 0 ? NaN : 0;
    return;
  }
  if (Ch === 0) {
    R.hi = Ah < 0 ? -Infinity : Infinity; R.lo = 0;
    return;
  }
  ddDiv(Ah, Al, Ch, Cl);
  powD(R.hi, R.lo, m);
}

/**
 * scipy.special.smirnov(n, x): Pr(D+_n >= x), the one-sided Kolmogorov-Smirnov
 * survival function for sample size n. NaN unless n > 0 and 0 <= x <= 1.
 */
export function smirnov(n: number, x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!(n > 0 && x >= 0.0 && x <= 1.0)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0.0) return 1.0;
  if (x === 1.0) return 0.0;

  // modNX: floor(n*x) and the remainder, exactly.
  twoProd(n, x);
  const nxh = R.hi, nxl = R.lo;
  ddFloor(nxh, nxl);
  const flh = R.hi, fll = R.lo;
  ddAdd(nxh, nxl, -flh, -fll);
  let alpha = R.hi;
  let nxfl = Math.trunc(flh);
  if (alpha === 1) {
    nxfl += 1;
    alpha = 0;
  }

  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  // If alpha is 0 the last term belongs to neither the lower nor the upper sum.
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  // Special case: x <= 1/n.
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    twoSum(1, x);
    powD(R.hi, R.lo, n - 1); // pow2(1, x, n-1)
    return clip01(1 - x * R.hi);
  }
  // Special case: the survival function underflows double.
  if (-2 * n * x * x < MINLOG) return 0;
  // Special case: x >= 1 - 1/n.
  if (nxfl >= n - 1) {
    twoSum(1, -x);
    powD(R.hi, R.lo, n); // pow2(1, -x, n)
    return clip01(R.hi);
  }
  // Special case: n too big to sum; p ~ e^(-(6nx+1)^2 / 18n).
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
    const sf = logp < -M_LN2 ? Math.exp(logp) : 1 - (-Math.expm1(logp));
    return clip01(sf);
  }

  // Use the upper sum if n is large enough, x small enough and it has few terms.
  const nUpperTerms = n - n1mxceil + 1;
  let bUseUpperSum = nUpperTerms <= 1 && x < 0.5;
  bUseUpperSum = bUseUpperSum
    || (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  let start = 0;
  let step = 1;
  let nTerms = n1mxfl + 1;
  const vmid = Math.trunc(n / 2);
  if (bUseUpperSum) {
    start = n;
    step = -1;
    nTerms = n - n1mxceil + 1;
    pow4D(1, x, 1, 0, n - 1); // Aj = t1
  } else {
    pow4D(1, -x, 1, 0, n);
    ddDiv(R.hi, R.lo, x, 0); // Aj = t2 / x
  }
  ddAdd(0, 0, R.hi, R.lo);
  let sumh = R.hi;
  let suml = R.lo;
  // Binomial coefficient C(n, j) as a mantissa (double-double) and an exponent.
  let cmh = 1;
  let cml = 0;
  let cexpt = 0;
  // updateBinomial(n, 0)
  ddDiv(n, 0, 1.0, 0);
  ddMul(cmh, cml, R.hi, R.lo);
  ddFrexp(R.hi, R.lo);
  cmh = R.hi; cml = R.lo; cexpt += R.e;

  for (let j = 1; j < nTerms; j += 1) {
    const v = start + j * step;
    // computeAv: A_v = C(n,v) (1-x-v/n)^(n-v) (x+v/n)^(v-1)
    ddDiv(n - v, 0, n, 0);
    ddSubDdD(R.hi, R.lo, x); // 1 - x - v/n
    pow2ScaledD(R.hi, R.lo, n - v);
    const t2h = R.hi, t2l = R.lo, t2E = R.e;
    ddDiv(v, 0, n, 0);
    ddAddDdD(R.hi, R.lo, x); // x + v/n
    pow2ScaledD(R.hi, R.lo, v - 1);
    const t1E = R.e;
    ddMul(R.hi, R.lo, t2h, t2l);
    ddMul(R.hi, R.lo, cmh, cml);
    const ansE = cexpt + t1E + t2E;
    const ajh = ldexp(R.hi, ansE);
    const ajl = ldexp(R.lo, ansE);

    if (Number.isFinite(ajh) && ajh !== 0) {
      ddAdd(sumh, suml, ajh, ajl);
      sumh = R.hi;
      suml = R.lo;
    }
    // Safe to terminate early?
    if (ajh !== 0) {
      if (4 * (nTerms - j) * Math.abs(ajh) < DBL_EPSILON * sumh && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
    // updateBinomial(n, j)
    ddDiv(n - j, 0, j + 1.0, 0);
    ddMul(cmh, cml, R.hi, R.lo);
    ddFrexp(R.hi, R.lo);
    cmh = R.hi; cml = R.lo; cexpt += R.e;
  }
  ddMulDDd(x, sumh, suml);
  const prob = R.hi;
  return clip01(step < 0 ? 1 - prob : prob);
}
