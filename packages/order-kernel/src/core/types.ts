import type { AmendOrder, CancelOrder, Command, OrderEvent, SubmitOrder } from '@strata/contract';
import type { OrderState, OrderView } from '../fsm.js';
import type { VenueCapabilities } from './venue-port.js';

/**
 * The order kernel's step function: `kernel.step(input)` → outputs. Deterministic and free of I/O:
 * time is the `tsEvent` of the inputs, never a clock; the same inputs in the same order always
 * give the same outputs and the same snapshot. The shell (src/node) performs the outputs: it
 * appends `log` records durably *before* sending `venue` commands, and forwards `event`s upstream.
 */

/** Pre-trade controls. Every refusal is an OrderRejected with one of PRETRADE_REJECT_CODES. */
export interface PreTradeControls {
  /** Max distance of a limit / stop price from the reference (mid when bid and ask are known, else last), in bps. */
  readonly priceCollarBps?: number;
  /** Refuse orders when no reference price is known yet (default true when priceCollarBps is set). */
  readonly requireReference?: boolean;
  readonly maxNotional?: number;
  readonly maxQty?: number;
  /** Same symbol, side, qty, type and prices under a different clientOrderId within this window → duplicate_order. */
  readonly duplicateWindowMs?: number;
  /** Message-rate throttles: at most `limit` per `windowMs` (sliding window over tsEvent). */
  readonly throttle?: {
    readonly global?: { readonly limit: number; readonly windowMs: number };
    readonly perSymbol?: { readonly limit: number; readonly windowMs: number };
    readonly cancels?: { readonly limit: number; readonly windowMs: number };
  };
  /**
   * Cancel/replace loop guard: at most `maxAmends` amends per order within `windowMs` (else the
   * amend is refused `amend_loop`), and at most `maxAmends` cancel-replaces — a SubmitOrder within
   * `windowMs` of an upstream CancelOrder on the same symbol and side — per symbol and side within
   * `windowMs` (else the submit is refused `cancel_replace_loop`).
   */
  readonly amendLoop?: { readonly maxAmends: number; readonly windowMs: number };
}

export const PRETRADE_REJECT_CODES = [
  'price_collar',
  'no_reference_price',
  'max_notional',
  'max_qty',
  'duplicate_order',
  'throttle_global',
  'throttle_symbol',
  'throttle_cancels',
  'amend_loop',
  'cancel_replace_loop',
  'kill_switch',
  'unsupported_order_type',
  'unsupported_time_in_force',
  'unsupported_bracket',
  'unsupported_oco',
  'unsupported_amend',
  'amend_refused',
] as const;
export type PretradeRejectCode = (typeof PRETRADE_REJECT_CODES)[number];

/**
 * Codes that refuse a *command* (an AmendOrder or CancelOrder, or a heartbeat's amend) rather than
 * an order: the OrderRejected carries the order's clientOrderId, but the order is unchanged and
 * still working (the state machine maps it to `CommandRejected`, a self-loop). An amend that fails
 * a price or size control is `amend_refused`, and its reason names the control and the numbers.
 * Every other code refuses a SubmitOrder, and that order is REJECTED.
 */
export const COMMAND_REJECT_CODES = ['unsupported_amend', 'amend_loop', 'amend_refused', 'throttle_cancels'] as const satisfies readonly PretradeRejectCode[];

export interface OrderKernelConfig {
  readonly controls: PreTradeControls;
  /** What the venue can do natively; anything else fails fast with an unsupported_* rejection. */
  readonly venue: { readonly id: string; readonly capabilities: VenueCapabilities };
  /** End of the trading day containing `ts` (ms UTC) — the deadline of DAY orders. Default: next 00:00 UTC. */
  readonly dayEnd?: (ts: number) => number;
  /**
   * How many finished orders (FILLED, CANCELED, REJECTED, EXPIRED) the kernel keeps, oldest-finished
   * dropped first (default 100,000). Idempotency (`duplicate` / `conflict`), late fills and
   * `order(id)` reach the orders kept; a SubmitOrder reusing the id of a dropped order is a new
   * order, and an event for it is an unknown order. Bounds memory in a long-running process.
   */
  readonly retainTerminalOrders?: number;
}

