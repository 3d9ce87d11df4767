import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AmendOrder, SubmitOrder } from '@strata/contract';
import { affordableQty, limitTouchPrice, marketPrice, participationCap, stopTriggerRef } from '@strata/kernel';
import { VenueError, type Venue, type VenueBalance, type VenueCapabilities, type VenueFill, type VenueOrder } from '@strata/order-kernel';

/**
 * The simulated venue behind the venue port: paper trading's exchange. It prices every execution
 * with the backtest's fill model (@strata/kernel fill-model), against the bars the runner feeds it,
 * so a paper run of an artifact fills where its backtest fills:
 *
 *  - `beginBar(ts, bars)` opens a bar: resting GTC orders are checked against it first;
 *  - a market order fills on arrival at the bar's open (`fill: next_open`, the default) or its
 *    close (`fill: close`), plus slippage; a limit fills if the bar touched it, at the better of the
 *    open and its level; a stop triggers inside the bar, at the open when the bar gapped through;
 *  - a volume participation cap limits each bar's execution (partial fills); a buy never spends
 *    more cash than there is (without leverage); fill-or-kill fills wholly or not at all; sells
 *    may go short, as in the backtest (the venue models the strategy's account, not a spot wallet);
 *  - what a non-GTC order leaves unfilled on its bar expires (the bar is the day at bar granularity).
 *
 * State (cash, holdings, orders, fills) is a plain value: `state()` / `SimVenue.restore`, and with
 * `statePath` it is written atomically after every change, so a paper run survives a restart.
 */
export interface SimVenueOptions {
  readonly fill: 'next_open' | 'close' | 'limit_touch' | 'stop_gap';
  readonly feeBps: number;
  readonly slippageBps: number;
  readonly maxParticipation?: number | null;
  readonly lotSize?: number;
  readonly initialCash: number;
  /** The cash asset's code (default USD). */
  readonly cashAsset?: string;
  /** Buys may not spend more than the cash (default true). */
  readonly noLeverage?: boolean;
  /** Persist the state here (JSON, atomic rename) after every change. */
  readonly statePath?: string;
}

interface SimOrder {
  clientOrderId: string;
  venueOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  orderType: 'market' | 'limit' | 'stop';
  qty: number;
  filledQty: number;
  notional: number;
  price: number;
  gtc: boolean;
  fok: boolean;
  status: VenueOrder['status'];
  updatedAt: number;
}

export interface SimVenueState {
  readonly schema: 'strata.sim-venue/v1';
  readonly ts: number;
  readonly cash: number;
  readonly holdings: Record<string, number>;
  readonly orders: readonly SimOrder[];
  readonly fills: readonly VenueFill[];
  readonly nextOrder: number;
}

export interface SimBar {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

type Listener = (update: { readonly order: VenueOrder; readonly fill?: VenueFill }) => void;

export class SimVenue implements Venue {
  readonly id = 'sim';
  readonly capabilities: VenueCapabilities = {
    orderTypes: ['market', 'limit', 'stop'],
    timeInForce: ['gtc', 'day', 'ioc', 'fok'],
    bracket: false,
    oco: false,
    amend: true,
    watchOrders: true,
  };

  private readonly feeRate: number;
  private readonly slipRate: number;
  private readonly lot: number;
  private readonly noLeverage: boolean;
  private readonly cashAsset: string;
  private ts = Number.NaN;
  private cash: number;
  private holdings = new Map<string, number>();
  private orders = new Map<string, SimOrder>();
  private fills: VenueFill[] = [];
  private nextOrder = 1;
  private bars = new Map<string, SimBar>();
  private readonly listeners = new Set<Listener>();

  constructor(private readonly opts: SimVenueOptions) {
    this.feeRate = opts.feeBps / 10_000;
    this.slipRate = opts.slippageBps / 10_000;
    this.lot = opts.lotSize ?? 1;
    this.noLeverage = opts.noLeverage ?? true;
    this.cashAsset = opts.cashAsset ?? 'USD';
    this.cash = opts.initialCash;
  }

  /** A venue from a saved state (what `state()` returned, or the file at `statePath`). */
  static restore(opts: SimVenueOptions, state: SimVenueState): SimVenue {
    if (state.schema !== 'strata.sim-venue/v1') throw new VenueError('unavailable', `sim venue state has schema ${JSON.stringify(state.schema)}; expected strata.sim-venue/v1`);
    const v = new SimVenue(opts);
    v.ts = typeof state.ts === 'number' ? state.ts : Number.NaN;
    v.cash = state.cash;
    v.holdings = new Map(Object.entries(state.holdings));
    v.orders = new Map(state.orders.map((o) => [o.clientOrderId, { ...o }]));
    v.fills = [...state.fills];
    v.nextOrder = state.nextOrder;
    return v;
  }

