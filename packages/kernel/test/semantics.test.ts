import { periodsPerYearOf, SignalEngine } from '@strata/kernel';
import { describe, expect, it } from 'vitest';
import { compile, DAY, flat, HOUR, iso, r6, runOn, series, seriesAt, type Row } from './fixtures/helpers.js';

/**
 * Hand-computed fixtures for docs/backtest-semantics.md, covering what engine.test.ts does not.
 * Every expected number is derived in the comments next to it. T0 = 2024-01-01 (a Monday);
 * daily bars are stamped 00:00 UTC; bar k is T0 + k days unless a test says otherwise.
 */

const T0 = Date.UTC(2024, 0, 1);
const at = (k: number) => T0 + k * DAY;

const single = (body: string, extra = '') => `strata: strategy/v1
name: fixture
universe: [AAA]
timeframe: 1d
feeds: { bars: test }
${extra}
${body}`;

/** Runs a single-symbol plan over AAA's rows (daily from T0) with 1,000 of cash. */
function runAAA(yaml: string, rows: readonly Row[], cash = 1000) {
  return runOn(compile(yaml), ['AAA'], [series('AAA', rows, T0)], { initialCash: cash });
}

const LONG_UP = `entry:
  long: close > close[1]`;

// ——— take-profit ———————————————————————————————————————————————————————————————————————

describe('take-profit: a limit order at entry fill + distance', () => {
  const yaml = (stops: string) =>
    single(`${LONG_UP}
exit:
${stops}
sizing: { kind: cash_fraction, value: 1 }`);
  // Bar 1 closes up (11 > 10): entry decided; filled at bar 2's open, 12.
  // qty = floor(1000 / 12) = 83 (996 spent, 4 of cash left). Take-profit = 12 · 1.1 = 13.2.
  const base: Row[] = [
    [10, 10, 10, 10, 1000],
    [10, 11, 10, 11, 1000],
    [12, 12.5, 11.5, 12, 1000],
  ];

  it('fills at the level when the bar trades through it', () => {
    // Bar 3 opens at 12.5 (< 13.2) and trades up to 13.5: the limit sells at 13.2.
    const r = runAAA(yaml('  take_profit: { kind: percent, value: 0.1 }'), [...base, [12.5, 13.5, 12.4, 12.9, 1000]]);
    expect(r.fills[0]).toMatchObject({ ts: at(2), side: 'buy', qty: 83, price: 12 });
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ exitReason: 'take_profit', exitTs: at(3), qty: 83 });
    expect(r.trades[0]!.exitPrice).toBeCloseTo(13.2, 12);
    // pnl = 83 · (13.2 − 12) = 99.6; final cash = 4 + 83 · 13.2 = 1099.6.
    expect(r.trades[0]!.pnl).toBeCloseTo(99.6, 9);
    expect(r.finalEquity).toBeCloseTo(1099.6, 9);
    expect(r.orders.find((o) => o.reason === 'take_profit')).toMatchObject({ orderType: 'limit', status: 'FILLED' });
  });

  it('a gap above the level fills at the (better) open, with no slippage', () => {
    // Bar 3 opens at 14 ≥ 13.2: the limit sell fills at max(open, level) = 14.
    const withSlip = yaml('  take_profit: { kind: percent, value: 0.1 }').replace('sizing:', 'execution: { slippage_bps: 50 }\nsizing:');
    const r = runAAA(withSlip, [...base, [14, 14.5, 13.8, 14.2, 1000]]);
    // Entry with 50 bps slippage: 12 · 1.005 = 12.06; qty = floor(1000 / 12.06) = 82.
    // Take-profit = 12.06 · 1.1 = 13.266; the gap fills at 14 (limit orders take no slippage).
    expect(r.fills[0]!.qty).toBe(82);
    expect(r.fills[0]!.price).toBeCloseTo(12.06, 12);
    expect(r.trades[0]).toMatchObject({ exitReason: 'take_profit', exitTs: at(3), exitPrice: 14 });
    expect(r.fills[1]!.slippage).toBe(0);
  });

  it('is checked on the entry bar itself', () => {
    // Bar 2 opens at 12 (the fill) and trades up to 13.5 ≥ 13.2: the take-profit fills on bar 2.
    const r = runAAA(yaml('  take_profit: { kind: percent, value: 0.1 }'), [base[0]!, base[1]!, [12, 13.5, 11.9, 13, 1000]]);
    expect(r.trades[0]).toMatchObject({ exitReason: 'take_profit', entryTs: at(2), exitTs: at(2), bars: 0 });
    expect(r.trades[0]!.exitPrice).toBeCloseTo(13.2, 12);
  });

  it('when a bar reaches both the stop and the take-profit, the stop wins (conservative)', () => {
    // Stop = 12 · 0.95 = 11.4, take = 13.2. Bar 3 ranges 11 … 13.5: both reached; the stop fills at 11.4.
    const r = runAAA(yaml('  stop_loss: { kind: percent, value: 0.05 }\n  take_profit: { kind: percent, value: 0.1 }'), [...base, [12, 13.5, 11, 12, 1000]]);
    expect(r.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitTs: at(3) });
    expect(r.trades[0]!.exitPrice).toBeCloseTo(11.4, 12);
  });

  it('short: a buy limit below the entry; a gap below fills at the open', () => {
    // Short entry: bar 1 closes down (9 < 10); sold at bar 2's open, 9. qty = floor(1000 / 9) = 111.
    // Take-profit = 9 · (1 − 0.1) = 8.1. Bar 3 opens at 8 (< 8.1): buys back at 8.
    const r = runAAA(
      single(`entry:
  short: close < close[1]
exit:
  take_profit: { kind: percent, value: 0.1 }
sizing: { kind: cash_fraction, value: 1 }`),
      [
        [10, 10, 10, 10, 1000],
        [10, 10, 9, 9, 1000],
        [9, 9.2, 8.5, 8.9, 1000],
        [8, 8.2, 7.9, 8.1, 1000],
      ],
    );
    expect(r.fills[0]).toMatchObject({ ts: at(2), side: 'sell', qty: 111, price: 9 });
    expect(r.trades[0]).toMatchObject({ direction: 'short', exitReason: 'take_profit', exitTs: at(3), exitPrice: 8 });
    // pnl = 111 · (9 − 8) = 111.
    expect(r.trades[0]!.pnl).toBeCloseTo(111, 9);
  });
});

// ——— rules, the trading window, orders ——————————————————————————————————————————————————

