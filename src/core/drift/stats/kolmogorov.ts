/**
 * The two-sided one-sample Kolmogorov-Smirnov distribution, `scipy.stats.kstwo`,
 * ported from scipy 1.10's scipy/stats/_ksstats.py (`_kolmogn` and the methods
 * it picks between, following Simard & L'Ecuyer 2011):
 *  - Ruben-Gambino closed forms for x <= 1/n and x >= 1 - 1/n,
 *  - 2 * smirnov(n, x) (exact) for x >= 0.5 or large n*x^2,
 *  - the Durbin matrix algorithm in the Marsaglia-Tsang-Wang form (DMTW),
 *  - the Pomeranz recursion,
 *  - the Pelz-Good asymptotic series.
 * `ks_2samp`'s asymptotic two-sided p-value is `kstwo.sf(d, round(en))`.
 *
 * Differences from scipy that stay far inside the 1e-6 relative asked of
 * p-values: matrix products and convolutions are summed in plain loop order
 * (numpy uses BLAS), and the intermediate rescaling uses doubles where numpy
 * silently promotes a few scalars to long double.
 */
import { ldexp } from './doubledouble';
import { smirnov } from './smirnov';
import { numpySum } from './sum';

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;

/** Bernoulli-number Stirling coefficients B_{2j}/(2j)/(2j-1), j = 8..1 (from _loggamma.pxd). */
const STIRLING_COEFFS = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3,
  -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4,
  -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function select(cdfprob: number, sfprob: number, cdf: boolean): number {
  return clip01(cdf ? cdfprob : sfprob);
}

/** log(n! / n^n) by Stirling, with n*log(n) removed up front (_log_nfactorial_div_n_pow_n). */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1.0 / n;
  const z = rn / n;
  let poly = 0; // np.polyval: Horner from the highest coefficient
  for (const c of STIRLING_COEFFS) poly = poly * z + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** Square matrix product C = A B (row-major, size m). */
function matmul(A: Float64Array, B: Float64Array, m: number): Float64Array {
  const C = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const ci = i * m;
    for (let l = 0; l < m; l++) {
      const a = A[ci + l]!;
      if (a === 0) continue;
      const bl = l * m;
      for (let j = 0; j < m; j++) C[ci + j]! += a * B[bl + j]!;
    }
  }
  return C;
}

/** Pr(D_n <= d) by Durbin's matrix algorithm as Marsaglia, Tsang and Wang compute it (_kolmogn_DMTW). */
function kolmognDMTW(n: number, d: number, cdf: boolean): number {
  if (d >= 1.0) return select(1.0, 0.0, cdf);
  const nd = n * d;
  if (nd <= 0.5) return select(0.0, 1.0, cdf);
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  // v: first column (and reversed last row) of H; w[j] = 1/j!.
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  for (let j = 1; j <= m; j++) v[j - 1] = 1.0 - h ** j;
  let fac = 1.0;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j; // may underflow; harmless
    v[j - 1]! *= fac;
  }
  const tt = Math.max(2 * h - 1.0, 0) ** m - 2 * h ** m;
  v[m - 1] = (1.0 + tt) * fac;

  let H: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)]!;
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;

  let Hpwr: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let Hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m);
      expnt += Hexpnt;
    }
    nn = Math.floor(nn / 2);
    if (nn === 0) break; // scipy squares once more here; the result is never used
    H = matmul(H, H, m);
    Hexpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > EP128) {
      for (let i = 0; i < H.length; i++) H[i]! /= EP128;
      Hexpnt += E128;
    }
  }

  let p = Hpwr[(k - 1) * m + (k - 1)]!;
  // Multiply by n!/n^n.
  for (let i = 1; i <= n; i++) {
    p = i * p / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return select(p, 1.0 - p, cdf);
}

