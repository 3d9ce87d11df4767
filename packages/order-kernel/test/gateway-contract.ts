import { ContractError, type CancelAll, type CancelOrder, type Command, type OrderEvent, type SubmitOrder } from '@strata/contract';
import type { PreTradeControls } from '../src/index.js';
import type { OrderGateway } from '../src/node/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from './support/wait.js';

/** What the contract suite needs from one gateway set-up. */
export interface GatewayHarness {
  readonly gateway: OrderGateway;
  /** A symbol the venue trades, in the contract's form (e.g. BTC/USDT), and a price near the market. */
  readonly symbol: string;
  readonly price: number;
  /** How many orders the venue holds in all, and under one clientOrderId (counted at the venue itself). */
  venueOrderCount(): Promise<number>;
  venueOrdersWithId(clientOrderId: string): Promise<number>;
  close(): Promise<void>;
}

/** The controls every harness must configure, so that pre-trade rejections are the same everywhere. */
export const CONTRACT_CONTROLS: PreTradeControls = { maxQty: 5, maxNotional: 100_000 };

/**
 * One suite for every OrderGateway implementation (in-process, cross-process): the same commands,
 * the same assertions. `factory` builds a fresh gateway (fresh log, fresh venue) configured with
 * CONTRACT_CONTROLS.
 */
