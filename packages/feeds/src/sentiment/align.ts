/**
 * Causal alignment of scored news to a symbol's bars: the series the kernel's `news_sentiment`
 * node reads like a bar field.
 *
 * Rule: an item is visible from the first bar whose CLOSE time (`ts + timeframe`, the bar's event
 * time in the feed spec) is at or after its publication time, i.e. bar j takes the items with
 * `close[j − 1] < ts ≤ close[j]`. An item published after a bar closes never reaches that bar;
 * items published while the market is shut (a weekend, a holiday) reach the next bar. Items
 * published before the first bar opened, or after the last bar closed, are left out (counted in
 * `dropped`): the bars they belong to are not in the data.
 *
 * Several items in one bar: the series carries their SUM and COUNT, so any window mean is
 * item-weighted (`news_sentiment(w)` = sum of scores / number of items over the last w bars). A bar
 * with no item carries sum 0 and count 0 — no news, not "neutral news"; the node turns an empty
 * window into NaN, and an artifact decides what no news means (`nz(news_sentiment(5), 0)`).
 */
import { FeedError } from '../errors.js';
import type { NewsItem } from '../schemas.js';
import { timeframeMs } from '../timeframe.js';
import type { BarSeries } from '../types.js';

/** A news item with its sentiment score in [−1, 1] (from `scoreNews`). */
export interface ScoredNewsItem extends NewsItem {
  readonly score: number;
}

/** Per-bar news of one symbol, row-aligned with its `BarSeries`. */
export interface NewsSentimentSeries {
  readonly symbol: string;
  /** Sum of the scores of the items first visible at each bar (0 when none). */
  readonly sum: Float64Array;
  /** Number of those items (0 when none). */
  readonly count: Float64Array;
  /** Items about the symbol that fell outside the bars (before the first bar opened or after the last closed). */
  readonly dropped: number;
}

export interface SentimentSeriesOptions {
  /** A bar's close time from its open time (default: `ts + timeframe` of `bars.timeframe`). */
  readonly closeOf?: (openTs: number) => number;
}

/**
 * Aligns the items that name `bars.symbol` to its bars (see the module comment for the rule).
 * Throws `FeedError('invalid_record')` for a score that is not a finite number in [−1, 1].
 */
export function sentimentSeries(items: readonly ScoredNewsItem[], bars: BarSeries, options: SentimentSeriesOptions = {}): NewsSentimentSeries {
  const n = bars.length;
  const step = options.closeOf === undefined ? timeframeMs(bars.timeframe) : 0;
  const closeOf = options.closeOf ?? ((t: number) => t + step);
  const close = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    close[j] = closeOf(bars.ts[j]!);
    if (j > 0 && !(close[j]! > close[j - 1]!)) throw new FeedError('invalid_request', `bars of ${bars.symbol} must have increasing close times (row ${j})`);
  }
  const sum = new Float64Array(n);
  const count = new Float64Array(n);
  let dropped = 0;
  for (const item of items) {
    if (!item.symbols.includes(bars.symbol)) continue;
    const s = item.score;
    if (typeof s !== 'number' || !(s >= -1 && s <= 1)) throw new FeedError('invalid_record', `news item ${item.id}: score ${String(s)} is not a number in [-1, 1]`);
    if (n === 0 || item.ts < bars.ts[0]! || item.ts > close[n - 1]!) {
      dropped++;
      continue;
    }
    const j = firstAtOrAfter(close, item.ts);
    sum[j]! += s;
    count[j]! += 1;
  }
  return { symbol: bars.symbol, sum, count, dropped };
}

/** Index of the first element ≥ x in an ascending array (its length when none). */
function firstAtOrAfter(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