/** The endpoints of row i's interval in the Pomeranz recursion (_pomeranz_compute_j1j2). */
function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(D_n <= x) by the Pomeranz (1974) recursion (_kolmogn_Pomeranz). */
function kolmognPomeranz(n: number, x: number, cdf: boolean): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = 1.0 * (t - ll);
  const g = Math.min(f, 1.0 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1.0;
  twogpower[0] = 1.0;
  onem2gpower[0] = 1.0;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = 2 * g / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = gpower[m - 1]! * gOverN / m;
    twogpower[m] = twogpower[m - 1]! * twoGOverN / m;
    onem2gpower[m] = onem2gpower[m - 1]! * oneMinusTwoGOverN / m;
  }

  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0.0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    const pwrs = (i === 1 || i === 2 * n + 1) ? gpower : (i % 2 ? twogpower : onem2gpower);
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = np.convolve(V0[k1-V0s : k1-V0s+ln2], pwrs[:ln2]); numpy slices clip at the end.
      const aStart = k1 - V0s;
      const aLen = Math.max(0, Math.min(aStart + ln2, npwrs) - aStart);
      const bLen = Math.min(ln2, npwrs);
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let vmax = -Infinity;
      for (let c = 0; c < convLen; c++) {
        const idx = convStart + c; // index into the full convolution
        let s = 0;
        const lo = Math.max(0, idx - (bLen - 1));
        const hi = Math.min(aLen - 1, idx);
        for (let a = lo; a <= hi; a++) s += V0[aStart + a]! * pwrs[idx - a]!;
        V1[c] = s;
      }
      for (let c = 0; c < npwrs; c++) if (V1[c]! > vmax) vmax = V1[c]!;
      // Scale to avoid underflow.
      if (vmax > 0 && vmax < EM128) {
        for (let c = 0; c < npwrs; c++) V1[c]! *= EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }

  // Multiply by n!.
  let ans = V1[n - V1s]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return select(ans, 1.0 - ans, cdf);
}

