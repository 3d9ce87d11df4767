import type { AmendOrder, SubmitOrder } from '@strata/contract';
import { VenueError, type Venue, type VenueBalance, type VenueCapabilities, type VenueErrorKind, type VenueFill, type VenueOrder } from '../../src/core/venue-port.js';

/**
 * A small deterministic venue for the order kernel's own tests (the real venues — CcxtVenue
 * against the Binance emulator — live in @strata/venues). Market orders fill at once at the
 * symbol's price; limit orders rest until `fill` is called. Fault injection: `failNext` makes the
 * next call of a method throw a VenueError, optionally after the order landed (the "unknown
 * outcome" case). Every order ever created is kept, so tests can count them.
 */
export class MemoryVenue implements Venue {
  readonly id: string;
  readonly capabilities: VenueCapabilities = {
    orderTypes: ['market', 'limit'],
    timeInForce: ['gtc', 'ioc', 'day', 'gtd'],
    bracket: false,
    oco: false,
    amend: true,
    watchOrders: true,
  };
  /** Every order the venue accepted, in arrival order. */
  readonly created: VenueOrder[] = [];
  readonly fills: VenueFill[] = [];
  readonly calls: { method: string; clientOrderId?: string }[] = [];
  private readonly orders = new Map<string, VenueOrder>();
  private readonly listeners = new Set<(u: { order: VenueOrder; fill?: VenueFill }) => void>();
  private readonly faults: { method: keyof Venue; kind: VenueErrorKind; landed: boolean }[] = [];
  private readonly prices = new Map<string, number>();
  private nextOrder = 1;
  private nextFill = 1;
  now: () => number;

  constructor(options: { id?: string; now?: () => number } = {}) {
    this.id = options.id ?? 'memory';
    this.now = options.now ?? (() => 1_700_000_000_000);
  }

  setPrice(symbol: string, price: number): void {
    this.prices.set(symbol, price);
  }

  /** The next call of `method` throws `kind`; with `landed`, a submit takes effect first (outcome unknown to the caller). */
  failNext(method: keyof Venue, kind: VenueErrorKind, options: { landed?: boolean } = {}): void {
    this.faults.push({ method, kind, landed: options.landed === true });
  }

  order(clientOrderId: string): VenueOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  /** Executes `qty` of a working order at `price` and notifies subscribers. */
  fill(clientOrderId: string, qty: number, price: number, options: { notify?: boolean } = {}): VenueFill {
    const o = this.orders.get(clientOrderId);
    if (!o || o.status !== 'open') throw new Error(`MemoryVenue: ${clientOrderId} is not working`);
    const q = Math.min(qty, o.qty - o.filledQty);
    const f: VenueFill = {
      fillId: `T${this.nextFill++}`,
      clientOrderId,
      venueOrderId: o.venueOrderId,
      symbol: o.symbol,
      side: o.side,
      qty: q,
      price,
      fee: round(q * price * 0.001),
      liquidity: 'maker',
      ts: this.now(),
    };
    const filledQty = round(o.filledQty + q);
    const avgPrice = (o.filledQty * (Number.isNaN(o.avgPrice) ? 0 : o.avgPrice) + q * price) / filledQty;
    const next: VenueOrder = { ...o, filledQty, avgPrice, status: filledQty >= o.qty - 1e-12 ? 'filled' : 'open', updatedAt: this.now() };
    this.orders.set(clientOrderId, next);
    this.fills.push(f);
    if (options.notify !== false) this.emit(next, f);
    return f;
  }

  /** Re-sends a fill notification (a duplicate report). */
  replayFill(fillId: string): void {
    const f = this.fills.find((x) => x.fillId === fillId);
    if (!f) throw new Error(`MemoryVenue: no fill ${fillId}`);
    this.emit(this.orders.get(f.clientOrderId)!, f);
  }

