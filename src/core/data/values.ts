/**
 * Parsing field bytes into values, without building strings on the hot path.
 *
 * Numbers: a decimal with at most 15 significant digits and a power of ten
 * within 1e±22 is exact as m * 10^e or m / 10^e in one IEEE operation, so
 * correctly rounded (Clinger's fast path): the same float64 as Number(str).
 * 16 to 19 digits (pandas writes floats with up to 17) are rounded exactly by
 * longDecimal below. Anything else the grammar accepts goes to Number(str),
 * which is correctly rounded too. (pandas' default 'high' converter is not
 * always correctly rounded for long mantissas; Number() is the reference.)
 */

const SPACE = 0x20;
const TAB = 0x09;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Set by parseNumber: whether the last accepted number was written as an integer (no `.`, exponent or inf). */
export const lastNumber = { integer: false };

/**
 * The float64 of a decimal number in buf[start, end) (spaces and tabs around
 * it allowed; also inf/infinity with a sign), or NaN if it is not one.
 */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  // Fast path: [-]digits[.digits] with at most 15 digits in all, no spaces or exponent.
  let i = start;
  let negative = false;
  if (buf[i] === MINUS) {
    negative = true;
    i++;
  }
  let m = 0;
  const intFrom = i;
  let c = 0;
  for (; i < end; i++) {
    c = buf[i] - ZERO;
    if (c < 0 || c > 9) break;
    m = m * 10 + c;
  }
  const intDigits = i - intFrom;
  if (i === end) {
    if (intDigits > 0 && intDigits <= 15) {
      lastNumber.integer = true;
      return negative ? -m : m;
    }
  } else if (buf[i] === DOT) {
    const fracFrom = ++i;
    for (; i < end; i++) {
      c = buf[i] - ZERO;
      if (c < 0 || c > 9) break;
      m = m * 10 + c;
    }
    const fracDigits = i - fracFrom;
    if (i === end && intDigits + fracDigits <= 15 && intDigits + fracDigits > 0) {
      lastNumber.integer = false;
      const v = m / POW10[fracDigits];
      return negative ? -v : v;
    }
  }
  return parseNumberGeneral(buf, start, end);
}

/** Every other form the grammar accepts: signs, spaces, exponents, long mantissas, inf. */
function parseNumberGeneral(buf: Uint8Array, start: number, end: number): number {
  let s = start;
  let e = end;
  while (s < e && (buf[s] === SPACE || buf[s] === TAB)) s++;
  while (e > s && (buf[e - 1] === SPACE || buf[e - 1] === TAB)) e--;
  if (s === e) return NaN;
  let i = s;
  let negative = false;
  const first = buf[i];
  if (first === MINUS || first === PLUS) {
    negative = first === MINUS;
    i++;
  }
  // Significant digits (leading zeros excluded): the first 15 in `high`,
  // the 16th to 19th in `low`; value = (high * 10^lowDigits + low) * 10^exponent.
  let high = 0;
  let low = 0;
  let lowDigits = 0;
  let significant = 0;
  let exponent = 0;
  let digits = 0;
  let c = 0;
  for (; i < e; i++) {
    c = buf[i] - ZERO;
    if (c < 0 || c > 9) break;
    digits++;
    if (significant === 0 && c === 0) continue;
    significant++;
    if (significant <= 15) high = high * 10 + c;
    else if (significant <= 19) {
      low = low * 10 + c;
      lowDigits++;
    } else exponent++; // past 19 digits only the magnitude is kept (Number() decides)
  }
  let integer = true;
  if (i < e && buf[i] === DOT) {
    integer = false;
    for (i++; i < e; i++) {
      c = buf[i] - ZERO;
      if (c < 0 || c > 9) break;
      digits++;
      if (significant === 0 && c === 0) {
        exponent--;
        continue;
      }
      significant++;
      if (significant <= 15) {
        high = high * 10 + c;
        exponent--;
      } else if (significant <= 19) {
        low = low * 10 + c;
        lowDigits++;
        exponent--;
      }
    }
  }
  if (digits === 0) return parseInfinity(buf, i, e, negative);
  if (i < e && (buf[i] === 0x65 || buf[i] === 0x45)) {
    integer = false;
    i++;
    let expNegative = false;
    if (i < e && (buf[i] === MINUS || buf[i] === PLUS)) {
      expNegative = buf[i] === MINUS;
      i++;
    }
    if (i === e) return NaN;
    let exp = 0;
    for (; i < e; i++) {
      c = buf[i];
      if (c < ZERO || c > NINE) return NaN;
      if (exp < 100000) exp = exp * 10 + (c - ZERO);
    }
    exponent += expNegative ? -exp : exp;
  }
  if (i !== e) return NaN;
  lastNumber.integer = integer;
  let value = NaN;
  if (significant === 0) value = 0;
  else if (significant <= 15) {
    if (exponent >= 0 && exponent <= 22) value = high * POW10[exponent];
    else if (exponent < 0 && exponent >= -22) value = high / POW10[-exponent];
  } else if (significant <= 19 && exponent <= 0 && exponent >= -22) {
    value = longDecimal(high, low, lowDigits, -exponent);
  }
  if (value !== value) return Number(latin1(buf, s, e)); // not decided exactly: Number() is correctly rounded
  return negative ? -value : value;
}

