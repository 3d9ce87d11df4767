import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EquityCurve, Fill, Trade } from '../results.js';
import {
  MS_PER_DAY,
  MS_PER_YEAR,
  benchmarkCurve,
  buyAndHoldCurve,
  computeMetrics,
  drawdownSeries,
  maxDrawdown,
  monthlyReturns,
  simpleReturns,
  tradeStats,
} from './index.js';

// ---------------------------------------------------------------------------------------
// Fixture builders

const T0 = Date.UTC(2024, 0, 1);

function curve(ts: readonly number[], equity: readonly number[], exposure?: readonly number[]): EquityCurve {
  return {
    ts: Float64Array.from(ts),
    equity: Float64Array.from(equity),
    cash: new Float64Array(equity.length),
    exposure: Float64Array.from(exposure ?? equity.map(() => 1)),
    length: equity.length,
  };
}

/** Daily timestamps starting at T0. */
function days(n: number): number[] {
  return Array.from({ length: n }, (_, i) => T0 + i * MS_PER_DAY);
}

function trade(pnl: number, bars: number, heldDays: number, symbol = 'SPY'): Trade {
  return {
    symbol,
    direction: 'long',
    entryTs: T0,
    entryPrice: 100,
    exitTs: T0 + heldDays * MS_PER_DAY,
    exitPrice: 100 + pnl,
    qty: 1,
    pnl,
    returnPct: pnl / 100,
    fees: 0,
    slippage: 0,
    bars,
    exitReason: 'signal',
  };
}

function fill(side: 'buy' | 'sell', qty: number, price: number, fee: number, slippage: number): Fill {
  return { ts: T0, symbol: 'SPY', side, qty, price, fee, slippage, clientOrderId: `c-${side}-${qty}-${price}` };
}

// ---------------------------------------------------------------------------------------
// Hand-computed fixture
//
// Five marks exactly one calendar year apart in total (spacing 365.25/4 days), so
// years = 1 and CAGR = total return.
//
//   E        = [100, 110, 99, 99, 118.8]
//   r        = [0.1, -0.1, 0, 0.2]                       (110/100-1, 99/110-1, 99/99-1, 118.8/99-1)
//   mean(r)  = 0.2 / 4 = 0.05
//   dev      = [0.05, -0.15, -0.05, 0.15], Σdev² = 0.0025+0.0225+0.0025+0.0225 = 0.05
//   sd       = √(0.05 / 3) = √(1/60)
//   vol      = √(1/60)·√252 = √4.2                        ≈ 2.04939
//   sharpe   = 0.05 / √(1/60) · √252 = 0.05·√15120        ≈ 6.14817
//   downside = √((-0.1)² / 4) = 0.05 → sortino = 0.05/0.05·√252 = √252 ≈ 15.87451
//   max DD   : peak 110 (bar 1), trough 99 (bar 2, the first bar at -10 %), depth 99/110-1 = -0.1,
//              recovery bar 4 (118.8 ≥ 110), duration 4-1 = 3 bars = 3·91.3125 days = 273.9375 days
//   total    = 118.8/100 - 1 = 0.188 = CAGR (1 year); calmar = 0.188 / 0.1 = 1.88
//   exposure = mean([0, 1, 1, 0.5, 0]) = 2.5/5 = 0.5
//   fills    : |1·100| + |1·110| + |2·50| = 310; mean E = 526.8/5 = 105.36 → turnover 310/105.36/1
//   fees     = 0.1 + 0.11 + 0.1 = 0.31; slippage = 0.05 + 0.05 + 0.02 = 0.12
//   trades   : pnl [10, -5, 2.5, 0] → win rate 2/4 = 0.5; PF = 12.5/5 = 2.5; expectancy 7.5/4 = 1.875
//              bars [2, 1, 3, 4] → 2.5; held days [2, 1, 3, 6] → 3

const STEP = MS_PER_YEAR / 4;
const handTs = [0, 1, 2, 3, 4].map((i) => T0 + i * STEP);
const handCurve = curve(handTs, [100, 110, 99, 99, 118.8], [0, 1, 1, 0.5, 0]);
const handFills = [fill('buy', 1, 100, 0.1, 0.05), fill('sell', 1, 110, 0.11, 0.05), fill('buy', 2, 50, 0.1, 0.02)];
const handTrades = [trade(10, 2, 2), trade(-5, 1, 1), trade(2.5, 3, 3), trade(0, 4, 6)];