describe('rules, the trading window and order bookkeeping', () => {
  it('an exit rule is checked from the first close after the entry fill', () => {
    // exit.long is always true. Entry decided at close 1 (the exit rule is true there too, but there is no
    // position yet); bought at bar 2's open (12); exit decided at close 2; sold at bar 3's open (13). bars = 1.
    const r = runAAA(
      single(`${LONG_UP}
exit:
  long: close > 0
sizing: { kind: cash_fraction, value: 1 }`),
      [flat(10), [10, 11, 10, 11, 1000], flat(12), flat(13), flat(13)],
    );
    expect(r.trades[0]).toMatchObject({ entryTs: at(2), entryPrice: 12, exitTs: at(3), exitPrice: 13, bars: 1, exitReason: 'signal' });
  });

  it('three-valued logic: true or NaN is true, so a rule can fire while one side still warms up', () => {
    // close > sma(close, 3) is NaN at closes 0 and 1; "or close > 0" makes the rule true from close 0:
    // entry decided at close 0, bought at bar 1's open: floor(1000 / 10) = 100.
    const r = runAAA(single(`entry:
  long: close > sma(close, 3) or close > 0
sizing: { kind: cash_fraction, value: 1 }`), [flat(10), flat(10), flat(10), flat(10)]);
    expect(r.fills[0]).toMatchObject({ ts: at(1), qty: 100 });
  });

  it('bars before `from` warm the signals up; nothing trades and no equity is recorded before it', () => {
    // entry: close > sma(close, 3). Close 2 (11 > 10.33) is true but before the window; close 3 (10 > 10.33) is false.
    // from = bar 4: sma(close, 3) at bar 4 = (11 + 10 + 12) / 3 = 11 and 12 > 11: decided at the first trading close
    // thanks to the warm-up (fed from bars 2 and 3); bought at bar 5's open 13: floor(1000 / 13) = 76.
    const rows: Row[] = [flat(10), flat(10), flat(11), flat(10), flat(12), flat(13), flat(13)];
    const plan = compile(single(`entry:
  long: close > sma(close, 3)
sizing: { kind: cash_fraction, value: 1 }`));
    const r = runOn(plan, ['AAA'], [series('AAA', rows, T0)], { initialCash: 1000, from: at(4) });
    expect(r.fills.map((f) => [f.ts, f.qty, f.price])).toEqual([[at(5), 76, 13]]);
    expect(Array.from(r.curve.ts)).toEqual([at(4), at(5), at(6)]);
    expect(r.curve.equity[0]).toBe(1000);
    expect(r.steps).toBe(7);
    // `to` ends the window: a decision at the last bar of the window is never executed.
    const cut = runOn(plan, ['AAA'], [series('AAA', rows, T0)], { initialCash: 1000, from: at(4), to: at(4) });
    expect(cut.fills).toEqual([]);
    expect(cut.curve.length).toBe(1);
  });

  it('a symbol without a bar is left untouched: signals do not update, the position is marked at its last close', () => {
    // AAA has every bar (flat 10, never trades); BBB misses bar 3.
    // BBB: close 21 > 20 at bar 1 → bought at bar 2's open 22: floor(1000 / 22) = 45 (cash 10); close 2 = 23.
    // Bar 3: no BBB bar → marked at 23. Bar 4 closes 21: close[1] is BBB's previous bar (23, bar 2), so 21 < 23:
    // exit decided; sold at bar 5's open, 20.
    // Equity: 1000, 1000, 10 + 45 · 23 = 1045, 1045, 10 + 45 · 21 = 955, 10 + 45 · 20 = 910.
    const plan = compile(`strata: strategy/v1
name: fixture
universe: [AAA, BBB]
timeframe: 1d
feeds: { bars: test }
${LONG_UP}
exit:
  long: close < close[1]
sizing: { kind: cash_fraction, value: 1 }`);
    const aaa = series('AAA', [0, 1, 2, 3, 4, 5].map(() => flat(10)), T0);
    const bbb = seriesAt('BBB', [at(0), at(1), at(2), at(4), at(5)], [flat(20), flat(21), [22, 23, 22, 23, 1000], [22, 22, 21, 21, 1000], flat(20)]);
    const r = runOn(plan, ['AAA', 'BBB'], [aaa, bbb], { initialCash: 1000 });
    expect(r.fills.map((f) => [(f.ts - T0) / DAY, f.symbol, f.side, f.qty, f.price])).toEqual([
      [2, 'BBB', 'buy', 45, 22],
      [5, 'BBB', 'sell', 45, 20],
    ]);
    expect(Array.from(r.curve.equity, r6)).toEqual([1000, 1000, 1045, 1045, 955, 910]);
  });

  it('max_position_weight caps the entry: floor(w · equity / price)', () => {
    // cash_fraction 1 would buy 83 at 12; the 50 % cap allows floor(500 / 12) = 41.
    const r = runAAA(single(`${LONG_UP}
sizing: { kind: cash_fraction, value: 1 }
risk: { max_position_weight: 0.5 }`), [flat(10), [10, 11, 10, 11, 1000], flat(12)]);
    expect(r.fills[0]!.qty).toBe(41);
  });

  it('client order ids are <artifact hash prefix>-<symbol>-<decision time>-<sequence>', () => {
    // The entry is decided at close 1 (ts = bar 1) and submitted at bar 2's open.
    const plan = compile(single(`${LONG_UP}
sizing: { kind: cash_fraction, value: 1 }`));
    const r = runOn(plan, ['AAA'], [series('AAA', [flat(10), [10, 11, 10, 11, 1000], flat(12)], T0)], { initialCash: 1000 });
    const decided = r.log.find((e) => e.type === 'Decision' && e.action === 'enter_long')!;
    expect(decided.ts).toBe(at(1));
    expect(r.orders[0]!.clientOrderId).toBe(`${plan.artifact.hash.slice(7, 15)}-AAA-${decided.ts}-0`);
  });

  it('max_participation with GTC: the rest of the order keeps working on the next bars', () => {
    // 5 % of 1000 = 50 of the 83 wanted on bar 2; the remaining 33 fill at bar 3's open (12).
    const r = runAAA(single(`${LONG_UP}
sizing: { kind: cash_fraction, value: 1 }
execution: { max_participation: 0.05, time_in_force: gtc }`), [flat(10), [10, 11, 10, 11, 1000], flat(12, 1000), flat(12, 1000)]);
    expect(r.fills.map((f) => [f.ts, f.qty, f.price])).toEqual([
      [at(2), 50, 12],
      [at(3), 33, 12],
    ]);
    expect(r.orders[0]).toMatchObject({ status: 'FILLED', qty: 83, filledQty: 83, avgFillPrice: 12 });
    expect(r.log.some((e) => e.type === 'OrderExpired')).toBe(false);
  });

  it('max_participation also caps protective stop fills', () => {
    // docs: "a fill takes at most that fraction of the bar's volume". Entry 83 @ 12 (volume 10,000: cap 500);
    // stop at 10.8 hit on bar 3, whose volume is 200: at most floor(0.05 · 200) = 10 shares can fill on bar 3.
    const r = runAAA(
      single(`${LONG_UP}
exit:
  stop_loss: { kind: percent, value: 0.1 }
sizing: { kind: cash_fraction, value: 1 }
execution: { max_participation: 0.05 }`),
      [
        [10, 11, 9, 10, 10_000],
        [10, 12, 10, 11, 10_000],
        [12, 13, 11, 12, 10_000],
        [12, 12, 9, 9.5, 200],
        [9, 10, 8, 9.8, 10_000],
      ],
    );
    expect(r.fills[0]!.qty).toBe(83);
    const onBar3 = r.fills.filter((f) => f.ts === at(3)).reduce((q, f) => q + f.qty, 0);
    expect(onBar3).toBeGreaterThan(0);
    expect(onBar3).toBeLessThanOrEqual(10);
  });
});

// ——— trailing stop ——————————————————————————————————————————————————————————————————————

describe('trailing stop: starts at fill − distance, ratchets on closes, never loosens', () => {
  // Entry decided at bar 1's close (11 > 10), filled at bar 2's open, 12; qty = floor(1000 / 12) = 83.
  const rows: Row[] = [
    [10, 10, 10, 10, 1000],
    [10, 11, 10, 11, 1000],
    [12, 12.6, 11.9, 12.5, 1000],
    [12.5, 14.2, 12.4, 14, 1000],
    [14, 14.1, 13, 13.5, 1000],
    [13.4, 13.5, 12.45, 13, 1000],
    [13, 13, 13, 13, 1000],
  ];
  const yaml = (trail: string) =>
    single(`${LONG_UP}
exit:
  trailing_stop: ${trail}
sizing: { kind: cash_fraction, value: 1 }`);

  it('percent: close · (1 − value), from the closes (not the highs)', () => {
    // value 0.1. Start: 12 · 0.9 = 10.8 (bar 2's low 11.9 does not reach it).
    // Close 2: 12.5 · 0.9 = 11.25. Close 3: 14 · 0.9 = 12.6 (the high 14.2 would give 12.78).
    // Close 4: 13.5 · 0.9 = 12.15 < 12.6: it stays at 12.6 (never loosens); bar 4's low 13 is above it.
    // Bar 5 opens 13.4, low 12.45 ≤ 12.6: the stop fills at 12.6.
    const r = runAAA(yaml('{ kind: percent, value: 0.1 }'), rows);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ exitReason: 'trailing_stop', entryTs: at(2), exitTs: at(5), qty: 83 });
    expect(r.trades[0]!.exitPrice).toBeCloseTo(12.6, 12);
    // pnl = 83 · 0.6 = 49.8.
    expect(r.trades[0]!.pnl).toBeCloseTo(49.8, 9);
    expect(r.orders.find((o) => o.reason === 'trailing_stop')).toMatchObject({ orderType: 'stop' });
  });

  it('atr: the distance is fixed at the decision close (multiple × ATR then)', () => {
    // ATR(1) is the true range. At the decision close (bar 1): TR = max(11 − 10, |11 − 10|, |10 − 10|) = 1,
    // so the distance is 1.5 · 1 = 1.5. Start: 12 − 1.5 = 10.5.
    // Close 2: 12.5 − 1.5 = 11. Close 3: 14 − 1.5 = 12.5. Close 4: 13.5 − 1.5 = 12 < 12.5: stays 12.5.
    // Bar 5's low 12.45 ≤ 12.5: fills at 12.5. (Re-reading the ATR at each close would give a
    // lower level — close 3: 14 − 1.5 · 1.8 = 11.3 — and bar 5 would not stop out.)
    const r = runAAA(yaml('{ kind: atr, multiple: 1.5, period: 1 }'), rows);
    expect(r.trades[0]).toMatchObject({ exitReason: 'trailing_stop', exitTs: at(5) });
    expect(r.trades[0]!.exitPrice).toBeCloseTo(12.5, 12);
  });

  it('expr: the distance is the expression at the decision close', () => {
    // distance = high − low at bar 1 = 11 − 10 = 1. Start: 11. Close 2: 11.5, close 3: 13, close 4: 12.5 → stays 13.
    // Bar 4 (open 14, low 13 ≤ 13) stops out at 13.
    const r = runAAA(yaml('{ kind: expr, distance: "high - low" }'), rows);
    expect(r.trades[0]).toMatchObject({ exitReason: 'trailing_stop', exitTs: at(4) });
    expect(r.trades[0]!.exitPrice).toBeCloseTo(13, 12);
  });

  it('short: close · (1 + value), ratcheting down', () => {
    // Short decided at bar 1's close (9 < 10), sold at bar 2's open, 9; qty = floor(1000 / 9) = 111.
    // Start: 9 · 1.1 = 9.9. Close 2: 8.5 · 1.1 = 9.35. Close 3: 8 · 1.1 = 8.8. Close 4: 8.4 · 1.1 = 9.24 → stays 8.8.
    // Bar 5 opens at 9 (≥ 8.8, a gap through the stop): buys back at the open, 9.
    const r = runAAA(
      single(`entry:
  short: close < close[1]
exit:
  trailing_stop: { kind: percent, value: 0.1 }
sizing: { kind: cash_fraction, value: 1 }`),
      [
        [10, 10, 10, 10, 1000],
        [10, 10, 9, 9, 1000],
        [9, 9.2, 8.4, 8.5, 1000],
        [8.5, 8.6, 7.9, 8, 1000],
        [8.1, 8.7, 8, 8.4, 1000],
        [9, 9.1, 8.9, 9, 1000],
      ],
    );
    expect(r.trades[0]).toMatchObject({ direction: 'short', exitReason: 'trailing_stop', exitTs: at(5), exitPrice: 9, qty: 111 });
    expect(r.trades[0]!.pnl).toBeCloseTo(0, 9);
  });
});

