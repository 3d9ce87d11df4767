import { FeedError, createDefaultRegistry, formatIssue, lowerBound, upperBound, type BarSeries, type FeedRegistry } from '@strata/feeds';
import { z } from 'zod';
import { ToolError, type ToolContext } from './types.js';

/** The feed a symbol defaults to: `BTC/USDT`-style symbols are crypto (daily), the rest US equities. */
export const DEFAULT_EQUITY_FEED = 'equities.us.daily';
export const DEFAULT_CRYPTO_FEED = 'crypto.binance.spot.1d';

// — shared argument schemas —

export const symbolArg = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9._:/-]{0,31}$/, 'a ticker in upper case, e.g. "SPY" or "BTC/USDT"')
  .describe('Ticker symbol in upper case, as the feed names it: "SPY", "XLK", "BTC/USDT".');

export const feedArg = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'a feed ID in dotted lower case, e.g. "equities.us.daily"')
  .describe('Feed ID: "equities.us.daily" (US ETFs, 1d), "crypto.binance.spot.1h" or "crypto.binance.spot.1d". Default: inferred from the symbol ("BTC/USDT" → crypto.binance.spot.1d, others → equities.us.daily).');

export const dayArg = (what: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s, 'a real calendar date as YYYY-MM-DD')
    .describe(`${what} as YYYY-MM-DD (UTC, inclusive).`);

/** ms of a YYYY-MM-DD day's start (or end, inclusive). The schema has already checked the form. */
export function dayMs(day: string | undefined, endOfDay: boolean): number | undefined {
  if (day === undefined) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return endOfDay ? ms + 86_400_000 - 1 : ms;
}

export function checkRange(from: string | undefined, to: string | undefined): void {
  if (from !== undefined && to !== undefined && from > to) throw new ToolError('invalid_request', `from ${from} is after to ${to}; swap them or widen the range`);
}

/** Default registry over a data directory (`examples/data`, `../shared/data`). */
export function registryFor(dataDir: string): FeedRegistry {
  return createDefaultRegistry({ dataDir, strict: true });
}

/** The feed for a symbol: the one given, or the default for the symbol's kind. */
export function resolveFeed(ctx: ToolContext, symbol: string, feed: string | undefined): string {
  const id = feed ?? (symbol.includes('/') ? DEFAULT_CRYPTO_FEED : DEFAULT_EQUITY_FEED);
  if (!ctx.registry.has(id)) throw new ToolError('unknown_feed', `unknown feed "${id}"; known feeds: ${ctx.registry.ids().join(', ')}`, { known: ctx.registry.ids() });
  return id;
}

export interface LoadedBars {
  readonly feed: string;
  readonly timeframe: string;
  readonly series: BarSeries;
  readonly datasetHash: string;
}

const cache = new WeakMap<FeedRegistry, Map<string, Promise<LoadedBars>>>();

/**
 * A symbol's whole history from a bar feed of the registry (cached per registry). Data errors
 * and unknown symbols become `ToolError`s that say what is available.
 */
export function loadBars(ctx: ToolContext, symbol: string, feedId: string): Promise<LoadedBars> {
  let perRegistry = cache.get(ctx.registry);
  if (!perRegistry) cache.set(ctx.registry, (perRegistry = new Map()));
  const key = `${feedId}\u0000${symbol}`;
  const hit = perRegistry.get(key);
  if (hit) return hit;
  const p = load(ctx.registry, symbol, feedId);
  perRegistry.set(key, p);
  p.catch(() => perRegistry.delete(key));
  return p;
}

async function load(registry: FeedRegistry, symbol: string, feedId: string): Promise<LoadedBars> {
  try {
    const source = registry.bars(feedId);
    const h = await source.history({ symbols: [symbol] });
    const errors = h.issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) throw new ToolError('no_data', `the data for ${symbol} on ${feedId} has ${errors.length} error(s): ${errors.slice(0, 3).map(formatIssue).join('; ')}`);
    const series = h.series.get(symbol);
    if (!series || series.length === 0) throw new ToolError('no_data', `${feedId} has no bars for ${symbol}`);
    return { feed: feedId, timeframe: source.timeframe, series, datasetHash: h.datasetHash };
  } catch (e) {
    if (e instanceof ToolError) throw e;
    if (e instanceof FeedError) {
      const code = e.code === 'unknown_symbol' ? 'unknown_symbol' : e.code === 'unknown_feed' ? 'unknown_feed' : 'no_data';
      let available = '';
      if (e.code === 'unknown_symbol') {
        try {
          available = `; symbols on ${feedId}: ${(await registry.bars(feedId).symbols()).join(', ')}`;
        } catch {
          available = '';
        }
      }
      throw new ToolError(code, `${e.message}${available}`, undefined, { cause: e });
    }
    throw e;
  }
}

/** Index range `[start, end)` of the bars inside `[from, to]`; a `no_data` error when empty. */
export function windowIndices(series: BarSeries, from: number | undefined, to: number | undefined): readonly [number, number] {
  const a = from === undefined ? 0 : lowerBound(series.ts, from);
  const b = to === undefined ? series.length : upperBound(series.ts, to);
  if (b <= a) {
    const first = new Date(series.ts[0]!).toISOString().slice(0, 10);
    const last = new Date(series.ts[series.length - 1]!).toISOString().slice(0, 10);
    throw new ToolError('no_data', `no ${series.symbol} bars in the requested range; the data covers ${first} to ${last}`);
  }
  return [a, b];
}

/** ISO time of a bar: the date for daily and coarser bars, the full timestamp otherwise. */
export function barTime(ts: number, timeframe: string): string {
  const iso = new Date(ts).toISOString();
  return /^[0-9]+[dwM]$/.test(timeframe) ? iso.slice(0, 10) : `${iso.slice(0, 16)}Z`;
}
