import { ContractError, type OrderEvent, type SubmitOrder } from '@strata/contract';
import { describe, expect, it } from 'vitest';
import { applyMessage, foldOrder, OrderStateError } from '../fsm.js';
import { OrderKernelError } from './errors.js';
import { OrderKernel } from './kernel.js';
import {
  accepted,
  amend,
  amended,
  cancel,
  cancelAll,
  canceled,
  clock,
  config,
  eventsOf,
  filled,
  kill,
  last,
  logsOf,
  quote,
  rejected,
  rejectionOf,
  shape,
  submit,
  T,
  venueOf,
  type SubmitOver,
} from './test-support.js';
import { COMMAND_REJECT_CODES, PRETRADE_REJECT_CODES, type KernelInput, type KernelOutput, type OrderKernelConfig, type OrderLogRecord, type PreTradeControls } from './types.js';

/** Feeds inputs in order; returns every step's outputs and the log so far. */
function run(k: OrderKernel, inputs: readonly KernelInput[]): { outs: KernelOutput[][]; log: OrderLogRecord[] } {
  const outs = inputs.map((i) => [...k.step(i)]);
  return { outs, log: outs.flatMap(logsOf) };
}

const json = (k: OrderKernel): string => JSON.stringify(k.snapshot());

describe('a submit', () => {
  it('logs the input and the decision before the venue command and the OrderSubmitted event it causes', () => {
    const k = new OrderKernel(config());
    const outs = k.step(submit('a'));
    expect(shape(outs)).toEqual(['log:input', 'log:venue', 'log:event', 'venue:SubmitOrder', 'event:OrderSubmitted']);
    expect(logsOf(outs).map((r) => r.n)).toEqual([0, 1, 2]);
    expect(venueOf(outs)[0]).toMatchObject({ type: 'SubmitOrder', clientOrderId: 'a' });
    expect(eventsOf(outs)[0]).toMatchObject({ type: 'OrderSubmitted', clientOrderId: 'a', symbol: 'SPY', tsEvent: T, seq: 0 });
    expect(k.order('a')).toMatchObject({ state: 'SUBMITTED', qty: 100, filledQty: 0 });
  });

  it('runs through accept, a partial and a final fill; venue events are forwarded, the order leaves the open list', () => {
    const k = new OrderKernel(config());
    const { outs } = run(k, [submit('a'), accepted('a'), filled('a', 'f1', 40, 100), filled('a', 'f2', 60, 101, T, { cumQty: 100 })]);
    expect(outs.slice(1).map(shape)).toEqual([
      ['log:input', 'event:OrderAccepted'],
      ['log:input', 'event:OrderFilled'],
      ['log:input', 'event:OrderFilled'],
    ]);
    expect(k.order('a')).toMatchObject({ state: 'FILLED', filledQty: 100, fillIds: ['f1', 'f2'] });
    expect(k.order('a')!.avgPrice).toBeCloseTo((40 * 100 + 60 * 101) / 100, 12);
    expect(k.openOrders()).toEqual([]);
    expect(k.orders().map((o) => o.clientOrderId)).toEqual(['a']);
  });

  it('a duplicate fill report is logged but neither forwarded nor counted', () => {
    const k = new OrderKernel(config());
    run(k, [submit('a'), accepted('a'), filled('a', 'f1', 40)]);
    const outs = k.step(filled('a', 'f1', 40));
    expect(shape(outs)).toEqual(['log:input']);
    expect(k.order('a')).toMatchObject({ state: 'PARTIALLY_FILLED', filledQty: 40 });
  });

  it('a fill that races a cancel is kept and forwarded; a complete late fill makes the order FILLED', () => {
    const k = new OrderKernel(config());
    run(k, [submit('a'), accepted('a'), cancel('a'), canceled('a', 100)]);
    expect(k.order('a')!.state).toBe('CANCELED');
    expect(shape(k.step(filled('a', 'f1', 30)))).toEqual(['log:input', 'event:OrderFilled']);
    expect(k.order('a')).toMatchObject({ state: 'CANCELED', filledQty: 30, lateFills: 1 });
    k.step(filled('a', 'f2', 70, 100, T, { cumQty: 100 }));
    expect(k.order('a')).toMatchObject({ state: 'FILLED', filledQty: 100, lateFills: 2 });
  });
});

