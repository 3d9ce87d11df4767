import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * The order message contract, version 1: one source for the JSON Schema (schemas/order/v1) and the
 * TypeScript types. Commands are imperative (`SubmitOrder`), events past tense (`OrderFilled`).
 * Every message carries `schema`, `type`, `clientOrderId`, `tsEvent` (ms since the epoch, UTC)
 * and `seq` (the sender's sequence number).
 */
export const ORDER_SCHEMA = 'order/v1';
export const ORDER_SCHEMA_ID = 'https://strata.dev/schemas/order/v1/order.schema.json';

const ClientOrderId = Type.String({ pattern: '^[A-Za-z0-9._:/-]{1,96}$', description: 'Deterministic id: artifact hash prefix, symbol, decision time, sequence.' });
const Symbol_ = Type.String({ pattern: '^[A-Z0-9][A-Z0-9._:/-]{0,31}$' });
const Price = Type.Number({ exclusiveMinimum: 0 });
const Qty = Type.Number({ exclusiveMinimum: 0 });
const Ts = Type.Integer({ minimum: 0, description: 'ms since the epoch, UTC' });

/** Fields every message carries; `type` is fixed per message. */
function message<T extends string, P extends Record<string, TSchema>>(type: T, description: string, props: P) {
  return Type.Object(
    {
      schema: Type.Literal(ORDER_SCHEMA),
      type: Type.Literal(type),
      clientOrderId: ClientOrderId,
      tsEvent: Ts,
      seq: Type.Integer({ minimum: 0 }),
      ...props,
    },
    { $id: `#${type}`, title: type, description, additionalProperties: false },
  );
}

export const Side = Type.Union([Type.Literal('buy'), Type.Literal('sell')]);
export const OrderType = Type.Union([Type.Literal('market'), Type.Literal('limit'), Type.Literal('stop'), Type.Literal('stop_limit'), Type.Literal('trailing_stop')]);
export const TimeInForce = Type.Union([Type.Literal('gtc'), Type.Literal('day'), Type.Literal('ioc'), Type.Literal('fok'), Type.Literal('gtd')]);
export const Urgency = Type.Union([Type.Literal('passive'), Type.Literal('normal'), Type.Literal('aggressive')]);

// ——— commands ———

export const SubmitOrder = message('SubmitOrder', 'Place a new order. Same clientOrderId + same payload is idempotent; a different payload under the same id is a conflict.', {
  symbol: Symbol_,
  side: Side,
  qty: Qty,
  orderType: OrderType,
  limitPrice: Type.Optional(Price),
  stopPrice: Type.Optional(Price),
  trailingOffsetBps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000 })),
  timeInForce: TimeInForce,
  expireAt: Type.Optional(Ts),
  reduceOnly: Type.Optional(Type.Boolean()),
  /** Bracket: protective exits attached to the entry (OCO between them). */
  bracket: Type.Optional(Type.Object({ takeProfit: Type.Optional(Price), stopLoss: Type.Optional(Price) }, { additionalProperties: false, minProperties: 1 })),
  /** One-cancels-other group shared by sibling orders. */
  ocoGroup: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._:/-]{1,96}$' })),
  reason: Type.Optional(Type.String({ maxLength: 200 })),
});

/** What an amend can change; `OrderAmended` reports the new values with the same fields. */
const AMENDABLE = {
  qty: Type.Optional(Qty),
  limitPrice: Type.Optional(Price),
  stopPrice: Type.Optional(Price),
  urgency: Type.Optional(Urgency),
  timeInForce: Type.Optional(TimeInForce),
  expireAt: Type.Optional(Ts),
};

export const AmendOrder = message('AmendOrder', 'Re-parameterise a working order (price, size, urgency, validity) without tearing it down.', AMENDABLE);

export const CancelOrder = message('CancelOrder', 'Cancel a working order.', {
  reason: Type.Optional(Type.String({ maxLength: 200 })),
});

export const CancelAll = message('CancelAll', 'Cancel every working order (of one symbol, when given). clientOrderId names this command.', {
  symbol: Type.Optional(Symbol_),
  reason: Type.Optional(Type.String({ maxLength: 200 })),
});

// ——— events ———

export const OrderSubmitted = message('OrderSubmitted', 'The order was sent to the venue.', {
  symbol: Symbol_,
});