  async submit(order: SubmitOrder): Promise<VenueOrder> {
    this.calls.push({ method: 'submit', clientOrderId: order.clientOrderId });
    const fault = this.takeFault('submit');
    if (fault && !fault.landed) throw new VenueError(fault.kind, `memory venue: injected ${fault.kind} on submit`);
    if (this.orders.has(order.clientOrderId)) throw new VenueError('rejected', `memory venue: duplicate clientOrderId ${order.clientOrderId}`);
    if (!this.capabilities.orderTypes.includes(order.orderType)) throw new VenueError('unsupported', `memory venue: no ${order.orderType} orders`);
    const o: VenueOrder = {
      clientOrderId: order.clientOrderId,
      venueOrderId: `V${this.nextOrder++}`,
      symbol: order.symbol,
      side: order.side,
      orderType: order.orderType,
      qty: order.qty,
      filledQty: 0,
      avgPrice: Number.NaN,
      ...(order.limitPrice !== undefined ? { limitPrice: order.limitPrice } : {}),
      status: 'open',
      updatedAt: this.now(),
    };
    this.orders.set(o.clientOrderId, o);
    this.created.push(o);
    if (order.orderType === 'market') {
      const price = this.prices.get(order.symbol);
      if (price === undefined) throw new Error(`MemoryVenue: no price for ${order.symbol}`);
      this.fill(o.clientOrderId, o.qty, price, { notify: false });
    }
    if (fault) throw new VenueError(fault.kind, `memory venue: injected ${fault.kind} after the order landed`);
    return this.orders.get(o.clientOrderId)!;
  }

  async cancel(clientOrderId: string, _symbol: string): Promise<VenueOrder> {
    this.calls.push({ method: 'cancel', clientOrderId });
    const fault = this.takeFault('cancel');
    if (fault) throw new VenueError(fault.kind, `memory venue: injected ${fault.kind} on cancel`);
    const o = this.orders.get(clientOrderId);
    if (!o) throw new VenueError('not_found', `memory venue: unknown order ${clientOrderId}`);
    if (o.status !== 'open') return o;
    const next: VenueOrder = { ...o, status: 'canceled', updatedAt: this.now() };
    this.orders.set(clientOrderId, next);
    return next;
  }

  async amend(cmd: AmendOrder, _symbol: string): Promise<VenueOrder> {
    this.calls.push({ method: 'amend', clientOrderId: cmd.clientOrderId });
    const o = this.orders.get(cmd.clientOrderId);
    if (!o || o.status !== 'open') throw new VenueError('rejected', `memory venue: ${cmd.clientOrderId} is not working`);
    const next: VenueOrder = { ...o, ...(cmd.qty !== undefined ? { qty: cmd.qty } : {}), ...(cmd.limitPrice !== undefined ? { limitPrice: cmd.limitPrice } : {}), updatedAt: this.now() };
    this.orders.set(cmd.clientOrderId, next);
    return next;
  }

  async fetchOrder(clientOrderId: string, _symbol: string): Promise<VenueOrder | undefined> {
    this.calls.push({ method: 'fetchOrder', clientOrderId });
    const fault = this.takeFault('fetchOrder');
    if (fault) throw new VenueError(fault.kind, `memory venue: injected ${fault.kind} on fetchOrder`);
    return this.orders.get(clientOrderId);
  }

  async fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    return [...this.orders.values()].filter((o) => o.status === 'open' && (symbol === undefined || o.symbol === symbol));
  }

  async fetchBalances(): Promise<readonly VenueBalance[]> {
    return [{ asset: 'USDT', total: 1_000_000, free: 1_000_000 }];
  }

  async fetchFills(symbol: string, since?: number): Promise<readonly VenueFill[]> {
    this.calls.push({ method: 'fetchFills' });
    return this.fills.filter((f) => f.symbol === symbol && (since === undefined || f.ts >= since));
  }

  subscribe(listener: (update: { readonly order: VenueOrder; readonly fill?: VenueFill }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  /** Adds an order the order kernel never sent (drift tests). */
  injectForeignOrder(o: Omit<VenueOrder, 'venueOrderId' | 'updatedAt'>): VenueOrder {
    const full: VenueOrder = { ...o, venueOrderId: `V${this.nextOrder++}`, updatedAt: this.now() };
    this.orders.set(o.clientOrderId, full);
    this.created.push(full);
    return full;
  }

  /** Overwrites the venue's view of an order (drift tests). */
  corrupt(clientOrderId: string, patch: Partial<VenueOrder>): void {
    this.orders.set(clientOrderId, { ...this.orders.get(clientOrderId)!, ...patch });
  }

  private emit(order: VenueOrder, fill?: VenueFill): void {
    const update = fill ? { order, fill } : { order };
    queueMicrotask(() => {
      for (const l of [...this.listeners]) l(update);
    });
  }

  private takeFault(method: keyof Venue): { kind: VenueErrorKind; landed: boolean } | undefined {
    const i = this.faults.findIndex((f) => f.method === method);
    return i < 0 ? undefined : this.faults.splice(i, 1)[0];
  }
}

function round(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}