const POW5: number[] = Array.from({ length: 23 }, (_, k) => 5 ** k); // exact up to 5^22 < 2^53
const POW2_NEG: number[] = Array.from({ length: 23 }, (_, k) => 2 ** -k);
const TWO26 = 67108864;
const SPLITTER = 134217729; // 2^27 + 1, Dekker's split
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer); // little-endian: words[1] is the sign/exponent word
const ulpBits = new Float64Array(1);
const ulpWords = new Uint32Array(ulpBits.buffer);

/** The rounding error of p = fl(a * b): a * b = p + error exactly (Dekker's TwoProduct, no FMA). */
function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/**
 * The correctly rounded value of N / 10^f for N = high * 10^lowDigits + low
 * (16 to 19 digits, so above 2^53: pandas writes floats with 17) and f <= 22,
 * or NaN when it cannot be decided cheaply (then Number() decides).
 *
 * N is held exactly as s + t (s = fl(N)). N / 10^f = (N / 5^f) * 2^-f, and
 * scaling by a power of two is exact, so it is enough to round N / d with
 * d = 5^f < 2^53 exact. A candidate c is refined once with the remainder
 * R = N - c*d, computed exactly (Sterbenz: s - fl(c*d) is exact; TwoProduct
 * gives the rest); c is the nearest double when |R| < d * ulp(c) / 2. A
 * margin far above the few ulps of error in R sends near-ties to Number(),
 * and so does c at a power of two, where the ulp below differs.
 */
function longDecimal(high: number, low: number, lowDigits: number, f: number): number {
  const scale = POW10[lowDigits];
  const h1 = Math.floor(high / TWO26); // high < 2^50: h1 < 2^24, h0 < 2^26, all products exact
  const h0 = high - h1 * TWO26;
  const x = h1 * scale * TWO26;
  const y = h0 * scale + low;
  const s = x + y; // TwoSum: N = s + t exactly
  const bv = s - x;
  const t = (x - (s - bv)) + (y - bv);
  if (f === 0) return s;
  const d = POW5[f];
  let c = s / d;
  let p = c * d;
  let r = (s - p) + (t - productError(c, d, p));
  c += r / d;
  p = c * d;
  r = (s - p) + (t - productError(c, d, p));
  bits[0] = c;
  if (words[0] === 0 && (words[1] & 0xfffff) === 0) return NaN; // power of two
  ulpWords[0] = 0;
  ulpWords[1] = (((words[1] >>> 20) & 0x7ff) - 52) << 20; // 2^(exponent - 52); c >= 1e-7 here, so positive
  const half = ulpBits[0] * 0.5 * d;
  if (!(Math.abs(r) < half * (1 - 2 ** -30))) return NaN;
  return c * POW2_NEG[f];
}

