/**
 * Builders for the order kernel's tests (not exported from the package). Messages are built as
 * plain literals with a running `seq`, so tests read as the sequence of inputs they feed.
 */
import type { AmendOrder, CancelAll, CancelOrder, OrderAccepted, OrderAmended, OrderCanceled, OrderEvent, OrderExpired, OrderFilled, OrderRejected, SubmitOrder } from '@strata/contract';
import type { VenueCapabilities } from './venue-port.js';
import type { ControlInput, KernelOutput, OrderKernelConfig, OrderLogRecord, PreTradeControls } from './types.js';

/** 2026-01-05 14:30:00 UTC. */
export const T = Date.UTC(2026, 0, 5, 14, 30);

export const ALL_CAPS: VenueCapabilities = {
  orderTypes: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'],
  timeInForce: ['gtc', 'day', 'ioc', 'fok', 'gtd'],
  bracket: true,
  oco: true,
  amend: true,
  watchOrders: true,
};

export function config(controls: PreTradeControls = {}, caps: Partial<VenueCapabilities> = {}, extra: Partial<OrderKernelConfig> = {}): OrderKernelConfig {
  return { venue: { id: 'sim', capabilities: { ...ALL_CAPS, ...caps } }, controls, ...extra };
}

let seq = 0;
const env = (clientOrderId: string, tsEvent: number) => ({ schema: 'order/v1' as const, clientOrderId, tsEvent, seq: seq++ });

/** Overrides of a submit; a field set to undefined is removed (e.g. `limitPrice: undefined` for a market order). */
export type SubmitOver = { [K in keyof SubmitOrder]?: SubmitOrder[K] | undefined };

export function submit(id: string, over: SubmitOver = {}, ts = T): SubmitOrder {
  const m: Record<string, unknown> = { ...env(id, ts), type: 'SubmitOrder', symbol: 'SPY', side: 'buy', qty: 100, orderType: 'limit', limitPrice: 100, timeInForce: 'gtc', ...over };
  for (const k of Object.keys(m)) if (m[k] === undefined) delete m[k];
  return m as SubmitOrder;
}
export const accepted = (id: string, ts = T): OrderAccepted => ({ ...env(id, ts), type: 'OrderAccepted', venueOrderId: `v-${id}` });
export const filled = (id: string, fillId: string, qty: number, price = 100, ts = T, over: Partial<OrderFilled> = {}): OrderFilled => ({
  ...env(id, ts),
  type: 'OrderFilled',
  fillId,
  symbol: 'SPY',
  side: 'buy',
  qty,
  price,
  fee: 0,
  cumQty: qty,
  leavesQty: 0,
  ...over,
});
export const cancel = (id: string, ts = T): CancelOrder => ({ ...env(id, ts), type: 'CancelOrder' });
export const canceled = (id: string, qty = 100, ts = T): OrderCanceled => ({ ...env(id, ts), type: 'OrderCanceled', canceledQty: qty });
export const expired = (id: string, qty = 100, ts = T): OrderExpired => ({ ...env(id, ts), type: 'OrderExpired', expiredQty: qty });
export const rejected = (id: string, code = 'venue_reject', ts = T): OrderRejected => ({ ...env(id, ts), type: 'OrderRejected', code, reason: 'refused by the venue' });
export const amend = (id: string, change: Partial<AmendOrder>, ts = T): AmendOrder => ({ ...env(id, ts), type: 'AmendOrder', ...change });
export const amended = (id: string, change: Partial<OrderAmended>, ts = T): OrderAmended => ({ ...env(id, ts), type: 'OrderAmended', ...change });
export const cancelAll = (id: string, symbol?: string, ts = T): CancelAll => ({ ...env(id, ts), type: 'CancelAll', ...(symbol === undefined ? {} : { symbol }) });
export const quote = (symbol: string, bid: number, ask: number, ts = T): ControlInput => ({ type: 'MarketUpdate', tsEvent: ts, symbol, bid, ask });
export const last = (symbol: string, price: number, ts = T): ControlInput => ({ type: 'MarketUpdate', tsEvent: ts, symbol, last: price });
export const clock = (ts: number): ControlInput => ({ type: 'Clock', tsEvent: ts });
export const kill = (engaged: boolean, cancelAllOrders: boolean, ts = T, reason = 'risk limit'): ControlInput => ({ type: 'KillSwitch', tsEvent: ts, engaged, cancelAll: cancelAllOrders, reason });

/** The outputs as short strings: `log:input`, `venue:SubmitOrder`, `event:OrderSubmitted`, `duplicate`, `conflict`. */
export function shape(outs: readonly KernelOutput[]): string[] {
  return outs.map((o) => {
    switch (o.kind) {
      case 'log':
        return `log:${o.record.kind}`;
      case 'venue':
        return `venue:${o.command.type}`;
      case 'event':
        return `event:${o.event.type}`;
      default:
        return o.kind;
    }
  });
}

export const venueOf = (outs: readonly KernelOutput[]) => outs.flatMap((o) => (o.kind === 'venue' ? [o.command] : []));
export const eventsOf = (outs: readonly KernelOutput[]): OrderEvent[] => outs.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
export const logsOf = (outs: readonly KernelOutput[]): OrderLogRecord[] => outs.flatMap((o) => (o.kind === 'log' ? [o.record] : []));
export const rejectionOf = (outs: readonly KernelOutput[]): OrderRejected | undefined => eventsOf(outs).find((e): e is OrderRejected => e.type === 'OrderRejected');
