import type { Plan } from '@strata/compiler';
import { describe, expect, it } from 'vitest';
import { createKernel, runBacktest, SeriesStream } from '@strata/kernel';
import { compile as plan, DAY, series as seriesFrom, type Row } from './fixtures/helpers.js';

const T0 = Date.UTC(2024, 0, 1);
const series = (symbol: string, rows: readonly Row[]) => seriesFrom(symbol, rows, T0);

const header = (extra = '') => `strata: strategy/v1
name: fixture
universe: [AAA]
timeframe: 1d
feeds: { bars: test }
${extra}`;

// A five-bar fixture: close rises on bar 1 (entry decided), falls on bar 3 (exit decided).
const BARS = [
  [10, 11, 9, 10, 1000],
  [10, 12, 10, 11, 1000],
  [12, 13, 11, 12, 1000],
  [12, 12, 9, 9.5, 1000],
  [9, 10, 8, 9.8, 1000],
] as const;

function run(p: Plan, bars: readonly Row[] = BARS, cash = 1000) {
  return runBacktest({ plan: p, stream: new SeriesStream(['AAA'], new Map([['AAA', series('AAA', bars)]])), initialCash: cash });
}

describe('backtest semantics (hand-computed fixtures, docs/backtest-semantics.md)', () => {
  it('decides at the close, fills at the next open, sizes cash_fraction in whole units including the fee', () => {
    const r = run(
      plan(
        header(`entry:
  long: close > close[1]
exit:
  long: close < close[1]
sizing: { kind: cash_fraction, value: 1 }
execution: { fee_bps: 10, slippage_bps: 0 }`),
      ),
    );
    // Entry decided at bar 1's close (11 > 10); filled at bar 2's open, 12.
    // qty = floor(1000 / (12 · 1.001)) = floor(83.25) = 83; cost 996 + fee 0.996.
    expect(r.fills[0]).toMatchObject({ ts: T0 + 2 * DAY, side: 'buy', qty: 83, price: 12 });
    expect(r.fills[0]!.fee).toBeCloseTo(0.996, 12);
    // Exit decided at bar 3's close (9.5 < 12); filled at bar 4's open, 9.
    expect(r.fills[1]).toMatchObject({ ts: T0 + 4 * DAY, side: 'sell', qty: 83, price: 9 });
    expect(r.fills[1]!.fee).toBeCloseTo(0.747, 12);
    const cash = 1000 - 996 - 0.996 + 747 - 0.747;
    expect(r.finalEquity).toBeCloseTo(cash, 9);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]!.pnl).toBeCloseTo(-249 - 0.996 - 0.747, 9);
    expect(r.trades[0]!.exitReason).toBe('signal');
    expect(r.trades[0]!.bars).toBe(2);
    // Equity is marked at every close: 1000, 1000, 3.004 + 83·12, 3.004 + 83·9.5, final cash.
    expect(Array.from(r.curve.equity).map((x) => Math.round(x * 1e6) / 1e6)).toEqual([1000, 1000, 999.004, 791.504, Math.round(cash * 1e6) / 1e6]);
  });

  it('applies slippage to the fill price and reports its cash cost', () => {
    const r = run(
      plan(
        header(`entry:
  long: close > close[1]
exit:
  long: close < close[1]
sizing: { kind: cash_fraction, value: 1 }
execution: { fee_bps: 10, slippage_bps: 10 }`),
      ),
    );
    // Buy at 12 · 1.001 = 12.012; qty = floor(1000 / (12.012 · 1.001)) = 83.
    expect(r.fills[0]!.price).toBeCloseTo(12.012, 12);
    expect(r.fills[0]!.qty).toBe(83);
    expect(r.fills[0]!.slippage).toBeCloseTo(83 * 0.012, 9);
    // Sell at 9 · 0.999 = 8.991.
    expect(r.fills[1]!.price).toBeCloseTo(8.991, 12);
  });

  it('fills a stop-loss at its level inside the bar, and at the open when the bar gaps through it', () => {
    const yaml = header(`entry:
  long: close > close[1]
exit:
  long: close < close[1]
  stop_loss: { kind: percent, value: 0.1 }
sizing: { kind: cash_fraction, value: 1 }`);
    // Entry fill at 12 ⇒ stop at 10.8. Bar 3 opens at 12 and trades down to 9: fills at 10.8.
    const inside = run(plan(yaml));
    expect(inside.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitPrice: 10.8, exitTs: T0 + 3 * DAY });
    // Bar 3 opens at 10, below the stop: the gap fills at the open.
    const gapBars = BARS.map((b, i) => (i === 3 ? ([10, 12, 9, 9.5, 1000] as const) : b));
    const gap = run(plan(yaml), gapBars);
    expect(gap.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitPrice: 10, exitTs: T0 + 3 * DAY });
  });

  it('caps fills by volume participation and expires the rest of a DAY order', () => {
    const r = run(
      plan(
        header(`entry:
  long: close > close[1]
sizing: { kind: cash_fraction, value: 1 }
execution: { max_participation: 0.05 }`),
      ),
    );
    // 5% of 1000 shares = 50 of the 83 wanted.
    expect(r.fills[0]!.qty).toBe(50);
    expect(r.orders[0]).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 50, qty: 83 });
  });

  it('is deterministic: the same inputs give byte-identical results', () => {
    const p = plan(
      header(`entry:
  long: close > close[1]
exit:
  long: close < close[1]
sizing: { kind: cash_fraction, value: 1 }
execution: { fee_bps: 10, slippage_bps: 5 }`),
    );
    const a = run(p);
    const b = run(p);
    const enc = (x: typeof a) => JSON.stringify({ ...x, curve: Array.from(x.curve.equity) });
    expect(enc(a)).toBe(enc(b));
  });
});

describe('time in force', () => {
  it('fok fills completely on its bar or not at all', () => {
    const p = plan(
      header(`entry:
  long: close > close[1]
sizing: { kind: cash_fraction, value: 1 }
execution: { max_participation: 0.05, time_in_force: fok }`),
    );
    // 83 shares wanted, 50 allowed by the volume cap: the fill-or-kill order expires unfilled.
    const r = run(p);
    expect(r.fills).toHaveLength(0);
    expect(r.orders[0]).toMatchObject({ status: 'EXPIRED', filledQty: 0, qty: 83 });
  });
});

describe('the kernel as a step function', () => {
  it('stepping createKernel bar by bar gives exactly what runBacktest gives', () => {
    const p = plan(
      header(`entry:
  long: close > close[1]
exit:
  long: close < close[1]
sizing: { kind: cash_fraction, value: 1 }
execution: { fee_bps: 10, slippage_bps: 5 }`),
    );
    const stream = () => new SeriesStream(['AAA'], new Map([['AAA', series('AAA', BARS)]]));
    const kernel = createKernel({ plan: p, stream: stream(), initialCash: 1000 });
    let steps = 0;
    while (kernel.step()) steps++;
    expect(steps).toBe(BARS.length);
    expect(kernel.step(), 'an exhausted kernel stays exhausted').toBe(false);
    const a = kernel.finish();
    const b = runBacktest({ plan: p, stream: stream(), initialCash: 1000 });
    const enc = (x: typeof a) => JSON.stringify({ ...x, curve: Array.from(x.curve.equity) });
    expect(enc(a)).toBe(enc(b));
    expect(kernel.finish(), 'finish is idempotent').toBe(a);
  });
});
