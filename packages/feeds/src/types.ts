/** Core columnar bar types shared by every bar adapter (see schemas.ts for the serialized records). */

import type { FeedIssueCode } from './issues.js';

/** OHLCV bar. `ts` is the bar's OPEN time in ms since the epoch, UTC. */
export interface Bar {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * A symbol's bars in columns (the kernel's hot path reads these typed arrays directly).
 * `line` maps each row back to its 1-based line in `file` for error messages.
 */
export interface BarSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly length: number;
  readonly file: string;
  readonly line: Int32Array;
}

export type FeedIssueSeverity = 'error' | 'warning';

/** A data problem found on load, located by file and line. */
export interface FeedIssue {
  readonly severity: FeedIssueSeverity;
  /** Stable code; its severity is fixed by `FEED_ISSUE_SEVERITY`. */
  readonly code: FeedIssueCode;
  readonly message: string;
  readonly file: string;
  /** 1-based line in `file` (CSV: the header is line 1; Parquet: the 1-based row number). */
  readonly line: number;
  readonly symbol?: string;
  /** The column the finding is about, where there is one. */
  readonly column?: string;
}

export interface HistoryRequest {
  readonly symbols: readonly string[];
  /** Inclusive bounds, ms since the epoch (UTC); optional. */
  readonly from?: number;
  readonly to?: number;
}

export interface HistoryResult {
  readonly series: ReadonlyMap<string, BarSeries>;
  readonly issues: readonly FeedIssue[];
  /** `sha256:<hex>` over the loaded rows (symbol, columns), independent of file paths. */
  readonly datasetHash: string;
}