// ——— max_bars, fill: close ————————————————————————————————————————————————————————————

describe('max_bars and fill: close', () => {
  it('max_bars: exits at the open after the position was held that many closes', () => {
    // Filled at bar 2's open (12). Held through close 2 (1) and close 3 (2) → exit decided at close 3,
    // filled at bar 4's open, 13.5. qty 83, pnl = 83 · 1.5 = 124.5. Close 4 (13) is not above close 3: no re-entry.
    const r = runAAA(
      single(`${LONG_UP}
exit:
  max_bars: 2
sizing: { kind: cash_fraction, value: 1 }`),
      [
        [10, 10, 10, 10, 1000],
        [10, 11, 10, 11, 1000],
        [12, 12, 12, 12, 1000],
        [12, 13, 12, 13, 1000],
        [13.5, 13.5, 12.5, 13, 1000],
      ],
    );
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ exitReason: 'max_bars', entryTs: at(2), exitTs: at(4), exitPrice: 13.5, bars: 2, qty: 83 });
    expect(r.trades[0]!.pnl).toBeCloseTo(124.5, 9);
    expect(r.log.some((e) => e.type === 'Decision' && e.ts === at(3) && e.action === 'exit')).toBe(true);
  });

  it('fill: close executes the decision at the same close (market-on-close)', () => {
    // fee 10 bps. Bar 1 closes 11 > 10: bought at 11. qty = largest q with q · 11 · 1.001 ≤ 1000 = floor(90.82) = 90;
    // cash = 1000 − 990 − 0.99 = 9.01. Bar 3 closes 9.5 < 12: sold at 9.5 → cash = 9.01 + 855 − 0.855 = 863.155.
    // Bar 4 closes 9.8 > 9.5: bought at 9.8, q = floor(863.155 / (9.8 · 1.001)) = floor(87.99) = 87;
    // cash = 863.155 − 852.6 − 0.8526 = 9.7024; equity = 9.7024 + 87 · 9.8 = 862.3024.
    const r = runAAA(
      single(`${LONG_UP}
exit:
  long: close < close[1]
sizing: { kind: cash_fraction, value: 1 }
execution: { fill: close, fee_bps: 10 }`),
      [
        [10, 11, 9, 10, 1000],
        [10, 12, 10, 11, 1000],
        [12, 13, 11, 12, 1000],
        [12, 12, 9, 9.5, 1000],
        [9, 10, 8, 9.8, 1000],
      ],
    );
    expect(r.fills.map((f) => [f.ts, f.side, f.qty, f.price])).toEqual([
      [at(1), 'buy', 90, 11],
      [at(3), 'sell', 90, 9.5],
      [at(4), 'buy', 87, 9.8],
    ]);
    expect(r.trades[0]).toMatchObject({ entryTs: at(1), exitTs: at(3), bars: 2, exitReason: 'signal' });
    // Equity at each close: 1000, 9.01 + 90 · 11, 9.01 + 90 · 12, 863.155, 862.3024.
    expect(Array.from(r.curve.equity, r6)).toEqual([1000, 999.01, 1089.01, 863.155, 862.3024]);
  });
});

// ——— limit_touch ———————————————————————————————————————————————————————————————————————

describe('fill: limit_touch (order_type: limit, limit_offset_bps)', () => {
  // Limit buy at the decision close · (1 − 100 bps). Bar 1 closes 11 (entry decided): L = 10.89.
  const yaml = single(`${LONG_UP}
sizing: { kind: cash_fraction, value: 1 }
execution: { order_type: limit, fill: limit_touch, limit_offset_bps: 100 }`);
  const head: Row[] = [
    [10, 10, 10, 10, 1000],
    [10, 11, 10, 11, 1000],
  ];

  it('does not fill when the low stays above the limit; the DAY order expires', () => {
    // Bar 2: low 10.95 > 10.89: no fill, the order expires. Bar 2 closes 11.3 > 11: a new entry,
    // L = 11.3 · 0.99 = 11.187. Bar 3 (open 11.3, low 11.1 ≤ 11.187) fills at min(open, L) = 11.187.
    const r = runAAA(yaml, [...head, [11.2, 11.5, 10.95, 11.3, 1000], [11.3, 11.4, 11.1, 11.2, 1000]]);
    expect(r.orders[0]).toMatchObject({ ts: at(2), orderType: 'limit', status: 'EXPIRED', filledQty: 0 });
    expect(r.orders[0]!.price).toBeCloseTo(10.89, 12);
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]!.ts).toBe(at(3));
    expect(r.fills[0]!.price).toBeCloseTo(11.187, 12);
    expect(r.fills[0]!.qty * r.fills[0]!.price).toBeLessThanOrEqual(1000);
  });

  it('fills at the limit when the low touches it inside the bar', () => {
    // Bar 2: open 11.2 > L, low 10.8 ≤ 10.89: fills at 10.89.
    const r = runAAA(yaml, [...head, [11.2, 11.3, 10.8, 11, 1000]]);
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]!.ts).toBe(at(2));
    expect(r.fills[0]!.price).toBeCloseTo(10.89, 12);
    expect(r.fills[0]!.slippage).toBe(0);
    expect(r.curve.cash[2]!).toBeGreaterThanOrEqual(0);
  });

  it('a gap below the limit fills at the open, and the buy never costs more than the cash', () => {
    // Bar 2 opens at 10.5 < L = 10.89: the limit buy fills at the open, 10.5 — a price known at
    // the open, when the order is sized. cash_fraction: the largest q with q · 10.5 ≤ 1000 is 95.
    // "Exact: cash never goes negative" (docs/backtest-semantics.md, Sizing).
    const r = runAAA(yaml, [...head, [10.5, 11, 10.4, 10.8, 1000]]);
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]!.price).toBe(10.5);
    expect(r.fills[0]!.qty * 10.5).toBeLessThanOrEqual(1000);
    expect(Math.min(...r.curve.cash)).toBeGreaterThanOrEqual(0);
  });
});

describe('fill: stop_gap', () => {
  it('a buy stop above the open fills at the stop, and the buy never costs more than the cash', () => {
    // Stop entry at the decision close (bar 1: 11, offset 0). Bar 2 opens at 10 and trades up to 12:
    // the stop triggers at 11 and fills at max(open, 11) = 11. The fill price is known at the open
    // (max(open, S)), so cash_fraction may buy at most floor(1000 / 11) = 90 shares; cash stays ≥ 0.
    const r = runAAA(
      single(`${LONG_UP}
sizing: { kind: cash_fraction, value: 1 }
execution: { fill: stop_gap }`),
      [flat(10), [10, 11, 10, 11, 1000], [10, 12, 9.5, 11.5, 1000], flat(11)],
    );
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]!.price).toBe(11);
    expect(r.fills[0]!.qty).toBeLessThanOrEqual(90);
    expect(Math.min(...r.curve.cash)).toBeGreaterThanOrEqual(0);
  });
});

describe('fill: limit_touch with time_in_force: gtc', () => {
  const yaml = single(`${LONG_UP}
sizing: { kind: cash_fraction, value: 1 }
execution: { order_type: limit, fill: limit_touch, limit_offset_bps: 100, time_in_force: gtc }`);
  const head: Row[] = [flat(10), [10, 11, 10, 11, 1000]];

  it('keeps working at the same limit until the low touches it', () => {
    // L = 11 · 0.99 = 10.89 (from the decision at close 1). Bar 2: low 10.95, no fill; close 2 is up again but the
    // entry is still working (no second order). Bar 3 (open 11, low 10.85) fills at 10.89.
    const r = runAAA(yaml, [...head, [11.2, 11.5, 10.95, 11.3, 1000], [11, 11.2, 10.85, 11, 1000]]);
    expect(r.orders).toHaveLength(1);
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]!.ts).toBe(at(3));
    expect(r.fills[0]!.price).toBeCloseTo(10.89, 12);
  });

  it('an order still working at the end of the data is canceled', () => {
    const r = runAAA(yaml, [...head, [11.2, 11.5, 10.95, 11.3, 1000], [11.3, 11.5, 11.2, 11.4, 1000]]);
    expect(r.fills).toEqual([]);
    expect(r.orders).toEqual([expect.objectContaining({ status: 'CANCELED', filledQty: 0, orderType: 'limit' })]);
    expect(r.log.filter((e) => e.type === 'OrderCanceled')).toHaveLength(1);
  });
});

