import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validatorsOf } from './codec.js';
import { compileFastCheck, ucs2length } from './fast-validate.js';
import { COMMAND_TYPES, EVENT_TYPES, MESSAGES, type MessageType } from './messages.js';

const base = { schema: 'order/v1', clientOrderId: 'd440cf12-SPY-1704153600000-0', tsEvent: 1_704_240_000_000, seq: 7 };
/** A valid example of every type, with every optional field set, so mutations reach every keyword. */
const FULL: Record<MessageType, Record<string, unknown>> = {
  SubmitOrder: { ...base, type: 'SubmitOrder', symbol: 'SPY', side: 'buy', qty: 83, orderType: 'limit', limitPrice: 470.25, stopPrice: 460, trailingOffsetBps: 50, timeInForce: 'gtd', expireAt: 1_704_250_000_000, reduceOnly: false, bracket: { takeProfit: 480, stopLoss: 450 }, ocoGroup: 'g1', reason: 'entry' },
  AmendOrder: { ...base, type: 'AmendOrder', qty: 10, limitPrice: 471, stopPrice: 465, urgency: 'aggressive', timeInForce: 'gtc', expireAt: 1_704_250_000_000 },
  CancelOrder: { ...base, type: 'CancelOrder', reason: 'exit rule' },
  CancelAll: { ...base, type: 'CancelAll', symbol: 'SPY', reason: 'flatten' },
  OrderSubmitted: { ...base, type: 'OrderSubmitted', symbol: 'SPY' },
  OrderAccepted: { ...base, type: 'OrderAccepted', venueOrderId: 'v-123' },
  OrderRejected: { ...base, type: 'OrderRejected', code: 'price_collar', reason: 'too far' },
  OrderFilled: { ...base, type: 'OrderFilled', fillId: 'f-1', symbol: 'SPY', side: 'buy', qty: 50, price: 470.2, fee: 0.235, liquidity: 'maker', cumQty: 50, leavesQty: 33 },
  OrderCanceled: { ...base, type: 'OrderCanceled', canceledQty: 33, reason: 'user' },
  OrderExpired: { ...base, type: 'OrderExpired', expiredQty: 33 },
  OrderAmended: { ...base, type: 'OrderAmended', qty: 10, limitPrice: 471, stopPrice: 465, urgency: 'passive', timeInForce: 'day', expireAt: 1_704_250_000_000 },
};

/** Values that sit on the edges of the contract's keywords. */
const TRICKY: unknown[] = [
  undefined, null, true, false, 0, -0, 1, -1, 0.5, 1e-300, 1e300, Number.NaN, Number.POSITIVE_INFINITY, 10_000, 10_000.5, 2 ** 53, '', 'a', 'SPY', 'spy', 'BRK.B', 'x'.repeat(96), 'x'.repeat(97),
  'y'.repeat(128), 'y'.repeat(129), 'z'.repeat(200), 'z'.repeat(201), 'w'.repeat(500), 'w'.repeat(501), '😀'.repeat(120), '😀'.repeat(130), 'a b', 'order/v1', 'order/v2', 'buy', 'sell', 'maker', 'limit', 'gtd',
  'passive', 'price_collar', 'Price_collar', [], {}, { takeProfit: 1 }, { takeProfit: 0 }, { stopLoss: 2, extra: 1 }, [1],
];

describe('the fast check gives the same verdict as ajv', () => {
  it('compiles every message schema', () => {
    for (const [name, schema] of Object.entries(MESSAGES)) expect(typeof compileFastCheck(schema), name).toBe('function');
  });

  it('refuses a keyword it does not implement rather than ignore it', () => {
    expect(() => compileFastCheck({ type: 'string', format: 'email' } as never)).toThrow(/unsupported schema keyword `format`/);
  });

  it('counts code points like ajv', () => {
    expect(ucs2length('abc')).toBe(3);
    expect(ucs2length('😀😀')).toBe(2);
    expect(ucs2length('\uD83D')).toBe(1);
  });

  it.each([...COMMAND_TYPES, ...EVENT_TYPES])('%s: the full example and its one-field mutations (exhaustive)', (type) => {
    const { fast, ajv } = validatorsOf(type);
    const full = FULL[type];
    expect(ajv(full), `${type} example must be valid`).toBe(true);
    expect(fast(full)).toBe(true);
    for (const key of [...Object.keys(full), 'extra']) {
      for (const v of TRICKY) {
        const m: Record<string, unknown> = { ...full };
        if (v === undefined) delete m[key];
        else m[key] = v;
        expect(fast(m), `${type}.${key} = ${String(v)}`).toBe(ajv(m));
      }
    }
  });

  it('random multi-field mutations of every type (property)', () => {
    const types = [...COMMAND_TYPES, ...EVENT_TYPES];
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }), (type, edits) => {
        const { fast, ajv } = validatorsOf(type);
        const m: Record<string, unknown> = { ...FULL[type] };
        const keys = [...Object.keys(m), 'extra'];
        for (const [k, v] of edits) {
          const key = keys[k % keys.length]!;
          const val = TRICKY[v % TRICKY.length];
          if (val === undefined) delete m[key];
          else m[key] = val;
        }
        expect(fast(m)).toBe(ajv(m));
      }),
      { numRuns: 2000 },
    );
  });
});