  /** Loads `opts.statePath` when it exists, else a fresh venue. */
  static open(opts: SimVenueOptions): SimVenue {
    if (opts.statePath === undefined) return new SimVenue(opts);
    let text: string;
    try {
      text = readFileSync(opts.statePath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new SimVenue(opts);
      throw e;
    }
    let state: SimVenueState;
    try {
      state = JSON.parse(text) as SimVenueState;
    } catch (e) {
      throw new VenueError('unavailable', `sim venue state ${opts.statePath} is not valid JSON (${(e as Error).message}); restore it from a backup or delete it to start flat`, { cause: e });
    }
    return SimVenue.restore(opts, state);
  }

  state(): SimVenueState {
    const holdings: Record<string, number> = {};
    for (const [k, q] of [...this.holdings].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) holdings[k] = q;
    return { schema: 'strata.sim-venue/v1', ts: this.ts, cash: this.cash, holdings, orders: [...this.orders.values()].map((o) => ({ ...o })), fills: [...this.fills], nextOrder: this.nextOrder };
  }

  /**
   * Opens the bar at `ts`: resting orders execute against it before anything new arrives. Opening
   * a bar the venue has already opened (a runner resuming mid-bar after a restart) executes nothing
   * again.
   */
  beginBar(ts: number, bars: ReadonlyMap<string, SimBar>): void {
    this.bars = new Map(bars);
    if (ts <= this.ts) return;
    this.ts = ts;
    let changed = false;
    for (const o of this.orders.values()) {
      if (o.status === 'open' && this.bars.has(o.symbol)) {
        const before = o.filledQty;
        this.execute(o);
        changed ||= o.filledQty !== before || o.status !== 'open';
      }
    }
    if (changed) this.persist();
  }

  /** Closes the bar: what non-GTC orders left unfilled expires. */
  endBar(): void {
    let changed = false;
    for (const o of this.orders.values()) {
      if (o.status === 'open' && !o.gtc && this.bars.has(o.symbol)) {
        o.status = 'expired';
        o.updatedAt = this.ts;
        this.emit(o);
        changed = true;
      }
    }
    if (changed) this.persist();
  }

  async submit(order: SubmitOrder): Promise<VenueOrder> {
    if (this.orders.has(order.clientOrderId)) {
      const existing = this.orders.get(order.clientOrderId)!;
      if (existing.status === 'open') throw new VenueError('rejected', `duplicate clientOrderId ${order.clientOrderId}: an open order already has it`);
      return this.view(existing);
    }
    if (order.orderType !== 'market' && order.orderType !== 'limit' && order.orderType !== 'stop') throw new VenueError('unsupported', `the sim venue has no ${order.orderType} orders (market, limit, stop)`);
    if (order.bracket !== undefined || order.ocoGroup !== undefined) throw new VenueError('unsupported', 'the sim venue has no bracket or OCO orders');
    if (order.timeInForce === 'gtd') throw new VenueError('unsupported', 'the sim venue has no gtd time in force (gtc, day, ioc, fok)');
    if (Number.isNaN(this.ts)) throw new VenueError('unavailable', 'the sim venue has no market yet: feed it a bar (beginBar) before sending orders');
    // A market order has no price of its own (0 keeps the state plain JSON).
    const price = order.orderType === 'limit' ? order.limitPrice! : order.orderType === 'stop' ? order.stopPrice! : 0;
    const o: SimOrder = {
      clientOrderId: order.clientOrderId,
      venueOrderId: `SIM-${this.nextOrder++}`,
      symbol: order.symbol,
      side: order.side,
      orderType: order.orderType,
      qty: order.qty,
      filledQty: 0,
      notional: 0,
      price,
      gtc: order.timeInForce === 'gtc',
      fok: order.timeInForce === 'fok',
      status: 'open',
      updatedAt: this.ts,
    };
    this.orders.set(o.clientOrderId, o);
    this.emit(o);
    if (this.bars.has(o.symbol)) this.execute(o);
    if (o.status === 'open' && order.timeInForce === 'ioc') {
      o.status = 'expired';
      this.emit(o);
    }
    this.persist();
    return this.view(o);
  }

  async cancel(clientOrderId: string, _symbol: string): Promise<VenueOrder> {
    const o = this.orders.get(clientOrderId);
    if (!o) throw new VenueError('not_found', `no order ${clientOrderId} at the sim venue`);
    if (o.status === 'open') {
      o.status = 'canceled';
      o.updatedAt = this.ts;
      this.emit(o);
      this.persist();
    }
    return this.view(o);
  }

  async amend(cmd: AmendOrder, _symbol: string): Promise<VenueOrder> {
    const o = this.orders.get(cmd.clientOrderId);
    if (!o) throw new VenueError('not_found', `no order ${cmd.clientOrderId} at the sim venue`);
    if (o.status !== 'open') throw new VenueError('rejected', `order ${cmd.clientOrderId} is ${o.status}; only open orders can be amended`);
    if (cmd.qty !== undefined) {
      if (cmd.qty < o.filledQty) throw new VenueError('rejected', `amend qty ${cmd.qty} is below the filled ${o.filledQty}`);
      o.qty = cmd.qty;
    }
    if (cmd.limitPrice !== undefined && o.orderType === 'limit') o.price = cmd.limitPrice;
    if (cmd.stopPrice !== undefined && o.orderType === 'stop') o.price = cmd.stopPrice;
    if (cmd.timeInForce !== undefined) o.gtc = cmd.timeInForce === 'gtc';
    o.updatedAt = this.ts;
    if (o.filledQty >= o.qty - 1e-12) o.status = 'filled';
    this.emit(o);
    this.persist();
    return this.view(o);
  }

  async fetchOrder(clientOrderId: string): Promise<VenueOrder | undefined> {
    const o = this.orders.get(clientOrderId);
    return o ? this.view(o) : undefined;
  }

  async fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    return [...this.orders.values()].filter((o) => o.status === 'open' && (symbol === undefined || o.symbol === symbol)).map((o) => this.view(o));
  }