describe('computeMetrics on a hand-computed fixture', () => {
  const m = computeMetrics({ curve: handCurve, trades: handTrades, fills: handFills, periodsPerYear: 252 });

  it.each([
    ['startTs', m.startTs, T0],
    ['endTs', m.endTs, T0 + MS_PER_YEAR],
    ['bars', m.bars, 5],
    ['years', m.years, 1],
    ['initialEquity', m.initialEquity, 100],
    ['finalEquity', m.finalEquity, 118.8],
    ['totalReturn = 118.8/100 - 1', m.totalReturn, 0.188],
    ['cagr = total return over exactly one year', m.cagr, 0.188],
    ['volatility = √4.2', m.volatility, Math.sqrt(4.2)],
    ['sharpe = 0.05·√15120', m.sharpe, 0.05 * Math.sqrt(15120)],
    ['sortino = √252 (downside deviation 0.05 over all 4 periods)', m.sortino, Math.sqrt(252)],
    ['calmar = 0.188 / 0.1', m.calmar, 1.88],
    ['exposure = mean of the exposure column', m.exposure, 0.5],
    ['turnover = 310 / 105.36 / 1 year', m.turnover, 310 / 105.36],
    ['trades', m.trades, 4],
    ['winRate: a zero-pnl trade is not a win', m.winRate, 0.5],
    ['profitFactor = 12.5 / 5', m.profitFactor, 2.5],
    ['expectancy = 7.5 / 4', m.expectancy, 1.875],
    ['avgHoldingBars', m.avgHoldingBars, 2.5],
    ['avgHoldingDays', m.avgHoldingDays, 3],
    ['feesPaid', m.feesPaid, 0.31],
    ['slippagePaid', m.slippagePaid, 0.12],
  ] as const)('%s', (_name, actual, expected) => {
    expect(actual).not.toBeNull();
    expect(actual as number).toBeCloseTo(expected, 10);
  });

  it('reports the drawdown from the 110 peak to the first 99 trough, recovered on the last bar', () => {
    expect(m.maxDrawdown.depth).toBeCloseTo(-0.1, 12);
    expect(m.maxDrawdown.peakTs).toBe(handTs[1]);
    expect(m.maxDrawdown.troughTs).toBe(handTs[2]);
    expect(m.maxDrawdown.recoveryTs).toBe(handTs[4]);
    expect(m.maxDrawdown.durationBars).toBe(3);
    expect(m.maxDrawdown.durationDays).toBeCloseTo((3 * 365.25) / 4, 9);
  });

  it('gives the per-bar returns and the drawdown series by hand', () => {
    const r = Array.from(simpleReturns(handCurve));
    [0.1, -0.1, 0, 0.2].forEach((x, i) => expect(r[i]).toBeCloseTo(x, 12));
    const dd = drawdownSeries(handCurve);
    expect(Array.from(dd.ts)).toEqual(handTs);
    // peaks [100, 110, 110, 110, 118.8] → [0, 0, -0.1, -0.1, 0]
    [0, 0, -0.1, -0.1, 0].forEach((x, i) => expect(dd.drawdown[i]).toBeCloseTo(x, 12));
  });
});

// ---------------------------------------------------------------------------------------
// Edge cases