/** The Pelz-Good (1976) approximation to Pr(D_n <= x) (_kolmogn_PelzGood). */
function kolmognPelzGood(n: number, x: number, cdf: boolean): number {
  if (x <= 0.0) return select(0.0, 1.0, cdf);
  if (x >= 1.0) return select(1.0, 0.0, cdf);

  const z = Math.sqrt(n) * x;
  const zsquared = z ** 2;
  const zthree = z ** 3;
  const zfour = z ** 4;
  const zsix = z ** 6;

  const qlog = -PI_SQUARED / 8 / zsquared;
  if (qlog < MIN_LOG) return select(0.0, 1.0, cdf); // z ~ 0.0417

  let q = Math.exp(qlog);

  // Coefficients of the terms in the sums for K1, K2 and K3.
  const k1a = -zsquared;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = (2 * zfour - 5 * zsquared) * PI_SQUARED / 4;
  const k2c = PI_FOUR * (1 - 2 * zsquared) / 16;
  const k3d = PI_SIX * (5 - 30 * zsquared) / 64;
  const k3c = PI_FOUR * (-60 * zsquared + 212 * zfour) / 16;
  const k3b = PI_SQUARED * (135 * zfour - 96 * zsix) / 4;
  const k3a = -30 * zsix - 90 * z ** 8;

  const K = [0, 0, 0, 0];
  // Horner scheme for sum c_i q^(i^2), reduced to a sum over odd integers.
  const maxk = Math.ceil(16 * z / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m ** 2;
    const mfour = m ** 4;
    const msix = m ** 6;
    const qpower = Math.pow(q, 8 * k);
    const coeffs = [
      1.0,
      k1a + k1b * msquared,
      k2a + k2b * msquared + k2c * mfour,
      k3a + k3b * msquared + k3c * mfour + k3d * msix,
    ];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qpower + coeffs[i]!;
  }
  for (let i = 0; i < 4; i++) K[i] = K[i]! * q * SQRT2PI;
  const div = [z, 6 * zfour, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = K[i]! / div[i]!;

  // The other sum, over all integers k:
  //  K_2: (pi^2 k^2) q^(k^2);  K_3: (3 pi^2 k^2 z^2 - pi^4 k^4) q^(k^2)
  q = Math.exp(-PI_SQUARED / 2 / zsquared);
  const sqrt3z = SQRT3 * z;
  const t2 = new Float64Array(maxk);
  const t3 = new Float64Array(maxk);
  for (let i = 0; i < maxk; i++) {
    const kk = maxk - i; // ks = arange(maxk, 0, -1)
    const ksq = kk ** 2;
    const kspi = Math.PI * kk;
    const qp = q ** ksq;
    t2[i] = ksq * qp;
    t3[i] = (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
  }
  let k2extra = numpySum(t2);
  k2extra *= PI_SQUARED * SQRT2PI / (-36 * zthree);
  K[2]! += k2extra;
  let k3extra = numpySum(t3);
  k3extra *= PI_SQUARED * SQRT2PI / (216 * zsix);
  K[3]! += k3extra;
  for (let i = 0; i < 4; i++) K[i] = K[i]! / Math.pow(n * 1.0, i / 2.0);

  if (!cdf) {
    for (let i = 0; i < 4; i++) K[i] = -K[i]!;
    K[0]! += 1;
  }
  return ((0 + K[0]!) + K[1]!) + K[2]! + K[3]!; // Python's sum(): left to right from 0
}

/**
 * CDF (cdf = true) or survival function of the two-sided KS statistic D_n
 * (scipy.stats._ksstats._kolmogn). n must be a positive integer.
 */
export function kolmogn(n: number, x: number, cdf: boolean): number {
  if (Number.isNaN(n) || Number.isNaN(x)) return NaN;
  if (!Number.isInteger(n) || n <= 0) return NaN;
  if (x >= 1.0) return select(1.0, 0.0, cdf);
  if (x <= 0.0) return select(0.0, 1.0, cdf);
  const t = n * x;
  if (t <= 1.0) { // Ruben-Gambino: 1/2n <= x <= 1/n
    if (t <= 0.5) return select(0.0, 1.0, cdf);
    let prob: number;
    if (n <= 140) {
      prob = 1; // np.prod(arange(1, n+1) * (1/n) * (2t-1)), left to right
      const rn = 1.0 / n;
      const f = 2 * t - 1;
      for (let i = 1; i <= n; i++) prob *= (i * rn) * f;
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return select(prob, 1.0 - prob, cdf);
  }
  if (t >= n - 1) { // Ruben-Gambino
    const prob = 2 * (1.0 - x) ** n;
    return select(1 - prob, prob, cdf);
  }
  if (x >= 0.5) { // exact: 2 * smirnov
    const prob = 2 * smirnov(n, x);
    return select(1.0 - prob, prob, cdf);
  }

  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) {
      const prob = kolmognDMTW(n, x, true);
      return select(prob, 1.0 - prob, cdf);
    }
    if (nxsquared <= 4) {
      const prob = kolmognPomeranz(n, x, true);
      return select(prob, 1.0 - prob, cdf);
    }
    // Miller's approximation: 2 * smirnov.
    const prob = 2 * smirnov(n, x);
    return select(1.0 - prob, prob, cdf);
  }

  // CDF and SF have different cutoffs on n*x^2.
  if (!cdf) {
    if (nxsquared >= 370.0) return 0.0;
    if (nxsquared >= 2.2) return clip01(2 * smirnov(n, x));
    // fall through: SF as 1 - CDF
  }
  let cdfprob: number;
  if (nxsquared >= 18.0) {
    cdfprob = 1.0;
  } else if (n <= 100000 && n * x ** 1.5 <= 1.4) {
    cdfprob = kolmognDMTW(n, x, true);
  } else {
    cdfprob = kolmognPelzGood(n, x, true);
  }
  return select(cdfprob, 1.0 - cdfprob, cdf);
}

/**
 * `scipy.stats.kstwo.sf(x, n)`: Pr(D_n >= x). Includes rv_continuous.sf's
 * wrapping: NaN for n not a positive integer or x NaN, 1 at or below the
 * support's lower end 0.5/n, 0 at or above 1.
 */
export function kstwoSf(x: number, n: number): number {
  if (Number.isNaN(x) || !(n >= 1 && Number.isInteger(n))) return NaN;
  const a = 0.5 / n;
  if (x <= a) return 1.0;
  if (!(x < 1.0)) return 0.0;
  return kolmogn(n, x, false);
}

/** `scipy.stats.kstwo.cdf(x, n)`: Pr(D_n <= x). */
export function kstwoCdf(x: number, n: number): number {
  if (Number.isNaN(x) || !(n >= 1 && Number.isInteger(n))) return NaN;
  if (x <= 0.5 / n) return 0.0;
  if (!(x < 1.0)) return 1.0;
  return kolmogn(n, x, true);
}