export function gatewayContract(name: string, factory: () => Promise<GatewayHarness>, options: { timeoutMs?: number } = {}): void {
  describe(`OrderGateway contract: ${name}`, { timeout: options.timeoutMs ?? 30_000 }, () => {
    let h: GatewayHarness;
    let harness: GatewayHarness | undefined;
    let events: OrderEvent[];
    let stop: (() => void) | undefined;
    let seq = 0;
    const t0 = 1_767_225_600_000; // 2026-01-01
    const submit = (id: string, over: Partial<SubmitOrder> = {}): SubmitOrder => ({
      schema: 'order/v1',
      type: 'SubmitOrder',
      clientOrderId: id,
      tsEvent: t0 + seq,
      seq: seq++,
      symbol: h.symbol,
      side: 'buy',
      qty: 0.01,
      orderType: 'market',
      timeInForce: 'ioc',
      ...over,
    });
    /** A limit far below the market: it rests. */
    const resting = (id: string): SubmitOrder => submit(id, { orderType: 'limit', limitPrice: round2(h.price * 0.5), timeInForce: 'gtc' });
    const of = (id: string) => events.filter((e) => e.clientOrderId === id);
    const typesOf = (id: string) => of(id).map((e) => e.type);
    const waitType = (id: string, type: OrderEvent['type']) => waitUntil(() => typesOf(id).includes(type), () => `${type} for ${id}; got ${JSON.stringify(typesOf(id))}`);
    const state = async (id: string) => (await h.gateway.orders()).find((o) => o.clientOrderId === id)?.state;

    beforeEach(async () => {
      harness = undefined;
      stop = undefined;
      h = await factory();
      harness = h;
      events = [];
      stop = h.gateway.onEvent((e) => events.push(e));
      // A reference price, so notional checks can value market orders.
      await h.gateway.control({ type: 'MarketUpdate', tsEvent: t0, symbol: h.symbol, last: h.price });
    });
    afterEach(async () => {
      stop?.();
      await harness?.close();
    });

    it('submit → OrderSubmitted in the result, then OrderAccepted and the fill, in order', async () => {
      const r = await h.gateway.send(submit('ct-fill-1'));
      expect(r.events.map((e) => e.type)).toEqual(['OrderSubmitted']);
      expect(r.duplicate).toBeUndefined();
      await waitUntil(() => typesOf('ct-fill-1').length >= 3 || typesOf('ct-fill-1').includes('OrderRejected'), () => JSON.stringify(of('ct-fill-1')));
      expect(typesOf('ct-fill-1')).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
      const [, accepted, filled] = of('ct-fill-1');
      expect(accepted).toMatchObject({ type: 'OrderAccepted', venueOrderId: expect.any(String) });
      expect(filled).toMatchObject({ type: 'OrderFilled', symbol: h.symbol, side: 'buy', qty: 0.01, cumQty: 0.01, leavesQty: 0, fillId: expect.any(String) });
      expect(await state('ct-fill-1')).toBe('FILLED');
      expect(await h.venueOrdersWithId('ct-fill-1')).toBe(1);
    });

    it('an identical resubmit is a duplicate: the original order comes back, nothing reaches the venue', async () => {
      await h.gateway.send(submit('ct-dup-1'));
      await waitType('ct-dup-1', 'OrderFilled');
      const before = await h.venueOrderCount();
      const first = of('ct-dup-1')[0] as SubmitOrder | undefined;
      expect(first).toBeDefined();
      // Same payload, same id (tsEvent and seq are the envelope, not the payload).
      const again = await h.gateway.send({ ...submit('ct-dup-1'), seq: 999 });
      expect(again.duplicate).toMatchObject({ clientOrderId: 'ct-dup-1', order: { clientOrderId: 'ct-dup-1', state: 'FILLED', filledQty: 0.01 } });
      expect(again.events).toEqual([]);
      expect(await h.venueOrderCount()).toBe(before);
      expect(await h.venueOrdersWithId('ct-dup-1')).toBe(1);
      expect(typesOf('ct-dup-1')).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    });

    it('the same clientOrderId with another payload is a conflict; the original order is untouched', async () => {
      await h.gateway.send(resting('ct-conflict-1'));
      await waitType('ct-conflict-1', 'OrderAccepted');
      const r = await h.gateway.send({ ...resting('ct-conflict-1'), qty: 0.02 });
      expect(r.conflict?.clientOrderId).toBe('ct-conflict-1');
      expect(r.conflict?.message).toMatch(/qty/);
      expect(r.events).toEqual([]);
      expect(await state('ct-conflict-1')).toBe('ACCEPTED');
      expect(await h.venueOrdersWithId('ct-conflict-1')).toBe(1);
    });

    it('cancel → OrderCanceled with the unfilled quantity', async () => {
      await h.gateway.send(resting('ct-cancel-1'));
      await waitType('ct-cancel-1', 'OrderAccepted');
      const cancel: CancelOrder = { schema: 'order/v1', type: 'CancelOrder', clientOrderId: 'ct-cancel-1', tsEvent: t0 + seq, seq: seq++ };
      await h.gateway.send(cancel);
      await waitType('ct-cancel-1', 'OrderCanceled');
      expect(of('ct-cancel-1').at(-1)).toMatchObject({ type: 'OrderCanceled', canceledQty: 0.01 });
      expect(await state('ct-cancel-1')).toBe('CANCELED');
    });

    it('CancelAll cancels every working order and leaves done ones alone', async () => {
      await h.gateway.send(resting('ct-all-1'));
      await h.gateway.send(resting('ct-all-2'));
      await h.gateway.send(submit('ct-all-3'));
      await waitType('ct-all-1', 'OrderAccepted');
      await waitType('ct-all-2', 'OrderAccepted');
      await waitType('ct-all-3', 'OrderFilled');
      const all: CancelAll = { schema: 'order/v1', type: 'CancelAll', clientOrderId: 'ct-all-cmd', tsEvent: t0 + seq, seq: seq++ };
      await h.gateway.send(all);
      await waitType('ct-all-1', 'OrderCanceled');
      await waitType('ct-all-2', 'OrderCanceled');
      expect(await state('ct-all-1')).toBe('CANCELED');
      expect(await state('ct-all-2')).toBe('CANCELED');
      expect(await state('ct-all-3')).toBe('FILLED');
    });

    it.each([
      ['max_qty', { qty: 6 }],
      ['max_notional', { orderType: 'limit', timeInForce: 'gtc', qty: 4, limitPrice: 30_000 }],
      ['unsupported_order_type', { orderType: 'trailing_stop', trailingOffsetBps: 50, timeInForce: 'gtc' }],
    ] as const)('pre-trade rejection %s: OrderRejected with that code, nothing sent', async (code, over) => {
      const id = `ct-pre-${code}`;
      const before = await h.venueOrderCount();
      const r = await h.gateway.send(submit(id, over as Partial<SubmitOrder>));
      expect(r.events).toEqual([expect.objectContaining({ type: 'OrderRejected', clientOrderId: id, code })]);
      expect(typesOf(id)).toEqual(['OrderRejected']);
      expect(await state(id)).toBe('REJECTED');
      expect(await h.venueOrderCount()).toBe(before);
    });

    it('an invalid message is refused with the ContractError text', async () => {
      const bad = { ...submit('ct-bad-1'), qty: -1 } as Command;
      const e = await h.gateway.send(bad).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ContractError);
      expect((e as ContractError).code).toBe('invalid_message');
      expect((e as Error).message).toMatch(/invalid SubmitOrder: \/qty must be > 0/);
      const limitless = { ...submit('ct-bad-2'), orderType: 'limit' } as Command;
      await expect(h.gateway.send(limitless)).rejects.toThrow(/a limit order needs `limitPrice`/);
      expect(await state('ct-bad-1')).toBeUndefined();
    });

    it('an unknown major version is refused', async () => {
      const v2 = { ...submit('ct-v2-1'), schema: 'order/v2' } as unknown as Command;
      const e = await h.gateway.send(v2).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ContractError);
      expect((e as ContractError).code).toBe('unsupported_version');
      expect((e as Error).message).toMatch(/order\/v2 is not supported: this build speaks order\/v1 only/);
      expect(await state('ct-v2-1')).toBeUndefined();
    });
  });
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