export const OrderAccepted = message('OrderAccepted', 'The venue accepted the order.', {
  venueOrderId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

export const OrderRejected = message('OrderRejected', 'The order was refused, by a pre-trade control or by the venue.', {
  code: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'Stable reason code, e.g. price_collar, max_notional, insufficient_funds.' }),
  reason: Type.String({ maxLength: 500 }),
});

export const OrderFilled = message('OrderFilled', 'One execution (a partial fill is one event).', {
  fillId: Type.String({ minLength: 1, maxLength: 128, description: 'Unique per execution: duplicates of the same fill are ignored.' }),
  symbol: Symbol_,
  side: Side,
  qty: Qty,
  price: Price,
  fee: Type.Number({ minimum: 0 }),
  liquidity: Type.Optional(Type.Union([Type.Literal('maker'), Type.Literal('taker')])),
  cumQty: Type.Number({ minimum: 0 }),
  leavesQty: Type.Number({ minimum: 0 }),
});

export const OrderCanceled = message('OrderCanceled', 'The order is done: canceled, with what was left unfilled.', {
  canceledQty: Type.Number({ minimum: 0 }),
  reason: Type.Optional(Type.String({ maxLength: 200 })),
});

export const OrderExpired = message('OrderExpired', 'The order is done: its time in force ended.', {
  expiredQty: Type.Number({ minimum: 0 }),
});

export const OrderAmended = message('OrderAmended', 'An AmendOrder took effect; the fields are the new values.', AMENDABLE);

export const COMMANDS = { SubmitOrder, AmendOrder, CancelOrder, CancelAll } as const;
export const EVENTS = { OrderSubmitted, OrderAccepted, OrderRejected, OrderFilled, OrderCanceled, OrderExpired, OrderAmended } as const;
export const MESSAGES = { ...COMMANDS, ...EVENTS } as const;

export type MessageType = keyof typeof MESSAGES;
export const COMMAND_TYPES = Object.keys(COMMANDS) as (keyof typeof COMMANDS)[];
export const EVENT_TYPES = Object.keys(EVENTS) as (keyof typeof EVENTS)[];

export type Side = Static<typeof Side>;
export type OrderType = Static<typeof OrderType>;
export type TimeInForce = Static<typeof TimeInForce>;
export type Urgency = Static<typeof Urgency>;
export type SubmitOrder = Static<typeof SubmitOrder>;
export type AmendOrder = Static<typeof AmendOrder>;
export type CancelOrder = Static<typeof CancelOrder>;
export type CancelAll = Static<typeof CancelAll>;
export type OrderSubmitted = Static<typeof OrderSubmitted>;
export type OrderAccepted = Static<typeof OrderAccepted>;
export type OrderRejected = Static<typeof OrderRejected>;
export type OrderFilled = Static<typeof OrderFilled>;
export type OrderCanceled = Static<typeof OrderCanceled>;
export type OrderExpired = Static<typeof OrderExpired>;
export type OrderAmended = Static<typeof OrderAmended>;
export type Command = SubmitOrder | AmendOrder | CancelOrder | CancelAll;
export type OrderEvent = OrderSubmitted | OrderAccepted | OrderRejected | OrderFilled | OrderCanceled | OrderExpired | OrderAmended;
export type Message = Command | OrderEvent;

/** The published JSON Schema (draft-07): every message, selected by `type`. */
export function orderJsonSchema(): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(MESSAGES)) {
    const { $id: _id, ...rest } = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
    definitions[name] = rest;
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: ORDER_SCHEMA_ID,
    title: 'Strata order message contract, version 1',
    description: 'Commands (SubmitOrder, AmendOrder, CancelOrder, CancelAll) and events (OrderSubmitted, OrderAccepted, OrderRejected, OrderFilled, OrderCanceled, OrderExpired, OrderAmended). Generated from packages/contract/src/messages.ts.',
    type: 'object',
    required: ['schema', 'type'],
    properties: { schema: { const: ORDER_SCHEMA }, type: { enum: Object.keys(MESSAGES) } },
    allOf: Object.keys(MESSAGES).map((name) => ({
      if: { properties: { type: { const: name } }, required: ['type'] },
      then: { $ref: `#/definitions/${name}` },
    })),
    definitions,
  };
}
