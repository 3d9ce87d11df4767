import type { Message } from '@strata/contract';

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
 * refusing the cancel (the order is still live), split by whether anything has filled.
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
  },
  ACCEPTED: {
    PartialFill: 'PARTIALLY_FILLED',
    FinalFill: 'FILLED',
    CancelRequested: 'CANCEL_PENDING',
    Canceled: 'CANCELED',
    Expired: 'EXPIRED',
    AmendRequested: 'ACCEPTED',
    Amended: 'ACCEPTED',
  },
  PARTIALLY_FILLED: {
    PartialFill: 'PARTIALLY_FILLED',
    FinalFill: 'FILLED',
    CancelRequested: 'CANCEL_PENDING',
    Canceled: 'CANCELED',
    Expired: 'EXPIRED',
    AmendRequested: 'PARTIALLY_FILLED',
    Amended: 'PARTIALLY_FILLED',
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
 * Applies one message to an order (undefined before its SubmitOrder). Pure. A duplicate fill is a
 * no-op; a fill after the order ended is recorded (`lateFills`) without a state change; anything
 * else illegal throws OrderStateError.
 */
export function applyMessage(view: OrderView | undefined, m: Message): OrderView {
  if (m.type === 'SubmitOrder') {
    if (view !== undefined) throw new OrderStateError(view.state, 'Submit', `order ${m.clientOrderId} already exists (${view.state})`);
    return { clientOrderId: m.clientOrderId, state: 'PENDING', symbol: m.symbol, side: m.side, qty: m.qty, filledQty: 0, avgPrice: Number.NaN, fillIds: [], lateFills: 0 };
  }
  if (view === undefined) throw new OrderStateError('NONE', inputOf(m, undefined), `no order ${m.clientOrderId}: ${m.type} before SubmitOrder`);
  if (m.clientOrderId !== view.clientOrderId) throw new OrderStateError(view.state, inputOf(m, view), `message for ${m.clientOrderId} applied to order ${view.clientOrderId}`);
  if (m.type === 'OrderFilled') {
    if (view.fillIds.includes(m.fillId)) return view; // a duplicate report of the same execution
    const filledQty = view.filledQty + m.qty;
    if (filledQty > view.qty + 1e-9) throw new OrderStateError(view.state, 'PartialFill', `fill ${m.fillId} would overfill ${view.clientOrderId}: ${filledQty} > ${view.qty}`);
    const avgPrice = view.filledQty === 0 ? m.price : (view.avgPrice * view.filledQty + m.price * m.qty) / filledQty;
    const recorded = { ...view, filledQty, avgPrice, fillIds: [...view.fillIds, m.fillId] };
    if (isTerminal(view.state)) {
      // A fill the venue made before it processed our cancel: keep it; a complete fill means the order filled.
      return { ...recorded, lateFills: view.lateFills + 1, state: filledQty >= view.qty - 1e-12 ? 'FILLED' : view.state };
    }
    // The fill decides partial vs final by the running total, so duplicates and reordering cannot confuse it.
    return { ...recorded, state: transition(view.state, filledQty >= view.qty - 1e-12 ? 'FinalFill' : 'PartialFill') };
  }
  if (m.type === 'OrderAmended' && m.qty !== undefined) {
    return { ...view, qty: m.qty, state: transition(view.state, 'Amended') };
  }
  return { ...view, state: transition(view.state, inputOf(m, view)) };
}

/** Folds an order's messages, in order. The same messages always give the same view. */
export function foldOrder(messages: readonly Message[]): OrderView | undefined {
  let view: OrderView | undefined;
  for (const m of messages) view = applyMessage(view, m);
  return view;
}
