import type { AmendOrder, OrderEvent, OrderType, SubmitOrder, TimeInForce } from '@strata/contract';

/**
 * The venue port: what the order kernel's shell needs from an execution venue. Adapters (the
 * simulated venue, ccxt) live outside the order kernel and are injected. Every method either
 * resolves or throws a VenueError from the taxonomy below — never a raw library error.
 */
export interface VenueCapabilities {
  /** Order types the venue supports natively. A SubmitOrder with another type is refused (`unsupported`), never emulated. */
  readonly orderTypes: readonly OrderType[];
  readonly timeInForce: readonly TimeInForce[];
  /** Native bracket orders (entry + attached take-profit / stop-loss). */
  readonly bracket: boolean;
  /** Native one-cancels-other groups. */
  readonly oco: boolean;
  /** Native amend (edit an order in place). */
  readonly amend: boolean;
  /** Push stream of order updates (ccxt watchOrders); otherwise the shell polls. */
  readonly watchOrders: boolean;
}

/** An order as the venue reports it. Quantities are in base units. */
export interface VenueOrder {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly orderType: OrderType;
  readonly qty: number;
  readonly filledQty: number;
  /** Average fill price, NaN when nothing filled. */
  readonly avgPrice: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly status: 'open' | 'filled' | 'canceled' | 'rejected' | 'expired';
  /** ms UTC of the venue's last update of this order. */
  readonly updatedAt: number;
}

/** One execution as the venue reports it (ccxt fetchMyTrades / watchOrders, sim fills). */
export interface VenueFill {
  readonly fillId: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly liquidity?: 'maker' | 'taker';
  readonly ts: number;
}

/** Holdings per asset (spot: free + used balance); `symbol` is the asset code, e.g. BTC or USDT. */
export interface VenueBalance {
  readonly asset: string;
  readonly total: number;
  readonly free: number;
}

export interface Venue {
  /** e.g. `sim`, `ccxt:binance`. */
  readonly id: string;
  readonly capabilities: VenueCapabilities;
  /**
   * Places an order. Resolves with the venue's view right after acceptance (it may already be
   * partly or wholly filled). Throws VenueError: `rejected` / `insufficient_funds` (the order did
   * not land), or `unavailable` / `rate_limited` (it is unknown whether it landed: the caller must
   * look it up by clientOrderId before any retry).
   */
  submit(order: SubmitOrder): Promise<VenueOrder>;
  /** Cancels by clientOrderId. Resolves with the final view (which may be `filled` if a fill won the race). */
  cancel(clientOrderId: string, symbol: string): Promise<VenueOrder>;
  /** Amends in place where `capabilities.amend`; otherwise throws `unsupported`. */
  amend(cmd: AmendOrder, symbol: string): Promise<VenueOrder>;
  /** Looks an order up by clientOrderId; undefined when the venue has never seen it. Idempotent read. */
  fetchOrder(clientOrderId: string, symbol: string): Promise<VenueOrder | undefined>;
  fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]>;
  fetchBalances(): Promise<readonly VenueBalance[]>;
  /** Executions since `since` (ms UTC, inclusive), oldest first. Idempotent read. */
  fetchFills(symbol: string, since?: number): Promise<readonly VenueFill[]>;
  /** Subscribes to order updates and fills as they happen; returns an unsubscribe function. */
  subscribe(listener: (update: { readonly order: VenueOrder; readonly fill?: VenueFill }) => void): () => void;
  close(): Promise<void>;
}

/** The venue error taxonomy: every adapter folds its library's errors into these kinds. */
export const VENUE_ERROR_KINDS = {
  rejected: { retryable: false },
  not_found: { retryable: false },
  insufficient_funds: { retryable: false },
  auth: { retryable: false },
  rate_limited: { retryable: true },
  unavailable: { retryable: true },
  unsupported: { retryable: false },
} as const;
export type VenueErrorKind = keyof typeof VENUE_ERROR_KINDS;

export class VenueError extends Error {
  override readonly name = 'VenueError';
  readonly retryable: boolean;
  constructor(
    readonly kind: VenueErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = VENUE_ERROR_KINDS[kind].retryable;
  }
}

/** Folds a VenueOrder's status into the order/v1 event that ends or advances the order (helper for shells). */
export type VenueEventSink = (event: OrderEvent) => void;