  async fetchBalances(): Promise<readonly VenueBalance[]> {
    const reserved = this.reservedCash();
    const out: VenueBalance[] = [{ asset: this.cashAsset, total: this.cash, free: this.cash - reserved }];
    for (const [asset, q] of [...this.holdings].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) if (q !== 0) out.push({ asset, total: q, free: q });
    return out;
  }

  async fetchFills(symbol: string, since = Number.NEGATIVE_INFINITY): Promise<readonly VenueFill[]> {
    return this.fills.filter((f) => f.symbol === symbol && f.ts >= since);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.persist();
  }

  // ——— internals ———

  private reservedCash(): number {
    let r = 0;
    for (const o of this.orders.values()) if (o.status === 'open' && o.side === 'buy' && o.orderType === 'limit') r += (o.qty - o.filledQty) * o.price * (1 + this.feeRate);
    return r;
  }

  /** Executes what the current bar allows of `o`, with the backtest's fill model. */
  private execute(o: SimOrder): void {
    const bar = this.bars.get(o.symbol)!;
    const buy = o.side === 'buy';
    let price: number;
    let ref: number;
    if (o.orderType === 'market') {
      ref = this.opts.fill === 'close' ? bar.close : bar.open;
      price = marketPrice(buy, ref, this.slipRate);
    } else if (o.orderType === 'limit') {
      price = ref = limitTouchPrice(buy, o.price, bar.open, bar.high, bar.low);
    } else {
      ref = stopTriggerRef(buy, o.price, bar.open, bar.high, bar.low);
      price = ref === ref ? marketPrice(buy, ref, this.slipRate) : Number.NaN;
    }
    if (price !== price) return;
    const remaining = o.qty - o.filledQty;
    let qty = Math.min(remaining, participationCap(this.opts.maxParticipation ?? undefined, bar.volume, this.lot));
    if (buy && this.noLeverage && (this.holdings.get(o.symbol) ?? 0) >= 0) qty = Math.min(qty, affordableQty(this.cash, price, this.feeRate, this.lot));
    if (o.fok && qty < remaining) {
      o.status = 'expired';
      o.updatedAt = this.ts;
      this.emit(o);
      return;
    }
    if (!(qty > 0)) return;
    const fee = qty * price * this.feeRate;
    this.cash -= (buy ? qty : -qty) * price + fee;
    const held = (this.holdings.get(o.symbol) ?? 0) + (buy ? qty : -qty);
    if (Math.abs(held) < 1e-12) this.holdings.delete(o.symbol);
    else this.holdings.set(o.symbol, held);
    o.filledQty += qty;
    o.notional += qty * price;
    o.updatedAt = this.ts;
    if (o.filledQty >= o.qty - 1e-12) o.status = 'filled';
    const fill: VenueFill = { fillId: `${o.venueOrderId}-${this.fills.length + 1}`, clientOrderId: o.clientOrderId, venueOrderId: o.venueOrderId, symbol: o.symbol, side: o.side, qty, price, fee, liquidity: o.orderType === 'limit' ? 'maker' : 'taker', ts: this.ts };
    this.fills.push(fill);
    this.emit(o, fill);
  }

  private view(o: SimOrder): VenueOrder {
    return {
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId,
      symbol: o.symbol,
      side: o.side,
      orderType: o.orderType,
      qty: o.qty,
      filledQty: o.filledQty,
      avgPrice: o.filledQty > 0 ? o.notional / o.filledQty : Number.NaN,
      ...(o.orderType === 'limit' ? { limitPrice: o.price } : o.orderType === 'stop' ? { stopPrice: o.price } : {}),
      status: o.status,
      updatedAt: o.updatedAt,
    };
  }

  private emit(o: SimOrder, fill?: VenueFill): void {
    const order = this.view(o);
    for (const l of this.listeners) l(fill ? { order, fill } : { order });
  }

  private persist(): void {
    const path = this.opts.statePath;
    if (path === undefined) return;
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.state())}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  }
}