// ——— sizing ————————————————————————————————————————————————————————————————————————————

describe('sizing quantities', () => {
  const BARS: Row[] = [
    [10, 11, 9, 10, 1000],
    [10, 12, 10, 11, 1000],
    [12, 13, 11, 12, 1000],
    [12, 12, 9, 9.5, 1000],
    [9, 10, 8, 9.8, 1000],
  ];

  it('equity_fraction: floor(v · equity / (price · (1 + fee)))', () => {
    // v 0.5, fee 10 bps, filled at bar 2's open 12: floor(500 / 12.012) = floor(41.625) = 41.
    const r = runAAA(single(`${LONG_UP}\nsizing: { kind: equity_fraction, value: 0.5 }\nexecution: { fee_bps: 10 }`), BARS);
    expect(r.fills[0]).toMatchObject({ ts: at(2), qty: 41, price: 12 });
  });

  it('equity_fraction: equity is marked at the open prices', () => {
    // v 0.4, no fees. AAA: bought at bar 2's open 12, floor(400 / 12) = 33 → cash 1000 − 396 = 604.
    // BBB closes up at bar 2 (21 > 20): bought at bar 3's open, 22. AAA opens bar 3 at 15, so the
    // equity at that open is 604 + 33 · 15 = 1099 → floor(0.4 · 1099 / 22) = floor(19.98) = 19.
    // (Marked at the last closes, 604 + 33 · 12 = 1000, it would be floor(400 / 22) = 18.)
    const plan = compile(
      `strata: strategy/v1
name: fixture
universe: [AAA, BBB]
timeframe: 1d
feeds: { bars: test }
${LONG_UP}
sizing: { kind: equity_fraction, value: 0.4 }`,
    );
    const aaa = series('AAA', [BARS[0]!, BARS[1]!, [12, 12, 12, 12, 1000], [15, 15, 15, 15, 1000]], T0);
    const bbb = series('BBB', [flat(20), flat(20), [20, 21, 20, 21, 1000], [22, 22, 22, 22, 1000]], T0);
    const r = runOn(plan, ['AAA', 'BBB'], [aaa, bbb], { initialCash: 1000 });
    expect(r.fills.map((f) => [f.ts, f.symbol, f.qty, f.price])).toEqual([
      [at(2), 'AAA', 33, 12],
      [at(3), 'BBB', 19, 22],
    ]);
  });

  it('risk_per_trade: floor(v · equity / stop distance), the distance taken at the decision close', () => {
    // stop distance = high − low of bar 1 = 12 − 10 = 2. v 0.01: floor(10 / 2) = 5.
    const r = runAAA(single(`${LONG_UP}\nexit:\n  stop_loss: { kind: expr, distance: "high - low" }\nsizing: { kind: risk_per_trade, value: 0.01 }`), BARS);
    expect(r.fills[0]).toMatchObject({ ts: at(2), qty: 5, price: 12 });
    // The stop sits at 12 − 2 = 10: bar 3 (low 9) stops out at 10. Loss 5 · 2 = 10 = 1 % of equity.
    expect(r.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitPrice: 10, exitTs: at(3) });
    expect(r.trades[0]!.pnl).toBeCloseTo(-10, 9);
  });

  it('risk_per_trade: capped by the position weight and the cash', () => {
    // v 0.5: floor(500 / 2) = 250, but max_position_weight 1 allows floor(1000 / 12) = 83, and so does the cash.
    const r = runAAA(single(`${LONG_UP}\nexit:\n  stop_loss: { kind: expr, distance: "high - low" }\nsizing: { kind: risk_per_trade, value: 0.5 }`), BARS);
    expect(r.fills[0]!.qty).toBe(83);
  });

  it('risk_per_trade with a percent stop: the distance is value × the entry fill price, so a stop-out loses v · equity at most', () => {
    // docs: "percent = value × the entry fill price". Fill at 12, value 0.1: distance 1.2, stop 10.8.
    // qty = floor(0.01 · 1000 / 1.2) = floor(8.33) = 8; bar 3 stops out at 10.8: loss 8 · 1.2 = 9.6 ≤ 10.
    // (Sizing on the decision close, 11 · 0.1 = 1.1, gives floor(9.09) = 9 and a loss of 10.8 > 1 % of equity.)
    const r = runAAA(single(`${LONG_UP}\nexit:\n  stop_loss: { kind: percent, value: 0.1 }\nsizing: { kind: risk_per_trade, value: 0.01 }`), BARS);
    expect(r.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitTs: at(3) });
    expect(r.trades[0]!.exitPrice).toBeCloseTo(10.8, 12);
    expect(-r.trades[0]!.pnl).toBeLessThanOrEqual(10 + 1e-9);
    expect(r.fills[0]!.qty).toBe(8);
  });

  it('lot_size: quantities round down to whole lots', () => {
    // cash_fraction 1, fee 10 bps, price 12: 1000 / 12.012 = 83.25.
    const run = (lot: string, kind = 'cash_fraction', v = 1) => runAAA(single(`${LONG_UP}\nsizing: { kind: ${kind}, value: ${v}, lot_size: ${lot} }\nexecution: { fee_bps: 10 }`), BARS).fills[0]!.qty;
    expect(run('10')).toBe(80); // floor(8.325) · 10
    expect(run('0.25')).toBeCloseTo(83.25, 9); // 1000 / 3.003 = 333.0003 lots of 0.25
    expect(run('0.5')).toBe(83); // 166.5 lots of 0.5 → 166
    // equity_fraction 0.5 with lots of 10: 41.625 → 40.
    expect(run('10', 'equity_fraction', 0.5)).toBe(40);
  });

  it('a sizing that rounds to zero skips the entry (logged as a Decision)', () => {
    // lot_size 100 at 12: one lot costs 1200 > 1000.
    const r = runAAA(single(`${LONG_UP}\nsizing: { kind: cash_fraction, value: 1, lot_size: 100 }`), BARS);
    expect(r.fills).toEqual([]);
    expect(r.log.some((e) => e.type === 'Decision' && e.action === 'skip_entry' && e.ts === at(2))).toBe(true);
  });
});

describe('stops need their distance: no position without its declared stop', () => {
  it('an entry decided while the ATR of the stop-loss is still warming up is not taken', () => {
    // entry: close > open (valid from bar 0); stop_loss: 1 × ATR(14), which has no value before bar 14.
    // Bar 1 closes up: if the entry were taken, its stop distance would be unknown (NaN) and the position
    // would have no stop at all — bar 3 collapses to 5 and nothing would protect it. The entry must wait
    // (like risk_per_trade's "stop distance unknown (warming up)") or be skipped.
    const r = runAAA(
      single(`entry:
  long: close > open
exit:
  stop_loss: { kind: atr, multiple: 1, period: 14 }
sizing: { kind: cash_fraction, value: 1 }`),
      [flat(10), [10, 11, 10, 11, 1000], [11, 12, 10.5, 11.5, 1000], [11.5, 11.5, 5, 6, 1000], flat(6)],
    );
    expect(r.openPositions).toEqual([]);
    expect(r.fills).toEqual([]);
  });
});

describe('volatility_target sizing', () => {
  it('weight = min(max_leverage, target / (stdev of returns · √bars per year))', () => {
    // lookback 2: closes 10, 11, 9.9 → returns +0.1, −0.1 → population stdev 0.1; × √252 = 1.58745.
    // Entry (always true) decided at close 2 (before, the volatility is unknown: sized to zero, skipped).
    // weight = 0.5 / 1.58745 = 0.31497; bar 3 opens at 10: floor(0.31497 · 1000 / 10) = 31.
    const r = runAAA(single(`entry:
  long: "true"
sizing: { kind: volatility_target, target: 0.5, lookback: 2 }`), [flat(10), flat(11), flat(9.9), flat(10), flat(10)]);
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]).toMatchObject({ ts: at(3), qty: 31, price: 10 });
    // max_leverage caps the weight: target 50 would give 31.5 × leverage; max_leverage 0.2 → floor(0.2 · 1000 / 10) = 20.
    const capped = runAAA(single(`entry:
  long: "true"
sizing: { kind: volatility_target, target: 5, lookback: 2, max_leverage: 0.2 }`), [flat(10), flat(11), flat(9.9), flat(10), flat(10)]);
    expect(capped.fills[0]!.qty).toBe(20);
  });
});

// ——— short entry / exit ————————————————————————————————————————————————————————————————

