/** Helpers over the columnar BarSeries. Slices share memory with their source (typed-array views). */
import type { Bar, BarSeries } from './types.js';

/** Index of the first bar with ts >= t (length if none). */
export function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first bar with ts > t (length if none). */
export function upperBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bars with `from <= ts <= to` (inclusive, bar open times; either bound optional). */
export function sliceSeries(series: BarSeries, from?: number, to?: number): BarSeries {
  const a = from === undefined ? 0 : lowerBound(series.ts, from);
  const b = to === undefined ? series.length : upperBound(series.ts, to);
  if (a === 0 && b === series.length) return series;
  const end = Math.max(a, b);
  return {
    symbol: series.symbol,
    timeframe: series.timeframe,
    ts: series.ts.subarray(a, end),
    open: series.open.subarray(a, end),
    high: series.high.subarray(a, end),
    low: series.low.subarray(a, end),
    close: series.close.subarray(a, end),
    volume: series.volume.subarray(a, end),
    length: end - a,
    file: series.file,
    line: series.line.subarray(a, end),
  };
}

/** The i-th bar as an object (for tests and tooling; the hot path reads the columns). */
export function barAt(series: BarSeries, i: number): Bar {
  if (i < 0 || i >= series.length) throw new RangeError(`bar index ${i} outside 0..${series.length - 1}`);
  return {
    ts: series.ts[i] as number,
    open: series.open[i] as number,
    high: series.high[i] as number,
    low: series.low[i] as number,
    close: series.close[i] as number,
    volume: series.volume[i] as number,
  };
}

/** First and last bar open time, or undefined for an empty series. */
export function seriesRange(series: BarSeries): { readonly first: number; readonly last: number } | undefined {
  if (series.length === 0) return undefined;
  return { first: series.ts[0] as number, last: series.ts[series.length - 1] as number };
}
