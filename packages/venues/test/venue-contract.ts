import type { OrderType, SubmitOrder } from '@strata/contract';
import { VenueError, type Venue, type VenueFill, type VenueOrder } from '@strata/order-kernel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * A venue under test plus the market it trades on. Every Venue adapter (the simulator, ccxt over
 * the emulator, …) provides one and must pass `venueContract`.
 */
export interface VenueHarness {
  readonly venue: Venue;
  /** The symbol to trade, in the form the venue reports (e.g. `BTC/USDT`). */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** The market price when the harness starts; the account holds enough quote to buy `qty` at it several times. */
  readonly price: number;
  /** An order size the venue accepts at `price`. */
  readonly qty: number;
  /** Moves the market price (resting orders it crosses fill). */
  setPrice(price: number): Promise<void>;
  /** Resolves once every update that has happened so far has been delivered to subscribers. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

let seq = 0;
/** A contract SubmitOrder with a fresh clientOrderId. */
export function submitOrder(symbol: string, fields: Partial<SubmitOrder> & Pick<SubmitOrder, 'side' | 'qty' | 'orderType'>): SubmitOrder {
  seq += 1;
  return {
    schema: 'order/v1',
    type: 'SubmitOrder',
    clientOrderId: `ct-${process.pid}-${seq}`,
    tsEvent: 1_700_000_000_000 + seq,
    seq,
    symbol,
    timeInForce: 'gtc',
    ...fields,
  };
}

async function venueError(p: Promise<unknown>): Promise<VenueError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof VenueError)) throw new Error(`expected a VenueError, got ${String(e)}`);
  return e;
}

const ALL_ORDER_TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'];