describe('short entries and exits', () => {
  it('sells at the open less slippage, buys back at the open plus slippage; pnl = (entry − exit) · qty', () => {
    // slippage 10 bps, no fees. Bar 1 closes 9 < 10: short decided. Bar 2 opens 9: sold at 9 · 0.999 = 8.991;
    // qty = largest q with q · 8.991 ≤ 1000 = 111. Cash = 1000 + 111 · 8.991 = 1998.001.
    // Close 2 = 8: equity = 1998.001 − 111 · 8 = 1110.001. Bar 3 closes 8.5 > 8: exit decided.
    // Bar 4 opens 8.4: bought at 8.4 · 1.001 = 8.4084; cash = 1998.001 − 933.3324 = 1064.6686.
    // pnl = 111 · (8.991 − 8.4084) = 64.6686; slippage = 111 · 0.009 + 111 · 0.0084 = 1.9314.
    const r = runAAA(
      single(`entry:
  short: close < close[1]
exit:
  short: close > close[1]
sizing: { kind: cash_fraction, value: 1 }
execution: { slippage_bps: 10 }`),
      [
        [10, 10, 10, 10, 1000],
        [10, 10, 9, 9, 1000],
        [9, 9.5, 8, 8, 1000],
        [8, 8.6, 7.9, 8.5, 1000],
        [8.4, 8.5, 8.3, 8.5, 1000],
      ],
    );
    expect(r.fills.map((f) => [f.ts, f.side, f.qty])).toEqual([
      [at(2), 'sell', 111],
      [at(4), 'buy', 111],
    ]);
    expect(r.fills[0]!.price).toBeCloseTo(8.991, 12);
    expect(r.fills[1]!.price).toBeCloseTo(8.4084, 12);
    expect(r.curve.equity[2]!).toBeCloseTo(1110.001, 9);
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0]!;
    expect(t).toMatchObject({ direction: 'short', qty: 111, entryTs: at(2), exitTs: at(4), exitReason: 'signal' });
    expect(t.entryPrice).toBeCloseTo(8.991, 12);
    expect(t.exitPrice).toBeCloseTo(8.4084, 12);
    expect(t.pnl).toBeCloseTo(64.6686, 9);
    expect(t.slippage).toBeCloseTo(1.9314, 9);
    expect(r.finalEquity).toBeCloseTo(1064.6686, 9);
  });

  it('a short stop-loss is a buy stop: a gap above it fills at the open plus slippage', () => {
    // Sold at 8.991 (as above); stop = 8.991 · 1.05 = 9.44055. Bar 3 opens at 9.6 ≥ the stop: bought back at 9.6 · 1.001 = 9.6096.
    const r = runAAA(
      single(`entry:
  short: close < close[1]
exit:
  stop_loss: { kind: percent, value: 0.05 }
sizing: { kind: cash_fraction, value: 1 }
execution: { slippage_bps: 10 }`),
      [
        [10, 10, 10, 10, 1000],
        [10, 10, 9, 9, 1000],
        [9, 9.2, 8.9, 9, 1000],
        [9.6, 9.8, 9.5, 9.7, 1000],
      ],
    );
    expect(r.trades[0]).toMatchObject({ direction: 'short', exitReason: 'stop_loss', exitTs: at(3) });
    expect(r.trades[0]!.exitPrice).toBeCloseTo(9.6096, 12);
    // Slippage is measured from the triggered reference, the open 9.6: 111 · 0.0096 on the exit.
    expect(r.fills[1]!.slippage).toBeCloseTo(111 * 0.0096, 9);
  });
});

// ——— risk layer ————————————————————————————————————————————————————————————————————————

describe('risk layer', () => {
  it('drawdown breaker (flatten): trips, exits at the next open, blocks entries for the cooldown, then resets', () => {
    // entry.long is always true (W602); cash_fraction 1; breaker 10 % over a 3-close window, cooldown 2.
    // Close 0: entry decided. Bar 1: bought 100 @ 10 (cash 0). Closes: 1000 (c1), 950 (c2), 850 (c3).
    // Close 3: peak of closes 1..3 = 1000, 850 / 1000 − 1 = −15 % ≤ −10 %: trips → exit at bar 4's open, 8.
    // Close 4: cooldown 2 → 1, entries blocked. Close 5: cooldown → 0: reset; the entry is decided again.
    // Bar 6: bought floor(800 / 9) = 88 @ 9 (cash 800 − 792 = 8).
    const r = runAAA(
      single(`entry:
  long: "true"
sizing: { kind: cash_fraction, value: 1 }
risk:
  drawdown_breaker: { threshold: 0.1, window: 3, cooldown: 2, action: flatten }`),
      [flat(10), flat(10), [10, 10, 9.5, 9.5, 1000], [9.5, 9.5, 8.5, 8.5, 1000], flat(8), flat(8), flat(9), flat(9)],
    );
    expect(r.fills.map((f) => [f.ts, f.side, f.qty, f.price])).toEqual([
      [at(1), 'buy', 100, 10],
      [at(4), 'sell', 100, 8],
      [at(6), 'buy', 88, 9],
    ]);
    expect(r.trades[0]).toMatchObject({ exitReason: 'risk', exitTs: at(4) });
    const decisions = r.log.filter((e) => e.type === 'Decision').map((e) => [(e.ts - T0) / DAY, (e as { action: string }).action]);
    expect(decisions).toContainEqual([3, 'breaker_flatten']);
    expect(decisions).toContainEqual([5, 'breaker_reset']);
    // Entries decided at closes 0 and 5 only (none at 3 or 4 while tripped).
    expect(decisions.filter((d) => d[1] === 'enter_long').map((d) => d[0])).toEqual([0, 5]);
    expect(Array.from(r.curve.equity, r6)).toEqual([1000, 1000, 950, 850, 800, 800, 800, 800]);
  });

  it('drawdown breaker: the peak is taken over the last `window` closes only', () => {
    // Bought 100 @ 10 at bar 1; closes 10, 10, 9.5, 9, 8.6 → equity 1000, 1000, 950, 900, 860.
    // window 2, threshold 10 %: at close 4 the peak of closes 3..4 is 900: 860 / 900 − 1 = −4.4 %: no trip.
    // window 5: the peak is 1000: −14 %: trips at close 4.
    const rows: Row[] = [flat(10), flat(10), flat(9.5), flat(9), flat(8.6), flat(8.6)];
    const yaml = (window: number) =>
      single(`entry:
  long: "true"
sizing: { kind: cash_fraction, value: 1 }
risk:
  drawdown_breaker: { threshold: 0.1, window: ${window}, cooldown: 5, action: flatten }`);
    const trips = (window: number) => runAAA(yaml(window), rows).log.filter((e) => e.type === 'Decision' && e.action === 'breaker_flatten').map((e) => (e.ts - T0) / DAY);
    expect(trips(2)).toEqual([]);
    expect(trips(5)).toEqual([4]);
  });

  it('drawdown breaker (halt_entries): blocks entries but keeps the position', () => {
    // Same path, halt_entries: nothing is sold; the position simply rides.
    const r = runAAA(
      single(`entry:
  long: "true"
sizing: { kind: cash_fraction, value: 1 }
risk:
  drawdown_breaker: { threshold: 0.1, window: 3, cooldown: 2, action: halt_entries }`),
      [flat(10), flat(10), [10, 10, 9.5, 9.5, 1000], [9.5, 9.5, 8.5, 8.5, 1000], flat(8), flat(8), flat(9)],
    );
    expect(r.fills).toHaveLength(1);
    expect(r.log.some((e) => e.type === 'Decision' && e.action === 'breaker_halt_entries' && e.ts === at(3))).toBe(true);
  });

  it('daily_loss_halt: no new entries for the rest of the UTC day, entries again the next day', () => {
    // 1h bars. entry: close > open; exit: close < open. daily_loss_halt 5 %.
    // Day 1, 01:00 closes up: entry; 02:00 opens 10 → bought 100 (cash 0), closes 9 → equity 900,
    // −10 % from the day's start (1000): halt for the rest of day 1. The exit (close < open) sells at 03:00's open, 9.
    // 03:00 and 04:00 close above their opens, but entries are halted. Day 2, 00:00 closes up: the day's start is
    // 900 (the last close of day 1), equity 900: no halt → entry decided; bought at 01:00's open, 10.5: floor(900 / 10.5) = 85.
    const d1 = Date.UTC(2024, 0, 1);
    const d2 = Date.UTC(2024, 0, 2);
    const ts = [d1, d1 + HOUR, d1 + 2 * HOUR, d1 + 3 * HOUR, d1 + 4 * HOUR, d2, d2 + HOUR];
    const rows: Row[] = [flat(10), [10, 10.5, 10, 10.5, 1000], [10, 10, 9, 9, 1000], [9, 9.5, 9, 9.5, 1000], [9.5, 10, 9.5, 10, 1000], [10, 10.5, 10, 10.5, 1000], flat(10.5)];
    const plan = compile(`strata: strategy/v1
name: fixture
universe: [AAA]
timeframe: 1h
feeds: { bars: test }
entry:
  long: close > open
exit:
  long: close < open
sizing: { kind: cash_fraction, value: 1 }
risk: { daily_loss_halt: 0.05 }`);
    const r = runOn(plan, ['AAA'], [seriesAt('AAA', ts, rows, '1h')], { initialCash: 1000 });
    expect(r.fills.map((f) => [iso(f.ts), f.side, f.qty, f.price])).toEqual([
      [iso(d1 + 2 * HOUR), 'buy', 100, 10],
      [iso(d1 + 3 * HOUR), 'sell', 100, 9],
      [iso(d2 + HOUR), 'buy', 85, 10.5],
    ]);
    expect(r.log.some((e) => e.type === 'Decision' && e.action === 'halt_entries' && e.ts === d1 + 2 * HOUR)).toBe(true);
  });
});

// ——— portfolio form ————————————————————————————————————————————————————————————————————

