/**
 * The streaming indicator contract. One instance per (symbol, plan node). Implementations keep
 * their state in typed ring buffers and allocate nothing in `update`.
 *
 * Inputs, per bar, in this order: the catalog entry's explicit `inputs`, then its implicit `bar`
 * fields (e.g. ATR: high, low, close). Outputs, in the entry's `outputs` order; a bool output is
 * written as 1 (true) or 0 (false).
 *
 * Warm-up: outputs are NaN until `lookback` valid bars have been consumed (TA-Lib convention:
 * SMA(n) is valid on its n-th bar). A bar on which any input is NaN (an upstream node still
 * warming up) leaves the state unchanged and outputs NaN — so an indicator of an indicator starts
 * its own warm-up at the first valid input, exactly like TA-Lib applied to the valid region.
 */
export interface StreamingIndicator {
  /** Number of outputs written per update. */
  readonly outputs: number;
  /**
   * Consume one bar. `x` holds the input values, `ts` the bar's open time (ms since the epoch,
   * UTC; used by session VWAP and trend lines). Writes `outputs` values to `out[o]`, `out[o+1]`, ….
   */
  update(x: Float64Array, ts: number, out: Float64Array, o: number): void;
}

export type IndicatorParams = Readonly<Record<string, number | string | readonly number[]>>;

/** Creates a fresh indicator from a plan node's params (already validated by the compiler). */
export type IndicatorFactory = (params: IndicatorParams) => StreamingIndicator;
