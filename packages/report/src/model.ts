/**
 * The input of `renderReport`. Self-contained on purpose: this package does not depend on
 * `@strata/kernel`; the kernel's `Metrics`, `Trade` and `monthlyReturns` rows are
 * structurally assignable to `ReportMetrics`, `ReportTrade` and `MonthlyRow`.
 *
 * Two time units, each where its consumer expects it:
 * - `*Ts` fields (metrics, trades) are **ms** since the Unix epoch, UTC — the kernel's unit;
 * - `time` fields (chart series, markers) are **seconds** since the Unix epoch, UTC — the
 *   charting library's unit. `seriesFromColumns` converts kernel columns (ms) to series.
 */

/** One point of a chart series. `time`: unix seconds (UTC). */
export interface TimeValue {
  readonly time: number;
  readonly value: number;
}

/** One OHLC bar of the price chart. `time`: unix seconds (UTC). */
export interface Candle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** A marker on the price chart: a buy is drawn as a green arrow below the bar, a sell as a red arrow above it. */
export interface TradeMarker {
  /** Unix seconds (UTC); should be the time of a bar of the price series. */
  readonly time: number;
  readonly side: 'buy' | 'sell';
  /** Short label, e.g. "Long", "Exit". Labels are hidden when the chart has more than 24 markers (they would overlap). */
  readonly text?: string;
}

/** The deepest drawdown (`*Ts` in ms). */
export interface ReportDrawdown {
  readonly depth: number;
  readonly peakTs: number;
  readonly troughTs: number;
  readonly recoveryTs: number | null;
  readonly durationBars: number;
  readonly durationDays: number;
}

/** The metrics shown in the summary (same names and meaning as the kernel's `Metrics`; `*Ts` in ms). */
export interface ReportMetrics {
  readonly startTs: number;
  readonly endTs: number;
  readonly initialEquity: number;
  readonly finalEquity: number;
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly maxDrawdown: ReportDrawdown;
  readonly exposure: number;
  readonly turnover: number | null;
  readonly trades: number;
  readonly winRate: number | null;
  /** `Infinity` (wins, no losses) is printed as ∞. */
  readonly profitFactor: number | null;
  readonly expectancy: number | null;
  readonly avgHoldingBars: number | null;
  readonly avgHoldingDays: number | null;
  readonly feesPaid: number;
  readonly slippagePaid: number;
}

/** A round trip (`*Ts` in ms), as the kernel's `Trade`. */
export interface ReportTrade {
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly entryTs: number;
  readonly entryPrice: number;
  readonly exitTs: number;
  readonly exitPrice: number;
  readonly qty: number;
  readonly pnl: number;
  readonly returnPct: number;
  readonly fees: number;
  readonly slippage: number;
  readonly bars: number;
  readonly exitReason: string;
}

/** One row of the per-symbol table (see `perSymbolRows`). */
export interface PerSymbolRow {
  readonly symbol: string;
  readonly trades: number;
  readonly winRate: number | null;
  readonly netPnl: number;
  readonly avgReturnPct: number | null;
  readonly bestReturnPct: number | null;
  readonly worstReturnPct: number | null;
  readonly fees: number;
  readonly slippage: number;
  readonly avgHoldingBars: number | null;
}

/** One year of the monthly-returns heatmap (the kernel's `MonthlyReturnsRow`). */
export interface MonthlyRow {
  readonly year: number;
  /** 12 entries, January first; `null` = no bar in that month. */
  readonly months: readonly (number | null)[];
  readonly total: number;
}

export interface ReportMeta {
  readonly strategyName: string;
  readonly description?: string;
  readonly artifactHash: string;
  readonly datasetHash: string;
  readonly engineVersion: string;
  /** e.g. "1d", "1h". */
  readonly timeframe?: string;
  /** Universe shown in the header. */
  readonly symbols?: readonly string[];
  /** Bars per year used to annualise (shown in the notes). */
  readonly periodsPerYear?: number;
  /** Currency code of cash amounts (shown in headers), e.g. "USD". */
  readonly currency?: string;
}

export interface ReportBenchmark {
  /** e.g. "SPY (buy & hold)". */
  readonly name: string;
  readonly metrics: ReportMetrics;
  readonly equity: readonly TimeValue[];
  readonly drawdown: readonly TimeValue[];
}

export type ReportPriceChart =
  | { readonly symbol: string; readonly kind: 'candles'; readonly candles: readonly Candle[]; readonly markers: readonly TradeMarker[] }
  | { readonly symbol: string; readonly kind: 'line'; readonly line: readonly TimeValue[]; readonly markers: readonly TradeMarker[] };

export interface ReportModel {
  readonly meta: ReportMeta;
  readonly metrics: ReportMetrics;
  /** `null`: no benchmark (its column and series are left out). */
  readonly benchmark: ReportBenchmark | null;
  /** Strategy equity per bar. */
  readonly equity: readonly TimeValue[];
  /** Strategy drawdown per bar, as a fraction ≤ 0. */
  readonly drawdown: readonly TimeValue[];
  /** Price chart of one symbol with trade markers; `null` leaves the section out. */
  readonly price: ReportPriceChart | null;
  readonly perSymbol: readonly PerSymbolRow[];
  readonly monthly: readonly MonthlyRow[];
  /** All trades, in time order; the HTML table shows the first `RenderOptions.maxTrades`. */
  readonly trades: readonly ReportTrade[];
}

export interface RenderOptions {
  /** Rows of the trades table (default 250); the rest is noted, and kept in the embedded JSON. */
  readonly maxTrades?: number;
  /** Start the equity chart on a logarithmic price scale (default false; a checkbox toggles it). */
  readonly logScale?: boolean;
}