/** Weekdays from `from` to `to` inclusive (UTC). */
function weekdays(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t <= to; t += DAY) {
    const dow = new Date(t).getUTCDay();
    if (dow !== 0 && dow !== 6) out.push(t);
  }
  return out;
}

describe('portfolio form', () => {
  const PF = `strata: strategy/v1
name: fixture
universe: [AAA, BBB, CCC, DDD]
timeframe: 1d
feeds: { bars: test }
portfolio:
  rank: { by: close, order: desc }
  filter: close < 40
  select: { top: 2 }
  weighting: { kind: equal }
  max_weight: 0.4
  cash: { symbol: CSH }
  rebalance: { every: monthly, on: last }
execution: { fee_bps: 10 }`;

  it('the sum of weights is capped at max_gross_exposure; the rest goes to the cash sleeve', () => {
    // top 3, equal: 1/3 each, sum 1 > 0.6 → scaled to 0.2 each; CSH gets 1 − 0.6 = 0.4.
    // equity 1000, no fees: AAA 200 / 10 = 20, BBB 200 / 20 = 10, CCC 200 / 25 = 8, CSH 400 / 100 = 4.
    const yaml = `strata: strategy/v1
name: fixture
universe: [AAA, BBB, CCC]
timeframe: 1d
feeds: { bars: test }
portfolio:
  rank: { by: close }
  select: { top: 3 }
  cash: { symbol: CSH }
  rebalance: { every: monthly }
risk: { max_gross_exposure: 0.6 }`;
    const ts = [at(0), at(1)];
    const r = runOn(compile(yaml), ['AAA', 'BBB', 'CCC', 'CSH'], [seriesAt('AAA', ts, [flat(10), flat(10)]), seriesAt('BBB', ts, [flat(20), flat(20)]), seriesAt('CCC', ts, [flat(25), flat(25)]), seriesAt('CSH', ts, [flat(100), flat(100)])], {
      initialCash: 1000,
    });
    expect(r.fills.map((f) => [f.symbol, f.qty])).toEqual([
      ['AAA', 20],
      ['BBB', 10],
      ['CCC', 8],
      ['CSH', 4],
    ]);
  });

  it('monthly on the last trading day: top-N by score with a filter, equal weights capped, excess to the cash sleeve, sells before buys, whole shares', () => {
    // Weekdays 2024-05-31 (Fri) … 2024-07-01 (Mon). June's last trading day is Fri 06-28 (06-29/30 are a weekend).
    const days = weekdays(Date.UTC(2024, 4, 31), Date.UTC(2024, 6, 1));
    const i0628 = days.indexOf(Date.UTC(2024, 5, 28));
    const n = days.length;
    const path = (p: number, at0628: Row, after: number): Row[] => days.map((_, i) => (i < i0628 ? flat(p) : i === i0628 ? at0628 : flat(after)));
    const data = [
      seriesAt('AAA', days, path(10, [10, 35, 10, 35, 1e6], 35)),
      seriesAt('BBB', days, path(20, flat(20), 20)),
      seriesAt('CCC', days, path(30, [30, 30, 25, 25, 1e6], 25)),
      seriesAt('DDD', days, path(45, flat(45), 45)),
      seriesAt('CSH', days, path(100, flat(100), 100)),
    ];
    const r = runOn(compile(PF), ['AAA', 'BBB', 'CCC', 'DDD', 'CSH'], data, { initialCash: 10_000 });

    // Decisions: the first bar (05-31, also May's last) and June's last trading day, nothing in between.
    const rebalances = r.log.filter((e) => e.type === 'Decision' && e.action === 'rebalance').map((e) => iso(e.ts).slice(0, 10));
    expect(rebalances).toEqual(['2024-05-31', '2024-06-28']);

    // 05-31 close: DDD (45) fails the filter; by close desc: CCC 30, BBB 20 (AAA 10 is third).
    // Weights 1/2 each, capped at 0.4; the cash sleeve gets 1 − 0.8 = 0.2.
    // 06-03 open, equity 10,000, fee 10 bps: BBB floor(4000 / 20.02) = 199, CCC floor(4000 / 30.03) = 133,
    // CSH floor(2000 / 100.1) = 19. Bought in universe order then the sleeve:
    // cash = 10000 − 3983.98 − 3993.99 − 1901.9 = 120.13.
    const first = r.fills.filter((f) => f.ts === days[1]);
    expect(first.map((f) => [f.symbol, f.side, f.qty, f.price])).toEqual([
      ['BBB', 'buy', 199, 20],
      ['CCC', 'buy', 133, 30],
      ['CSH', 'buy', 19, 100],
    ]);
    expect(r.curve.cash[1]!).toBeCloseTo(120.13, 9);

    // No trading between the rebalances.
    expect(r.fills.filter((f) => f.ts > days[1]! && f.ts < days[n - 1]!)).toEqual([]);

    // 06-28 close: AAA 35, CCC 25, BBB 20 → AAA, CCC. Executed at 07-01's open.
    // Equity at the open = 120.13 + 199 · 20 + 133 · 25 + 19 · 100 = 9325.13.
    // AAA floor(3730.052 / 35.035) = 106; CCC floor(3730.052 / 25.025) = 149; CSH floor(1865.026 / 100.1) = 18; BBB 0.
    // Sells first (BBB −199, CSH −1): cash = 120.13 + 3976.02 + 99.9 = 4196.05;
    // then buys: AAA +106 (3713.71) → 482.34, CCC +16 (400.4) → 81.94. (Buying first, the 120.13 of cash
    // would have paid for 3 shares of AAA.)
    const last = r.fills.filter((f) => f.ts === days[n - 1]);
    expect(last.map((f) => [f.symbol, f.side, f.qty, f.price])).toEqual([
      ['BBB', 'sell', 199, 20],
      ['CSH', 'sell', 1, 100],
      ['AAA', 'buy', 106, 35],
      ['CCC', 'buy', 16, 25],
    ]);
    expect(r.curve.cash[n - 1]!).toBeCloseTo(81.94, 9);
    // Final equity = 81.94 + 106 · 35 + 149 · 25 + 18 · 100 = 9316.94.
    expect(r.finalEquity).toBeCloseTo(9316.94, 9);
    expect(r.openPositions.map((p) => [p.symbol, p.qty])).toEqual([
      ['AAA', 106],
      ['CCC', 149],
      ['CSH', 18],
    ]);
    // BBB's round trip is a trade closed by the rebalance.
    expect(r.trades.map((t) => [t.symbol, t.exitReason, t.qty])).toEqual([['BBB', 'rebalance', 199]]);
    // Every quantity is a whole share.
    for (const f of r.fills) expect(Number.isInteger(f.qty)).toBe(true);
  });

  it('fewer eligible symbols than top: each gets 1/top, the rest stays in the cash sleeve', () => {
    // top 3, max_weight 1; CCC fails the filter, so AAA and BBB get 1/3 each and CSH 1 − 2/3.
    // equity 9001, no fees: AAA floor(3000.33 / 10) = 300, BBB floor(3000.33 / 20) = 150, CSH floor(3000.33 / 100) = 30.
    const yaml = PF.replace('universe: [AAA, BBB, CCC, DDD]', 'universe: [AAA, BBB, CCC]')
      .replace('top: 2', 'top: 3')
      .replace('max_weight: 0.4', 'max_weight: 1')
      .replace('filter: close < 40', 'filter: close < 25')
      .replace('execution: { fee_bps: 10 }', '');
    const ts = [at(0), at(1)];
    const r = runOn(compile(yaml), ['AAA', 'BBB', 'CCC', 'CSH'], [seriesAt('AAA', ts, [flat(10), flat(10)]), seriesAt('BBB', ts, [flat(20), flat(20)]), seriesAt('CCC', ts, [flat(30), flat(30)]), seriesAt('CSH', ts, [flat(100), flat(100)])], {
      initialCash: 9001,
    });
    expect(r.fills.map((f) => [f.symbol, f.qty])).toEqual([
      ['AAA', 300],
      ['BBB', 150],
      ['CSH', 30],
    ]);
    expect(r.curve.cash[1]!).toBeCloseTo(1, 9);
  });

  it('drawdown breaker (flatten) moves everything to the cash sleeve, then rebalances when the cooldown ends', () => {
    // Daily rebalance, top 1 by close desc; AAA only (score 10 > none). Breaker 10 % over 5 closes, cooldown 2.
    // Close 0: AAA weight 1 (max_weight 1). Bar 1: 1000 / 10 = 100 AAA. Bar 2 AAA closes 8.5: equity 850, −15 %: trips.
    // Bar 3 open: everything to CSH: sell 100 AAA @ 8.5 = 850 → CSH floor(850 / 100) = 8 (cash 50).
    // Close 3: cooldown 2 → 1 (tripped: no rebalance). Close 4: cooldown → 0: reset and rebalance → bar 5: back into AAA.
    const yaml = `strata: strategy/v1
name: fixture
universe: [AAA]
timeframe: 1d
feeds: { bars: test }
portfolio:
  rank: { by: close }
  select: { top: 1 }
  cash: { symbol: CSH }
  rebalance: { every: daily }
risk:
  drawdown_breaker: { threshold: 0.1, window: 5, cooldown: 2 }`;
    const ts = [0, 1, 2, 3, 4, 5].map(at);
    const aaa: Row[] = [flat(10), flat(10), [10, 10, 8.5, 8.5, 1e6], flat(8.5), flat(8.5), flat(8.5)];
    const csh: Row[] = ts.map(() => flat(100));
    const r = runOn(compile(yaml), ['AAA', 'CSH'], [seriesAt('AAA', ts, aaa), seriesAt('CSH', ts, csh)], { initialCash: 1000 });
    expect(r.fills.map((f) => [(f.ts - T0) / DAY, f.symbol, f.side, f.qty])).toEqual([
      [1, 'AAA', 'buy', 100],
      [3, 'AAA', 'sell', 100],
      [3, 'CSH', 'buy', 8],
      // Bar 5 open: equity 50 + 8 · 100 = 850: sell the 8 CSH, buy floor(850 / 8.5) = 100 AAA.
      [5, 'CSH', 'sell', 8],
      [5, 'AAA', 'buy', 100],
    ]);
    const decisions = r.log.filter((e) => e.type === 'Decision').map((e) => [(e.ts - T0) / DAY, (e as { action: string }).action]);
    expect(decisions).toContainEqual([2, 'breaker_flatten']);
    expect(decisions).toContainEqual([4, 'breaker_reset']);
    expect(decisions.filter((d) => d[1] === 'rebalance').map((d) => d[0])).toEqual([0, 1, 4, 5]);
  });
});

