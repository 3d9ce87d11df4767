import { z } from 'zod';
import { barTime, checkRange, dayArg, dayMs, feedArg, loadBars, resolveFeed, symbolArg, windowIndices } from './market-data.js';
import type { AgentTool } from './types.js';

const schema = z.strictObject({
  symbol: symbolArg,
  feed: feedArg.optional(),
  from: dayArg('First day of the range').optional(),
  to: dayArg('Last day of the range').optional(),
  last: z.number().int().min(1).max(500).default(20).describe('How many of the most recent bars of the range to return in full (1–500, default 20).'),
});

export interface ChartBar {
  readonly time: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface QueryChartResult {
  readonly symbol: string;
  readonly feed: string;
  readonly timeframe: string;
  readonly datasetHash: string;
  /** The range actually covered (first and last bar of the window) and the data's full extent. */
  readonly range: { readonly from: string; readonly to: string; readonly bars: number; readonly dataFrom: string; readonly dataTo: string };
  readonly summary: {
    readonly open: number;
    readonly close: number;
    readonly high: number;
    readonly highTime: string;
    readonly low: number;
    readonly lowTime: string;
    /** close / open − 1 over the window. */
    readonly change: number;
    readonly avgVolume: number;
    /** Sample standard deviation of close-to-close returns in the window (per bar); null with < 3 bars. */
    readonly returnStdev: number | null;
  };
  readonly bars: readonly ChartBar[];
}

export const queryChart: AgentTool<typeof schema, QueryChartResult> = {
  name: 'query_chart',
  description:
    'Look at a chart: OHLCV bars of a symbol from the local feed registry over a date range, summarised (open, close, high/low with dates, change, average volume, return volatility) plus the last N bars in full. Also makes the symbol the active chart of the session. Use it first to see what data exists.',
  schema,
  async run(args, ctx) {
    checkRange(args.from, args.to);
    const feed = resolveFeed(ctx, args.symbol, args.feed);
    const { series, timeframe, datasetHash } = await loadBars(ctx, args.symbol, feed);
    const [a, b] = windowIndices(series, dayMs(args.from, false), dayMs(args.to, true));
    let hi = -Infinity;
    let lo = Infinity;
    let hiI = a;
    let loI = a;
    let vol = 0;
    for (let i = a; i < b; i++) {
      if (series.high[i]! > hi) {
        hi = series.high[i]!;
        hiI = i;
      }
      if (series.low[i]! < lo) {
        lo = series.low[i]!;
        loI = i;
      }
      vol += series.volume[i]!;
    }
    let stdev: number | null = null;
    if (b - a >= 3) {
      const rets: number[] = [];
      for (let i = a + 1; i < b; i++) rets.push(series.close[i]! / series.close[i - 1]! - 1);
      const mean = rets.reduce((s, r) => s + r, 0) / rets.length;
      stdev = Math.sqrt(rets.reduce((s, r) => s + (r - mean) ** 2, 0) / (rets.length - 1));
    }
    const bars: ChartBar[] = [];
    for (let i = Math.max(a, b - args.last); i < b; i++) {
      bars.push({ time: barTime(series.ts[i]!, timeframe), open: series.open[i]!, high: series.high[i]!, low: series.low[i]!, close: series.close[i]!, volume: series.volume[i]! });
    }
    ctx.session.setActive({ symbol: args.symbol, timeframe, feed });
    return {
      symbol: args.symbol,
      feed,
      timeframe,
      datasetHash,
      range: { from: barTime(series.ts[a]!, timeframe), to: barTime(series.ts[b - 1]!, timeframe), bars: b - a, dataFrom: barTime(series.ts[0]!, timeframe), dataTo: barTime(series.ts[series.length - 1]!, timeframe) },
      summary: {
        open: series.open[a]!,
        close: series.close[b - 1]!,
        high: hi,
        highTime: barTime(series.ts[hiI]!, timeframe),
        low: lo,
        lowTime: barTime(series.ts[loI]!, timeframe),
        change: series.close[b - 1]! / series.open[a]! - 1,
        avgVolume: vol / (b - a),
        returnStdev: stdev,
      },
      bars,
    };
  },
};
