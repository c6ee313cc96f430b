/**
 * Exact two-sided p-values of the two-sample Kolmogorov-Smirnov statistic,
 * ported from scipy 1.10: `_compute_prob_outside_square` and
 * `_attempt_exact_2kssamp` (scipy/stats/_stats_py.py) and
 * `_compute_outer_prob_inside_method` (scipy/stats/_stats_pythran.py, which
 * scipy compiles with Pythran: plain float64 arithmetic, no numpy errstate).
 * Both follow Hodges (1958); the unequal-n recursion computes 1-p directly as
 * Viehmann (2021, arXiv:2102.08037) describes.
 */

/** Python's round() / np.round for a float: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // half up
  return (r - x === 0.5 && r % 2 !== 0) ? r - 1 : r;
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Pr(D_{n,n} >= h/n): the proportion of lattice paths from (0,0) to (n,n)
 * passing outside the lines x - y = +/-h, as a Horner-like alternating sum
 * P = 2 A0 (1 - A1 (1 - A2 (...))) that avoids subtractive cancellation.
 */
export function computeProbOutsideSquare(n: number, h: number): number {
  let P = 0.0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1.0;
    // Each A_i has h simple factors in numerator and denominator.
    for (let j = 0; j < h; j++) {
      p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
    }
    P = p1 * (1.0 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * The proportion of lattice paths from (0,0) to (m,n) that do not stay
 * strictly inside |x/m - y/n| < h/lcm(m,n), i.e. the two-sided exact p-value
 * for D = h/lcm. Keeps one sliding column of the path-count matrix.
 */
export function computeOuterProbInsideMethod(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = Math.trunc(m / g);
  const ng = Math.trunc(n / g);

  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1.0);
  A.fill(0.0, minj, Math.min(maxj, lenA));
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1.0;
    let val = minj === 0 ? 0.0 : 1.0;
    const width = maxj - minj;
    const shift = minj - lastminj;
    for (let jj = 0; jj < width; jj++) {
      const j = jj + minj;
      val = (A[jj + shift]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = width;
    if (lastlen > curlen) {
      // Set the carried-over elements to 1.
      A.fill(1, Math.min(width, lenA), Math.min(width + (lastlen - curlen), lenA));
    }
  }
  return A[maxj - minj - 1]!;
}

/**
 * scipy's `_attempt_exact_2kssamp` for the two-sided alternative. The
 * statistic is snapped to the lattice, d = h/lcm(n1,n2), which is what scipy
 * returns as the statistic even when the exact attempt then fails. Failure
 * (scipy then switches to 'asymp') is a probability outside [0, 1].
 */
export function attemptExact2kssamp(
  n1: number, n2: number, g: number, d: number,
): { success: boolean; d: number; prob: number } {
  const lcm = Math.trunc(n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  d = h * 1.0 / lcm;
  if (h === 0) return { success: true, d, prob: 1.0 };
  const prob = n1 === n2
    ? computeProbOutsideSquare(n1, h)
    : computeOuterProbInsideMethod(n1, n2, g, h);
  if (!(prob >= 0 && prob <= 1)) return { success: false, d, prob };
  return { success: true, d, prob };
}