describe('validation at the boundary: the caller’s bug is refused whole', () => {
  it.each<[string, unknown, RegExp]>([
    ['a limit order without a limit price', { ...submit('a'), limitPrice: undefined }, /a limit order needs `limitPrice`/],
    ['a negative qty', submit('a', { qty: -1 }), /\/qty must be > 0/],
    ['an unknown field', { ...submit('a'), venue: 'x' }, /unknown field `venue`/],
    ['order/v2', { ...submit('a'), schema: 'order/v2' }, /order\/v2 is not supported/],
    ['an unknown input type', { type: 'Teleport', tsEvent: T }, /unknown kernel input type "Teleport"/],
    ['a crossed quote', { type: 'MarketUpdate', tsEvent: T, symbol: 'SPY', bid: 101, ask: 100 }, /bid 101 is above ask 100/],
    ['a MarketUpdate without prices', { type: 'MarketUpdate', tsEvent: T, symbol: 'SPY' }, /needs at least one of last, bid, ask/],
    ['a Clock with a fractional time', { type: 'Clock', tsEvent: 1.5 }, /tsEvent must be an integer/],
    ['a KillSwitch without reason', { type: 'KillSwitch', tsEvent: T, engaged: true, cancelAll: false }, /missing `reason`/],
    ['a StartAlgo with a bad child', { type: 'StartAlgo', tsEvent: T, parentId: 'p', algo: 'twap', child: { ...submit('c'), qty: 0 }, slices: 2, everyMs: 1000 }, /\/child\/qty must be > 0/],
    ['a vwap without profile', { type: 'StartAlgo', tsEvent: T, parentId: 'p', algo: 'vwap', child: submit('c'), slices: 2, everyMs: 1000 }, /needs a `profile`/],
    ['a profile of the wrong length', { type: 'StartAlgo', tsEvent: T, parentId: 'p', algo: 'vwap', child: submit('c'), slices: 2, everyMs: 1000, profile: [1] }, /1 weights for 2 slices/],
    ['a Requote with a negative offset', { type: 'Requote', tsEvent: T, clientOrderId: 'a', everyMs: 1000, offsetBps: -1 }, /offsetBps must be a number in \[0, 10000\]/],
  ])('%s → ContractError, nothing applied, nothing numbered', (_why, input, message) => {
    const k = new OrderKernel(config());
    k.step(submit('first'));
    const before = json(k);
    expect(() => k.step(input as KernelInput)).toThrow(ContractError);
    expect(() => k.step(input as KernelInput)).toThrow(message);
    expect(json(k)).toBe(before);
    expect(logsOf(k.step(clock(T)))[0]!.n).toBe(3); // the log continues gap-free
  });
});

