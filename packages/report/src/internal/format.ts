/**
 * Deterministic number and date formatting (no `toLocaleString`: the output must not
 * depend on the machine's locale or ICU data).
 */

export const DASH = '—';

/** Thousands separators on a plain decimal string ("-1234567.89" → "-1,234,567.89"). */
function group(fixed: string): string {
  const neg = fixed.startsWith('-');
  const body = neg ? fixed.slice(1) : fixed;
  const dot = body.indexOf('.');
  const int = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? '' : body.slice(dot);
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + grouped + frac;
}

/** `x.toFixed(d)` with thousands separators and no negative zero. */
export function fixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return DASH;
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '-∞';
  let s = x.toFixed(digits);
  if (/^-0(\.0+)?$/.test(s)) s = s.slice(1);
  return group(s);
}

/** A fraction as a percentage with 2 decimals: 0.12345 → "12.35%"; null → "—". */
export function pct(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined ? DASH : `${fixed(x * 100, digits)}%`;
}

/** A ratio with 2 decimals; Infinity → "∞"; null → "—". */
export function ratio(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined ? DASH : fixed(x, digits);
}

/** A cash amount with 2 decimals and thousands separators. */
export function money(x: number | null | undefined): string {
  return x === null || x === undefined ? DASH : fixed(x, 2);
}

/** A count with thousands separators. */
export function int(x: number | null | undefined): string {
  return x === null || x === undefined ? DASH : fixed(x, 0);
}

/** A price: 2 decimals, or more for small prices (< 1: 6 significant decimals). */
export function price(x: number | null | undefined): string {
  if (x === null || x === undefined) return DASH;
  return Math.abs(x) >= 1 || x === 0 ? fixed(x, 2) : fixed(x, 6);
}

/** A quantity: integers as integers, otherwise up to 6 decimals without trailing zeros. */
export function qty(x: number): string {
  if (Number.isInteger(x)) return fixed(x, 0);
  return fixed(x, 6).replace(/0+$/, '').replace(/\.$/, '');
}

/** ms since the epoch → "YYYY-MM-DD" (UTC). */
export function date(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  return new Date(ms).toISOString().slice(0, 10);
}

/** ms since the epoch → "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (UTC) when the time of day is not midnight. */
export function dateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(11, 16) === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
