import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { compileSource, type Plan } from '@strata/compiler';
import type { BarSeries } from '@strata/feeds';
import { runBacktest, SeriesStream, type BacktestOptions, type BacktestResult, type BarColumns, type MarketStream, type NewsColumns } from '@strata/kernel';
import { describe, expect, it } from 'vitest';
import { copySeries, randomMarket, type MarketSpec } from './fixtures/random-market.js';

/**
 * Determinism (docs/backtest-semantics.md, "Determinism"): same plan, same data ⇒ byte-identical
 * results. Property-based over random valid OHLCV series, for the plan of every bundled example.
 * Fixed seeds, so CI sees the same inputs each run.
 */

const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));

function compileExample(name: string): Plan {
  const r = compileSource(readFileSync(`${examplesDir}${name}.yaml`), { file: `examples/${name}.yaml` });
  if (!r.ok || !r.plan) throw new Error(`${name}: ${r.diagnostics.map((d) => d.code).join(', ')}`);
  return r.plan;
}

interface Case {
  readonly name: string;
  /** Symbols of the stream (universe, then the cash sleeve), as the CLI builds it. */
  readonly symbols: readonly string[];
  readonly timeframe: '1d' | '1h';
  readonly bars: readonly [min: number, max: number];
  readonly lateStarts: boolean;
  /** The plan reads news (`news_sentiment`): the stream carries random scored news per symbol. */
  readonly news?: true;
}

const CASES: readonly Case[] = [
  { name: 'sma-cross', symbols: ['SPY'], timeframe: '1d', bars: [40, 400], lateStarts: false },
  { name: 'rsi-reversion', symbols: ['SPY'], timeframe: '1d', bars: [210, 500], lateStarts: false },
  { name: 'sector-rotation', symbols: ['XLK', 'XLF', 'XLE', 'XLY', 'XLP', 'XLV', 'XLU', 'XLI', 'XLB', 'BIL'], timeframe: '1d', bars: [260, 420], lateStarts: true },
  // btc-breakout needs an hourly crypto series: 168 h of volatility plus 20 closed days of trend.
  { name: 'btc-breakout', symbols: ['BTC/USDT'], timeframe: '1h', bars: [600, 1500], lateStarts: false },
  // news-sentiment: 50 bars of SMA warm-up, then news on about a third of the bars.
  { name: 'news-sentiment', symbols: ['SPY'], timeframe: '1d', bars: [80, 400], lateStarts: false, news: true },
];

/**
 * Random scored news aligned to each series (0–3 items on about a third of the bars, scores in
 * [−1, 1]), a pure function of the series so that every run over the same data sees the same news.
 */
function randomNews(data: ReadonlyMap<string, BarSeries>): Map<string, NewsColumns> {
  const out = new Map<string, NewsColumns>();
  for (const [sym, x] of data) {
    let st = (Math.floor(x.close[0]! * 1e6) ^ (x.length * 2654435761)) >>> 0 || 1;
    const rnd = (): number => {
      st ^= st << 13;
      st ^= st >>> 17;
      st ^= st << 5;
      return (st >>> 0) / 4294967296;
    };
    const sum = new Float64Array(x.length);
    const count = new Float64Array(x.length);
    for (let t = 0; t < x.length; t++) {
      if (rnd() >= 0.35) continue;
      const n = 1 + Math.floor(rnd() * 3);
      count[t] = n;
      for (let k = 0; k < n; k++) sum[t]! += 2 * rnd() - 0.8;
    }
    out.set(sym, { sum, count });
  }
  return out;
}

const streamOptions = (c: Case, data: ReadonlyMap<string, BarSeries>) => (c.news ? { news: randomNews(data) } : {});

const specArb = (c: Case): fc.Arbitrary<MarketSpec> =>
  fc.record({
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
    bars: fc.integer({ min: c.bars[0], max: c.bars[1] }),
    drift: fc.double({ min: -0.002, max: 0.004, noNaN: true }),
    vol: fc.double({ min: 0.002, max: 0.04, noNaN: true }),
    gapRate: fc.constantFrom(0, 0, 0.01, 0.05),
  });

/** Every output of a run as one string; numbers keep their exact value (−0, NaN and ±∞ included). */
function encode(r: BacktestResult): string {
  const num = (x: number) => (Object.is(x, -0) ? '-0' : Number.isFinite(x) ? x : String(x));
  return JSON.stringify(
    {
      trades: r.trades,
      fills: r.fills,
      orders: r.orders,
      log: r.log,
      curve: { ts: Array.from(r.curve.ts), equity: Array.from(r.curve.equity), cash: Array.from(r.curve.cash), exposure: Array.from(r.curve.exposure), length: r.curve.length },
      openPositions: r.openPositions,
      finalEquity: r.finalEquity,
      steps: r.steps,
    },
    (_k, v: unknown) => (typeof v === 'number' ? num(v) : v),
  );
}

/** The trading outputs only (what must not depend on the recording options). */
function encodeTrading(r: BacktestResult): string {
  return JSON.stringify({ trades: r.trades, fills: r.fills, orders: r.orders, openPositions: r.openPositions, finalEquity: r.finalEquity, steps: r.steps });
}

/**
 * An independent MarketStream: the union of timestamps is computed up front (sort + dedupe) and
 * each step looks its rows up by binary search — a different algorithm from SeriesStream's k-way merge.
 */
class UnionStream implements MarketStream {
  readonly columns: BarColumns[];
  readonly rows: Int32Array;
  ts = Number.NaN;
  nextTs = Number.NaN;
  readonly total: number;
  readonly #times: number[];
  readonly #series: BarSeries[];
  #i = -1;

