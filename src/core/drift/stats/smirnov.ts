/**
 * The one-sided Smirnov survival function, `scipy.special.smirnov(n, x)`,
 * ported from scipy 1.10's scipy/special/cephes/kolmogorov.c (`_smirnov`,
 * van Mulbregt 2018): the Birnbaum-Tingey / Smirnov sum
 *
 *   Pr(D+_n > x) = x * sum_{v=0}^{floor(n(1-x))} C(n,v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v)
 *
 * evaluated in double-double arithmetic with the binomial coefficient kept as
 * (mantissa, exponent) so it never overflows, or the "upper" alternating sum
 * when that has at most 3 terms. Only the survival value is computed here; the
 * C code's density accumulator (dAj) does not influence the sum or its early
 * termination, so it is left out.
 *
 * kstwo.sf (see kolmogorov.ts) calls this for large deviations, where it is
 * the exact two-sided tail up to a factor 2.
 */
import type { DD } from './doubledouble';
import {
  DD_INF, DD_NAN, DD_NEGINF, DD_ONE, DD_ZERO, ddAdd, ddAddDD, ddAddDdD, ddDiv, ddDivDD,
  ddDivDdD, ddFloor, ddFrexp, ddInv, ddLdexp, ddMul, ddMulDD, ddMulDDd, ddSub, ddSubDdD,
} from './doubledouble';

/** cephes MINLOG with DENORMAL defined: log(2^-1075). Measured: smirnov(2000, 0.421) > 0 at -2nx^2 = -708.96. */
const MINLOG = -7.451332191019412076235e2;
const DBL_EPSILON = 2.220446049250313e-16;
const M_LN2 = 0.6931471805599453;
/** n above this uses an approximation instead of the sum (SMIRNOV_MAX_COMPUTE_N). */
const SMIRNOV_MAX_COMPUTE_N = 1000000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
/** Keep both words of a double2 normal: exponents stay below 1023-52 (_MAX_EXPONENT). */
const MAX_EXPONENT = 960;

function clip01(v: number): number {
  return v < 0 ? 0 : Math.min(v, 1);
}

/** floor(n*x) and the remainder, computed exactly (modNX). */
function modNX(n: number, x: number): { alpha: number; nxfloor: number; nx: number } {
  const nxD = ddMulDD(n, x);
  const nxfloorD = ddFloor(nxD);
  const alphaD = ddSub(nxD, nxfloorD);
  let alpha = alphaD.hi;
  let nxfloor = Math.trunc(nxfloorD.hi);
  if (alpha === 1) {
    nxfloor += 1;
    alpha = 0;
  }
  return { alpha, nxfloor, nx: nxD.hi };
}

/** The next binomial coefficient C(n, j+1) from C(n, j), as mantissa and exponent. */
function updateBinomial(c: { man: DD; expt: number }, n: number, j: number): void {
  const rat = ddDivDD(n - j, j + 1.0);
  const man2 = ddMul(c.man, rat);
  const [m, e] = ddFrexp(man2);
  c.expt += e;
  c.man = m;
}

/** a^m in double-double, trading accuracy for time with pow() as the C code does (pow_D). */
function powD(a: DD, m: number): DD {
  if (m <= 0) {
    if (m === 0) return DD_ONE;
    return ddInv(powD(a, -m));
  }
  if (a.hi === 0) return DD_ZERO;
  const ans = Math.pow(a.hi, m);
  const r = a.lo / a.hi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) {
      // First two terms of the Taylor series of (1+r)^m.
      adj += (m * r) * ((m - 1) / 2.0 * r);
    } else {
      adj = Math.expm1(m * Math.log1p(r));
    }
  }
  return ddAddDD(ans, ans * adj);
}

/** a^m as (significand, exponent), splitting the power when it would underflow (pow2Scaled_D). */
function pow2ScaledD(a: DD, m: number): [DD, number] {
  let maxExpt = MAX_EXPONENT;
  if (m <= 0) {
    if (m === 0) return [DD_ONE, 0];
    const [ans1, aE1] = pow2ScaledD(a, -m);
    const [ans, aE2] = ddFrexp(ddInv(ans1));
    return [ans, -aE1 + aE2];
  }
  const [y, yE] = ddFrexp(a);
  if (m === 1) return [y, yE];
  // Quick check whether the exponentiation needs breaking up.
  if (m * (y.hi - 1) / y.hi < -MAX_EXPONENT * M_LN2) {
    const lg2y = Math.log(y.hi) / M_LN2;
    const lgAns = m * lg2y;
    if (lgAns <= -MAX_EXPONENT) {
      maxExpt = Math.trunc(nextPowerOf2(-MAX_EXPONENT / lg2y + 1) / 2);
    }
  }
  if (m <= maxExpt) {
    const ans1 = powD(y, m);
    const [ans, ansE0] = ddFrexp(ans1);
    return [ans, ansE0 + m * yE];
  }
  const q = Math.trunc(m / maxExpt);
  const r = m % maxExpt;
  // y^m = (y^maxExpt)^q * y^r
  const [y2r, y2rE] = pow2ScaledD(y, r);
  const [y2m, y2mE] = pow2ScaledD(y, maxExpt);
  const [y2mq, y2mqE0] = pow2ScaledD(y2m, q);
  const [ans, ansE0] = ddFrexp(ddMul(y2r, y2mq));
  const y2mqE = y2mqE0 + y2mE * q;
  return [ans, ansE0 + y2mqE + y2rE + m * yE];
}

