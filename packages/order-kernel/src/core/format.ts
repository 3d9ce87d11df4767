/** Number formatting for reject reasons: the numbers a trader needs to see, without float noise. */

/** A price: at least one decimal (`100.0`), at most 10 significant digits. */
export function fmtPrice(x: number): string {
  const r = Number(x.toPrecision(10));
  return Number.isInteger(r) ? r.toFixed(1) : String(r);
}

/** A quantity or notional: up to 12 significant digits. */
export function fmtNum(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** Basis points, to 0.1 bp. */
export function fmtBps(x: number): string {
  return String(Math.round(x * 10) / 10);
}
