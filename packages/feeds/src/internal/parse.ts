/**
 * Strict field parsers for the CSV / Parquet bar layouts. They read `s[start, end)` in
 * place (no substring per field on the hot path) and return NaN for anything malformed;
 * the caller turns that into a located FeedIssue.
 */

const DIGIT_0 = 48;

/** Exact powers of ten (all ≤ 1e22 are exactly representable doubles). */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22] as const;

/**
 * A finite decimal number: `[+-]digits[.digits][e[+-]digits]` (also `.5`, `5.`), nothing
 * else — no whitespace, hex, `NaN`, `Infinity` or overflow to ±Infinity. `-0` becomes `0`.
 *
 * The value is the correctly rounded double, identical to `Number(text)`: with at most 15
 * digits and no exponent the digits form an integer m < 2^53 and the result is m / 10^f
 * with both operands exact, so the one IEEE division is correctly rounded (Clinger's fast
 * path); anything else is converted by `Number()`.
 */
export function parseDecimal(s: string, start = 0, end = s.length): number {
  if (start >= end) return Number.NaN;
  let i = start;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 45 /* - */) {
    neg = true;
    i++;
  } else if (c === 43 /* + */) i++;
  let mant = 0;
  let digits = 0;
  let frac = 0;
  while (i < end && (c = s.charCodeAt(i) - DIGIT_0) >= 0 && c <= 9) {
    mant = mant * 10 + c;
    digits++;
    i++;
  }
  if (i < end && s.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < end && (c = s.charCodeAt(i) - DIGIT_0) >= 0 && c <= 9) {
      mant = mant * 10 + c;
      digits++;
      frac++;
      i++;
    }
  }
  if (digits === 0) return Number.NaN;
  if (i === end && digits <= 15) {
    const v = frac === 0 ? mant : mant / (POW10[frac] as number);
    return neg && v !== 0 ? -v : v;
  }
  if (i < end) {
    c = s.charCodeAt(i);
    if (c !== 101 /* e */ && c !== 69 /* E */) return Number.NaN;
    i++;
    if (i < end && ((c = s.charCodeAt(i)) === 43 || c === 45)) i++;
    let exp = 0;
    while (i < end && (c = s.charCodeAt(i) - DIGIT_0) >= 0 && c <= 9) {
      exp++;
      i++;
    }
    if (exp === 0 || i !== end) return Number.NaN;
  }
  const v = Number(s.slice(start, end));
  return Number.isFinite(v) ? v + 0 : Number.NaN;
}

/** Digits at [i, i+len) as a number, or -1 if any is not a digit. */
function num(s: string, i: number, len: number): number {
  let v = 0;
  for (let k = i; k < i + len; k++) {
    const c = s.charCodeAt(k) - DIGIT_0;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Date part at s[i..i+10) → days since the epoch, or NaN. */
function dateDays(s: string, i: number): number {
  if (s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return Number.NaN;
  const y = num(s, i, 4);
  const m = num(s, i + 5, 2);
  const d = num(s, i + 8, 2);
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return Number.NaN;
  return daysFromCivil(y, m, d);
}

/** `YYYY-MM-DD` (a real calendar date, year 1000..9999) → ms of its 00:00 UTC, else NaN. */
export function parseDate(s: string, start = 0, end = s.length): number {
  if (end - start !== 10) return Number.NaN;
  return dateDays(s, start) * 86_400_000;
}

/**
 * ISO-8601 UTC instant: `YYYY-MM-DDTHH:MM:SS[.fff…]` followed by `Z` or `+00:00` → ms
 * since the epoch, else NaN (other offsets are rejected: the layout is UTC by contract).
 * Fraction digits beyond milliseconds are truncated.
 */
export function parseIsoUtc(s: string, start = 0, end = s.length): number {
  if (end - start < 20 || s.charCodeAt(start + 10) !== 84 /* T */) return Number.NaN;
  if (s.charCodeAt(start + 13) !== 58 || s.charCodeAt(start + 16) !== 58) return Number.NaN;
  const day = dateDays(s, start);
  const hh = num(s, start + 11, 2);
  const mm = num(s, start + 14, 2);
  const ss = num(s, start + 17, 2);
  if (Number.isNaN(day) || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) return Number.NaN;
  let i = start + 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    i++;
    let frac = 0;
    for (let c = s.charCodeAt(i) - DIGIT_0; i < end && c >= 0 && c <= 9; c = s.charCodeAt(++i) - DIGIT_0) {
      if (frac < 3) ms = ms * 10 + c;
      frac++;
    }
    if (frac === 0) return Number.NaN;
    for (; frac < 3; frac++) ms *= 10;
  }
  const rest = end - i;
  const utc = (rest === 1 && s.charCodeAt(i) === 90) /* Z */ || (rest === 6 && s.startsWith('+00:00', i));
  if (!utc) return Number.NaN;
  return day * 86_400_000 + hh * 3_600_000 + mm * 60_000 + ss * 1000 + ms;
}

/** Up to 9 integer digits and 6 fraction digits: 15 significant digits at most (see `fastDecimal`). */
const FAST_NUM = '([0-9]{1,9})(?:\\.([0-9]{0,6}))?';

/**
 * The value of a plain decimal given its integer and fraction digit strings, as matched by
 * `rowRegex` (≤ 9 + 6 digits). With at most 15 digits, `int·10^f + frac` is an exact integer
 * below 2^53 and 10^f is exact, so the one division is correctly rounded: the result is
 * bit-identical to `Number("int.frac")` — several times faster than converting the decimal
 * string, since both parts are small integers.
 */
export function fastDecimal(int: string, frac: string | undefined): number {
  if (frac === undefined || frac.length === 0) return +int;
  const p = POW10[frac.length] as number;
  return (+int * p + +frac) / p;
}

/**
 * A sticky regex matching one plain, well-formed data row of a layout at `lastIndex`, up to
 * (not including) its line end. Groups: year, month, day[, hour, minute, second, fraction],
 * then an (integer digits, fraction digits) pair per numeric field. It is the fast path: one
 * native regex call per row instead of a per-character JS loop (which matters most before V8
 * has optimised the loop). It deliberately accepts only unsigned plain decimals with ≤ 9
 * integer and ≤ 6 fraction digits; any other row goes through the exact per-field parsers,
 * which also produce the diagnostics.
 */
export function rowRegex(intraday: boolean, numericFields: number): RegExp {
  const ts = intraday
    ? '([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\\.([0-9]{1,9}))?(?:Z|\\+00:00)'
    : '([0-9]{4})-([0-9]{2})-([0-9]{2})';
  return new RegExp(`${ts}${`,${FAST_NUM}`.repeat(numericFields)}\\r?(?=\\n|$)`, 'y');
}