describe('portfolio weighting and schedule', () => {
  const pf = (universe: string, portfolio: string) => `strata: strategy/v1
name: fixture
universe: [${universe}]
timeframe: 1d
feeds: { bars: test }
portfolio:
${portfolio}`;
  const run = (yaml: string, rows: Record<string, readonly Row[]>) => {
    const syms = Object.keys(rows);
    const n = rows[syms[0]!]!.length;
    const ts = Array.from({ length: n }, (_, i) => at(i));
    return runOn(compile(yaml), syms, syms.map((s) => seriesAt(s, ts, rows[s]!)), { initialCash: 1000 });
  };

  it('inverse_volatility: weights ∝ 1/σ', () => {
    // lookback 2. AAA closes 10, 11, 9.9 → σ = 0.1; BBB 10, 10.5, 9.975 → σ = 0.05. Before close 2 no σ: nothing eligible.
    // Close 2: 1/σ = 10 and 20 → AAA 1/3, BBB 2/3. Bar 3 opens at 10 for both: AAA floor(333.3 / 10) = 33, BBB floor(666.7 / 10) = 66.
    const r = run(
      pf('AAA, BBB', `  rank: { by: close }
  select: { top: 2 }
  weighting: { kind: inverse_volatility, lookback: 2 }
  rebalance: { every: daily }`),
      { AAA: [flat(10), flat(11), flat(9.9), flat(10)], BBB: [flat(10), flat(10.5), flat(9.975), flat(10)] },
    );
    expect(r.fills.map((f) => [(f.ts - T0) / DAY, f.symbol, f.qty])).toEqual([
      [3, 'AAA', 33],
      [3, 'BBB', 66],
    ]);
  });

  it('score: weights ∝ max(score, 0)', () => {
    // score = close − 10: AAA 2, BBB 6, CCC −1. top 3: all selected; weights 2/8, 6/8, 0.
    // Bar 1 (same prices): AAA floor(250 / 12) = 20, BBB floor(750 / 16) = 46, CCC nothing.
    const r = run(
      pf('AAA, BBB, CCC', `  rank: { by: "close - 10" }
  select: { top: 3 }
  weighting: { kind: score }
  rebalance: { every: daily }`),
      { AAA: [flat(12), flat(12)], BBB: [flat(16), flat(16)], CCC: [flat(9), flat(9)] },
    );
    expect(r.fills.map((f) => [f.symbol, f.qty])).toEqual([
      ['AAA', 20],
      ['BBB', 46],
    ]);
  });

  it('order asc; ties go by universe order', () => {
    // close asc: BBB 10 and CCC 10 tie (BBB first in the universe), AAA 20 last. top 1 → BBB: floor(1000 / 10) = 100.
    const r = run(
      pf('AAA, BBB, CCC', `  rank: { by: close, order: asc }
  select: { top: 1 }
  rebalance: { every: daily }`),
      { AAA: [flat(20), flat(20)], BBB: [flat(10), flat(10)], CCC: [flat(10), flat(10)] },
    );
    expect(r.fills.map((f) => [f.symbol, f.qty])).toEqual([['BBB', 100]]);
  });

  it('drift_threshold skips trades whose weight change is smaller', () => {
    // Equal 1/2 each, daily. Bar 1 opens at 10: 50 AAA, 50 BBB (cash 0). AAA opens bar 2 at 11: equity 1050,
    // targets AAA floor(525 / 11) = 47 (sell 3, Δw = 33 / 1050 = 3.1 %), BBB floor(525 / 10) = 52 (buy 2, Δw = 1.9 %).
    // drift_threshold 0.025: only the AAA sale happens. Without a threshold, both.
    const rows = { AAA: [flat(10), flat(10), flat(11)], BBB: [flat(10), flat(10), flat(10)] };
    const body = (drift: string) => `  rank: { by: close }
  select: { top: 2 }
  rebalance: { every: daily${drift} }`;
    const withDrift = run(pf('AAA, BBB', body(', drift_threshold: 0.025')), rows);
    expect(withDrift.fills.filter((f) => f.ts === at(2)).map((f) => [f.symbol, f.side, f.qty])).toEqual([['AAA', 'sell', 3]]);
    const without = run(pf('AAA, BBB', body('')), rows);
    expect(without.fills.filter((f) => f.ts === at(2)).map((f) => [f.symbol, f.side, f.qty])).toEqual([
      ['AAA', 'sell', 3],
      ['BBB', 'buy', 2],
    ]);
  });

  it('drift_threshold applies with fill: close too', () => {
    // The same path executed at the closes (market-on-close): close 0 buys 50 + 50 at 10; close 2 (AAA 11, equity 1050)
    // wants AAA 47 (sell 3, Δw 3.1 %) and BBB 52 (buy 2, Δw 1.9 % < 2.5 %): only the AAA sale may happen.
    const r = run(
      pf('AAA, BBB', `  rank: { by: close }
  select: { top: 2 }
  rebalance: { every: daily, drift_threshold: 0.025 }
execution: { fill: close }`),
      { AAA: [flat(10), flat(10), flat(11)], BBB: [flat(10), flat(10), flat(10)] },
    );
    expect(r.fills.filter((f) => f.ts === at(0)).map((f) => [f.symbol, f.side, f.qty])).toEqual([
      ['AAA', 'buy', 50],
      ['BBB', 'buy', 50],
    ]);
    expect(r.fills.filter((f) => f.ts === at(2)).map((f) => [f.symbol, f.side, f.qty])).toEqual([['AAA', 'sell', 3]]);
  });

  it('weekly on the first trading bar: decided at that close (Tuesday when Monday is missing)', () => {
    // Weekdays 2024-03-04 … 2024-03-22 without Monday 03-11 (a holiday). Decisions: Mon 03-04 (the first bar),
    // Tue 03-12 (first bar of its week) and Mon 03-18.
    const days = weekdays(Date.UTC(2024, 2, 4), Date.UTC(2024, 2, 22)).filter((t) => t !== Date.UTC(2024, 2, 11));
    const r = runOn(
      compile(pf('AAA', `  rank: { by: close }
  select: { top: 1 }
  rebalance: { every: weekly, on: first }`)),
      ['AAA'],
      [seriesAt('AAA', days, days.map(() => flat(10)))],
      { initialCash: 1000 },
    );
    const decided = r.log.filter((e) => e.type === 'Decision' && e.action === 'rebalance').map((e) => iso(e.ts).slice(0, 10));
    expect(decided).toEqual(['2024-03-04', '2024-03-12', '2024-03-18']);
  });
});

// ——— multiple timeframes —————————————————————————————————————————————————————————————

/** The base-timeframe (aligned) slot through which the rules read a coarse signal. */
function alignedSlot(plan: ReturnType<typeof compile>, signal: string): string {
  const ref = plan.signals[signal];
  const node = plan.nodes.find((n) => n.op === 'align' && n.inputs[0] === ref);
  if (!node) throw new Error(`no align node reads ${signal} (${ref})`);
  return node.id;
}

/**
 * Steps a SignalEngine over one symbol's bars; returns the value of each slot after each bar.
 * `nextSession` is the calendar's next bar time (default: the next bar in the data, i.e. a
 * calendar with exactly these sessions, like a weekday-only equity calendar).
 */
function trace(plan: ReturnType<typeof compile>, s: ReturnType<typeof seriesAt>, slots: readonly string[], nextSession?: (t: number) => number): number[][] {
  const eng = new SignalEngine(plan, ['AAA']);
  const idx = slots.map((x) => eng.slot(x));
  const rows = new Int32Array(1);
  const cols = [{ fields: [s.open, s.high, s.low, s.close, s.volume] as const }];
  const out: number[][] = [];
  for (let i = 0; i < s.length; i++) {
    rows[0] = i;
    eng.clock[0] = s.ts[i]!;
    eng.clock[1] = nextSession ? nextSession(s.ts[i]!) : i + 1 < s.length ? s.ts[i + 1]! : Number.NaN;
    eng.step(rows, cols);
    out.push(idx.map((k) => eng.values(0)[k]!));
  }
  return out;
}