  constructor(
    readonly symbols: readonly string[],
    data: ReadonlyMap<string, BarSeries>,
    news?: ReadonlyMap<string, NewsColumns>,
  ) {
    this.#series = symbols.map((s) => data.get(s)!);
    this.columns = this.#series.map((x, i) => {
      const fields = [x.open, x.high, x.low, x.close, x.volume] as const;
      const n = news?.get(symbols[i]!);
      return n ? { fields, news: n } : { fields };
    });
    this.rows = new Int32Array(symbols.length).fill(-1);
    this.#times = [...new Set(this.#series.flatMap((x) => Array.from(x.ts.subarray(0, x.length))))].sort((a, b) => a - b);
    this.total = this.#times.length;
    this.nextTs = this.#times[0] ?? Number.NaN;
  }

  next(): boolean {
    this.#i++;
    if (this.#i >= this.#times.length) return false;
    const t = this.#times[this.#i]!;
    this.#series.forEach((x, s) => {
      let lo = 0;
      let hi = x.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const v = x.ts[mid]!;
        if (v === t) {
          found = mid;
          break;
        }
        if (v < t) lo = mid + 1;
        else hi = mid - 1;
      }
      this.rows[s] = found;
    });
    this.ts = t;
    this.nextTs = this.#times[this.#i + 1] ?? Number.NaN;
    return true;
  }
}

const run = (plan: Plan, c: Case, data: ReadonlyMap<string, BarSeries>, extra: Partial<Omit<BacktestOptions, 'plan' | 'stream'>> = {}) =>
  runBacktest({ plan, stream: new SeriesStream(c.symbols, data, streamOptions(c, data)), initialCash: 100_000, ...extra });

describe('determinism: coverage of the examples', () => {
  it('every bundled example has a case here', () => {
    const names = readdirSync(examplesDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length))
      .sort();
    expect(CASES.map((c) => c.name).sort()).toEqual(names);
  });
});

describe.each(CASES)('determinism: $name on random valid series', (c) => {
  const plan = compileExample(c.name);

  it('running twice gives byte-identical trades, fills, orders, log and curve', () => {
    let traded = 0;
    fc.assert(
      fc.property(specArb(c), (spec) => {
        const data = randomMarket(c.symbols, c.timeframe, spec, c.lateStarts);
        const a = run(plan, c, data);
        const b = run(plan, c, data);
        expect(encode(b)).toBe(encode(a));
        // Sanity of the run itself: finite equity, cash never NaN, the curve covers every step.
        expect(Number.isFinite(a.finalEquity)).toBe(true);
        expect(a.curve.length).toBe(a.steps);
        traded += a.fills.length;
      }),
      { numRuns: c.timeframe === '1h' ? 8 : 15, seed: 0xd37e12 },
    );
    // The property is only meaningful if the strategies actually trade on these series.
    expect(traded).toBeGreaterThan(0);
  });

  it('replay is deterministic: a fresh compile, fresh copies of the data and an independent stream change nothing', () => {
    fc.assert(
      fc.property(specArb(c), (spec) => {
        const data = randomMarket(c.symbols, c.timeframe, spec, c.lateStarts);
        const a = run(plan, c, data);
        const replay = runBacktest({ plan: compileExample(c.name), stream: new UnionStream(c.symbols, copySeries(data), c.news ? randomNews(copySeries(data)) : undefined), initialCash: 100_000 });
        expect(encode(replay)).toBe(encode(a));
      }),
      { numRuns: 6, seed: 0xd37e13 },
    );
  });

  it('accounting invariants: the cash is what the fills say, and it never goes negative', () => {
    fc.assert(
      fc.property(specArb(c), (spec) => {
        const data = randomMarket(c.symbols, c.timeframe, spec, c.lateStarts);
        const r = run(plan, c, data);
        let cash = r.initialCash;
        for (const f of r.fills) cash += (f.side === 'buy' ? -1 : 1) * f.qty * f.price - f.fee;
        if (r.curve.length > 0) expect(r.curve.cash[r.curve.length - 1]!).toBeCloseTo(cash, 6);
        // Every example uses market orders with position and gross caps ≤ 1: "never more than the cash allows".
        for (let i = 0; i < r.curve.length; i++) expect(r.curve.cash[i]!).toBeGreaterThanOrEqual(-1e-9);
        for (const f of r.fills) expect(f.qty).toBeGreaterThan(0);
      }),
      { numRuns: 6, seed: 0xd37e15 },
    );
  });

  it('splitting nothing changes results: recording options, progress callbacks and a window covering all the data', () => {
    fc.assert(
      fc.property(specArb(c), (spec) => {
        const data = randomMarket(c.symbols, c.timeframe, spec, c.lateStarts);
        const a = run(plan, c, data);
        const trading = encodeTrading(a);
        // No log, no curve: the same trades.
        const quiet = run(plan, c, data, { recordLog: false, recordCurve: false });
        expect(encodeTrading(quiet)).toBe(trading);
        expect(quiet.log).toEqual([]);
        expect(quiet.curve.length).toBe(0);
        // A progress callback observes; it does not change anything.
        let calls = 0;
        const watched = run(plan, c, data, { onProgress: () => calls++ });
        expect(encode(watched)).toBe(encode(a));
        // A window that covers all the data is the same as no window.
        let first = Number.POSITIVE_INFINITY;
        let last = Number.NEGATIVE_INFINITY;
        for (const s of data.values()) {
          first = Math.min(first, s.ts[0]!);
          last = Math.max(last, s.ts[s.length - 1]!);
        }
        expect(encode(run(plan, c, data, { from: first, to: last }))).toBe(encode(a));
        void calls;
      }),
      { numRuns: 4, seed: 0xd37e14 },
    );
  });
});