/** The order kernel's one error class for its own failures (inputs that break the contract throw @strata/contract's ContractError; illegal transitions throw OrderStateError). */
export const ORDER_KERNEL_ERROR_CODES = ['invalid_config', 'invalid_snapshot', 'replay_mismatch'] as const;
export type OrderKernelErrorCode = (typeof ORDER_KERNEL_ERROR_CODES)[number];

/** Timers are data. They fire on a `Clock` input whose tsEvent reaches `dueAt`. */
export type Timer =
  /** GTD / DAY expiry, or an explicit deadline: cancel the order. */
  | { readonly kind: 'deadline'; readonly dueAt: number; readonly clientOrderId: string }
  /** Passive limit re-quote: amend the limit to reference ± offsetBps every `everyMs`. */
  | { readonly kind: 'heartbeat'; readonly dueAt: number; readonly clientOrderId: string; readonly everyMs: number; readonly offsetBps: number }
  /** Algo slicing (TWAP: equal slices; VWAP: slices weighted by `profile`): submit the next child. */
  | { readonly kind: 'interval'; readonly dueAt: number; readonly parentId: string; readonly everyMs: number };

/** Inputs that are not contract messages: market data for collars, time, and operator controls. */
export type ControlInput =
  | { readonly type: 'MarketUpdate'; readonly tsEvent: number; readonly symbol: string; readonly last?: number; readonly bid?: number; readonly ask?: number }
  | { readonly type: 'Clock'; readonly tsEvent: number }
  | { readonly type: 'KillSwitch'; readonly tsEvent: number; readonly engaged: boolean; readonly cancelAll: boolean; readonly reason: string }
  /** Start a parent algo order: `child` is the template; slices are submitted by interval timers. */
  | {
      readonly type: 'StartAlgo';
      readonly tsEvent: number;
      readonly parentId: string;
      readonly algo: 'twap' | 'vwap';
      readonly child: SubmitOrder;
      readonly slices: number;
      readonly everyMs: number;
      /** VWAP volume profile (one weight per slice, normalised by the kernel). */
      readonly profile?: readonly number[];
      /** Round each slice down to a multiple of this (e.g. 1 for whole shares); the last slice takes the remainder. */
      readonly lotSize?: number;
    }
  | { readonly type: 'Requote'; readonly tsEvent: number; readonly clientOrderId: string; readonly everyMs: number; readonly offsetBps: number };

export type KernelInput = Command | OrderEvent | ControlInput;

/** One record of the append-only order log: every accepted input and every decision, numbered. */
export interface OrderLogRecord {
  /** Position in the log, from 0, gap-free. */
  readonly n: number;
  readonly tsEvent: number;
  readonly kind: 'input' | 'reject' | 'venue' | 'event' | 'timer' | 'conflict';
  /**
   * The message (contract v1 or control input) this record is about: for `input` the input itself;
   * `venue` the command sent; `event` an event the kernel made (OrderSubmitted); `reject` the
   * OrderRejected; `timer` the command a timer produced; `conflict` the refused SubmitOrder.
   */
  readonly message: KernelInput;
  /** `timer` records: the timer that fired. */
  readonly timer?: Timer;
  /** `conflict` records: what differs from the original order. */
  readonly detail?: string;
}

