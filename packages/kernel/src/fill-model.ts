/**
 * The simulated venue's fill model as pure functions over one bar: the backtest engine and the
 * paper venue (`@strata/venues` SimVenue) both price executions with these, so a paper run fills
 * where the backtest of the same bars fills. docs/backtest-semantics.md states the rules.
 *
 * Prices are returned as numbers, NaN meaning "no execution on this bar" (no allocation: these
 * run on the backtest's hot path).
 */

/** A market order's price at reference `ref` (the open, or the close for `fill: close`), after slippage against the taker. */
export function marketPrice(buy: boolean, ref: number, slipRate: number): number {
  return buy ? ref * (1 + slipRate) : ref * (1 - slipRate);
}

/** A limit order touched inside the bar fills at the better of the open and its level; NaN when not touched. No slippage: it is a resting order. */
export function limitTouchPrice(buy: boolean, limit: number, open: number, high: number, low: number): number {
  if (buy) return low <= limit ? Math.min(open, limit) : Number.NaN;
  return high >= limit ? Math.max(open, limit) : Number.NaN;
}

/** The reference a stop triggers at: its level inside the bar, or the open when the bar gaps through it; NaN when not triggered. */
export function stopTriggerRef(buy: boolean, stop: number, open: number, high: number, low: number): number {
  if (buy) return high >= stop ? Math.max(open, stop) : Number.NaN;
  return low <= stop ? Math.min(open, stop) : Number.NaN;
}

/** Quantity a bar can absorb under a volume participation limit, in whole lots (Infinity without a limit). */
export function participationCap(participation: number | undefined, volume: number, lot: number): number {
  if (participation === undefined) return Number.POSITIVE_INFINITY;
  return Math.floor((participation * volume) / lot + 1e-9) * lot;
}

/** Whole lots `budget` buys at `price` including the fee rate; never rounds up. */
export function affordableQty(budget: number, price: number, feeRate: number, lot: number): number {
  const unit = price * (1 + feeRate) * lot;
  if (!(budget > 0) || !(unit > 0)) return 0;
  let n = Math.floor(budget / unit);
  if (n * unit > budget) n -= 1;
  return n * lot;
}
