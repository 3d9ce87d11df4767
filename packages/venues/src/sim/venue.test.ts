import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SubmitOrder } from '@strata/contract';
import { VenueError } from '@strata/order-kernel';
import { describe, expect, it } from 'vitest';
import { SimVenue, type SimBar, type SimVenueOptions } from './venue.js';

const T0 = Date.UTC(2024, 0, 2);
const DAY = 86_400_000;
const bar = (open: number, high: number, low: number, close: number, volume = 1_000_000): SimBar => ({ open, high, low, close, volume });
const at = (symbol: string, b: SimBar) => new Map([[symbol, b]]);

let n = 0;
function order(p: Partial<SubmitOrder> & Pick<SubmitOrder, 'side' | 'qty'>): SubmitOrder {
  const base = { schema: 'order/v1', type: 'SubmitOrder', clientOrderId: p.clientOrderId ?? `t-${++n}`, tsEvent: T0, seq: 0, symbol: 'SPY', orderType: 'market', timeInForce: 'day' } as const;
  return { ...base, ...p } as SubmitOrder;
}

const OPTS: SimVenueOptions = { fill: 'next_open', feeBps: 10, slippageBps: 20, initialCash: 10_000 };

describe('SimVenue (paper venue, the backtest fill model)', () => {
  it('fills a market buy at the open plus slippage, charges the fee, and moves cash and holdings (hand-computed)', async () => {
    const v = new SimVenue(OPTS);
    const fills: number[] = [];
    v.subscribe((u) => u.fill && fills.push(u.fill.price));
    v.beginBar(T0, at('SPY', bar(100, 101, 99, 100.5)));
    const o = await v.submit(order({ side: 'buy', qty: 10 }));
    // 100 × (1 + 0.002) = 100.2; notional 1,002; fee 1.002; cash 10,000 − 1,002 − 1.002 = 8,996.998
    expect(o.status).toBe('filled');
    expect(o.avgPrice).toBeCloseTo(100.2, 12);
    expect(fills).toEqual([o.avgPrice]);
    const balances = await v.fetchBalances();
    expect(balances[0]!.asset).toBe('USD');
    expect(balances[0]!.total).toBeCloseTo(8996.998, 9);
    expect(balances.find((b) => b.asset === 'SPY')?.total).toBe(10);
  });

  it('fills a market order at the close with fill: close', async () => {
    const v = new SimVenue({ ...OPTS, fill: 'close', slippageBps: 0 });
    v.beginBar(T0, at('SPY', bar(100, 101, 99, 100.5)));
    expect((await v.submit(order({ side: 'buy', qty: 1 }))).avgPrice).toBe(100.5);
  });

  it('rests a GTC limit until a bar touches it, then fills at the better of open and limit', async () => {
    const v = new SimVenue(OPTS);
    v.beginBar(T0, at('SPY', bar(100, 101, 99, 100)));
    const o = await v.submit(order({ side: 'buy', qty: 5, orderType: 'limit', limitPrice: 98, timeInForce: 'gtc' }));
    expect(o.status).toBe('open');
    v.endBar();
    expect((await v.fetchOpenOrders()).map((x) => x.clientOrderId)).toEqual([o.clientOrderId]);
    v.beginBar(T0 + DAY, at('SPY', bar(97.5, 99, 96, 98))); // gaps below the limit: fills at the open
    const after = await v.fetchOrder(o.clientOrderId);
    expect(after?.status).toBe('filled');
    expect(after?.avgPrice).toBe(97.5);
  });

  it('expires what a day order leaves unfilled at the end of its bar', async () => {
    const v = new SimVenue(OPTS);
    const updates: string[] = [];
    v.subscribe((u) => updates.push(u.order.status));
    v.beginBar(T0, at('SPY', bar(100, 101, 99, 100)));
    await v.submit(order({ side: 'buy', qty: 5, orderType: 'limit', limitPrice: 95 }));
    v.endBar();
    expect(updates).toEqual(['open', 'expired']);
    expect(await v.fetchOpenOrders()).toEqual([]);
  });

  it('triggers a sell stop at its level inside the bar, and at the open on a gap (plus slippage)', async () => {
    const v = new SimVenue({ ...OPTS, slippageBps: 0, feeBps: 0 });
    v.beginBar(T0, at('SPY', bar(100, 101, 99, 100)));
    await v.submit(order({ side: 'buy', qty: 2 }));
    const inside = await v.submit(order({ side: 'sell', qty: 1, orderType: 'stop', stopPrice: 99.5 }));
    expect(inside.avgPrice).toBe(99.5);
    v.endBar();
    v.beginBar(T0 + DAY, at('SPY', bar(95, 96, 94, 95)));
    const gap = await v.submit(order({ side: 'sell', qty: 1, orderType: 'stop', stopPrice: 99 }));
    expect(gap.avgPrice).toBe(95);
  });

  it('caps each bar by volume participation (partial fills), and fill-or-kill fills all or nothing', async () => {
    const v = new SimVenue({ ...OPTS, maxParticipation: 0.01, initialCash: 1_000_000 });
    v.beginBar(T0, at('SPY', bar(100, 101, 99, 100, 1_000)));
    const partial = await v.submit(order({ side: 'buy', qty: 25, timeInForce: 'gtc' }));
    expect(partial.filledQty).toBe(10);
    expect(partial.status).toBe('open');
    v.endBar();
    v.beginBar(T0 + DAY, at('SPY', bar(100, 101, 99, 100, 1_000)));
    expect((await v.fetchOrder(partial.clientOrderId))?.filledQty).toBe(20);
    const fok = await v.submit(order({ side: 'buy', qty: 25, timeInForce: 'fok' }));
    expect(fok.status).toBe('expired');
    expect(fok.filledQty).toBe(0);
  });

  it('never spends more cash than it has on a buy (whole units, fee included)', async () => {
    const v = new SimVenue({ ...OPTS, initialCash: 1_000, slippageBps: 0 });
    v.beginBar(T0, at('SPY', bar(100, 101, 99, 100)));
    // 1,000 / (100 × 1.001) = 9.99 → 9 units
    const o = await v.submit(order({ side: 'buy', qty: 50, timeInForce: 'ioc' }));
    expect(o.filledQty).toBe(9);
    expect(o.status).toBe('expired');
  });

  it('refuses what it does not support, before doing anything', async () => {
    const v = new SimVenue(OPTS);
    v.beginBar(T0, at('SPY', bar(100, 101, 99, 100)));
    await expect(v.submit(order({ side: 'buy', qty: 1, orderType: 'trailing_stop', trailingOffsetBps: 50 }))).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(v.submit(order({ side: 'buy', qty: 1, bracket: { stopLoss: 90 } }))).rejects.toBeInstanceOf(VenueError);
    expect(await v.fetchOpenOrders()).toEqual([]);
  });

  it('answers a repeated clientOrderId with the original order (no second execution)', async () => {
    const v = new SimVenue(OPTS);
    v.beginBar(T0, at('SPY', bar(100, 101, 99, 100)));
    const o = order({ side: 'buy', qty: 3, clientOrderId: 'same-id' });
    const a = await v.submit(o);
    const b = await v.submit(o);
    expect(b).toEqual(a);
    expect(await v.fetchFills('SPY')).toHaveLength(1);
  });

  it('cancels and amends working orders; unknown ids are not_found', async () => {
    const v = new SimVenue(OPTS);
    v.beginBar(T0, at('SPY', bar(100, 101, 99, 100)));
    const o = await v.submit(order({ side: 'buy', qty: 3, orderType: 'limit', limitPrice: 90, timeInForce: 'gtc' }));
    const amended = await v.amend({ schema: 'order/v1', type: 'AmendOrder', clientOrderId: o.clientOrderId, tsEvent: T0, seq: 1, limitPrice: 91, qty: 4 }, 'SPY');
    expect(amended).toMatchObject({ limitPrice: 91, qty: 4, status: 'open' });
    expect((await v.cancel(o.clientOrderId, 'SPY')).status).toBe('canceled');
    await expect(v.cancel('nope', 'SPY')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('persists its state atomically and restores it exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-venue-'));
    const statePath = join(dir, 'sim.json');
    const a = SimVenue.open({ ...OPTS, statePath });
    a.beginBar(T0, at('SPY', bar(100, 101, 99, 100)));
    await a.submit(order({ side: 'buy', qty: 7 }));
    await a.submit(order({ side: 'buy', qty: 1, orderType: 'limit', limitPrice: 90, timeInForce: 'gtc', clientOrderId: 'resting' }));
    const b = SimVenue.open({ ...OPTS, statePath });
    expect(b.state()).toEqual(a.state());
    expect(JSON.parse(readFileSync(statePath, 'utf8')).schema).toBe('strata.sim-venue/v1');
    // The resting order survives and fills on the next bar.
    b.beginBar(T0 + DAY, at('SPY', bar(89, 92, 88, 91)));
    expect((await b.fetchOrder('resting'))?.status).toBe('filled');
  });

  it('reports a corrupt state file clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-venue-'));
    const statePath = join(dir, 'sim.json');
    writeFileSync(statePath, '{"schema": "strata.sim-venue/v1", ');
    expect(() => SimVenue.open({ ...OPTS, statePath })).toThrow(/not valid JSON.*delete it to start flat/);
  });

  it('has no market before the first bar', async () => {
    await expect(new SimVenue(OPTS).submit(order({ side: 'buy', qty: 1 }))).rejects.toThrow(/feed it a bar/);
  });
});
