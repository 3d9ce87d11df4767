/** What a backtest produces: the inputs of metrics, reports and the output folder. */

export type Side = 'buy' | 'sell';

/** One execution (a partial fill is its own Fill). Prices include slippage; `fee` is in cash. */
export interface Fill {
  readonly ts: number;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  /** Cash cost of slippage versus the reference price (always ≥ 0). */
  readonly slippage: number;
  readonly clientOrderId: string;
}

export type ExitReason = 'signal' | 'stop_loss' | 'take_profit' | 'trailing_stop' | 'max_bars' | 'rebalance' | 'risk' | 'end_of_data';

/** A round trip: from the fill that opened a position to the fill that closed it. */
export interface Trade {
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly entryTs: number;
  readonly entryPrice: number;
  readonly exitTs: number;
  readonly exitPrice: number;
  readonly qty: number;
  /** Net of fees and slippage, in cash. */
  readonly pnl: number;
  /** pnl / (entryPrice · qty). */
  readonly returnPct: number;
  readonly fees: number;
  readonly slippage: number;
  readonly bars: number;
  readonly exitReason: ExitReason;
}

/** Equity marked at each bar close, in columns. */
export interface EquityCurve {
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  readonly cash: Float64Array;
  /** Gross position value / equity at the mark. */
  readonly exposure: Float64Array;
  readonly length: number;
}