export type KernelOutput =
  /** Append to the order log (durably) before performing the outputs that follow it. */
  | { readonly kind: 'log'; readonly record: OrderLogRecord }
  /** Send to the venue. */
  | { readonly kind: 'venue'; readonly command: SubmitOrder | AmendOrder | CancelOrder }
  /** Report upstream (to the strategy kernel): OrderSubmitted, control rejections, venue events. */
  | { readonly kind: 'event'; readonly event: OrderEvent }
  /** A repeated SubmitOrder with the same clientOrderId and payload: the original order, nothing sent. */
  | { readonly kind: 'duplicate'; readonly clientOrderId: string; readonly order: OrderView }
  /** A repeated clientOrderId with a different payload: refused, the original order is untouched. */
  | { readonly kind: 'conflict'; readonly clientOrderId: string; readonly message: string };


/** An order in a snapshot. `avgPrice` is null before the first fill (JSON has no NaN). */
export interface OrderSnapshot {
  readonly clientOrderId: string;
  readonly state: OrderState;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly filledQty: number;
  readonly avgPrice: number | null;
  readonly fillIds: readonly string[];
  readonly lateFills: number;
  /** Current validity (the submit's, then each OrderAmended's). */
  readonly timeInForce: SubmitOrder['timeInForce'];
  readonly expireAt: number | null;
  /** The price the venue has confirmed (the submit's, then each OrderAmended's); null when none. */
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  /** The original SubmitOrder (fixed key order), kept for idempotency. */
  readonly submit: SubmitOrder;
  /** The algo parent when this is a child slice, else null. */
  readonly parentId: string | null;
  /** Times of recent amends (the amend-loop guard), oldest first. */
  readonly amendTimes: readonly number[];
}

export interface AlgoSnapshot {
  readonly parentId: string;
  readonly algo: 'twap' | 'vwap';
  readonly child: SubmitOrder;
  /** Planned quantity of every slice (the last one takes the remainder). */
  readonly sliceQty: readonly number[];
  readonly everyMs: number;
  /** Slices submitted so far. */
  readonly sent: number;
}

/**
 * Everything the kernel knows, as plain JSON with a fixed key order: `JSON.stringify` of two
 * snapshots is equal exactly when the kernels are in the same state. `new OrderKernel(config,
 * snapshot)` resumes from it.
 */
export interface OrderKernelSnapshot {
  readonly format: 'strata.order-kernel.snapshot/v1';
  readonly venueId: string;
  /** The kernel's clock: the largest tsEvent seen (0 before the first input). */
  readonly now: number;
  /** `n` of the next log record. */
  readonly nextLogN: number;
  /** `seq` of the next message the kernel makes. */
  readonly nextSeq: number;
  readonly nextTimerSeq: number;
  readonly killSwitch: { readonly engaged: boolean; readonly reason: string };
  /** In submission order. */
  readonly orders: readonly OrderSnapshot[];
  /** clientOrderIds of the finished orders kept, in the order they finished (the oldest is dropped first). */
  readonly finished: readonly string[];
  /** Per symbol, in first-seen order: last prices (null when unknown) and the control state. */
  readonly symbols: readonly SymbolSnapshot[];
  /** Pending timers, by (dueAt, seq). */
  readonly timers: readonly { readonly seq: number; readonly timer: Timer }[];
  readonly algos: readonly AlgoSnapshot[];
  /** Global sliding windows: send times, oldest first. */
  readonly windows: { readonly global: readonly number[]; readonly cancels: readonly number[] };
}

export interface SymbolSnapshot {
  readonly symbol: string;
  readonly last: number | null;
  readonly bid: number | null;
  readonly ask: number | null;
  /** Per-symbol throttle window: send times, oldest first. */
  readonly sent: readonly number[];
  /** Submits inside the duplicate window: [tsEvent, the SubmitOrder], oldest first. */
  readonly recent: readonly (readonly [number, SubmitOrder])[];
  /** Last upstream cancel per side (the cancel/replace guard), null when none. */
  readonly lastCancel: { readonly buy: number | null; readonly sell: number | null };
  readonly replaces: { readonly buy: readonly number[]; readonly sell: readonly number[] };
}
