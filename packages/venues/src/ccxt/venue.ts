import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import ccxt, { type Exchange, type Order, type Trade } from 'ccxt';
import type { AmendOrder, OrderType, SubmitOrder, TimeInForce } from '@strata/contract';
import { VenueError, type Venue, type VenueBalance, type VenueCapabilities, type VenueFill, type VenueOrder } from '@strata/order-kernel';
import { DEFAULT_RETRY_POLICY, realSleep, retryRead, validateRetryPolicy, type RetryPolicy } from '../retry.js';
import { foldCcxtError, redactor, type Redactor } from './errors.js';

/** API credentials. Held privately by the venue; never logged, never part of an error message or `inspect` output. */
export interface CcxtCredentials {
  readonly apiKey: string;
  readonly secret: string;
}

export interface CcxtVenueOptions {
  /** ccxt exchange id, e.g. `binance`. */
  readonly exchangeId: string;
  readonly credentials: CcxtCredentials;
  /**
   * Points every `exchange.urls.api` entry at this origin, keeping each entry's path
   * (`https://api.binance.com/api/v3` → `http://127.0.0.1:PORT/api/v3`) — how tests reach the emulator.
   */
  readonly apiBaseUrl?: string;
  /** Individual `exchange.urls.api` entries to set (applied after `apiBaseUrl`). */
  readonly apiUrls?: Readonly<Record<string, string>>;
  /** ccxt's HTTP timeout per request, ms (default 10 000). */
  readonly timeoutMs?: number;
  /** ccxt's client-side rate limiter (default true). */
  readonly enableRateLimit?: boolean;
  /** Merged into `exchange.options` after the adapter's own defaults (see README). */
  readonly exchangeOptions?: Readonly<Record<string, unknown>>;
  /** Retry policy of idempotent reads (defaults: DEFAULT_RETRY_POLICY). */
  readonly readRetry?: Partial<RetryPolicy>;
  /** How many times a submit may be sent in all, counting resubmits after the order was proven absent (default 3). */
  readonly submitAttempts?: number;
  /** `subscribe`: poll interval, ms (default 1 000). */
  readonly pollIntervalMs?: number;
  /** `subscribe`: symbols to watch besides those this venue submitted to (Binance's trade history needs a symbol). */
  readonly watchSymbols?: readonly string[];
  /** `subscribe`: `auto` uses ccxt watchOrders as a wake-up when the exchange has it and a WS endpoint; `poll` always polls (default auto). */
  readonly subscribeMode?: 'auto' | 'poll';
  /** Errors met while polling for `subscribe` (the poll carries on). */
  readonly onPollError?: (error: VenueError) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** What a ccxt exchange instance must look like to be constructed by id. */
type ExchangeClass = new (config: Record<string, unknown>) => Exchange;

/** Binance's (and the contract's) client order id alphabet; Binance allows 36 characters, the contract 96. */
const VENUE_CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/**
 * Spot-only defaults per exchange: Binance's loadMarkets would otherwise also call the futures
 * (fapi/dapi), margin (sapi) and currencies (sapi, signed) endpoints.
 */
const EXCHANGE_DEFAULTS: Readonly<Record<string, Record<string, unknown>>> = {
  binance: {
    defaultType: 'spot',
    fetchMarkets: { types: ['spot'] },
    fetchMargins: false,
    fetchCurrencies: false,
    fetchOpenOrders: { warnWithoutSymbol: false },
  },
};

/** Maps the exchange's `urls.api` (a string or a nested dict of strings) onto `origin`. */
function rebase(api: unknown, origin: string): unknown {
  if (typeof api === 'string') {
    const u = new URL(api);
    return `${origin.replace(/\/+$/, '')}${u.pathname.replace(/\/+$/, '')}`;
  }
  if (api !== null && typeof api === 'object') return Object.fromEntries(Object.entries(api).map(([k, v]) => [k, rebase(v, origin)]));
  return api;
}

interface Tracked {
  readonly symbol: string;
  status: VenueOrder['status'];
  filledQty: number;
}

/**
 * A Venue over ccxt's unified API (spot). Construct with `await CcxtVenue.connect(options)`, which
 * loads the markets and derives the capabilities. Symbols are taken as ccxt's unified form
 * (`BTC/USDT`, Strata's canonical crypto symbol, as the feeds name their series) or as the
 * exchange's id (`BTCUSDT`); every report carries the unified form.
 */
export class CcxtVenue implements Venue {
  readonly id: string;
  readonly capabilities: VenueCapabilities;
  readonly #ex: Exchange;
  readonly #redact: Redactor;
  readonly #retry: RetryPolicy;
  readonly #submitAttempts: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #pollIntervalMs: number;
  readonly #subscribeMode: 'auto' | 'poll';
  readonly #onPollError: ((error: VenueError) => void) | undefined;
  /** Our clientOrderId by the venue's (they differ only when ours is too long for the venue). */
  readonly #ourId = new Map<string, string>();
  /** Our clientOrderId by venue order id, learned from responses (trades carry only the order id). */
  readonly #idByVenueOrder = new Map<string, string>();
  readonly #symbols = new Set<string>();
  readonly #listeners = new Set<(update: { readonly order: VenueOrder; readonly fill?: VenueFill }) => void>();
  readonly #seenFills = new Set<string>();
  readonly #tracked = new Map<string, Tracked>();
  #pollSince = 0;
  #pollTimer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #watching = false;
  #closed = false;

