import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '@strata/compiler';
import { createDefaultRegistry, scoreNews, type BarSeries } from '@strata/feeds';
import { INDICATORS, type IndicatorParams } from '@strata/kernel';
import { createToolContext, INDICATOR_NAMES, invokeTool, SessionContext, type ComputeIndicatorResult, type DetectSrLevelsResult, type NewsSentimentResult, type QueryChartResult, type ToolContext } from '@strata/agent';
import { CRYPTO_DATA, DATA } from './helpers.js';

const ctx = createToolContext({ dataDir: DATA });
const spy = (await createDefaultRegistry({ dataDir: DATA }).bars('equities.us.daily').history({ symbols: ['SPY'] })).series.get('SPY')!;

async function ok<R>(tool: string, args: unknown, c: ToolContext = ctx): Promise<R> {
  const r = await invokeTool(tool, args, c);
  if (!r.ok) throw new Error(`${tool} failed: ${JSON.stringify(r.error)}`);
  return r.result as R;
}
async function fail(tool: string, args: unknown, c: ToolContext = ctx) {
  const r = await invokeTool(tool, args, c);
  if (r.ok) throw new Error(`${tool} unexpectedly succeeded`);
  return r.error;
}
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('query_chart', () => {
  it('returns the bars of the range from the registry, summarised, and makes the symbol the active chart', async () => {
    const session = new SessionContext();
    const c = createToolContext({ dataDir: DATA, session });
    const r = await ok<QueryChartResult>('query_chart', { symbol: 'SPY', from: '2025-09-01', to: '2025-09-12', last: 3 }, c);
    const a = spy.ts.findIndex((t) => day(t) >= '2025-09-01');
    const b = spy.ts.findIndex((t) => day(t) > '2025-09-12');
    expect(r.range).toEqual({ from: day(spy.ts[a]!), to: day(spy.ts[b - 1]!), bars: b - a, dataFrom: '1993-01-29', dataTo: day(spy.ts[spy.length - 1]!) });
    expect(r.bars).toEqual([b - 3, b - 2, b - 1].map((i) => ({ time: day(spy.ts[i]!), open: spy.open[i], high: spy.high[i], low: spy.low[i], close: spy.close[i], volume: spy.volume[i] })));
    expect(r.summary.high).toBe(Math.max(...spy.high.slice(a, b)));
    expect(r.summary.low).toBe(Math.min(...spy.low.slice(a, b)));
    expect(r.summary.change).toBeCloseTo(spy.close[b - 1]! / spy.open[a]! - 1, 12);
    expect(session.symbol).toBe('SPY');
    expect(session.timeframe).toBe('1d');
    expect(session.feed).toBe('equities.us.daily');
  });

  it('serves crypto from its feed, hourly bars with times', async () => {
    const c = createToolContext({ dataDir: CRYPTO_DATA });
    const r = await ok<QueryChartResult>('query_chart', { symbol: 'BTC/USDT', feed: 'crypto.binance.spot.1h', last: 2 }, c);
    expect(r.timeframe).toBe('1h');
    expect(r.bars[1]!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
  });

  it.each([
    [{ symbol: 'NOPE' }, 'unknown_symbol', /SPY/],
    [{ symbol: 'SPY', feed: 'equities.eu.daily' }, 'unknown_feed', /known feeds: .*equities\.us\.daily/],
    [{ symbol: 'SPY', from: '2030-01-01' }, 'no_data', /the data covers 1993-01-29 to/],
    [{ symbol: 'SPY', from: '2024-02-01', to: '2024-01-01' }, 'invalid_request', /after to/],
  ])('%j fails with %s and says what exists', async (args, code, message) => {
    const e = await fail('query_chart', args);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe('compute_indicator equals the kernel\'s INDICATORS on the real SPY data', () => {
  const PARAMS: Record<string, Record<string, number | string | number[]>> = {
    sma: { period: 20 }, ema: { period: 20 }, wma: { period: 20 }, dema: { period: 15 }, tema: { period: 10 },
    rolling_min: { period: 30 }, rolling_max: { period: 30 }, rolling_sum: { period: 5 },
    sr_proximity: { levels: [400, 500, 600], tolerance: 0.01 },
    trendline_cross: { t0: '2024-01-02', p0: 470, t1: '2025-01-02', p1: 590 },
  };
  const INPUTS: Record<string, string[]> = { correl: ['close', 'open'], crosses_above: ['close', 'open'], crosses_below: ['hl2', 'ohlc4'] };

  function field(s: BarSeries, f: string, i: number): number {
    if (f === 'hl2') return (s.high[i]! + s.low[i]!) / 2;
    if (f === 'ohlc4') return (s.open[i]! + s.high[i]! + s.low[i]! + s.close[i]!) / 4;
    return (s as unknown as Record<string, Float64Array>)[f]![i]!;
  }

  it('covers every catalog node the kernel implements', () => {
    expect(INDICATOR_NAMES.length).toBe(Object.keys(INDICATORS).length);
    expect(INDICATOR_NAMES).toContain('sma');
    expect(INDICATOR_NAMES).toContain('trendline_cross');
  });

  it.each(INDICATOR_NAMES.map((n) => [n]))('%s: the last 300 values are the kernel\'s, bit for bit', async (name) => {
    const entry = CATALOG.get(name)!;
    const params = PARAMS[name] ?? {};
    const inputs = INPUTS[name] ?? entry.inputs.map(() => 'close');
    const r = await ok<ComputeIndicatorResult>('compute_indicator', { symbol: 'SPY', indicator: name, params, ...(INPUTS[name] ? { inputs } : {}), last: 300 });
    // The kernel's own streaming object, fed the whole history bar by bar.
    const ind = INDICATORS[name]!(params as IndicatorParams);
    const fields = [...inputs, ...entry.bar];
    const x = new Float64Array(fields.length);
    const out = new Float64Array(ind.outputs);
    const expected: Array<Record<string, number | null>> = [];
    for (let i = 0; i < spy.length; i++) {
      fields.forEach((f, k) => (x[k] = field(spy, f, i)));
      ind.update(x, spy.ts[i]!, out, 0);
      if (i >= spy.length - 300) expected.push(Object.fromEntries(entry.outputs.map((o, j) => [o.name, Number.isFinite(out[j]!) ? out[j]! : null])));
    }
    expect(r.values.map((v) => v.values)).toEqual(expected);
    expect(r.values.at(-1)!.time).toBe(day(spy.ts[spy.length - 1]!));
    expect(r.outputs).toEqual(entry.outputs.map((o) => o.name));
    expect(r.values.some((v) => Object.values(v.values).some((n) => n !== null)), 'computed values, not only warm-up').toBe(true);
  });

  it('returns the tail of a date range, computed over the whole history (so unstable indicators match the kernel)', async () => {
    const r = await ok<ComputeIndicatorResult>('compute_indicator', { symbol: 'SPY', indicator: 'ema', params: { period: 50 }, to: '2020-03-20', last: 2 });
    expect(r.values.map((v) => v.time)).toEqual(['2020-03-19', '2020-03-20']);
    expect(r.unstable).toBe(true);
    expect(r.lookback).toBe(49);
    const ind = INDICATORS.ema!({ period: 50 });
    const out = new Float64Array(1);
    let last = 0;
    for (let i = 0; i < spy.length && day(spy.ts[i]!) <= '2020-03-20'; i++) {
      ind.update(Float64Array.of(spy.close[i]!), spy.ts[i]!, out, 0);
      last = out[0]!;
    }
    expect(r.values[1]!.values.value).toBe(last);
  });

  it.each([
    [{ indicator: 'smaa' }, /unknown node "smaa"; did you mean "sma"\?/],
    [{ indicator: 'sma' }, /params\.period: is required/],
    [{ indicator: 'sma', params: { perod: 10, period: 10 } }, /`sma` has no param "perod"; did you mean "period"\?/],
    [{ indicator: 'sma', params: { period: 0 } }, /params\.period: is 0; it must be between 1 and 100000/],
    [{ indicator: 'rsi', params: { period: 14.5 } }, /params\.period: must be a whole number, got 14\.5/],
    [{ indicator: 'macd', params: { fast: 30, slow: 20 } }, /params\.fast: must be shorter than slow \(20\), got 30/],
    [{ indicator: 'sma', params: { period: 10 }, inputs: ['close', 'open'] }, /`sma` takes 1 series input\(s\) \(source\), got 2/],
    [{ indicator: 'trendline_cross', params: { t0: '2024-02-30', p0: 1, t1: '2024-03-01', p1: 2 } }, /params\.t0: expected a date/],
    [{ indicator: 'abs' }, /unknown node "abs"/],
  ])('%j is refused: %s', async (args, message) => {
    const e = await fail('compute_indicator', { symbol: 'SPY', ...args });
    expect(e.code).toBe('invalid_arguments');
    expect(e.message).toMatch(message);
  });
});

describe('detect_sr_levels', () => {
  it('finds clustered swing levels, deterministically, classified against the last close', async () => {
    const a = await ok<DetectSrLevelsResult>('detect_sr_levels', { symbol: 'SPY', to: '2024-12-31', lookback: 500 });
    const b = await ok<DetectSrLevelsResult>('detect_sr_levels', { symbol: 'SPY', to: '2024-12-31', lookback: 500 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.window).toMatchObject({ to: '2024-12-31', bars: 500 });
    expect(a.levels.length).toBeGreaterThan(0);
    expect(a.levels.length).toBeLessThanOrEqual(6);
    const prices = a.levels.map((l) => l.price);
    expect(prices).toEqual([...prices].sort((x, y) => x - y));
    for (const l of a.levels) {
      expect(l.touches).toBeGreaterThanOrEqual(2);
      expect(l.highs + l.lows).toBe(l.touches);
      expect(l.kind).toBe(l.price < a.lastClose ? 'support' : 'resistance');
      expect(l.firstTouch <= l.lastTouch).toBe(true);
      // every level lies within the window's price range
      expect(l.price).toBeGreaterThan(0);
    }
    expect(a.node?.params.levels).toEqual(prices);
  });

  it('finds the levels a hand-made series was built with', async () => {
    // A wave bouncing between 100 and 120 (24/7 daily bars in a crypto-layout data folder).
    const dir = mkdtempSync(join(tmpdir(), 'strata-sr-'));
    mkdirSync(join(dir, 'crypto'));
    const rows = Array.from({ length: 200 }, (_, i) => {
      const c = Number((110 + 10 * Math.sin((i * Math.PI) / 10)).toFixed(6));
      return `${new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 19)}Z,${c},${(c + 0.5).toFixed(6)},${(c - 0.5).toFixed(6)},${c},1000`;
    });
    writeFileSync(join(dir, 'crypto', 'SAWUSDT-1d.csv'), ['ts,open,high,low,close,volume', ...rows].join('\n') + '\n');
    const c = createToolContext({ dataDir: dir, news: null, sentiment: null });
    const r = await ok<DetectSrLevelsResult>('detect_sr_levels', { symbol: 'SAW/USDT', lookback: 200, swing: 3 }, c);
    rmSync(dir, { recursive: true, force: true });
    expect(r.levels.map((l) => l.price)).toEqual([99.5, 120.5]);
    expect(r.levels.map((l) => [l.highs, l.lows])).toEqual([
      [0, r.levels[0]!.touches],
      [r.levels[1]!.touches, 0],
    ]);
  });

  it('has no node when no level has enough touches, and says how to get one', async () => {
    const r = await ok<DetectSrLevelsResult>('detect_sr_levels', { symbol: 'SPY', lookback: 30, min_touches: 50 });
    expect(r.levels).toEqual([]);
    expect(r.node).toBeNull();
    expect(() => r.toExecutableNode()).toThrow(/lower min_touches/);
  });
});

describe('fetch_news_sentiment', () => {
  it('scores the local news with the local model, newest first, and freezes into a news_sentiment node', async () => {
    const r = await ok<NewsSentimentResult>('fetch_news_sentiment', { symbol: 'SPY', from: '2024-01-01', limit: 5 });
    expect(r.items.length).toBe(5);
    const times = r.items.map((i) => i.time);
    expect(times).toEqual([...times].sort().reverse());
    const expected = await scoreNews(r.items.map((i) => ({ headline: i.headline })));
    expect(r.items.map((i) => i.score)).toEqual(expected);
    expect(r.aggregate.count).toBe(5);
    expect(r.aggregate.mean).toBeCloseTo(expected.reduce((s, x) => s + x, 0) / 5, 12);
    expect(r.aggregate.positive + r.aggregate.negative + r.aggregate.neutral).toBe(5);
    expect(r.node).toMatchObject({ signal: 'news_spy', node: 'news_sentiment', params: { window: 5 } });
    expect(r.feeds).toEqual({ news: 'news.local' });
  });

  it('says so when no news source or model is configured', async () => {
    const c = createToolContext({ dataDir: join(DATA, 'etf'), news: null, sentiment: null });
    const e = await fail('fetch_news_sentiment', { symbol: 'SPY' }, c);
    expect(e).toMatchObject({ code: 'unavailable', message: expect.stringContaining('no local news source') });
  });
});