describe('illegal venue events throw OrderStateError and change nothing', () => {
  it.each<[string, KernelInput[], KernelInput, RegExp]>([
    ['a fill for an unknown order', [], filled('x', 'f1', 10), /no order x: OrderFilled/],
    ['a second OrderAccepted', [submit('a'), accepted('a')], accepted('a'), /ACCEPTED --Accepted-->/],
    ['an overfill', [submit('a'), accepted('a')], filled('a', 'f1', 101, 100, T, { cumQty: 101 }), /would overfill a: 101 > 100/],
    ['a fill of the wrong symbol', [submit('a'), accepted('a')], filled('a', 'f1', 10, 100, T, { symbol: 'QQQ' }), /is QQQ buy but order a is SPY buy/],
    ['OrderSubmitted from outside', [submit('a')], { schema: 'order/v1', type: 'OrderSubmitted', clientOrderId: 'a', tsEvent: T, seq: 1, symbol: 'SPY' }, /SUBMITTED --Submitted-->/],
    ['a cancel of a filled order', [submit('a'), accepted('a'), filled('a', 'f1', 100)], cancel('a'), /cannot cancel a: it is FILLED/],
    ['a second cancel while one is pending', [submit('a'), accepted('a'), cancel('a')], cancel('a'), /cannot cancel a: it is CANCEL_PENDING/],
    ['an amend before the venue accepted', [submit('a')], amend('a', { limitPrice: 99 }), /cannot amend a: it is SUBMITTED/],
    ['an amend below the filled qty', [submit('a'), accepted('a'), filled('a', 'f1', 60)], amend('a', { qty: 50 }), /60 is already filled/],
    ['an amend of a limit price on a market order', [submit('a', { orderType: 'market', limitPrice: undefined }), accepted('a')], amend('a', { limitPrice: 99 }), /it is a market order/],
  ])('%s', (_why, setup, input, message) => {
    const k = new OrderKernel(config());
    run(k, setup);
    const before = json(k);
    let error: unknown;
    try {
      k.step(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OrderStateError);
    expect((error as Error).message).toMatch(message);
    expect(json(k)).toBe(before);
  });
});

describe('idempotent submits by clientOrderId', () => {
  it('the same id and payload (another seq and tsEvent) returns the original order and sends nothing', () => {
    const k = new OrderKernel(config());
    k.step(submit('a'));
    k.step(accepted('a'));
    const outs = k.step(submit('a', {}, T + 5));
    expect(shape(outs)).toEqual(['log:input', 'duplicate']);
    expect(outs[1]).toEqual({ kind: 'duplicate', clientOrderId: 'a', order: k.order('a') });
    expect(k.order('a')!.state).toBe('ACCEPTED');
  });

  it('the same id with another payload is a conflict that says what differs; the original is untouched', () => {
    const k = new OrderKernel(config());
    k.step(submit('a'));
    const before = k.order('a');
    const outs = k.step(submit('a', { qty: 200, limitPrice: 99.5 }));
    expect(shape(outs)).toEqual(['log:input', 'log:conflict', 'conflict']);
    const c = outs[2] as Extract<KernelOutput, { kind: 'conflict' }>;
    expect(c.message).toBe('clientOrderId a is already used by a different order (SUBMITTED): qty 100 → 200; limitPrice 100 → 99.5');
    expect(k.order('a')).toEqual(before);
  });

  it('a refused submit is the final result for its id: repeating it returns the rejected order', () => {
    const k = new OrderKernel(config({ maxQty: 10 }));
    expect(rejectionOf(k.step(submit('a')))?.code).toBe('max_qty');
    const outs = k.step(submit('a'));
    expect(shape(outs)).toEqual(['log:input', 'duplicate']);
    expect((outs[1] as Extract<KernelOutput, { kind: 'duplicate' }>).order.state).toBe('REJECTED');
  });
});

describe('venue capabilities fail fast, never emulated', () => {
  it.each<[string, SubmitOver, Partial<OrderKernelConfig['venue']['capabilities']>, string, RegExp]>([
    ['trailing stop', { orderType: 'trailing_stop', limitPrice: undefined, trailingOffsetBps: 50 }, { orderTypes: ['market', 'limit'] }, 'unsupported_order_type', /venue sim does not support trailing_stop orders \(supported: market, limit\)/],
    ['stop limit', { orderType: 'stop_limit', stopPrice: 99 }, { orderTypes: ['market', 'limit', 'stop'] }, 'unsupported_order_type', /stop_limit orders/],
    ['gtd', { timeInForce: 'gtd', expireAt: T + 1000 }, { timeInForce: ['gtc', 'day'] }, 'unsupported_time_in_force', /does not support time in force gtd \(supported: gtc, day\)/],
    ['fok', { timeInForce: 'fok' }, { timeInForce: ['gtc', 'ioc'] }, 'unsupported_time_in_force', /time in force fok/],
    ['bracket', { bracket: { takeProfit: 110, stopLoss: 95 } }, { bracket: false }, 'unsupported_bracket', /no native bracket orders/],
    ['oco', { ocoGroup: 'g1' }, { oco: false }, 'unsupported_oco', /no native one-cancels-other groups \(ocoGroup g1\)/],
  ])('%s → %s', (_why, over, caps, code, reason) => {
    const k = new OrderKernel(config({}, caps));
    const outs = k.step(submit('a', over));
    expect(shape(outs)).toEqual(['log:input', 'log:reject', 'event:OrderRejected']);
    expect(rejectionOf(outs)).toMatchObject({ code, clientOrderId: 'a' });
    expect(rejectionOf(outs)!.reason).toMatch(reason);
    expect(k.order('a')!.state).toBe('REJECTED');
  });

  it('the same features pass where the venue has them', () => {
    const k = new OrderKernel(config());
    for (const [i, over] of ([{ orderType: 'trailing_stop', limitPrice: undefined, trailingOffsetBps: 50 }, { timeInForce: 'gtd', expireAt: T + 1000 }, { bracket: { stopLoss: 95 } }, { ocoGroup: 'g' }] as SubmitOver[]).entries()) {
      expect(shape(k.step(submit(`ok${i}`, over)))).toContain('venue:SubmitOrder');
    }
  });

  it('amend without native amend is rejected unsupported_amend, and the order stays as it was', () => {
    const k = new OrderKernel(config({}, { amend: false }));
    run(k, [submit('a'), accepted('a')]);
    const outs = k.step(amend('a', { limitPrice: 99 }));
    expect(shape(outs)).toEqual(['log:input', 'log:reject', 'event:OrderRejected']);
    const r = rejectionOf(outs)!;
    expect(r.code).toBe('unsupported_amend');
    expect(r.reason).toMatch(/venue sim cannot amend orders in place: cancel a and submit a new order/);
    expect(k.order('a')!.state).toBe('ACCEPTED');
    // Upstream, the state machine reads a command rejection as a self-loop, not the order's end.
    const view = foldOrder([submit('a'), { schema: 'order/v1', type: 'OrderSubmitted', clientOrderId: 'a', tsEvent: T, seq: 0, symbol: 'SPY' }, accepted('a')])!;
    expect(applyMessage(view, r).state).toBe('ACCEPTED');
  });
});

interface ControlCase {
  readonly name: string;
  readonly controls: PreTradeControls;
  readonly setup: readonly KernelInput[];
  readonly input: KernelInput;
  readonly code: (typeof PRETRADE_REJECT_CODES)[number];
  readonly reason: string;
}

const CONTROL_CASES: readonly ControlCase[] = [
  { name: 'collar vs mid', controls: { priceCollarBps: 100 }, setup: [quote('SPY', 99.99, 100.01)], input: submit('x', { limitPrice: 101.5 }), code: 'price_collar', reason: 'limit 101.5 is 150 bps from mid 100.0; collar is 100 bps' },
  { name: 'collar vs last without a quote', controls: { priceCollarBps: 100 }, setup: [last('SPY', 200)], input: submit('x', { limitPrice: 190 }), code: 'price_collar', reason: 'limit 190.0 is 500 bps from last 200.0; collar is 100 bps' },
  { name: 'collar on a stop price', controls: { priceCollarBps: 100 }, setup: [quote('SPY', 99.99, 100.01)], input: submit('x', { orderType: 'stop', limitPrice: undefined, stopPrice: 97 }), code: 'price_collar', reason: 'stop 97.0 is 300 bps from mid 100.0; collar is 100 bps' },
  { name: 'no reference price', controls: { priceCollarBps: 100 }, setup: [], input: submit('x'), code: 'no_reference_price', reason: 'no reference price for SPY yet (no bid/ask or last): the 100 bps price collar cannot be checked' },
  { name: 'max qty', controls: { maxQty: 100 }, setup: [], input: submit('x', { qty: 150 }), code: 'max_qty', reason: 'qty 150 exceeds max qty 100' },
  { name: 'max notional at the limit', controls: { maxNotional: 10_000 }, setup: [], input: submit('x', { qty: 200 }), code: 'max_notional', reason: 'notional 20000 (qty 200 × limit 100.0) exceeds max notional 10000' },
  { name: 'max notional of a market order at mid', controls: { maxNotional: 10_000 }, setup: [quote('SPY', 120, 122)], input: submit('x', { orderType: 'market', limitPrice: undefined }), code: 'max_notional', reason: 'notional 12100 (qty 100 × mid 121.0) exceeds max notional 10000' },
  { name: 'max notional without any price', controls: { maxNotional: 10_000 }, setup: [], input: submit('x', { orderType: 'market', limitPrice: undefined }), code: 'no_reference_price', reason: 'no reference price for SPY yet (no bid/ask or last) and no limit price: max notional 10000 cannot be checked' },
  { name: 'duplicate within the window', controls: { duplicateWindowMs: 50 }, setup: [submit('a')], input: submit('x', {}, T + 5), code: 'duplicate_order', reason: 'same SPY buy 100 limit limit 100.0 as a sent 5 ms ago; duplicate window is 50 ms' },
  { name: 'global throttle', controls: { throttle: { global: { limit: 2, windowMs: 1000 } } }, setup: [submit('a'), submit('b', { symbol: 'QQQ' })], input: submit('x', { symbol: 'IWM' }, T + 999), code: 'throttle_global', reason: '2 orders and amends in the last 1000 ms; the limit is 2 per 1000 ms' },
  { name: 'per-symbol throttle', controls: { throttle: { perSymbol: { limit: 1, windowMs: 1000 } } }, setup: [submit('a')], input: submit('x', { qty: 5 }, T + 10), code: 'throttle_symbol', reason: '1 orders and amends for SPY in the last 1000 ms; the limit is 1 per 1000 ms' },
  { name: 'cancel-replace loop', controls: { amendLoop: { maxAmends: 1, windowMs: 1000 } }, setup: [submit('a'), accepted('a'), cancel('a'), submit('b', { qty: 2 }), accepted('b'), cancel('b')], input: submit('x', { qty: 3 }), code: 'cancel_replace_loop', reason: '1 cancel-replaces of SPY buy within 1000 ms; the guard allows 1 per 1000 ms' },
  { name: 'kill switch', controls: {}, setup: [kill(true, false)], input: submit('x'), code: 'kill_switch', reason: 'kill switch engaged: risk limit' },
];

describe('pre-trade controls: each refusal has its code and says the numbers', () => {
  it.each(CONTROL_CASES)('$name → $code', ({ controls, setup, input, code, reason }) => {
    const k = new OrderKernel(config(controls));
    run(k, setup);
    const outs = k.step(input);
    expect(shape(outs)).toEqual(['log:input', 'log:reject', 'event:OrderRejected']);
    expect(rejectionOf(outs)).toMatchObject({ code, reason, clientOrderId: 'x' });
    expect(k.order('x')!.state).toBe('REJECTED');
    expect(venueOf(outs)).toEqual([]);
  });

  it('every submit-refusing code is exercised above, and every code is unique', () => {
    const submitCodes = PRETRADE_REJECT_CODES.filter((c) => !(COMMAND_REJECT_CODES as readonly string[]).includes(c) && !c.startsWith('unsupported_'));
    expect(new Set(CONTROL_CASES.map((c) => c.code))).toEqual(new Set(submitCodes));
    expect(new Set(PRETRADE_REJECT_CODES).size).toBe(PRETRADE_REJECT_CODES.length);
  });

  it('orders inside the limits pass every control', () => {
    const k = new OrderKernel(config({ priceCollarBps: 100, maxQty: 1000, maxNotional: 1e6, duplicateWindowMs: 50, throttle: { global: { limit: 10, windowMs: 1000 }, perSymbol: { limit: 10, windowMs: 1000 } }, amendLoop: { maxAmends: 3, windowMs: 1000 } }));
    k.step(quote('SPY', 99.99, 100.01));
    expect(shape(k.step(submit('a', { limitPrice: 100.99 })))).toContain('venue:SubmitOrder');
    expect(shape(k.step(submit('b', { limitPrice: 99.01 })))).toContain('venue:SubmitOrder');
  });

  it('windows slide: the duplicate window and the throttle free up as time passes', () => {
    const k = new OrderKernel(config({ duplicateWindowMs: 50, throttle: { global: { limit: 1, windowMs: 1000 } } }));
    k.step(submit('a'));
    expect(rejectionOf(k.step(submit('b', {}, T + 5)))?.code).toBe('duplicate_order');
    expect(rejectionOf(k.step(submit('c', { qty: 1 }, T + 999)))?.code).toBe('throttle_global');
    expect(shape(k.step(submit('d', {}, T + 1000)))).toContain('venue:SubmitOrder'); // 1000 ms after a: out of both windows
    expect(rejectionOf(k.step(submit('e', { qty: 2 }, T + 1999)))?.code).toBe('throttle_global'); // d is in the window now
  });

  it('refused submits do not count toward the throttles', () => {
    const k = new OrderKernel(config({ maxQty: 100, throttle: { global: { limit: 1, windowMs: 1000 } } }));
    expect(rejectionOf(k.step(submit('big', { qty: 500 })))?.code).toBe('max_qty');
    expect(shape(k.step(submit('ok')))).toContain('venue:SubmitOrder');
  });

  it('the cancel throttle refuses an upstream cancel as a command rejection: the order keeps working', () => {
    const k = new OrderKernel(config({ throttle: { cancels: { limit: 1, windowMs: 1000 } } }));
    run(k, [submit('a'), accepted('a'), submit('b', { qty: 5 }), accepted('b'), cancel('a')]);
    const outs = k.step(cancel('b', T + 10));
    expect(rejectionOf(outs)).toMatchObject({ code: 'throttle_cancels', clientOrderId: 'b', reason: 'CancelOrder refused: 1 cancels in the last 1000 ms; the limit is 1 per 1000 ms' });
    expect(k.order('b')!.state).toBe('ACCEPTED');
    expect(venueOf(outs)).toEqual([]);
  });

  it('the amend-loop guard refuses the amend over the limit', () => {
    const k = new OrderKernel(config({ amendLoop: { maxAmends: 2, windowMs: 1000 } }));
    run(k, [submit('a'), accepted('a'), amend('a', { limitPrice: 99 }), amend('a', { limitPrice: 98 }, T + 100)]);
    const outs = k.step(amend('a', { limitPrice: 97 }, T + 200));
    expect(rejectionOf(outs)).toMatchObject({ code: 'amend_loop', reason: '2 amends of a within 1000 ms; the guard allows 2 per 1000 ms' });
    expect(k.order('a')!.state).toBe('ACCEPTED');
    expect(venueOf(k.step(amend('a', { limitPrice: 97 }, T + 1000)))).toHaveLength(1); // the first amend left the window
  });

  it('an amend goes through the price and size controls (amend_refused names the control)', () => {
    const k = new OrderKernel(config({ priceCollarBps: 100, maxQty: 150 }));
    run(k, [quote('SPY', 99.99, 100.01), submit('a'), accepted('a')]);
    expect(rejectionOf(k.step(amend('a', { limitPrice: 103 })))).toMatchObject({ code: 'amend_refused', reason: 'AmendOrder refused by price_collar: limit 103.0 is 300 bps from mid 100.0; collar is 100 bps' });
    expect(rejectionOf(k.step(amend('a', { qty: 200 })))).toMatchObject({ code: 'amend_refused', reason: 'AmendOrder refused by max_qty: qty 200 exceeds max qty 150' });
    expect(shape(k.step(amend('a', { limitPrice: 100.5 })))).toEqual(['log:input', 'log:venue', 'venue:AmendOrder']);
    k.step(amended('a', { limitPrice: 100.5, qty: 120 }));
    expect(k.order('a')).toMatchObject({ state: 'ACCEPTED', qty: 120 });
  });
});

describe('CancelAll and the kill switch', () => {
  const book = (): OrderKernel => {
    const k = new OrderKernel(config());
    run(k, [submit('a'), accepted('a'), submit('b', { symbol: 'QQQ' }), submit('c', { qty: 10 }), accepted('c'), filled('c', 'f1', 10), submit('d', { qty: 7 }), accepted('d'), cancel('d')]);
    return k; // a ACCEPTED (SPY), b SUBMITTED (QQQ), c FILLED, d CANCEL_PENDING
  };

  it('expands into one CancelOrder per working order, skipping finished and already-cancelling ones', () => {
    const k = book();
    const outs = k.step(cancelAll('ca', undefined, T + 1));
    expect(shape(outs)).toEqual(['log:input', 'log:venue', 'log:venue', 'venue:CancelOrder', 'venue:CancelOrder']);
    expect(venueOf(outs).map((c) => c.clientOrderId)).toEqual(['a', 'b']);
    expect(venueOf(outs)[0]).toMatchObject({ reason: 'CancelAll ca', tsEvent: T + 1 });
    expect(k.openOrders().map((o) => [o.clientOrderId, o.state])).toEqual([
      ['a', 'CANCEL_PENDING'],
      ['b', 'CANCEL_PENDING'],
      ['d', 'CANCEL_PENDING'],
    ]);
  });

  it('of one symbol cancels only that symbol', () => {
    const k = book();
    expect(venueOf(k.step(cancelAll('ca', 'QQQ'))).map((c) => c.clientOrderId)).toEqual(['b']);
    expect(k.order('a')!.state).toBe('ACCEPTED');
  });

  it('kill switch without cancel-all: new submits refused, working orders left alone', () => {
    const k = book();
    const outs = k.step(kill(true, false));
    expect(shape(outs)).toEqual(['log:input']);
    expect(k.order('a')!.state).toBe('ACCEPTED');
    expect(rejectionOf(k.step(submit('e', { qty: 3 })))).toMatchObject({ code: 'kill_switch' });
    k.step(kill(false, false));
    expect(shape(k.step(submit('f', { qty: 4 })))).toContain('venue:SubmitOrder');
  });

  it('kill switch with cancel-all: a CancelOrder for every working order, and submits refused', () => {
    const k = book();
    const outs = k.step(kill(true, true, T, 'drawdown breaker'));
    expect(venueOf(outs).map((c) => [c.clientOrderId, (c as { reason?: string }).reason])).toEqual([
      ['a', 'kill switch: drawdown breaker'],
      ['b', 'kill switch: drawdown breaker'],
    ]);
    expect(rejectionOf(k.step(submit('e', { qty: 3 })))).toMatchObject({ code: 'kill_switch', reason: 'kill switch engaged: drawdown breaker' });
  });

  it('kernel cancels (CancelAll, kill switch, deadlines) are never throttled', () => {
    const k = new OrderKernel(config({ throttle: { cancels: { limit: 1, windowMs: 1000 } } }));
    run(k, [submit('a'), submit('b', { qty: 2 }), submit('c', { qty: 3 })]);
    expect(venueOf(k.step(kill(true, true)))).toHaveLength(3);
  });
});

describe('timers are data, fired inside step', () => {
  it('deadline: a gtd order is cancelled when the clock reaches expireAt', () => {
    const k = new OrderKernel(config());
    run(k, [submit('a', { timeInForce: 'gtd', expireAt: T + 60_000 }), accepted('a')]);
    expect(k.snapshot().timers).toEqual([{ seq: 0, timer: { kind: 'deadline', dueAt: T + 60_000, clientOrderId: 'a' } }]);
    expect(shape(k.step(clock(T + 59_999)))).toEqual(['log:input']);
    const outs = k.step(clock(T + 60_000));
    expect(shape(outs)).toEqual(['log:input', 'log:timer', 'log:venue', 'venue:CancelOrder']);
    expect(logsOf(outs)[1]!.timer).toEqual({ kind: 'deadline', dueAt: T + 60_000, clientOrderId: 'a' });
    expect(venueOf(outs)[0]).toMatchObject({ clientOrderId: 'a', reason: 'deadline: gtd order expired at 2026-01-05T14:31:00.000Z' });
    expect(k.order('a')!.state).toBe('CANCEL_PENDING');
    expect(k.snapshot().timers).toEqual([]);
  });

  it('deadline: a day order is cancelled at the end of the day (configurable), on any input that reaches it', () => {
    const close = Date.UTC(2026, 0, 5, 21, 0);
    const k = new OrderKernel(config({}, {}, { dayEnd: () => close }));
    run(k, [submit('a', { timeInForce: 'day' }), accepted('a')]);
    const outs = k.step(last('SPY', 100, close + 5)); // a market update past the close fires it too
    expect(shape(outs)).toEqual(['log:input', 'log:timer', 'log:venue', 'venue:CancelOrder']);
    expect(venueOf(outs)[0]).toMatchObject({ reason: 'deadline: day order: the trading day ended at 2026-01-05T21:00:00.000Z' });
  });

  it('deadline: the default day ends at the next 00:00 UTC; an order done before it leaves no timer', () => {
    const k = new OrderKernel(config());
    k.step(submit('a', { timeInForce: 'day' }));
    expect(k.snapshot().timers[0]!.timer.dueAt).toBe(Date.UTC(2026, 0, 6));
    k.step(filled('a', 'f1', 100));
    expect(k.snapshot().timers).toEqual([]);
    expect(venueOf(k.step(clock(Date.UTC(2026, 0, 7))))).toEqual([]);
  });

  it('heartbeat: a Requote amends the limit to reference ± offset every everyMs, only when it moves', () => {
    const k = new OrderKernel(config());
    run(k, [quote('SPY', 99.99, 100.01), submit('a', { limitPrice: 99 }), accepted('a'), { type: 'Requote', tsEvent: T, clientOrderId: 'a', everyMs: 1000, offsetBps: 10 }]);
    const first = k.step(clock(T + 1000));
    expect(shape(first)).toEqual(['log:input', 'log:timer', 'log:venue', 'venue:AmendOrder']);
    expect(venueOf(first)[0]).toMatchObject({ type: 'AmendOrder', clientOrderId: 'a', limitPrice: 99.9 }); // buy: mid 100 − 10 bps
    k.step(amended('a', { limitPrice: 99.9 }));
    expect(venueOf(k.step(clock(T + 2000)))).toEqual([]); // already there
    k.step(quote('SPY', 100.99, 101.01, T + 2500));
    expect(venueOf(k.step(clock(T + 3000)))[0]).toMatchObject({ limitPrice: 100.899 });
    k.step(filled('a', 'f1', 100));
    expect(k.snapshot().timers).toEqual([]); // the heartbeat ends with the order
  });

  it('heartbeat on a venue without amend is refused unsupported_amend; on a market order it is an error', () => {
    const k = new OrderKernel(config({}, { amend: false }));
    run(k, [submit('a'), accepted('a')]);
    expect(rejectionOf(k.step({ type: 'Requote', tsEvent: T, clientOrderId: 'a', everyMs: 1000, offsetBps: 10 }))?.code).toBe('unsupported_amend');
    const k2 = new OrderKernel(config());
    k2.step(submit('m', { orderType: 'market', limitPrice: undefined }));
    expect(() => k2.step({ type: 'Requote', tsEvent: T, clientOrderId: 'm', everyMs: 1000, offsetBps: 10 })).toThrow(/re-quoting moves a limit price/);
  });

  it('interval (TWAP): equal child slices with deterministic ids, the last takes the remainder', () => {
    const k = new OrderKernel(config());
    const start = k.step({ type: 'StartAlgo', tsEvent: T, parentId: 'P', algo: 'twap', child: submit('template', { qty: 100 }), slices: 3, everyMs: 60_000, lotSize: 1 });
    expect(shape(start)).toEqual(['log:input', 'log:timer', 'log:venue', 'log:event', 'venue:SubmitOrder', 'event:OrderSubmitted']);
    expect(venueOf(start)[0]).toMatchObject({ clientOrderId: 'P/1', qty: 33, tsEvent: T });
    expect(venueOf(k.step(clock(T + 59_999)))).toEqual([]);
    expect(venueOf(k.step(clock(T + 60_000)))[0]).toMatchObject({ clientOrderId: 'P/2', qty: 33 });
    expect(venueOf(k.step(clock(T + 120_000)))[0]).toMatchObject({ clientOrderId: 'P/3', qty: 34 });
    expect(venueOf(k.step(clock(T + 180_000)))).toEqual([]);
    expect(k.snapshot().algos).toEqual([{ parentId: 'P', algo: 'twap', child: expect.objectContaining({ clientOrderId: 'P', qty: 100 }), sliceQty: [33, 33, 34], everyMs: 60_000, sent: 3 }]);
  });

  it('interval (VWAP): slices weighted by the profile; overdue slices all fire on a late clock', () => {
    const k = new OrderKernel(config());
    k.step({ type: 'StartAlgo', tsEvent: T, parentId: 'V', algo: 'vwap', child: submit('t', { qty: 1000 }), slices: 4, everyMs: 1000, profile: [1, 2, 3, 4] });
    const late = k.step(clock(T + 3000));
    expect(venueOf(late).map((c) => [c.clientOrderId, (c as SubmitOrder).qty])).toEqual([
      ['V/2', 200],
      ['V/3', 300],
      ['V/4', 400],
    ]);
    expect(k.order('V/1')!.qty).toBe(100);
  });

  it('children go through the same controls', () => {
    const k = new OrderKernel(config({ maxQty: 40 }));
    const outs = k.step({ type: 'StartAlgo', tsEvent: T, parentId: 'P', algo: 'twap', child: submit('t', { qty: 100 }), slices: 2, everyMs: 1000 });
    expect(rejectionOf(outs)).toMatchObject({ clientOrderId: 'P/1', code: 'max_qty', reason: 'qty 50 exceeds max qty 40' });
    k.step(kill(true, false));
    expect(rejectionOf(k.step(clock(T + 1000)))).toMatchObject({ clientOrderId: 'P/2', code: 'kill_switch' });
  });

  it('a second StartAlgo with the same parent id is a conflict', () => {
    const k = new OrderKernel(config());
    const algo: KernelInput = { type: 'StartAlgo', tsEvent: T, parentId: 'P', algo: 'twap', child: submit('t'), slices: 2, everyMs: 1000 };
    k.step(algo);
    expect(shape(k.step(algo))).toEqual(['log:input', 'log:conflict', 'conflict']);
  });
});

describe('the order log', () => {
  const inputs = (): KernelInput[] => [
    quote('SPY', 99.99, 100.01),
    submit('a'),
    accepted('a'),
    submit('b', { timeInForce: 'gtd', expireAt: T + 5000, qty: 5 }),
    filled('a', 'f1', 30),
    submit('a'),
    submit('a', { qty: 1 }),
    { type: 'StartAlgo', tsEvent: T + 10, parentId: 'P', algo: 'twap', child: submit('t', { qty: 10 }), slices: 2, everyMs: 1000 },
    cancelAll('ca', 'QQQ', T + 20),
    clock(T + 6000),
    kill(true, true, T + 7000),
  ];

  it('numbers every record gap-free and puts every log record of a step before its effects', () => {
    const k = new OrderKernel(config({ priceCollarBps: 100 }));
    const { outs, log } = run(k, inputs());
    expect(log.map((r) => r.n)).toEqual(log.map((_, i) => i));
    for (const o of outs) {
      const firstEffect = o.findIndex((x) => x.kind !== 'log');
      if (firstEffect >= 0) expect(o.slice(firstEffect).every((x) => x.kind !== 'log')).toBe(true);
    }
    expect(log.filter((r) => r.kind === 'input')).toHaveLength(inputs().length);
  });

  it('replay(config, log) rebuilds the identical snapshot, and refuses a log made under another configuration', () => {
    const cfg = config({ priceCollarBps: 100 });
    const k = new OrderKernel(cfg);
    const { log } = run(k, inputs());
    expect(json(OrderKernel.replay(cfg, log))).toBe(json(k));
    expect(json(OrderKernel.replay(cfg, JSON.parse(JSON.stringify(log)) as OrderLogRecord[]))).toBe(json(k));
    expect(() => OrderKernel.replay(config({ priceCollarBps: 100, maxQty: 50 }), log)).toThrow(OrderKernelError);
    expect(() => OrderKernel.replay(config({ priceCollarBps: 100, maxQty: 50 }), log)).toThrow(/log record 2 \(venue SubmitOrder\) differs from what the kernel decides again \(reject OrderRejected\)/);
    expect(() => OrderKernel.replay(cfg, log.slice(1))).toThrow(/gap-free from 0/);
    expect(() => OrderKernel.replay(cfg, log.slice(0, 3))).toThrow(/the log ends inside the step of input 1/);
  });

  it('a snapshot is plain JSON; a kernel resumed from it continues exactly like the original', () => {
    const cfg = config({ priceCollarBps: 100, duplicateWindowMs: 100, throttle: { global: { limit: 50, windowMs: 1000 }, perSymbol: { limit: 50, windowMs: 1000 }, cancels: { limit: 5, windowMs: 1000 } }, amendLoop: { maxAmends: 5, windowMs: 1000 } });
    const all = inputs();
    const a = new OrderKernel(cfg);
    run(a, all.slice(0, 6));
    const b = new OrderKernel(cfg, JSON.parse(json(a)));
    expect(json(b)).toBe(json(a));
    const rest = all.slice(6);
    expect(run(b, rest).outs).toEqual(run(a, rest).outs);
    expect(json(b)).toBe(json(a));
    expect(() => new OrderKernel({ ...cfg, venue: { ...cfg.venue, id: 'other' } }, JSON.parse(json(a)))).toThrow(/snapshot is of venue sim/);
  });
});

describe('configuration and retention', () => {
  it('refuses a bad configuration with every problem', () => {
    expect(() => new OrderKernel(config({ maxQty: -1, throttle: { global: { limit: 0, windowMs: 1000 } } }))).toThrow(
      'invalid order kernel configuration: controls.maxQty must be a finite number > 0, got -1; controls.throttle.global.limit must be an integer > 0, got 0',
    );
  });

  it('keeps at most retainTerminalOrders finished orders, dropping the oldest finished first', () => {
    const k = new OrderKernel(config({}, {}, { retainTerminalOrders: 2 }));
    run(k, [submit('a'), submit('b', { qty: 2 }), submit('c', { qty: 3 }), rejected('b'), canceled('c', 3), filled('a', 'f', 100), submit('open', { qty: 9 })]);
    expect(k.orders().map((o) => o.clientOrderId)).toEqual(['a', 'c', 'open']); // b finished first, so it went first
    expect(k.order('b')).toBeUndefined();
    expect(k.snapshot().finished).toEqual(['c', 'a']);
  });
});

describe('events the kernel makes are valid order/v1', () => {
  it('every event and venue command across a busy session validates', async () => {
    const { validateMessage } = await import('@strata/contract');
    const k = new OrderKernel(config({ maxQty: 50 }));
    const outs = [submit('a', { qty: 40 }), submit('b', { qty: 60 }), accepted('a'), cancelAll('ca'), kill(true, true), { type: 'StartAlgo', tsEvent: T, parentId: 'P', algo: 'twap', child: submit('t', { qty: 10 }), slices: 2, everyMs: 1000 } as KernelInput].flatMap((i) => [...k.step(i)]);
    const made: (OrderEvent | { type: string })[] = [...eventsOf(outs), ...venueOf(outs)];
    expect(made.length).toBeGreaterThan(5);
    for (const m of made) expect(() => validateMessage(m)).not.toThrow();
  });
});