  private constructor(ex: Exchange, options: CcxtVenueOptions, capabilities: VenueCapabilities, redact: Redactor) {
    this.id = `ccxt:${options.exchangeId}`;
    this.capabilities = capabilities;
    this.#ex = ex;
    this.#redact = redact;
    this.#retry = validateRetryPolicy({ ...DEFAULT_RETRY_POLICY, ...options.readRetry });
    this.#submitAttempts = options.submitAttempts ?? 3;
    if (!Number.isInteger(this.#submitAttempts) || this.#submitAttempts < 1) throw new RangeError(`submitAttempts must be a whole number ≥ 1, got ${this.#submitAttempts}`);
    this.#sleep = options.sleep ?? realSleep;
    this.#now = options.now ?? Date.now;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#subscribeMode = options.subscribeMode ?? 'auto';
    this.#onPollError = options.onPollError;
    for (const s of options.watchSymbols ?? []) this.#symbols.add(this.#market(s).symbol);
  }

  /** Creates the ccxt exchange, loads its markets (a retried read) and derives the capabilities. */
  static async connect(options: CcxtVenueOptions): Promise<CcxtVenue> {
    const redact = redactor([options.credentials.apiKey, options.credentials.secret]);
    const Cls = (ccxt as unknown as Record<string, unknown>)[options.exchangeId];
    if (!ccxt.exchanges.includes(options.exchangeId) || typeof Cls !== 'function') {
      throw new VenueError('unsupported', `ccxt has no exchange "${options.exchangeId}"`);
    }
    const ex = new (Cls as ExchangeClass)({
      apiKey: options.credentials.apiKey,
      secret: options.credentials.secret,
      timeout: options.timeoutMs ?? 10_000,
      enableRateLimit: options.enableRateLimit ?? true,
    });
    ex.options = { ...ex.options, ...EXCHANGE_DEFAULTS[options.exchangeId], ...options.exchangeOptions };
    if (options.apiBaseUrl !== undefined) ex.urls = { ...ex.urls, api: rebase(ex.urls['api'], options.apiBaseUrl) as Exchange['urls']['api'] };
    if (options.apiUrls !== undefined) ex.urls = { ...ex.urls, api: { ...(ex.urls['api'] as Record<string, unknown>), ...options.apiUrls } };
    const policy = validateRetryPolicy({ ...DEFAULT_RETRY_POLICY, ...options.readRetry });
    await retryRead(
      async () => {
        try {
          await ex.loadMarkets();
        } catch (e) {
          throw foldCcxtError(e, `${options.exchangeId}: load markets`, redact);
        }
      },
      policy,
      { sleep: options.sleep ?? realSleep, now: options.now ?? Date.now },
    );
    return new CcxtVenue(ex, options, deriveCapabilities(ex), redact);
  }

  // ——— commands ———

  async submit(order: SubmitOrder): Promise<VenueOrder> {
    const m = this.#market(order.symbol);
    const request = this.#orderRequest(order, m.symbol);
    const venueCid = this.#venueClientId(order.clientOrderId);
    this.#symbols.add(m.symbol);
    const what = `submit ${order.clientOrderId} (${m.symbol} ${order.side} ${order.qty} ${order.orderType})`;
    let lastError: VenueError | undefined;
    for (let attempt = 1; attempt <= this.#submitAttempts; attempt++) {
      try {
        const placed = await this.#ex.createOrder(m.symbol, request.type, order.side, order.qty, request.price, { ...request.params, clientOrderId: venueCid });
        return this.#remember(this.#toVenueOrder(placed));
      } catch (e) {
        const err = foldCcxtError(e, what, this.#redact);
        const duplicate = attempt > 1 && err.kind === 'rejected' && /Duplicate order sent/i.test(err.message);
        if (!err.retryable && !duplicate) throw err;
        lastError = err;
      }
      // The outcome is unknown (or a resubmit met our own earlier order): look the order up before anything else.
      await this.#sleep(this.#backoff(attempt));
      let found: VenueOrder | undefined;
      try {
        found = await this.fetchOrder(order.clientOrderId, m.symbol);
      } catch (e) {
        const err = e instanceof VenueError ? e : foldCcxtError(e, what, this.#redact);
        throw new VenueError('unavailable', this.#redact(`${what}: outcome unknown — the submit failed (${lastError.message}) and the order could not be looked up (${err.message}); look it up by clientOrderId before resubmitting`), { cause: err });
      }
      if (found !== undefined) return found;
      // proven absent: the order did not land, so sending it again cannot duplicate it
    }
    throw new VenueError('unavailable', this.#redact(`${what}: not placed after ${this.#submitAttempts} attempts, each proven absent afterwards (last error: ${lastError?.message ?? 'none'})`), { cause: lastError });
  }

  async cancel(clientOrderId: string, symbol: string): Promise<VenueOrder> {
    const m = this.#market(symbol);
    const venueCid = this.#venueClientId(clientOrderId);
    const what = `cancel ${clientOrderId} (${m.symbol})`;
    for (let attempt = 1; ; attempt++) {
      let err: VenueError;
      try {
        return this.#remember(this.#toVenueOrder(await this.#ex.cancelOrder('', m.symbol, { clientOrderId: venueCid })));
      } catch (e) {
        err = foldCcxtError(e, what, this.#redact);
      }
      if (err.kind !== 'not_found' && !err.retryable) throw err;
      // not_found: already done (a fill may have won the race) or never existed; unknown: did the cancel land? Fetch to decide.
      if (err.retryable) await this.#sleep(this.#backoff(attempt));
      const view = await this.fetchOrder(clientOrderId, m.symbol);
      if (view === undefined) throw new VenueError('not_found', this.#redact(`${what}: the venue has no such order`), { cause: err });
      if (view.status !== 'open') return view;
      if (err.kind === 'not_found' || attempt >= this.#submitAttempts) {
        throw new VenueError('unavailable', this.#redact(`${what}: the order is still open after ${attempt} cancel attempt(s) (${err.message})`), { cause: err });
      }
    }
  }

  async amend(cmd: AmendOrder, symbol: string): Promise<VenueOrder> {
    throw new VenueError('unsupported', `${this.id}: amend of ${cmd.clientOrderId} (${symbol}) is not supported by this adapter; cancel and resubmit`);
  }

  // ——— idempotent reads (retried) ———

  async fetchOrder(clientOrderId: string, symbol: string): Promise<VenueOrder | undefined> {
    const m = this.#market(symbol);
    const venueCid = this.#venueClientId(clientOrderId);
    return this.#read(`fetch order ${clientOrderId} (${m.symbol})`, async () => {
      try {
        return this.#remember(this.#toVenueOrder(await this.#ex.fetchOrder('', m.symbol, { clientOrderId: venueCid })));
      } catch (e) {
        const err = foldCcxtError(e, '', this.#redact);
        if (err.kind === 'not_found') return undefined;
        throw e;
      }
    });
  }

  async fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    const unified = symbol === undefined ? undefined : this.#market(symbol).symbol;
    const orders = await this.#read(`fetch open orders${unified === undefined ? '' : ` (${unified})`}`, () => this.#ex.fetchOpenOrders(unified));
    return orders.map((o) => this.#remember(this.#toVenueOrder(o)));
  }

  async fetchBalances(): Promise<readonly VenueBalance[]> {
    const b = await this.#read('fetch balances', () => this.#ex.fetchBalance());
    const totals = (b['total'] ?? {}) as unknown as Record<string, number | undefined>;
    const frees = (b['free'] ?? {}) as unknown as Record<string, number | undefined>;
    return Object.keys(totals)
      .sort()
      .map((asset) => ({ asset, total: totals[asset] ?? 0, free: frees[asset] ?? 0 }));
  }

  async fetchFills(symbol: string, since?: number): Promise<readonly VenueFill[]> {
    const m = this.#market(symbol);
    const what = `fetch fills (${m.symbol})`;
    const out: VenueFill[] = [];
    const seen = new Set<string>();
    let cursor = since;
    for (;;) {
      const page: Trade[] = await this.#read(what, () => this.#ex.fetchMyTrades(m.symbol, cursor, 1000));
      let fresh = 0;
      for (const t of page) {
        const id = String(t.id);
        if (seen.has(id)) continue;
        seen.add(id);
        fresh++;
        out.push(await this.#toVenueFill(t, m));
      }
      if (page.length < 1000 || fresh === 0) break;
      cursor = page[page.length - 1]?.timestamp ?? undefined;
    }
    return out.sort((a, b) => a.ts - b.ts || compareIds(a.fillId, b.fillId));
  }

  // ——— updates ———

  subscribe(listener: (update: { readonly order: VenueOrder; readonly fill?: VenueFill }) => void): () => void {
    if (this.#closed) throw new VenueError('unavailable', `${this.id}: closed`);
    if (this.#listeners.size === 0 && this.#pollTimer === undefined && this.#polling === undefined) {
      if (this.#pollSince === 0) this.#pollSince = this.#now();
      this.#schedulePoll();
      if (this.#subscribeMode === 'auto' && this.capabilities.watchOrders) void this.#watchLoop();
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#pollTimer !== undefined) {
        clearTimeout(this.#pollTimer);
        this.#pollTimer = undefined;
      }
    };
  }

  /** Runs one reconciliation pass now (what each poll does): new fills, then changed order views. */
  async poll(): Promise<void> {
    if (this.#polling !== undefined) return this.#polling;
    this.#polling = this.#reconcile().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    if (this.#pollTimer !== undefined) clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    await this.#polling?.catch(() => undefined);
    this.#watching = false;
    await this.#ex.close().catch(() => undefined);
  }

  [inspect.custom](): string {
    return `CcxtVenue { id: '${this.id}', capabilities: ${inspect(this.capabilities, { breakLength: Infinity })} }`;
  }

  toJSON(): { id: string; capabilities: VenueCapabilities } {
    return { id: this.id, capabilities: this.capabilities };
  }

  // ——— internals ———

  #schedulePoll(): void {
    if (this.#closed) return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = undefined;
      void this.poll().finally(() => {
        if (!this.#closed && this.#listeners.size > 0) this.#schedulePoll();
      });
    }, this.#pollIntervalMs);
  }

  async #watchLoop(): Promise<void> {
    if (this.#watching) return;
    this.#watching = true;
    while (this.#watching && !this.#closed && this.#listeners.size > 0) {
      try {
        await this.#ex.watchOrders();
        await this.poll();
      } catch (e) {
        this.#onPollError?.(foldCcxtError(e, `${this.id}: watch orders`, this.#redact));
        await this.#sleep(this.#pollIntervalMs);
      }
    }
    this.#watching = false;
  }

  async #reconcile(): Promise<void> {
    for (const symbol of [...this.#symbols].sort()) {
      try {
        await this.#reconcileSymbol(symbol);
      } catch (e) {
        const err = e instanceof VenueError ? e : foldCcxtError(e, `${this.id}: poll ${symbol}`, this.#redact);
        this.#onPollError?.(err);
      }
    }
  }

  async #reconcileSymbol(symbol: string): Promise<void> {
    const fills = (await this.fetchFills(symbol, this.#pollSince)).filter((f) => !this.#seenFills.has(f.fillId));
    const views = new Map<string, VenueOrder>();
    const viewOf = async (cid: string): Promise<VenueOrder | undefined> => {
      if (!views.has(cid)) {
        const v = await this.fetchOrder(cid, symbol);
        if (v !== undefined) views.set(cid, v);
      }
      return views.get(cid);
    };
    for (const fill of fills) {
      const order = await viewOf(fill.clientOrderId);
      if (order === undefined) continue;
      this.#seenFills.add(fill.fillId);
      this.#track(order);
      this.#emit({ order, fill });
    }
    const open = await this.fetchOpenOrders(symbol);
    const openIds = new Set(open.map((o) => o.clientOrderId));
    for (const o of open) if (this.#changed(o)) this.#emit({ order: this.#track(o) });
    // tracked orders that left the open set: fetch their final view
    for (const [cid, t] of this.#tracked) {
      if (t.symbol !== symbol || t.status !== 'open' || openIds.has(cid)) continue;
      const v = await viewOf(cid);
      if (v !== undefined && this.#changed(v)) this.#emit({ order: this.#track(v) });
    }
  }

  #changed(o: VenueOrder): boolean {
    const t = this.#tracked.get(o.clientOrderId);
    return t === undefined || t.status !== o.status || t.filledQty !== o.filledQty;
  }

  #track(o: VenueOrder): VenueOrder {
    this.#tracked.set(o.clientOrderId, { symbol: o.symbol, status: o.status, filledQty: o.filledQty });
    return o;
  }

  #emit(update: { readonly order: VenueOrder; readonly fill?: VenueFill }): void {
    for (const l of [...this.#listeners]) l(update);
  }

  #backoff(attempt: number): number {
    return Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (attempt - 1));
  }

  async #read<T>(what: string, op: () => Promise<T>): Promise<T> {
    return retryRead(
      async () => {
        try {
          return await op();
        } catch (e) {
          throw foldCcxtError(e, `${this.id}: ${what}`, this.#redact);
        }
      },
      this.#retry,
      { sleep: this.#sleep, now: this.#now },
    );
  }

  #market(symbol: string): { symbol: string; base: string; quote: string } {
    const markets = (this.#ex.markets ?? {}) as Record<string, { symbol: string; base: string; quote: string } | undefined>;
    const direct = markets[symbol];
    if (direct !== undefined) return direct;
    const byId = (this.#ex.markets_by_id ?? {}) as Record<string, { symbol: string; base: string; quote: string; spot?: boolean }[] | undefined>;
    const m = byId[symbol]?.find((x) => x.spot !== false) ?? byId[symbol]?.[0];
    if (m !== undefined) return m;
    throw new VenueError('rejected', `${this.id}: unknown symbol "${symbol}"; known: ${Object.keys(markets).sort().slice(0, 20).join(', ')}`);
  }

  /** The venue's client order id for ours: itself when the venue accepts it, else a deterministic 36-character digest. */
  #venueClientId(clientOrderId: string): string {
    if (VENUE_CLIENT_ID.test(clientOrderId)) return clientOrderId;
    const venueId = `h${createHash('sha256').update(clientOrderId).digest('base64url').slice(0, 35)}`;
    this.#ourId.set(venueId, clientOrderId);
    return venueId;
  }

  /** Validates a SubmitOrder against the capabilities before any request; returns ccxt's createOrder arguments. */
  #orderRequest(order: SubmitOrder, symbol: string): { type: 'market' | 'limit'; price: number | undefined; params: Record<string, unknown> } {
    const refuse = (what: string) => new VenueError('unsupported', `${this.id}: ${what} (order ${order.clientOrderId}, ${symbol})`);
    if (!this.capabilities.orderTypes.includes(order.orderType)) throw refuse(`order type ${order.orderType} is not supported; supported: ${this.capabilities.orderTypes.join(', ')}`);
    if (order.bracket !== undefined && !this.capabilities.bracket) throw refuse('bracket orders are not supported');
    if (order.ocoGroup !== undefined && !this.capabilities.oco) throw refuse('OCO groups are not supported');
    if (order.reduceOnly === true) throw refuse('reduceOnly is not supported on spot');
    if (order.expireAt !== undefined) throw refuse('expireAt (good-till-date) is not supported');
    if (order.trailingOffsetBps !== undefined || order.stopPrice !== undefined) {
      throw new VenueError('rejected', `${this.id}: ${order.orderType} order ${order.clientOrderId} carries a stop price or trailing offset`);
    }
    if (order.orderType === 'market') {
      // a market order takes what is there at once: gtc / day / ioc make no difference and are not sent
      if (order.timeInForce === 'fok' || order.timeInForce === 'gtd') throw refuse(`time in force ${order.timeInForce} is not supported for market orders`);
      return { type: 'market', price: undefined, params: {} };
    }
    if (!this.capabilities.timeInForce.includes(order.timeInForce)) throw refuse(`time in force ${order.timeInForce} is not supported; supported: ${this.capabilities.timeInForce.join(', ')}`);
    if (order.limitPrice === undefined) throw new VenueError('rejected', `${this.id}: limit order ${order.clientOrderId} has no limitPrice`);
    return { type: 'limit', price: order.limitPrice, params: { timeInForce: order.timeInForce.toUpperCase() } };
  }

  #remember(o: VenueOrder): VenueOrder {
    this.#idByVenueOrder.set(o.venueOrderId, o.clientOrderId);
    return o;
  }

  #toVenueOrder(o: Order): VenueOrder {
    const info = (o.info ?? {}) as Record<string, unknown>;
    // a cancel answer's clientOrderId is the cancel request's own id; the order's is origClientOrderId
    const venueCid = String(info['origClientOrderId'] ?? o.clientOrderId ?? '');
    const clientOrderId = this.#ourId.get(venueCid) ?? venueCid;
    const orderType: OrderType = o.type === 'market' ? 'market' : 'limit';
    const filled = o.filled ?? 0;
    const avg = o.average ?? (filled > 0 && o.cost !== undefined ? o.cost / filled : Number.NaN);
    const status = toStatus(o.status);
    return {
      clientOrderId,
      venueOrderId: String(o.id),
      symbol: String(o.symbol),
      side: o.side === 'sell' ? 'sell' : 'buy',
      orderType,
      qty: o.amount ?? 0,
      filledQty: filled,
      avgPrice: filled > 0 ? avg : Number.NaN,
      ...(orderType === 'limit' && o.price !== undefined && o.price > 0 ? { limitPrice: o.price } : {}),
      status,
      updatedAt: o.lastUpdateTimestamp ?? o.timestamp ?? this.#now(),
    };
  }

  async #toVenueFill(t: Trade, m: { symbol: string; base: string; quote: string }): Promise<VenueFill> {
    const venueOrderId = String(t.order);
    let clientOrderId = this.#idByVenueOrder.get(venueOrderId);
    if (clientOrderId === undefined) {
      // trades carry only the venue's order id: look the order up once to learn ours
      const o = await this.#read(`fetch order ${venueOrderId} (${m.symbol})`, () => this.#ex.fetchOrder(venueOrderId, m.symbol));
      clientOrderId = this.#remember(this.#toVenueOrder(o)).clientOrderId;
    }
    const qty = t.amount ?? 0;
    const price = t.price ?? 0;
    const feeCost = t.fee?.cost ?? 0;
    // fees are reported in the quote currency: converted at the fill price when charged in the base asset
    const fee = t.fee?.currency === m.base ? feeCost * price : feeCost;
    return {
      fillId: String(t.id),
      clientOrderId,
      venueOrderId,
      symbol: m.symbol,
      side: t.side === 'sell' ? 'sell' : 'buy',
      qty,
      price,
      fee,
      ...(t.takerOrMaker === 'maker' || t.takerOrMaker === 'taker' ? { liquidity: t.takerOrMaker } : {}),
      ts: t.timestamp ?? this.#now(),
    };
  }
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function toStatus(s: string | undefined): VenueOrder['status'] {
  switch (s) {
    case 'open':
    case 'canceling':
      return 'open';
    case 'closed':
      return 'filled';
    case 'canceled':
    case 'cancelled':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      throw new VenueError('unavailable', `ccxt reported an order status this adapter does not know: ${String(s)}`);
  }
}

/**
 * Capabilities from what the exchange and its loaded spot markets say:
 * - order types: `market` / `limit` where `has.createMarketOrder` / `has.createLimitOrder` and every
 *   spot market's `info.orderTypes` (when the exchange lists them, as Binance does) allow them.
 *   Stop, stop-limit and trailing orders are not mapped by this adapter yet, so never listed;
 * - time in force: `gtc`, plus `ioc` / `fok` where `features.spot.createOrder.timeInForce` says so;
 * - bracket, OCO and amend: false (not implemented here, whatever the exchange offers);
 * - watchOrders: `has.watchOrders` and a `ws` API URL.
 */
export function deriveCapabilities(ex: Exchange): VenueCapabilities {
  const spot = Object.values((ex.markets ?? {}) as Record<string, { spot?: boolean; info?: { orderTypes?: unknown } }>).filter((m) => m.spot === true);
  const listed = (name: string) => spot.every((m) => !Array.isArray(m.info?.orderTypes) || (m.info.orderTypes as unknown[]).includes(name));
  const orderTypes: OrderType[] = [];
  if (ex.has['createMarketOrder'] !== false && listed('MARKET')) orderTypes.push('market');
  if (ex.has['createLimitOrder'] !== false && listed('LIMIT')) orderTypes.push('limit');
  const features = ex.features as { spot?: { createOrder?: { timeInForce?: Record<string, boolean> } } } | undefined;
  const tifFeatures = features?.spot?.createOrder?.timeInForce ?? {};
  const timeInForce: TimeInForce[] = ['gtc'];
  if (tifFeatures['IOC'] === true) timeInForce.push('ioc');
  if (tifFeatures['FOK'] === true) timeInForce.push('fok');
  const api = ex.urls['api'] as Record<string, unknown> | undefined;
  return {
    orderTypes,
    timeInForce,
    bracket: false,
    oco: false,
    amend: false,
    watchOrders: ex.has['watchOrders'] === true && api?.['ws'] !== undefined,
  };
}