describe('edge cases', () => {
  it('flat curve: volatility 0, sharpe and sortino null (not NaN), no drawdown, CAGR 0', () => {
    const m = computeMetrics({ curve: curve(days(5), [100, 100, 100, 100, 100]), trades: [], fills: [], periodsPerYear: 252 });
    expect(m.volatility).toBe(0);
    expect(m.sharpe).toBeNull();
    expect(m.sortino).toBeNull();
    expect(m.totalReturn).toBe(0);
    expect(m.cagr).toBe(0);
    expect(m.calmar).toBeNull(); // no drawdown to divide by
    expect(m.maxDrawdown).toEqual({ depth: 0, peakTs: T0, troughTs: T0, recoveryTs: T0, durationBars: 0, durationDays: 0 });
    expect(m.turnover).toBe(0);
    expect(JSON.stringify(m)).not.toContain('NaN');
  });

  it('no trades: trade statistics are null, counts and costs are 0', () => {
    const m = computeMetrics({ curve: curve(days(3), [100, 101, 102]), trades: [], fills: [], periodsPerYear: 252 });
    expect(m).toMatchObject({ trades: 0, winRate: null, profitFactor: null, expectancy: null, avgHoldingBars: null, avgHoldingDays: null, feesPaid: 0, slippagePaid: 0 });
  });

  it('single bar: everything that needs elapsed time or returns is null', () => {
    const m = computeMetrics({ curve: curve([T0], [1000], [0.25]), trades: [], fills: [], periodsPerYear: 252 });
    expect(m).toMatchObject({
      startTs: T0,
      endTs: T0,
      bars: 1,
      years: 0,
      initialEquity: 1000,
      finalEquity: 1000,
      totalReturn: 0,
      cagr: null,
      volatility: null,
      sharpe: null,
      sortino: null,
      calmar: null,
      turnover: null,
      exposure: 0.25,
    });
    expect(m.maxDrawdown.depth).toBe(0);
  });

  it('two bars: one return gives a sortino but no sample stdev', () => {
    // r = [-0.1]; DD = 0.1; sortino = -0.1/0.1·√252
    const m = computeMetrics({ curve: curve(days(2), [100, 90]), trades: [], fills: [], periodsPerYear: 252 });
    expect(m.volatility).toBeNull();
    expect(m.sharpe).toBeNull();
    expect(m.sortino).toBeCloseTo(-Math.sqrt(252), 10);
  });

  it('no losing bar: sortino is null (downside deviation 0), sharpe is defined', () => {
    // r = [0.1, 0] → mean 0.05, sd = √(2·0.05²/1) = 0.05·√2 → sharpe = √252/√2 = √126
    const m = computeMetrics({ curve: curve(days(3), [100, 110, 110]), trades: [], fills: [], periodsPerYear: 252 });
    expect(m.sortino).toBeNull();
    expect(m.sharpe).toBeCloseTo(Math.sqrt(126), 10);
  });

  it('constant growth: the stdev is floating-point noise, so sharpe is null rather than astronomically large', () => {
    const eq = Array.from({ length: 50 }, (_, i) => 100 * 1.001 ** i);
    const m = computeMetrics({ curve: curve(days(50), eq), trades: [], fills: [], periodsPerYear: 365 });
    expect(m.volatility).toBeLessThan(1e-12);
    expect(m.sharpe).toBeNull();
  });

  it('unrecovered drawdown: recoveryTs null, duration runs to the last bar', () => {
    // E = [100, 120, 90, 100]: peak 120 (bar 1), trough 90 (bar 2), depth 90/120-1 = -0.25, never back to 120
    const dd = maxDrawdown(curve(days(4), [100, 120, 90, 100]));
    expect(dd).toEqual({ depth: -0.25, peakTs: T0 + MS_PER_DAY, troughTs: T0 + 2 * MS_PER_DAY, recoveryTs: null, durationBars: 2, durationDays: 2 });
  });

  it('a repeated high: the peak is the last bar at that high before the trough', () => {
    // E = [100, 100, 90, 100]: peak bar 1, trough bar 2, recovery bar 3 (equal counts as recovered)
    const dd = maxDrawdown(curve(days(4), [100, 100, 90, 100]));
    expect(dd).toEqual({ depth: -0.09999999999999998, peakTs: T0 + MS_PER_DAY, troughTs: T0 + 2 * MS_PER_DAY, recoveryTs: T0 + 3 * MS_PER_DAY, durationBars: 2, durationDays: 2 });
  });

  it('the deepest drawdown wins over an earlier, longer one', () => {
    // E = [100, 95, 96, 97, 98, 101, 80, 102]: first DD -5 %, second 80/101-1 ≈ -20.8 %
    const dd = maxDrawdown(curve(days(8), [100, 95, 96, 97, 98, 101, 80, 102]));
    expect(dd.depth).toBeCloseTo(80 / 101 - 1, 12);
    expect(dd.peakTs).toBe(T0 + 5 * MS_PER_DAY);
    expect(dd.troughTs).toBe(T0 + 6 * MS_PER_DAY);
    expect(dd.recoveryTs).toBe(T0 + 7 * MS_PER_DAY);
    expect(dd.durationBars).toBe(2);
  });

  it('equity wiped out: CAGR is -1', () => {
    const m = computeMetrics({ curve: curve(days(3), [100, 50, 0]), trades: [], fills: [], periodsPerYear: 252 });
    expect(m.cagr).toBe(-1);
    expect(m.maxDrawdown.depth).toBe(-1);
    expect(m.calmar).toBe(-1);
  });

  it.each([
    ['only winning trades → Infinity', [trade(1, 1, 1), trade(2, 1, 1)], Infinity],
    ['only losing trades → 0', [trade(-1, 1, 1)], 0],
    ['only break-even trades → null (0/0)', [trade(0, 1, 1)], null],
    ['no trades → null', [], null],
  ] as const)('profit factor: %s', (_name, trades, expected) => {
    expect(tradeStats(trades).profitFactor).toBe(expected);
  });

  it.each([
    ['an empty curve', () => computeMetrics({ curve: curve([], []), trades: [], fills: [], periodsPerYear: 252 }), /empty/],
    ['periodsPerYear 0', () => computeMetrics({ curve: curve(days(2), [1, 2]), trades: [], fills: [], periodsPerYear: 0 }), /periodsPerYear/],
    ['initial equity 0', () => computeMetrics({ curve: curve(days(2), [0, 2]), trades: [], fills: [], periodsPerYear: 252 }), /initial equity/],
    ['a NaN equity', () => computeMetrics({ curve: curve(days(2), [1, Number.NaN]), trades: [], fills: [], periodsPerYear: 252 }), /non-finite/],
    ['buy and hold with mismatched lengths', () => buyAndHoldCurve([1, 2], [1], 100), /2 values but prices has 1/],
    ['buy and hold from a zero price', () => buyAndHoldCurve([1], [0], 100), /first price/],
    ['monthly returns out of order', () => monthlyReturns(curve([Date.UTC(2024, 5, 1), Date.UTC(2024, 1, 1)], [1, 2])), /ascending/],
  ])('rejects %s with a precise RangeError', (_name, run, message) => {
    expect(run).toThrow(RangeError);
    expect(run).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------
// Benchmark and monthly returns

describe('buyAndHoldCurve', () => {
  it('scales the prices to the initial equity, fully invested, no cash', () => {
    const b = buyAndHoldCurve([1, 2, 3], [50, 55, 45], 1000);
    expect(Array.from(b.equity)).toEqual([1000, 1100, 900]);
    expect(Array.from(b.cash)).toEqual([0, 0, 0]);
    expect(Array.from(b.exposure)).toEqual([1, 1, 1]);
    expect(Array.from(b.ts)).toEqual([1, 2, 3]);
    expect(b.length).toBe(3);
  });
});

describe('monthlyReturns', () => {
  it('compounds within UTC calendar months, measures the first month from the first bar, leaves gaps null', () => {
    // Dec 2023: only the first bar → 100/100-1 = 0
    // Jan 2024: last 110 vs 100 → +10 %; Feb: last 104.5 vs 110 → -5 %; Mar: no bar → null
    // Apr: 114.95 vs 104.5 → +10 %; 2024 total = 1.1·0.95·1.1 - 1 = 0.1495 = 114.95/100 - 1
    const c = curve(
      [Date.UTC(2023, 11, 29), Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 31, 23, 59), Date.UTC(2024, 1, 15), Date.UTC(2024, 1, 29), Date.UTC(2024, 3, 30)],
      [100, 105, 110, 99, 104.5, 114.95],
    );
    const rows = monthlyReturns(c);
    expect(rows.map((r) => r.year)).toEqual([2023, 2024]);
    const [y2023, y2024] = rows;
    expect(y2023?.months).toEqual([null, null, null, null, null, null, null, null, null, null, null, 0]);
    expect(y2023?.total).toBe(0);
    const m = y2024?.months ?? [];
    expect(m[0]).toBeCloseTo(0.1, 12);
    expect(m[1]).toBeCloseTo(-0.05, 12);
    expect(m[2]).toBeNull();
    expect(m[3]).toBeCloseTo(0.1, 12);
    expect(m.slice(4)).toEqual(new Array(8).fill(null));
    expect(y2024?.total).toBeCloseTo(0.1495, 12);
  });

  it('a bar at 23:59:59.999 UTC on the 31st belongs to that month, one at 00:00 on the 1st to the next', () => {
    const rows = monthlyReturns(curve([Date.UTC(2024, 0, 31, 23, 59, 59, 999), Date.UTC(2024, 1, 1)], [100, 120]));
    expect(rows[0]?.months.slice(0, 2)).toEqual([0, 0.19999999999999996]);
  });

  it('returns no rows for an empty curve', () => {
    expect(monthlyReturns(curve([], []))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// Properties

const arbCurve = fc
  // Returns below 1e-6 in size become 0: ULP-sized returns make ratios of noise.
  .array(fc.double({ min: -0.2, max: 0.2, noNaN: true }).map((r) => (Math.abs(r) < 1e-6 ? 0 : r)), { minLength: 1, maxLength: 120 })
  .chain((rets) =>
    fc.record({
      rets: fc.constant(rets),
      start: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 0, 1) }),
      stepH: fc.constantFrom(1, 24, 24 * 3),
    }),
  )
  .map(({ rets, start, stepH }) => {
    const eq = [1000];
    for (const r of rets) eq.push((eq[eq.length - 1] ?? 1000) * (1 + r));
    const ts = eq.map((_, i) => start + i * stepH * 3_600_000);
    return curve(ts, eq);
  });

describe('properties', () => {
  it('yearly totals of monthly returns compound to the total return', () => {
    fc.assert(
      fc.property(arbCurve, (c) => {
        const m = computeMetrics({ curve: c, trades: [], fills: [], periodsPerYear: 252 });
        const compounded = monthlyReturns(c).reduce((g, row) => g * (1 + row.total), 1) - 1;
        expect(compounded).toBeCloseTo(m.totalReturn, 9);
      }),
    );
  });

  it('max drawdown depth is the minimum of the drawdown series and lies in [-1, 0]', () => {
    fc.assert(
      fc.property(arbCurve, (c) => {
        const dd = drawdownSeries(c);
        const depth = maxDrawdown(c).depth;
        expect(depth).toBe(Math.min(0, ...dd.drawdown));
        expect(depth).toBeGreaterThanOrEqual(-1);
        expect(depth).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('ratios are invariant to the scale of equity and never NaN', () => {
    fc.assert(
      fc.property(arbCurve, fc.double({ min: 0.01, max: 1e6, noNaN: true }), (c, k) => {
        const scaled = curve(Array.from(c.ts), Array.from(c.equity, (e) => e * k));
        const a = computeMetrics({ curve: c, trades: [], fills: [], periodsPerYear: 252 });
        const b = computeMetrics({ curve: scaled, trades: [], fills: [], periodsPerYear: 252 });
        for (const key of ['totalReturn', 'volatility', 'sharpe', 'sortino'] as const) {
          const x = a[key];
          const y = b[key];
          if (x === null || y === null) continue;
          expect(Number.isNaN(x)).toBe(false);
          // Relative: a near-flat curve has a Sharpe in the thousands, where 1e-6 absolute is noise.
          expect(Math.abs(y - x)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(x)));
        }
        // Scaling rounds each mark separately, so only the depth (not ULP-level ties) is compared.
        expect(b.maxDrawdown.depth).toBeCloseTo(a.maxDrawdown.depth, 9);
      }),
    );
  });

  it('buy and hold total return equals the price ratio', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 1, maxLength: 50 }), (prices) => {
        const b = buyAndHoldCurve(prices.map((_, i) => i * MS_PER_DAY), prices, 10_000);
        const m = computeMetrics({ curve: b, trades: [], fills: [], periodsPerYear: 252 });
        expect(m.totalReturn).toBeCloseTo((prices[prices.length - 1] ?? 0) / (prices[0] ?? 1) - 1, 9);
        expect(m.exposure).toBe(1);
      }),
    );
  });
});

describe('benchmarkCurve', () => {
  it('buys the benchmark at its last close at or before each mark (hand-computed)', () => {
    // Benchmark closes on days 1, 2, 4; the strategy marks days 0 (before the first bar), 1, 3, 4.
    const bench = { ts: [1, 2, 4].map((d) => d * MS_PER_DAY), close: [100, 110, 120], length: 3 };
    const marks = curve([0, 1, 3, 4].map((d) => d * MS_PER_DAY), [1000, 1000, 1000, 1000]);
    const b = benchmarkCurve(bench, marks, 1000);
    // Prices [100 (first known close), 100, 110 (day 2 carried), 120] → equity 1000 × price / 100.
    expect(Array.from(b.equity)).toEqual([1000, 1000, 1100, 1200]);
  });
});