/** The venue port's contract. `factory` is called before every test for a fresh venue and market. */
export function venueContract(name: string, factory: () => Promise<VenueHarness>): void {
  describe(`Venue contract: ${name}`, () => {
    let h: VenueHarness;
    const below = () => Math.round(h.price * 0.9);
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close();
    });

    it('accepts a submit and finds the order by clientOrderId and among the open orders', async () => {
      const cmd = submitOrder(h.symbol, { side: 'buy', qty: h.qty, orderType: 'limit', limitPrice: below() });
      const placed = await h.venue.submit(cmd);
      expect(placed).toMatchObject({ clientOrderId: cmd.clientOrderId, symbol: h.symbol, side: 'buy', orderType: 'limit', qty: h.qty, filledQty: 0, limitPrice: below(), status: 'open' });
      expect(placed.avgPrice, 'nothing filled: avgPrice is NaN').toBeNaN();
      const fetched = await h.venue.fetchOrder(cmd.clientOrderId, h.symbol);
      expect(fetched?.venueOrderId, 'the same order is found by clientOrderId').toBe(placed.venueOrderId);
      const open = await h.venue.fetchOpenOrders(h.symbol);
      expect(open.map((o) => o.clientOrderId)).toContain(cmd.clientOrderId);
    });

    it('answers undefined for a clientOrderId it has never seen', async () => {
      expect(await h.venue.fetchOrder('never-sent-1', h.symbol)).toBeUndefined();
    });

    it('cancels a resting order: final view canceled, gone from the open orders', async () => {
      const cmd = submitOrder(h.symbol, { side: 'buy', qty: h.qty, orderType: 'limit', limitPrice: below() });
      await h.venue.submit(cmd);
      const done = await h.venue.cancel(cmd.clientOrderId, h.symbol);
      expect(done).toMatchObject({ clientOrderId: cmd.clientOrderId, status: 'canceled', filledQty: 0 });
      expect((await h.venue.fetchOrder(cmd.clientOrderId, h.symbol))?.status).toBe('canceled');
      expect((await h.venue.fetchOpenOrders(h.symbol)).map((o) => o.clientOrderId)).not.toContain(cmd.clientOrderId);
    });

    it('refuses to cancel an order it has never seen with not_found', async () => {
      const e = await venueError(h.venue.cancel('never-sent-2', h.symbol));
      expect(e.kind).toBe('not_found');
      expect(e.retryable).toBe(false);
    });

    it('reports each fill of a market order once, with a unique fill id, through fetchFills and subscribe', async () => {
      const updates: { order: VenueOrder; fill?: VenueFill }[] = [];
      const unsubscribe = h.venue.subscribe((u) => updates.push(u));
      try {
        const cmd = submitOrder(h.symbol, { side: 'buy', qty: h.qty, orderType: 'market' });
        const placed = await h.venue.submit(cmd);
        expect(placed.clientOrderId).toBe(cmd.clientOrderId);
        const fills = (await h.venue.fetchFills(h.symbol)).filter((f) => f.clientOrderId === cmd.clientOrderId);
        expect(fills.length).toBeGreaterThan(0);
        expect(new Set(fills.map((f) => f.fillId)).size, 'fill ids are unique').toBe(fills.length);
        expect(fills.reduce((s, f) => s + f.qty, 0)).toBeCloseTo(h.qty, 10);
        for (const f of fills) expect(f).toMatchObject({ venueOrderId: placed.venueOrderId, symbol: h.symbol, side: 'buy' });
        const again = (await h.venue.fetchFills(h.symbol)).filter((f) => f.clientOrderId === cmd.clientOrderId);
        expect(again.map((f) => f.fillId), 'fetchFills is a stable, idempotent read').toEqual(fills.map((f) => f.fillId));

        await vi.waitFor(async () => {
          await h.settle();
          expect(updates.filter((u) => u.fill?.clientOrderId === cmd.clientOrderId)).toHaveLength(fills.length);
        });
        await h.settle();
        await h.settle();
        const pushed = updates.flatMap((u) => (u.fill === undefined ? [] : [u.fill.fillId]));
        expect(pushed.sort(), 'each fill is pushed exactly once').toEqual(fills.map((f) => f.fillId).sort());
        const last = updates.filter((u) => u.order.clientOrderId === cmd.clientOrderId).at(-1);
        expect(last?.order).toMatchObject({ status: 'filled', filledQty: h.qty });
      } finally {
        unsubscribe();
      }
    });

    it('fills a resting limit order when the market crosses it, and pushes the fill and the final view', async () => {
      const updates: { order: VenueOrder; fill?: VenueFill }[] = [];
      const unsubscribe = h.venue.subscribe((u) => updates.push(u));
      try {
        const cmd = submitOrder(h.symbol, { side: 'buy', qty: h.qty, orderType: 'limit', limitPrice: below() });
        await h.venue.submit(cmd);
        await h.setPrice(below() - 1);
        await vi.waitFor(async () => {
          await h.settle();
          const view = updates.filter((u) => u.order.clientOrderId === cmd.clientOrderId).at(-1)?.order;
          expect(view).toMatchObject({ status: 'filled', filledQty: h.qty, avgPrice: below() });
        });
        const fills = updates.flatMap((u) => (u.fill?.clientOrderId === cmd.clientOrderId ? [u.fill] : []));
        expect(fills.every((f) => f.price === below()), 'a resting limit fills at its limit price').toBe(true);
        expect(fills.reduce((s, f) => s + f.qty, 0)).toBeCloseTo(h.qty, 10);
        expect((await h.venue.fetchOpenOrders(h.symbol)).map((o) => o.clientOrderId)).not.toContain(cmd.clientOrderId);
      } finally {
        unsubscribe();
      }
    });

    it('moves balances by exactly the fills and their fees', async () => {
      const amount = (bs: readonly { asset: string; total: number }[], asset: string) => bs.find((b) => b.asset === asset)?.total ?? 0;
      const before = await h.venue.fetchBalances();
      const cmd = submitOrder(h.symbol, { side: 'buy', qty: h.qty, orderType: 'market' });
      await h.venue.submit(cmd);
      const fills = (await h.venue.fetchFills(h.symbol)).filter((f) => f.clientOrderId === cmd.clientOrderId);
      const after = await h.venue.fetchBalances();
      const dBase = amount(after, h.base) - amount(before, h.base);
      const dQuote = amount(after, h.quote) - amount(before, h.quote);
      const cost = fills.reduce((s, f) => s + f.qty * f.price, 0);
      const fees = fills.reduce((s, f) => s + f.fee, 0);
      const price = cost / h.qty;
      expect(dBase, 'the base asset grows by about the filled quantity').toBeGreaterThan(h.qty * 0.98);
      // fees are in quote units: whatever asset they were charged in, the account lost exactly them
      expect(dQuote + dBase * price, 'value change at the fill price = minus the fees').toBeCloseTo(-fees, 6);
      expect(fees).toBeGreaterThanOrEqual(0);
    });

    it('refuses order types, brackets and OCO it does not support before sending anything', async () => {
      const unsupported = ALL_ORDER_TYPES.filter((t) => !h.venue.capabilities.orderTypes.includes(t));
      const attempts: SubmitOrder[] = [
        ...unsupported.map((t) => submitOrder(h.symbol, { side: 'buy', qty: h.qty, orderType: t, limitPrice: below(), stopPrice: h.price * 1.1 })),
        ...(h.venue.capabilities.bracket ? [] : [submitOrder(h.symbol, { side: 'buy', qty: h.qty, orderType: 'market', bracket: { stopLoss: below() } })]),
        ...(h.venue.capabilities.oco ? [] : [submitOrder(h.symbol, { side: 'buy', qty: h.qty, orderType: 'limit', limitPrice: below(), ocoGroup: 'g1' })]),
      ];
      expect(attempts.length, 'the venue has something it does not support').toBeGreaterThan(0);
      for (const cmd of attempts) {
        const e = await venueError(h.venue.submit(cmd));
        expect(e.kind, `${cmd.orderType}${cmd.bracket ? ' + bracket' : ''}${cmd.ocoGroup ? ' + oco' : ''}`).toBe('unsupported');
        expect(await h.venue.fetchOrder(cmd.clientOrderId, h.symbol), 'nothing landed').toBeUndefined();
      }
      if (!h.venue.capabilities.amend) {
        const e = await venueError(h.venue.amend({ schema: 'order/v1', type: 'AmendOrder', clientOrderId: 'x-1', tsEvent: 1, seq: 1, qty: 1 }, h.symbol));
        expect(e.kind).toBe('unsupported');
      }
    });
  });
}