describe('multiple timeframes: a coarse bar is visible only once it has closed', () => {
  const MTF = (base: string, coarse: string) => `strata: strategy/v1
name: fixture
universe: [AAA]
timeframe: ${base}
timeframes: [${coarse}]
feeds: { bars: test }
signals:
  cclose: close@${coarse}
  chigh: high@${coarse}
entry:
  long: close > cclose and high < chigh
sizing: { kind: cash_fraction, value: 1 }`;

  // Three UTC days of hourly bars. Bar h of day d: open = close = 100·(d+1) + h, high = close + 0.5, low = close − 0.5.
  const D1 = Date.UTC(2024, 2, 4);
  const hourly = (skip: (d: number, h: number) => boolean = () => false) => {
    const ts: number[] = [];
    const rows: Row[] = [];
    for (let d = 0; d < 3; d++)
      for (let h = 0; h < 24; h++) {
        if (skip(d, h)) continue;
        const c = 100 * (d + 1) + h;
        ts.push(D1 + d * DAY + h * HOUR);
        rows.push([c, c + 0.5, c - 0.5, c, 10]);
      }
    return seriesAt('AAA', ts, rows, '1h');
  };

  it('1h base, @1d: the daily close/high appear exactly at the close of the 23:00 bar, never earlier', () => {
    const plan = compile(MTF('1h', '1d'));
    const s = hourly();
    const v = trace(plan, s, [alignedSlot(plan, 'cclose'), alignedSlot(plan, 'chigh')]);
    for (let i = 0; i < s.length; i++) {
      const t = s.ts[i]!;
      const day = Math.floor((t - D1) / DAY); // 0, 1, 2
      const hour = (t - D1 - day * DAY) / HOUR;
      // The most recent daily bar closed at or before this bar's close (t + 1h).
      const closedDay = hour === 23 ? day : day - 1;
      if (closedDay < 0) {
        expect(v[i]![0], `${iso(t)}: no daily bar has closed yet`).toBeNaN();
        expect(v[i]![1]).toBeNaN();
      } else {
        // Daily close = the 23:00 close = 100·(d+1) + 23; daily high = that + 0.5.
        expect(v[i]![0], iso(t)).toBe(100 * (closedDay + 1) + 23);
        expect(v[i]![1], iso(t)).toBe(100 * (closedDay + 1) + 23.5);
      }
    }
  });

  it('1h base, @1d: an entry on a daily condition is decided at the 23:00 close, not on the partial day', () => {
    // Rule: close@1d > 105 (the 1d close) and close > 0. Day 1's hourly closes pass 105 from 06:00 on;
    // a rule that peeked at the unfinished day would fire at 06:00. The day closes at 23:00's close → entry
    // decided there, filled at 00:00 of day 2.
    const plan = compile(`strata: strategy/v1
name: fixture
universe: [AAA]
timeframe: 1h
timeframes: [1d]
feeds: { bars: test }
entry:
  long: close@1d > 105 and close > 0
sizing: { kind: cash_fraction, value: 1 }`);
    const r = runOn(plan, ['AAA'], [hourly()], { initialCash: 10_000 });
    const entries = r.log.filter((e) => e.type === 'Decision' && e.action === 'enter_long');
    expect(iso(entries[0]!.ts)).toBe(iso(D1 + 23 * HOUR));
    expect(iso(r.fills[0]!.ts)).toBe(iso(D1 + DAY));
  });

  it('1h base, @1d, with the 23:00 bar missing: the day becomes visible at the next bar, never before', () => {
    // Day 1 has no 23:00 bar (an outage). The daily bar (close = the 22:00 close, 122) is complete
    // only when a bar of day 2 arrives: visible from the close of day 2's 00:00 bar, not at 22:00.
    const plan = compile(MTF('1h', '1d'));
    const s = hourly((d, h) => d === 0 && h === 23);
    // A 24/7 calendar expects the 23:00 bar; its absence is an outage nobody knew in advance.
    const v = trace(plan, s, [alignedSlot(plan, 'cclose')], (t) => t + HOUR);
    const i22 = Array.from(s.ts).indexOf(D1 + 22 * HOUR);
    const i00 = Array.from(s.ts).indexOf(D1 + DAY);
    for (let i = 0; i <= i22; i++) expect(v[i]![0]).toBeNaN();
    expect(v[i00]![0]).toBe(122);
    expect(v[i00 + 1]![0]).toBe(122);
  });

  // Three weeks of weekday bars from Mon 2024-03-04; bar k: close 10 + k, high 10.5 + k.
  // Week w (k = 5w … 5w + 4) has close 14 + 5w (its Friday close) and high 14.5 + 5w.
  const weekly = () => {
    const days = weekdays(Date.UTC(2024, 2, 4), Date.UTC(2024, 2, 22));
    return seriesAt('AAA', days, days.map((_, k) => [10 + k, 10.5 + k, 9.5 + k, 10 + k, 100] as const));
  };

  it('equities-like 1d base (weekdays only), @1w: a week is never visible before its last trading day has closed', () => {
    const plan = compile(MTF('1d', '1w'));
    const s = weekly();
    const v = trace(plan, s, [alignedSlot(plan, 'cclose'), alignedSlot(plan, 'chigh')]);
    expect(s.length).toBe(15);
    for (let k = 0; k < 15; k++) {
      const week = Math.floor(k / 5);
      const dow = k % 5; // 0 = Monday … 4 = Friday
      // Causality: on Mon–Thu the current, unfinished week is never visible — only the previous one (or nothing).
      if (dow < 4) {
        if (week === 0) expect(v[k]![0], iso(s.ts[k]!)).toBeNaN();
        else {
          expect(v[k]![0], iso(s.ts[k]!)).toBe(14 + 5 * (week - 1));
          expect(v[k]![1], iso(s.ts[k]!)).toBe(14.5 + 5 * (week - 1));
        }
      }
      // Never anything from the future: a visible weekly close is always a close already seen.
      if (v[k]![0] === v[k]![0]) expect(v[k]![0]).toBeLessThanOrEqual(10 + k);
    }
  });

  it('equities-like 1d base, @1w: the week becomes visible at the close of its last trading bar (Friday), as a day does at 23:00', () => {
    // The next bar after Friday is Monday — the next week; the trading calendar is known ahead (the same knowledge
    // that makes "last trading bar of the period" rebalances possible). So at Friday's close the week is complete:
    // week 0 (close 14, high 14.5) is visible at k = 4, week 1 (19, 19.5) at k = 9. A weekly signal that only
    // appears at Monday's close trades a whole bar late (Tuesday's open) on every equity calendar.
    const plan = compile(MTF('1d', '1w'));
    const v = trace(plan, weekly(), [alignedSlot(plan, 'cclose'), alignedSlot(plan, 'chigh')]);
    expect([v[4]![0], v[4]![1]]).toEqual([14, 14.5]);
    expect([v[9]![0], v[9]![1]]).toEqual([19, 19.5]);
  });

  it('equities-like 1d base, @1M: a month becomes visible at the close of its last trading day, whether the month ends on a weekday or a weekend', () => {
    // Weekdays 2024-10-01 … 2024-12-06. October ends on Thursday 10-31 (that bar closes 11-01 00:00, the month's
    // end); November ends on Saturday 11-30, so its last trading bar is Friday 11-29 (it closes 11-30 00:00).
    // Both months are complete at their last trading bar's close; visibility must not depend on the weekday.
    const plan = compile(MTF('1d', '1M'));
    const days = weekdays(Date.UTC(2024, 9, 1), Date.UTC(2024, 11, 6));
    const s = seriesAt('AAA', days, days.map((_, k) => [10 + k, 10.5 + k, 9.5 + k, 10 + k, 100] as const));
    const v = trace(plan, s, [alignedSlot(plan, 'cclose')]);
    const k = (y: number, m: number, d: number) => days.indexOf(Date.UTC(y, m, d));
    const oct31 = k(2024, 9, 31);
    const nov29 = k(2024, 10, 29);
    // Causality: never before the last trading day.
    expect(v[oct31 - 1]![0]).toBeNaN();
    expect(v[nov29 - 1]![0]).toBe(10 + oct31);
    // October: visible at the close of Thu 10-31.
    expect(v[oct31]![0]).toBe(10 + oct31);
    // November: visible at the close of Fri 11-29 (not only at Mon 12-02's close).
    expect(v[nov29]![0]).toBe(10 + nov29);
  });
});

describe('annualisation', () => {
  it('bars per year: 252 for daily equities, 365 for daily crypto, 8,760 for hourly crypto', () => {
    const p = (universe: string, tf: string) => periodsPerYearOf(compile(`strata: strategy/v1\nname: fixture\nuniverse: [${universe}]\ntimeframe: ${tf}\nfeeds: { bars: test }\nentry:\n  long: close > open`));
    expect(p('SPY', '1d')).toBe(252);
    expect(p('BTC/USDT', '1d')).toBe(365);
    expect(p('BTC/USDT', '1h')).toBe(8760);
  });
});
