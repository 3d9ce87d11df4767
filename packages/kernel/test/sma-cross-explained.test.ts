import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileSource } from '@strata/compiler';
import { createDefaultRegistry } from '@strata/feeds';
import { describe, expect, it } from 'vitest';
import { runBacktest, SeriesStream } from '@strata/kernel';
import { ta } from './indicators/talib.js';

/**
 * The sma-cross example on real SPY data, explained bar by bar from docs/backtest-semantics.md
 * with an independent reference (TA-Lib's SMA): every trade must enter at the open after a close
 * where SMA10 crossed above SMA30, exit at the open after a close where it crossed below, at the
 * documented prices and quantities — and no crossover may be left without its trade.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('sma-cross on SPY, 2007–2024: every trade is explained by the documented semantics', async () => {
  const compiled = compileSource(readFileSync(`${root}examples/sma-cross.yaml`));
  const plan = compiled.plan!;
  const history = await createDefaultRegistry({ dataDir: `${root}examples/data` }).bars('equities.us.daily').history({ symbols: ['SPY'] });
  const spy = history.series.get('SPY')!;
  const from = Date.UTC(2007, 0, 3);
  const to = Date.UTC(2024, 11, 31);
  const result = runBacktest({ plan, stream: new SeriesStream(['SPY'], history.series), initialCash: 100_000, from, to });

  // Independent reference: TA-Lib SMAs on the same (total-return adjusted) closes.
  const close = spy.close.subarray(0, spy.length);
  const fast = ta('SMA', { inReal: close }, { optInTimePeriod: 10 }).outputs[0]!;
  const slow = ta('SMA', { inReal: close }, { optInTimePeriod: 30 }).outputs[0]!;
  const crossUp = (i: number) => i > 0 && fast[i - 1]! <= slow[i - 1]! && fast[i]! > slow[i]!;
  const crossDown = (i: number) => i > 0 && fast[i - 1]! >= slow[i - 1]! && fast[i]! < slow[i]!;
  const index = new Map<number, number>();
  for (let i = 0; i < spy.length; i++) index.set(spy.ts[i]!, i);
  const slip = plan.execution.slippageBps / 10_000;
  const fee = plan.execution.feeBps / 10_000;

  it('trades at all', () => {
    expect(result.trades.length).toBeGreaterThan(50);
  });

  it('enters at the open after a cross above, with cash_fraction sizing in whole shares', () => {
    for (const t of result.trades) {
      const i = index.get(t.entryTs)!;
      expect(crossUp(i - 1), `entry ${new Date(t.entryTs).toISOString()} follows a cross above at the previous close`).toBe(true);
      expect(t.entryPrice).toBeCloseTo(spy.open[i]! * (1 + slip), 9);
    }
    // The first fill: the whole cash at the fill price, rounded down, fee included.
    const f = result.fills[0]!;
    expect(f.qty).toBe(Math.floor(100_000 / (f.price * (1 + fee))));
  });

  it('exits at the open after a cross below', () => {
    for (const t of result.trades) {
      const i = index.get(t.exitTs)!;
      expect(crossDown(i - 1), `exit ${new Date(t.exitTs).toISOString()} follows a cross below at the previous close`).toBe(true);
      expect(t.exitPrice).toBeCloseTo(spy.open[i]! * (1 - slip), 9);
      expect(t.exitReason).toBe('signal');
    }
  });

  it('misses no crossover inside the window (flat ⇒ every cross above enters; long ⇒ every cross below exits)', () => {
    const entries = new Set(result.trades.map((t) => t.entryTs));
    const exits = new Set(result.trades.map((t) => t.exitTs));
    const open = result.openPositions.map((p) => p.entryTs);
    let long = false;
    const first = index.get(spy.ts.find((x) => x >= from)!)!;
    for (let i = first; i < spy.length - 1 && spy.ts[i + 1]! <= to; i++) {
      const next = spy.ts[i + 1]!;
      if (!long && crossUp(i)) {
        expect(entries.has(next) || open.includes(next), `cross above at ${new Date(spy.ts[i]!).toISOString()} is traded`).toBe(true);
        long = true;
      } else if (long && crossDown(i)) {
        expect(exits.has(next), `cross below at ${new Date(spy.ts[i]!).toISOString()} is traded`).toBe(true);
        long = false;
      }
    }
  });

  it('accounts to the cent: final equity = cash + position marked at the last close', () => {
    let cash = 100_000;
    let qty = 0;
    for (const f of result.fills) {
      const signed = f.side === 'buy' ? f.qty : -f.qty;
      cash -= signed * f.price + f.fee;
      qty += signed;
    }
    const last = index.get(result.curve.ts[result.curve.length - 1]!)!;
    expect(result.finalEquity).toBeCloseTo(cash + qty * spy.close[last]!, 6);
  });
});