/** nextPowerOf2 from kolmogorov.c (rounds x up to the next power of two via an ulp trick). */
function nextPowerOf2(x: number): number {
  const q = x * Math.pow(2, 1 - 53);
  let L = Math.abs(q + x);
  if (L === 0) {
    L = Math.abs(x);
  } else {
    const Lint = Math.trunc(L);
    if (Lint === L) L = Lint;
  }
  return L;
}

/** ((a+b)/(c+d))^m in double-double (pow4_D). */
function pow4D(a: number, b: number, c: number, d: number, m: number): DD {
  if (m <= 0) {
    if (m === 0) return DD_ONE;
    return pow4D(c, d, a, b, -m);
  }
  const A = ddAddDD(a, b);
  const C = ddAddDD(c, d);
  if (A.hi === 0) return C.hi === 0 ? DD_NAN : DD_ZERO;
  if (C.hi === 0) return A.hi < 0 ? DD_NEGINF : DD_INF;
  return powD(ddDiv(A, C), m);
}

/** One term A_v(n, x) = C(n,v) (1-x-v/n)^(n-v) (x+v/n)^(v-1) (computeAv). */
function computeAv(n: number, x: number, v: number, cman: DD, cexpt: number): DD {
  const t2x = ddSubDdD(ddDivDD(n - v, n), x); // 1 - x - v/n
  const [t2, t2E] = pow2ScaledD(t2x, n - v);
  const t1x = ddAddDdD(ddDivDD(v, n), x); // x + v/n
  const [t1, t1E] = pow2ScaledD(t1x, v - 1);
  let ans = ddMul(t1, t2);
  ans = ddMul(ans, cman);
  return ddLdexp(ans, cexpt + t1E + t2E);
}

/**
 * scipy.special.smirnov(n, x): Pr(D+_n >= x), the one-sided Kolmogorov-Smirnov
 * survival function for sample size n. Returns NaN outside n > 0, 0 <= x <= 1.
 */
export function smirnov(n: number, x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!(n > 0 && x >= 0.0 && x <= 1.0)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0.0) return 1.0;
  if (x === 1.0) return 0.0;

  const { alpha, nxfloor: nxfl, nx } = modNX(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  // If alpha is 0 the last term belongs to neither the lower nor the upper sum.
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  // Special case: x <= 1/n.
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const t = powD(ddAddDD(1, x), n - 1).hi; // pow2(1, x, n-1)
    const cdf = x * t;
    return clip01(1 - cdf);
  }
  // Special case: the survival function underflows double.
  if (-2 * n * x * x < MINLOG) return 0;
  // Special case: x >= 1 - 1/n.
  if (nxfl >= n - 1) {
    return clip01(powD(ddAddDD(1, -x), n).hi); // pow2(1, -x, n)
  }
  // Special case: n too big to sum; p ~ e^(-(6nx+1)^2 / 18n).
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
    let sf: number;
    if (logp < -M_LN2) {
      sf = Math.exp(logp);
    } else {
      const cdf = -Math.expm1(logp);
      sf = 1 - cdf;
    }
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
  const binom = { man: DD_ONE, expt: 0 };
  let Aj: DD;
  if (bUseUpperSum) {
    start = n;
    step = -1;
    nTerms = n - n1mxceil + 1;
    Aj = pow4D(1, x, 1, 0, n - 1);
  } else {
    const t2 = pow4D(1, -x, 1, 0, n);
    Aj = ddDivDdD(t2, x);
  }
  let AjSum = ddAdd(DD_ZERO, Aj);
  updateBinomial(binom, n, 0);

  for (let j = 1; j < nTerms; j += 1) {
    const v = start + j * step;
    Aj = computeAv(n, x, v, binom.man, binom.expt);
    if (Number.isFinite(Aj.hi) && Aj.hi !== 0) {
      AjSum = ddAdd(AjSum, Aj);
    }
    // Safe to terminate early?
    if (Aj.hi !== 0) {
      if (4 * (nTerms - j) * Math.abs(Aj.hi) < DBL_EPSILON * AjSum.hi && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
    updateBinomial(binom, n, j);
  }
  const prob = ddMulDDd(x, AjSum).hi;
  const sf = step < 0 ? 1 - prob : prob;
  return clip01(sf);
}
