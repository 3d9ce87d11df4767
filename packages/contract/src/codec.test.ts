import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContractError, decodeMessage, encodeMessage, validateMessage } from './codec.js';
import { COMMAND_TYPES, EVENT_TYPES, orderJsonSchema, type Message } from './messages.js';

const base = { schema: 'order/v1', clientOrderId: 'd440cf12-SPY-1704153600000-0', tsEvent: 1_704_240_000_000, seq: 7 } as const;

/** One valid example of every message type. */
const EXAMPLES: Record<string, Message> = {
  SubmitOrder: { ...base, type: 'SubmitOrder', symbol: 'SPY', side: 'buy', qty: 83, orderType: 'limit', limitPrice: 470.25, timeInForce: 'day' },
  AmendOrder: { ...base, type: 'AmendOrder', limitPrice: 471, urgency: 'aggressive' },
  CancelOrder: { ...base, type: 'CancelOrder', reason: 'exit rule' },
  CancelAll: { ...base, type: 'CancelAll', symbol: 'SPY' },
  OrderSubmitted: { ...base, type: 'OrderSubmitted', symbol: 'SPY' },
  OrderAccepted: { ...base, type: 'OrderAccepted', venueOrderId: 'v-123' },
  OrderRejected: { ...base, type: 'OrderRejected', code: 'price_collar', reason: 'limit 520 is 10.6% above last 470.2 (collar 5%)' },
  OrderFilled: { ...base, type: 'OrderFilled', fillId: 'f-1', symbol: 'SPY', side: 'buy', qty: 50, price: 470.2, fee: 0.235, cumQty: 50, leavesQty: 33 },
  OrderCanceled: { ...base, type: 'OrderCanceled', canceledQty: 33 },
  OrderExpired: { ...base, type: 'OrderExpired', expiredQty: 33 },
  OrderAmended: { ...base, type: 'OrderAmended', limitPrice: 471 },
};

const problems = (value: unknown): string => {
  try {
    validateMessage(value);
    return 'valid';
  } catch (e) {
    if (!(e instanceof ContractError)) throw e;
    return `${e.code}: ${e.message}`;
  }
};

describe('order contract v1', () => {
  it('has every command and event of the design', () => {
    expect(COMMAND_TYPES).toEqual(['SubmitOrder', 'AmendOrder', 'CancelOrder', 'CancelAll']);
    expect(EVENT_TYPES).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderRejected', 'OrderFilled', 'OrderCanceled', 'OrderExpired', 'OrderAmended']);
    expect(Object.keys(EXAMPLES).sort()).toEqual([...COMMAND_TYPES, ...EVENT_TYPES].sort());
  });

  it.each(Object.entries(EXAMPLES))('%s: valid, and encode → decode round-trips to the same canonical bytes', (_type, m) => {
    expect(problems(m)).toBe('valid');
    const text = encodeMessage(m);
    expect(decodeMessage(text)).toEqual(m);
    expect(encodeMessage(decodeMessage(text))).toBe(text);
  });

  it('the published JSON Schema is the generated one, and accepts exactly what the validators accept', () => {
    const committed = JSON.parse(readFileSync(new URL('../../../schemas/order/v1/order.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(committed, 'run node packages/contract/scripts/gen-schema.mjs').toEqual(orderJsonSchema());
    const validate = new Ajv({ allErrors: true, strict: false }).compile(orderJsonSchema());
    for (const m of Object.values(EXAMPLES)) expect(validate(m), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...EXAMPLES.OrderFilled!, qty: -1 })).toBe(false);
    expect(validate({ ...EXAMPLES.CancelOrder!, extra: 1 })).toBe(false);
  });

  it('encoding is canonical: key order does not matter', () => {
    const m = EXAMPLES.SubmitOrder!;
    const reordered = Object.fromEntries(Object.entries(m).reverse()) as unknown as Message;
    expect(encodeMessage(reordered)).toBe(encodeMessage(m));
  });

  it.each([
    ['another major version', { ...EXAMPLES.CancelOrder!, schema: 'order/v2' }, /^unsupported_version: message schema order\/v2 is not supported/],
    ['no schema', { ...EXAMPLES.CancelOrder!, schema: undefined }, /^invalid_message: `schema` must be "order\/v1"/],
    ['an unknown type', { ...base, type: 'PlaceOrder' }, /unknown message type "PlaceOrder"; known: SubmitOrder/],
    ['a non-positive quantity', { ...EXAMPLES.SubmitOrder!, qty: 0 }, /\/qty must be > 0/],
    ['an unknown field', { ...EXAMPLES.CancelOrder!, note: 'x' }, /has an unknown field `note`/],
    ['a missing field', { ...EXAMPLES.OrderFilled!, fillId: undefined }, /is missing `fillId`/],
    ['a limit order without a limit price', { ...EXAMPLES.SubmitOrder!, limitPrice: undefined }, /a limit order needs `limitPrice`/],
    ['a stop-limit order without its stop', { ...EXAMPLES.SubmitOrder!, orderType: 'stop_limit' }, /a stop_limit order needs `stopPrice`/],
    ['a market order with a price', { ...EXAMPLES.SubmitOrder!, orderType: 'market' }, /a market order takes no limitPrice/],
    ['gtd without expireAt', { ...EXAMPLES.SubmitOrder!, timeInForce: 'gtd' }, /a gtd order needs `expireAt`/],
    ['expireAt in the past', { ...EXAMPLES.SubmitOrder!, timeInForce: 'gtd', expireAt: base.tsEvent - 1 }, /expireAt must be after tsEvent/],
    ['an amend that changes nothing', { ...base, type: 'AmendOrder' }, /must change at least one of/],
    ['a fill above its cumulative quantity', { ...EXAMPLES.OrderFilled!, cumQty: 10 }, /cumQty cannot be below/],
    ['a malformed client order id', { ...EXAMPLES.CancelOrder!, clientOrderId: 'has spaces' }, /\/clientOrderId must match pattern/],
    ['a fractional timestamp', { ...EXAMPLES.CancelOrder!, tsEvent: 1.5 }, /\/tsEvent must be integer/],
  ])('rejects %s with a message that says what and where', (_what, value, expected) => {
    expect(problems(JSON.parse(JSON.stringify(value)))).toMatch(expected);
  });

  it('rejects text that is not JSON, and values that are not objects', () => {
    expect(() => decodeMessage('{"schema": "order/v1"')).toThrow(/^not JSON/);
    expect(problems([1, 2])).toMatch(/^invalid_message: a message must be a JSON object/);
    expect(problems(null)).toMatch(/a message must be a JSON object/);
  });

  it('never throws anything but a ContractError for arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ schema: fc.constant('order/v1'), type: fc.constantFrom(...COMMAND_TYPES, ...EVENT_TYPES) }, { requiredKeys: [] })), (value) => {
        try {
          validateMessage(value);
        } catch (e) {
          expect(e).toBeInstanceOf(ContractError);
        }
      }),
      { seed: 20261121, numRuns: 500 },
    );
  });
});
