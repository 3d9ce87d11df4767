import type { Message } from '@strata/contract';
import { COMMAND_REJECT_CODES } from './core/types.js';

/**
 * The order state machine as data. An order's state is a fold over its messages (order/v1):
 * commands the kernel sends and events the venue reports. Anything not in the transition table
 * is an error — never silently ignored — except the two cases that must be absorbed to lose
 * nothing: a duplicate fill (same `fillId`) is a no-op, and a fill that arrives after the order
 * ended (a cancel racing a fill) is recorded without reopening it.
 */
export const ORDER_STATES = ['PENDING', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'CANCEL_PENDING', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** States in which an order is done; no further transition except recording a late fill. */
export const TERMINAL_STATES = ['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'] as const satisfies readonly OrderState[];
/** States in which an order can still trade. */
export const OPEN_STATES = ['PENDING', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'CANCEL_PENDING'] as const satisfies readonly OrderState[];

/**
 * The inputs of the table. Contract messages map onto them (`inputOf`): a fill is `PartialFill`
 * or `FinalFill` by its cumulative quantity; a rejection while a cancel is pending is the venue
 * refusing the cancel (the order is still live), split by whether anything has filled; a rejection
 * with one of COMMAND_REJECT_CODES refuses an amend or cancel, not the order (`CommandRejected`).
 */
export const ORDER_INPUTS = [
  'Submit',
  'Submitted',
  'Accepted',
  'Rejected',
  'PartialFill',
  'FinalFill',
  'CancelRequested',
  'CancelRejectedUnfilled',
  'CancelRejectedPartial',
  'Canceled',
  'Expired',
  'AmendRequested',
  'Amended',
  'CommandRejected',
] as const;
export type OrderInput = (typeof ORDER_INPUTS)[number];

/** Every legal transition. A missing entry is illegal. `Submit` creates the order (from no state). */
export const ORDER_TRANSITIONS: Readonly<Record<OrderState, Partial<Readonly<Record<OrderInput, OrderState>>>>> = {
  PENDING: { Submitted: 'SUBMITTED', Rejected: 'REJECTED', CancelRequested: 'CANCELED' },
  SUBMITTED: {
    Accepted: 'ACCEPTED',
    Rejected: 'REJECTED',
    PartialFill: 'PARTIALLY_FILLED',
    FinalFill: 'FILLED',
    CancelRequested: 'CANCEL_PENDING',
    Canceled: 'CANCELED',
    Expired: 'EXPIRED',
    CommandRejected: 'SUBMITTED',
  },
  ACCEPTED: {
    PartialFill: 'PARTIALLY_FILLED',
    FinalFill: 'FILLED',
    CancelRequested: 'CANCEL_PENDING',
    Canceled: 'CANCELED',
    Expired: 'EXPIRED',
    AmendRequested: 'ACCEPTED',
    Amended: 'ACCEPTED',
    CommandRejected: 'ACCEPTED',
  },
  PARTIALLY_FILLED: {
    PartialFill: 'PARTIALLY_FILLED',
    FinalFill: 'FILLED',
    CancelRequested: 'CANCEL_PENDING',
    Canceled: 'CANCELED',
    Expired: 'EXPIRED',
    AmendRequested: 'PARTIALLY_FILLED',
    Amended: 'PARTIALLY_FILLED',
    CommandRejected: 'PARTIALLY_FILLED',
  },
  CANCEL_PENDING: {
    // A fill can race the cancel: it is real and is kept.
    PartialFill: 'CANCEL_PENDING',
    FinalFill: 'FILLED',
    Canceled: 'CANCELED',
    Expired: 'EXPIRED',
    CancelRejectedUnfilled: 'ACCEPTED',
    CancelRejectedPartial: 'PARTIALLY_FILLED',
  },
  FILLED: {},
  CANCELED: {},
  REJECTED: {},
  EXPIRED: {},
};

export class OrderStateError extends Error {
  override readonly name = 'OrderStateError';
  constructor(
    readonly state: OrderState | 'NONE',
    readonly input: OrderInput,
    message: string,
  ) {
    super(message);
  }
}

/** The next state, or an OrderStateError for a transition the table does not have. */
export function transition(state: OrderState, input: OrderInput): OrderState {
  const next = ORDER_TRANSITIONS[state][input];
  if (next === undefined) throw new OrderStateError(state, input, `illegal order transition: ${state} --${input}-->`);
  return next;
}

export function isTerminal(state: OrderState): boolean {
  return (TERMINAL_STATES as readonly OrderState[]).includes(state);
}

/** An order as the fold of its messages. */
export interface OrderView {
  readonly clientOrderId: string;
  readonly state: OrderState;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly filledQty: number;
  /** Volume-weighted average fill price (NaN before the first fill). */
  readonly avgPrice: number;
  readonly fillIds: readonly string[];
  /** Fills recorded after the order had ended (a cancel or expiry racing a fill). */
  readonly lateFills: number;
}

/** Maps a contract message onto the table's input for an order in `state` with `filledQty` filled. */
export function inputOf(m: Message, view: Pick<OrderView, 'state' | 'qty' | 'filledQty'> | undefined): OrderInput {
  switch (m.type) {
    case 'SubmitOrder':
      return 'Submit';
    case 'OrderSubmitted':
      return 'Submitted';
    case 'OrderAccepted':
      return 'Accepted';
    case 'OrderRejected':
      if ((COMMAND_REJECT_CODES as readonly string[]).includes(m.code)) return 'CommandRejected';
      if (view?.state === 'CANCEL_PENDING') return view.filledQty > 0 ? 'CancelRejectedPartial' : 'CancelRejectedUnfilled';
      return 'Rejected';
    case 'OrderFilled':
      return view !== undefined && m.cumQty >= view.qty - 1e-12 ? 'FinalFill' : 'PartialFill';
    case 'CancelOrder':
      return 'CancelRequested';
    case 'OrderCanceled':
      return 'Canceled';
    case 'OrderExpired':
      return 'Expired';
    case 'AmendOrder':
      return 'AmendRequested';
    case 'OrderAmended':
      return 'Amended';
    case 'CancelAll':
      throw new OrderStateError(view?.state ?? 'NONE', 'CancelRequested', 'CancelAll addresses every order, not one: expand it into CancelOrder per working order');
  }
}

/**
 * The mutable form of an order, used by the kernel's hot path (no copy per message). `applyInPlace`
 * and `applyMessage` share one implementation, so the kernel and the pure fold cannot disagree.
 */
export interface OrderRecord {
  readonly clientOrderId: string;
  state: OrderState;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  qty: number;
  filledQty: number;
  avgPrice: number;
  fillIds: string[];
  lateFills: number;
}

/**
 * The shared empty fill list of an order without fills (no allocation per order): applyInPlace
 * replaces it with a fresh array at the first fill and never writes into it.
 */
export const NO_FILLS: string[] = Object.freeze([]) as unknown as string[];

/** A new order (PENDING) from its SubmitOrder. */
export function newOrderRecord(m: { readonly clientOrderId: string; readonly symbol: string; readonly side: 'buy' | 'sell'; readonly qty: number }): OrderRecord {
  return { clientOrderId: m.clientOrderId, state: 'PENDING', symbol: m.symbol, side: m.side, qty: m.qty, filledQty: 0, avgPrice: Number.NaN, fillIds: NO_FILLS, lateFills: 0 };
}

/**
 * Applies one message to an order in place. Every check runs before the first write, so a throw
 * (OrderStateError) leaves the order exactly as it was. Returns false when the message was a no-op
 * (a duplicate fill, same `fillId`), true when it changed the order.
 */
export function applyInPlace(o: OrderRecord, m: Message): boolean {
  if (m.type === 'SubmitOrder') throw new OrderStateError(o.state, 'Submit', `order ${m.clientOrderId} already exists (${o.state})`);
  if (m.clientOrderId !== o.clientOrderId) throw new OrderStateError(o.state, inputOf(m, o), `message for ${m.clientOrderId} applied to order ${o.clientOrderId}`);
  if (m.type === 'OrderFilled') {
    if (o.fillIds.includes(m.fillId)) return false; // a duplicate report of the same execution
    const filledQty = o.filledQty + m.qty;
    if (filledQty > o.qty + 1e-9) throw new OrderStateError(o.state, 'PartialFill', `fill ${m.fillId} would overfill ${o.clientOrderId}: ${filledQty} > ${o.qty}`);
    const complete = filledQty >= o.qty - 1e-12;
    let state: OrderState;
    if (isTerminal(o.state)) {
      // A fill the venue made before it processed our cancel: keep it; a complete fill means the order filled.
      state = complete ? 'FILLED' : o.state;
      o.lateFills++;
    } else {
      // The fill decides partial vs final by the running total, so duplicates and reordering cannot confuse it.
      state = transition(o.state, complete ? 'FinalFill' : 'PartialFill');
    }
    o.avgPrice = o.filledQty === 0 ? m.price : (o.avgPrice * o.filledQty + m.price * m.qty) / filledQty;
    o.filledQty = filledQty;
    if (o.fillIds === NO_FILLS) o.fillIds = [m.fillId];
    else o.fillIds.push(m.fillId);
    o.state = state;
    return true;
  }
  if (m.type === 'OrderAmended' && m.qty !== undefined) {
    const state = transition(o.state, 'Amended');
    if (m.qty < o.filledQty - 1e-9) throw new OrderStateError(o.state, 'Amended', `amended qty ${m.qty} of ${o.clientOrderId} is below its filled qty ${o.filledQty}`);
    o.qty = m.qty;
    o.state = state;
    return true;
  }
  o.state = transition(o.state, inputOf(m, o));
  return true;
}

/**
 * Applies one message to an order (undefined before its SubmitOrder). Pure: returns a new view and
 * leaves the given one untouched. A duplicate fill is a no-op (the same view is returned); a fill
 * after the order ended is recorded (`lateFills`) without a state change; anything else illegal
 * throws OrderStateError.
 */
export function applyMessage(view: OrderView | undefined, m: Message): OrderView {
  if (m.type === 'SubmitOrder') {
    if (view !== undefined) throw new OrderStateError(view.state, 'Submit', `order ${m.clientOrderId} already exists (${view.state})`);
    return newOrderRecord(m);
  }
  if (view === undefined) throw new OrderStateError('NONE', inputOf(m, undefined), `no order ${m.clientOrderId}: ${m.type} before SubmitOrder`);
  if (m.type === 'OrderFilled' && view.fillIds.includes(m.fillId) && m.clientOrderId === view.clientOrderId) return view;
  const copy: OrderRecord = { ...view, fillIds: view.fillIds.length === 0 ? NO_FILLS : [...view.fillIds] };
  applyInPlace(copy, m);
  return copy;
}

/** Folds an order's messages, in order. The same messages always give the same view. */
export function foldOrder(messages: readonly Message[]): OrderView | undefined {
  let view: OrderView | undefined;
  for (const m of messages) view = applyMessage(view, m);
  return view;
}
