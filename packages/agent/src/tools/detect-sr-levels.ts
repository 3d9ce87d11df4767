import type { BarSeries } from '@strata/feeds';
import { z } from 'zod';
import { executableNode, IDENTIFIER, toIdentifier } from './format.js';
import { barTime, checkRange, dayArg, dayMs, feedArg, loadBars, resolveFeed, symbolArg, windowIndices } from './market-data.js';
import { ToolError, type AgentTool, type Executable, type ExecutableNode } from './types.js';

const schema = z.strictObject({
  symbol: symbolArg,
  feed: feedArg.optional(),
  to: dayArg('Last day of the analysed window (default: the end of the data)').optional(),
  lookback: z.number().int().min(20).max(5000).default(250).describe('Bars analysed, ending at `to` (20–5000, default 250: about a year of daily bars).'),
  swing: z.number().int().min(1).max(50).default(5).describe('Pivot half-width: a swing high is a high strictly above the `swing` bars before it and not below the `swing` bars after it (1–50, default 5).'),
  cluster: z.number().min(0.0005).max(0.2).default(0.01).describe('Relative width within which pivots merge into one level (0.0005–0.2, default 0.01 = 1 %).'),
  min_touches: z.number().int().min(1).max(50).default(2).describe('Pivots a level needs to count (1–50, default 2).'),
  max_levels: z.number().int().min(1).max(50).default(6).describe('Most levels returned, strongest first by touches then recency (1–50, default 6).'),
  tolerance: z.number().min(0).max(1).default(0.005).describe('`tolerance` of the sr_proximity node the levels freeze into: relative distance that counts as near (0–1, default 0.005).'),
  signal: z.string().regex(IDENTIFIER, 'an identifier: lower case letters, digits, _').optional().describe('Signal name for the frozen sr_proximity node (default "sr_<symbol>").'),
});

export interface SrLevel {
  /** Mean price of the clustered pivots. */
  readonly price: number;
  readonly touches: number;
  /** Below the last close: support; above: resistance. */
  readonly kind: 'support' | 'resistance';
  readonly highs: number;
  readonly lows: number;
  readonly firstTouch: string;
  readonly lastTouch: string;
}

export interface DetectSrLevelsResult extends Executable {
  readonly symbol: string;
  readonly feed: string;
  readonly window: { readonly from: string; readonly to: string; readonly bars: number };
  readonly lastClose: number;
  readonly pivots: number;
  /** Sorted by price, ascending. */
  readonly levels: readonly SrLevel[];
  /** The sr_proximity node the levels freeze into; null when no level was found. */
  readonly node: ExecutableNode | null;
}

interface Pivot {
  readonly price: number;
  readonly i: number;
  readonly high: boolean;
}

/**
 * Swing pivots of `[a, b)`: a high at i when high[i] is strictly above the `w` highs before it and
 * at least the `w` highs after it (so a flat top counts once, at its first bar); lows mirrored.
 */
export function swingPivots(s: BarSeries, a: number, b: number, w: number): Pivot[] {
  const out: Pivot[] = [];
  for (let i = a + w; i < b - w; i++) {
    let isHigh = true;
    let isLow = true;
    for (let k = 1; k <= w && (isHigh || isLow); k++) {
      if (!(s.high[i]! > s.high[i - k]!) || !(s.high[i]! >= s.high[i + k]!)) isHigh = false;
      if (!(s.low[i]! < s.low[i - k]!) || !(s.low[i]! <= s.low[i + k]!)) isLow = false;
    }
    if (isHigh) out.push({ price: s.high[i]!, i, high: true });
    if (isLow) out.push({ price: s.low[i]!, i, high: false });
  }
  return out;
}

/**
 * Clusters pivots by price: sorted ascending (ties by bar index), a pivot joins the current
 * cluster while it is within `width` (relative) of the cluster's running mean. Deterministic.
 */
export function clusterPivots(pivots: readonly Pivot[], width: number): Pivot[][] {
  const sorted = [...pivots].sort((x, y) => x.price - y.price || x.i - y.i || Number(x.high) - Number(y.high));
  const clusters: Pivot[][] = [];
  let cur: Pivot[] = [];
  let sum = 0;
  for (const p of sorted) {
    if (cur.length > 0 && p.price / (sum / cur.length) - 1 > width) {
      clusters.push(cur);
      cur = [];
      sum = 0;
    }
    cur.push(p);
    sum += p.price;
  }
  if (cur.length > 0) clusters.push(cur);
  return clusters;
}

/** Prices rounded to 6 significant digits, so frozen nodes carry stable, readable numbers. */
function roundPrice(x: number): number {
  return Number(x.toPrecision(6));
}

export const detectSrLevels: AgentTool<typeof schema, DetectSrLevelsResult> = {
  name: 'detect_sr_levels',
  description:
    'Find support and resistance levels: swing highs and lows of the last `lookback` bars, clustered by price; each level with its touches and whether it is support or resistance. The result freezes into an `sr_proximity` signal node (field `node`: YAML and expression) whose `.near` / `.distance` outputs rules can use.',
  schema,
  async run(args, ctx) {
    checkRange(undefined, args.to);
    const feed = resolveFeed(ctx, args.symbol, args.feed);
    const { series, timeframe } = await loadBars(ctx, args.symbol, feed);
    const [, end] = windowIndices(series, undefined, dayMs(args.to, true));
    const start = Math.max(0, end - args.lookback);
    if (end - start < 2 * args.swing + 1) throw new ToolError('no_data', `only ${end - start} bars up to ${args.to ?? 'the end'}; need at least ${2 * args.swing + 1} for swing ${args.swing}`);
    const pivots = swingPivots(series, start, end, args.swing);
    const lastClose = series.close[end - 1]!;
    const levels: SrLevel[] = clusterPivots(pivots, args.cluster)
      .filter((c) => c.length >= args.min_touches)
      .map((c) => {
        const price = roundPrice(c.reduce((s, p) => s + p.price, 0) / c.length);
        const first = Math.min(...c.map((p) => p.i));
        const last = Math.max(...c.map((p) => p.i));
        return {
          price,
          touches: c.length,
          kind: price < lastClose ? ('support' as const) : ('resistance' as const),
          highs: c.filter((p) => p.high).length,
          lows: c.filter((p) => !p.high).length,
          firstTouch: barTime(series.ts[first]!, timeframe),
          lastTouch: barTime(series.ts[last]!, timeframe),
          _last: last,
        };
      })
      .sort((x, y) => y.touches - x.touches || y._last - x._last || x.price - y.price)
      .slice(0, args.max_levels)
      .sort((x, y) => x.price - y.price)
      .map(({ _last, ...l }) => l);
    const signal = args.signal ?? toIdentifier(`sr_${args.symbol}`, 'sr_levels');
    const prices = [...new Set(levels.map((l) => l.price))];
    const node =
      prices.length === 0
        ? null
        : executableNode({ signal, node: 'sr_proximity', inputs: ['close'], params: [['levels', prices], ['tolerance', args.tolerance]], outputs: ['distance', 'near'] });
    const window = { from: barTime(series.ts[start]!, timeframe), to: barTime(series.ts[end - 1]!, timeframe), bars: end - start };
    return {
      symbol: args.symbol,
      feed,
      window,
      lastClose,
      pivots: pivots.length,
      levels,
      node,
      toExecutableNode(): ExecutableNode {
        if (node === null) throw new ToolError('no_data', `no level with at least ${args.min_touches} touches in ${window.from}..${window.to}; lower min_touches, widen cluster or lengthen lookback`);
        return node;
      },
    };
  },
};
