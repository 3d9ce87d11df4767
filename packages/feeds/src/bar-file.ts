/** Options and results shared by the file adapters (CSV and Parquet). */
import type { TradingCalendar } from './calendar.js';
import type { BarSeries, FeedIssue } from './types.js';

/**
 * Column layouts of bar files, in order. `etf`: one row per trading date, `adj_close`
 * optional; `crypto`: one row per bar, `ts` = bar open time as ISO-8601 UTC.
 */
export const LAYOUT_COLUMNS = {
  etf: ['date', 'open', 'high', 'low', 'close', 'adj_close', 'volume'],
  crypto: ['ts', 'open', 'high', 'low', 'close', 'volume'],
} as const;

export type FileLayout = keyof typeof LAYOUT_COLUMNS;

/** How ETF prices are adjusted on load (see the package README). */
export type AdjustMode = 'none' | 'total_return';

export interface LoadBarsOptions {
  /** Symbol the series is labelled with (and hashed under). */
  readonly symbol: string;
  /** Column layout (see `LAYOUT_COLUMNS`). */
  readonly layout: FileLayout;
  /** Bar length, e.g. `1d`, `1h`. The `etf` layout is daily: only `1d`. */
  readonly timeframe: string;
  /** Calendar for gap / off-session warnings. */
  readonly calendar: TradingCalendar;
  /**
   * `total_return`: open/high/low × adj_close/close and close = adj_close (needs an
   * adj_close column); `none`: prices as in the file. Default: `total_return` when the file
   * has an adj_close column, else `none`.
   */
  readonly adjust?: AdjustMode;
}

export interface LoadBarsResult {
  /** Valid rows only, ascending and unique in time. */
  readonly series: BarSeries;
  /** Every finding in the file, in line order. Rows with an error are not in `series`. */
  readonly issues: readonly FeedIssue[];
  /** Whether the total-return adjustment was applied. */
  readonly adjusted: boolean;
}
