import type { AmendOrder, CancelAll, CancelOrder, Command, OrderEvent, SubmitOrder } from '@strata/contract';
import type { OrderView } from '../fsm.js';
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
  /** Cancel/replace loop guard: at most `maxAmends` amends or cancel-replaces per order within `windowMs`. */
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
  'kill_switch',
  'unsupported_order_type',
  'unsupported_time_in_force',
  'unsupported_bracket',
  'unsupported_oco',
  'unsupported_amend',
] as const;
export type PretradeRejectCode = (typeof PRETRADE_REJECT_CODES)[number];

export interface OrderKernelConfig {
  readonly controls: PreTradeControls;
  /** What the venue can do natively; anything else fails fast with an unsupported_* rejection. */
  readonly venue: { readonly id: string; readonly capabilities: VenueCapabilities };
  /** End of the trading day containing `ts` (ms UTC) — the deadline of DAY orders. Default: next 00:00 UTC. */
  readonly dayEnd?: (ts: number) => number;
}

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
    }
  | { readonly type: 'Requote'; readonly tsEvent: number; readonly clientOrderId: string; readonly everyMs: number; readonly offsetBps: number };

export type KernelInput = Command | OrderEvent | ControlInput;

/** One record of the append-only order log: every accepted input and every decision, numbered. */
export interface OrderLogRecord {
  /** Position in the log, from 0, gap-free. */
  readonly n: number;
  readonly tsEvent: number;
  readonly kind: 'input' | 'reject' | 'venue' | 'event' | 'timer' | 'conflict';
  /** The message (contract v1 or control input) this record is about. */
  readonly message: KernelInput;
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

export type CommandOf = SubmitOrder | AmendOrder | CancelOrder | CancelAll;