/** "inf", "infinity" (any case) after an optional sign. */
function parseInfinity(buf: Uint8Array, i: number, e: number, negative: boolean): number {
  const n = e - i;
  if (n !== 3 && n !== 8) return NaN;
  const word = latin1(buf, i, e).toLowerCase();
  if (word !== 'inf' && word !== 'infinity') return NaN;
  lastNumber.integer = false;
  return negative ? -Infinity : Infinity;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

/**
 * Milliseconds since the epoch for an ISO 8601 date or timestamp in
 * buf[start, end), or NaN. Accepted: YYYY-MM-DD, then optionally `T` or a
 * space, HH:MM, :SS, .fraction (1-9 digits), and Z or ±HH[:MM]. A time
 * without offset is read as UTC (the value pandas keeps for naive times).
 */
export function parseDatetime(buf: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n < 10 || buf[start + 4] !== MINUS || buf[start + 7] !== MINUS) return NaN;
  const year = digitsAt(buf, start, 4);
  const month = digitsAt(buf, start + 5, 2);
  const day = digitsAt(buf, start + 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  let ms = daysFromCivil(year, month, day) * 86400000;
  let i = start + 10;
  if (i === end) return ms;
  const sep = buf[i];
  if (sep !== 0x54 && sep !== 0x74 && sep !== SPACE) return NaN; // T, t or space
  if (end - i < 6 || buf[i + 3] !== 0x3a) return NaN;
  const hour = digitsAt(buf, i + 1, 2);
  const minute = digitsAt(buf, i + 4, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return NaN;
  ms += hour * 3600000 + minute * 60000;
  i += 6;
  if (i < end && buf[i] === 0x3a) {
    const second = end - i >= 3 ? digitsAt(buf, i + 1, 2) : -1;
    if (second < 0 || second > 59) return NaN;
    ms += second * 1000;
    i += 3;
    if (i < end && (buf[i] === DOT || buf[i] === 0x2c)) {
      i++;
      let scale = 100;
      let fraction = 0;
      const from = i;
      for (; i < end && buf[i] >= ZERO && buf[i] <= NINE; i++) {
        fraction += (buf[i] - ZERO) * scale;
        scale /= 10;
      }
      if (i === from || i - from > 9) return NaN;
      ms += fraction;
    }
  }
  if (i === end) return ms;
  const z = buf[i];
  if ((z === 0x5a || z === 0x7a) && i + 1 === end) return ms; // Z
  if (z !== PLUS && z !== MINUS) return NaN;
  const rest = end - i - 1;
  let oh = -1;
  let om = 0;
  if (rest === 2) oh = digitsAt(buf, i + 1, 2);
  else if (rest === 4) { oh = digitsAt(buf, i + 1, 2); om = digitsAt(buf, i + 3, 2); }
  else if (rest === 5 && buf[i + 3] === 0x3a) { oh = digitsAt(buf, i + 1, 2); om = digitsAt(buf, i + 4, 2); }
  if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
  const offset = (oh * 60 + om) * 60000;
  return z === PLUS ? ms - offset : ms + offset;
}

function digitsAt(buf: Uint8Array, at: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) {
    const c = buf[at + k];
    if (c < ZERO || c > NINE) return -1;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm; Date.UTC maps years 0-99 to 19xx). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const TRUE_WORDS = new Set(['true', 'yes']);
const FALSE_WORDS = new Set(['false', 'no']);
const DECLARED_TRUE = new Set(['true', 'yes', 't', 'y', '1']);
const DECLARED_FALSE = new Set(['false', 'no', 'f', 'n', '0']);

/**
 * 1 or 0 for a boolean word, else NaN. Inference only takes true/false/yes/no
 * (any case): a 0/1 column stays integer unless declared boolean, and only
 * then are 1/0/t/f/y/n read as booleans too.
 */
export function parseBoolean(text: string, declared: boolean): number {
  return parseBooleanWord(text.trim().toLowerCase(), declared);
}

/**
 * parseBoolean on field bytes, without making a string for the common
 * forms (ASCII words and digits, no spaces); anything else (surrounding
 * spaces, non-ASCII bytes) goes through parseBoolean on its latin1 text,
 * as the reader did before.
 */
export function parseBooleanBytes(buf: Uint8Array, start: number, end: number, declared: boolean): number {
  const len = end - start;
  if (len === 1) {
    const c = buf[start];
    if (c === 0x31) return declared ? 1 : NaN; // '1'
    if (c === 0x30) return declared ? 0 : NaN; // '0'
    const l = c | 0x20; // ASCII letters to lower case ('T' 0x54 -> 't' 0x74); no other byte reaches t/y/f/n
    if (l === 0x74 || l === 0x79) return declared ? 1 : NaN; // t y
    if (l === 0x66 || l === 0x6e) return declared ? 0 : NaN; // f n
  } else if (len === 4) {
    if ((buf[start] | 0x20) === 0x74 && (buf[start + 1] | 0x20) === 0x72 && (buf[start + 2] | 0x20) === 0x75 && (buf[start + 3] | 0x20) === 0x65) return 1; // true
  } else if (len === 5) {
    if ((buf[start] | 0x20) === 0x66 && (buf[start + 1] | 0x20) === 0x61 && (buf[start + 2] | 0x20) === 0x6c && (buf[start + 3] | 0x20) === 0x73 && (buf[start + 4] | 0x20) === 0x65) return 0; // false
  } else if (len === 3) {
    if ((buf[start] | 0x20) === 0x79 && (buf[start + 1] | 0x20) === 0x65 && (buf[start + 2] | 0x20) === 0x73) return 1; // yes
  } else if (len === 2) {
    if ((buf[start] | 0x20) === 0x6e && (buf[start + 1] | 0x20) === 0x6f) return 0; // no
  }
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c <= 0x20 || c >= 0x7f) return parseBoolean(Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('latin1'), declared);
  }
  return NaN; // printable ASCII without spaces: only the words above are booleans
}

function parseBooleanWord(w: string, declared: boolean): number {
  if (TRUE_WORDS.has(w) || (declared && DECLARED_TRUE.has(w))) return 1;
  if (FALSE_WORDS.has(w) || (declared && DECLARED_FALSE.has(w))) return 0;
  return NaN;
}
