import type { EmulatorMarket } from './markets.js';

/**
 * The emulator's exchange core: balances, orders, trades and matching, with no I/O. Every public
 * method takes the request's parameters as Binance receives them (strings) and either returns
 * Binance's response body or throws a {@link BinanceApiError} carrying Binance's real error code,
 * message and HTTP status. The HTTP shell (server.ts) adds authentication and fault injection.
 *
 * Matching model (a deliberately small, documented market):
 * - each symbol has a price set by the test (`setPrice`) and a liquidity (`setLiquidity`): at most
 *   `perRequest` base units trade per request or price move, in trades of at most `tradeSize`;
 * - MARKET orders take at the current price; what liquidity cannot fill expires (status EXPIRED,
 *   as Binance does when the book runs dry); no price set → EXPIRED with nothing filled;
 * - LIMIT orders take at the current price while it is at or better than the limit, the rest
 *   rests (GTC) or expires (IOC); FOK fills entirely at once or expires untouched;
 *   LIMIT_MAKER that would take is refused (-2010);
 * - resting orders fill at their limit price (maker) when `setPrice` crosses them, oldest first;
 * - commission is charged on the asset received (base on buys, quote on sells), like Binance
 *   without BNB fee payment: `takerCommission` / `makerCommission` rates.
 */
export class BinanceApiError extends Error {
  override readonly name = 'BinanceApiError';
  constructor(
    readonly status: number,
    readonly code: number,
    readonly msg: string,
  ) {
    super(`${status} ${code} ${msg}`);
  }
  body(): string {
    return JSON.stringify({ code: this.code, msg: this.msg });
  }
}

export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';
type OrderTypeId = 'LIMIT' | 'LIMIT_MAKER' | 'MARKET';
type Tif = 'GTC' | 'IOC' | 'FOK';

export interface EmuOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  /** Limit price; 0 for MARKET. */
  price: number;
  origQty: number;
  executedQty: number;
  cummulativeQuoteQty: number;
  status: OrderStatus;
  timeInForce: Tif;
  type: OrderTypeId;
  side: 'BUY' | 'SELL';
  time: number;
  updateTime: number;
  /** Amount still reserved for this order: quote on buys, base on sells. */
  locked: number;
  /** Price per base unit the quote reservation was made at (buys). */
  lockPrice: number;
}

export interface EmuTrade {
  symbol: string;
  id: number;
  orderId: number;
  price: number;
  qty: number;
  quoteQty: number;
  commission: number;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

export interface Liquidity {
  /** Base units available per request or per price move (default: unlimited). */
  readonly perRequest: number;
  /** Largest single trade in base units (default: unlimited); a bigger fill is split into several trades. */
  readonly tradeSize: number;
}

/** The whole persistent state: plain JSON. */
export interface EngineState {
  nextOrderId: number;
  nextTradeId: number;
  balances: Record<string, { free: number; locked: number }>;
  orders: EmuOrder[];
  trades: EmuTrade[];
  prices: Record<string, number>;
  liquidity: Record<string, { perRequest: number | null; tradeSize: number | null }>;
}

export interface EngineOptions {
  readonly markets: readonly EmulatorMarket[];
  /** Commission rates (fractions): default 0.001 both, Binance's base tier. */
  readonly makerCommission?: number;
  readonly takerCommission?: number;
}

const E8 = 1e8;
/** Rounds to Binance's 8 decimals, so sums of quantities stay exact. */
export const r8 = (x: number): number => Math.round(x * E8) / E8;
const fmt = (x: number): string => r8(x).toFixed(8);

function isMultiple(value: number, step: number): boolean {
  if (step === 0) return true;
  const k = value / step;
  return Math.abs(k - Math.round(k)) < 1e-6;
}

const ERR = {
  badSymbol: () => new BinanceApiError(400, -1121, 'Invalid symbol.'),
  mandatory: (name: string) => new BinanceApiError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  notRequired: (name: string) => new BinanceApiError(400, -1106, `Parameter '${name}' sent when not required.`),
  badOrderType: () => new BinanceApiError(400, -1116, 'Invalid orderType.'),
  badSide: () => new BinanceApiError(400, -1117, 'Invalid side.'),
  badTif: () => new BinanceApiError(400, -1115, 'Invalid timeInForce.'),
  filter: (name: string) => new BinanceApiError(400, -1013, `Filter failure: ${name}`),
  insufficient: () => new BinanceApiError(400, -2010, 'Account has insufficient balance for requested action.'),
  duplicate: () => new BinanceApiError(400, -2010, 'Duplicate order sent.'),
  wouldTake: () => new BinanceApiError(400, -2010, 'Order would immediately match and take.'),
  unknownOrder: () => new BinanceApiError(400, -2011, 'Unknown order sent.'),
  noSuchOrder: () => new BinanceApiError(400, -2013, 'Order does not exist.'),
  orderIdOrClientId: () => new BinanceApiError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"),
  badNumber: (name: string) => new BinanceApiError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`),
};

function parseDecimal(params: Readonly<Record<string, string>>, name: string): number | undefined {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^([0-9]{1,20})(\.[0-9]{1,20})?$/.test(raw)) throw ERR.badNumber(name);
  return Number(raw);
}

export function initialState(balances: Readonly<Record<string, number>> = {}): EngineState {
  const b: EngineState['balances'] = {};
  for (const [asset, free] of Object.entries(balances)) b[asset] = { free: r8(free), locked: 0 };
  return { nextOrderId: 1, nextTradeId: 1, balances: b, orders: [], trades: [], prices: {}, liquidity: {} };
}

export class BinanceEngine {
  private readonly markets: ReadonlyMap<string, EmulatorMarket>;
  private readonly maker: number;
  private readonly taker: number;

  constructor(
    public state: EngineState,
    options: EngineOptions,
  ) {
    this.markets = new Map(options.markets.map((m) => [m.symbol, m]));
    this.maker = options.makerCommission ?? 0.001;
    this.taker = options.takerCommission ?? 0.001;
  }

  market(symbol: string | undefined): EmulatorMarket {
    if (symbol === undefined || symbol === '') throw ERR.mandatory('symbol');
    const m = this.markets.get(symbol);
    if (m === undefined) throw ERR.badSymbol();
    return m;
  }

  listMarkets(): readonly EmulatorMarket[] {
    return [...this.markets.values()];
  }

  // ——— test controls ———

  setBalance(asset: string, free: number): void {
    const b = this.balance(asset);
    b.free = r8(free);
  }

  setLiquidity(symbol: string, liquidity: Partial<Liquidity>): void {
    this.market(symbol);
    this.state.liquidity[symbol] = { perRequest: liquidity.perRequest ?? null, tradeSize: liquidity.tradeSize ?? null };
  }

  /** Moves the market: resting limit orders the new price crosses fill at their limit price (maker). */
  setPrice(symbol: string, price: number, now: number): void {
    this.market(symbol);
    this.state.prices[symbol] = price;
    let available = this.liquidity(symbol).perRequest;
    const resting = this.state.orders.filter((o) => o.symbol === symbol && isOpen(o) && o.type !== 'MARKET');
    for (const o of resting) {
      if (available <= 0) break;
      const crosses = o.side === 'BUY' ? price <= o.price : price >= o.price;
      if (!crosses) continue;
      const qty = r8(Math.min(o.origQty - o.executedQty, available));
      available = r8(available - qty);
      this.fill(o, qty, o.price, true, now);
    }
  }

  /** Fills `qty` (default: all that is left) of an open order at its limit price as a maker — the fill-on-cancel race. */
  fillResting(orderId: number, qty: number | undefined, now: number): void {
    const o = this.state.orders.find((x) => x.orderId === orderId);
    if (o === undefined || !isOpen(o)) return;
    const q = r8(Math.min(qty ?? o.origQty - o.executedQty, o.origQty - o.executedQty));
    if (q > 0) this.fill(o, q, o.price > 0 ? o.price : (this.state.prices[o.symbol] ?? 0), true, now);
  }

  // ——— REST endpoints ———

  /** POST /api/v3/order */
  newOrder(params: Readonly<Record<string, string>>, now: number): Record<string, unknown> {
    const m = this.market(params['symbol']);
    const side = params['side'];
    if (side === undefined) throw ERR.mandatory('side');
    if (side !== 'BUY' && side !== 'SELL') throw ERR.badSide();
    const type = params['type'];
    if (type === undefined) throw ERR.mandatory('type');
    if (type !== 'LIMIT' && type !== 'MARKET' && type !== 'LIMIT_MAKER') throw ERR.badOrderType();
    if (params['quoteOrderQty'] !== undefined) throw ERR.notRequired('quoteOrderQty');
    const qty = parseDecimal(params, 'quantity');
    if (qty === undefined) throw ERR.mandatory('quantity');
    let price = 0;
    let tif: Tif = 'GTC';
    if (type === 'MARKET') {
      if (params['price'] !== undefined) throw ERR.notRequired('price');
      if (params['timeInForce'] !== undefined) throw ERR.notRequired('timeInForce');
    } else {
      const p = parseDecimal(params, 'price');
      if (p === undefined) throw ERR.mandatory('price');
      price = p;
      if (type === 'LIMIT') {
        const t = params['timeInForce'];
        if (t === undefined) throw ERR.mandatory('timeInForce');
        if (t !== 'GTC' && t !== 'IOC' && t !== 'FOK') throw ERR.badTif();
        tif = t;
      } else if (params['timeInForce'] !== undefined) {
        throw ERR.notRequired('timeInForce');
      }
    }
    // filters, in Binance's order
    if (type !== 'MARKET') {
      if (price < Number(m.minPrice) || price > Number(m.maxPrice) || !isMultiple(price, Number(m.tickSize))) throw ERR.filter('PRICE_FILTER');
    }
    if (qty < Number(m.minQty) || qty > Number(m.maxQty) || !isMultiple(qty, Number(m.stepSize))) throw ERR.filter('LOT_SIZE');
    const last = this.state.prices[m.symbol];
    const refPrice = type === 'MARKET' ? last : price;
    if (refPrice !== undefined && qty * refPrice < Number(m.minNotional)) throw ERR.filter('NOTIONAL');

    const clientOrderId = params['newClientOrderId'] ?? `emu${this.state.nextOrderId}`;
    if (!/^[.A-Z:/a-z0-9_-]{1,36}$/.test(clientOrderId)) {
      throw new BinanceApiError(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    }
    if (this.state.orders.some((o) => o.symbol === m.symbol && o.clientOrderId === clientOrderId && isOpen(o))) throw ERR.duplicate();

    const marketable = last !== undefined && (type === 'MARKET' || (side === 'BUY' ? last <= price : last >= price));
    if (type === 'LIMIT_MAKER' && marketable) throw ERR.wouldTake();

    // reservation: buys reserve quote at the limit price (market: at the current price), sells reserve base
    const lockPrice = type === 'MARKET' ? (last ?? 0) : price;
    const need = side === 'BUY' ? r8(qty * lockPrice) : qty;
    const lockAsset = side === 'BUY' ? m.quoteAsset : m.baseAsset;
    const bal = this.balance(lockAsset);
    if (bal.free + 1e-12 < need) throw ERR.insufficient();
    bal.free = r8(bal.free - need);
    bal.locked = r8(bal.locked + need);

    const order: EmuOrder = {
      symbol: m.symbol,
      orderId: this.state.nextOrderId++,
      clientOrderId,
      price,
      origQty: qty,
      executedQty: 0,
      cummulativeQuoteQty: 0,
      status: 'NEW',
      timeInForce: tif,
      type,
      side,
      time: now,
      updateTime: now,
      locked: need,
      lockPrice,
    };
    this.state.orders.push(order);
    const firstTrade = this.state.trades.length;

    if (marketable && last !== undefined) {
      const liq = this.liquidity(m.symbol);
      const fillable = Math.min(qty, liq.perRequest);
      if (!(tif === 'FOK' && fillable < qty)) this.fill(order, r8(fillable), last, false, now);
    }
    if (isOpen(order) && (type === 'MARKET' || tif === 'IOC' || tif === 'FOK')) this.finish(order, 'EXPIRED', now);

    const respType = params['newOrderRespType'] ?? (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK');
    const base = { symbol: order.symbol, orderId: order.orderId, orderListId: -1, clientOrderId: order.clientOrderId, transactTime: now };
    if (respType === 'ACK') return base;
    const result = { ...base, ...this.orderFields(order), workingTime: now, selfTradePreventionMode: 'NONE' };
    if (respType === 'RESULT') return result;
    return {
      ...result,
      fills: this.state.trades.slice(firstTrade).map((t) => ({ price: fmt(t.price), qty: fmt(t.qty), commission: fmt(t.commission), commissionAsset: t.commissionAsset, tradeId: t.id })),
    };
  }

  /** GET /api/v3/order */
  getOrder(params: Readonly<Record<string, string>>): Record<string, unknown> {
    const o = this.lookup(params, ERR.noSuchOrder);
    return this.orderReport(o);
  }

  /** DELETE /api/v3/order — a filled, canceled or expired order is "Unknown order sent." (-2011), as on Binance. */
  cancelOrder(params: Readonly<Record<string, string>>, now: number): Record<string, unknown> {
    const o = this.lookup(params, ERR.unknownOrder);
    if (!isOpen(o)) throw ERR.unknownOrder();
    this.finish(o, 'CANCELED', now);
    return {
      symbol: o.symbol,
      origClientOrderId: o.clientOrderId,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: params['newClientOrderId'] ?? `emucxl${o.orderId}`,
      transactTime: now,
      ...this.orderFields(o),
      selfTradePreventionMode: 'NONE',
    };
  }

  /** GET /api/v3/openOrders */
  openOrders(params: Readonly<Record<string, string>>): Record<string, unknown>[] {
    const symbol = params['symbol'];
    if (symbol !== undefined) this.market(symbol);
    return this.state.orders.filter((o) => isOpen(o) && (symbol === undefined || o.symbol === symbol)).map((o) => this.orderReport(o));
  }

  /** GET /api/v3/account */
  account(params: Readonly<Record<string, string>>, now: number): Record<string, unknown> {
    const omitZero = params['omitZeroBalances'] === 'true';
    const balances = Object.entries(this.state.balances)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(([, b]) => !omitZero || b.free !== 0 || b.locked !== 0)
      .map(([asset, b]) => ({ asset, free: fmt(b.free), locked: fmt(b.locked) }));
    const bps = (x: number) => Math.round(x * 10_000);
    return {
      makerCommission: bps(this.maker),
      takerCommission: bps(this.taker),
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: fmt(this.maker), taker: fmt(this.taker), buyer: fmt(0), seller: fmt(0) },
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: now,
      accountType: 'SPOT',
      balances,
      permissions: ['SPOT'],
      uid: 1000001,
    };
  }

  /** GET /api/v3/myTrades — oldest first, like Binance. */
  myTrades(params: Readonly<Record<string, string>>): Record<string, unknown>[] {
    const m = this.market(params['symbol']);
    const orderId = params['orderId'] === undefined ? undefined : Number(params['orderId']);
    const start = params['startTime'] === undefined ? undefined : Number(params['startTime']);
    const end = params['endTime'] === undefined ? undefined : Number(params['endTime']);
    const fromId = params['fromId'] === undefined ? undefined : Number(params['fromId']);
    const limit = Math.min(params['limit'] === undefined ? 500 : Number(params['limit']), 1000);
    return this.state.trades
      .filter((t) => t.symbol === m.symbol)
      .filter((t) => orderId === undefined || t.orderId === orderId)
      .filter((t) => start === undefined || t.time >= start)
      .filter((t) => end === undefined || t.time <= end)
      .filter((t) => fromId === undefined || t.id >= fromId)
      .slice(0, limit)
      .map((t) => ({
        symbol: t.symbol,
        id: t.id,
        orderId: t.orderId,
        orderListId: -1,
        price: fmt(t.price),
        qty: fmt(t.qty),
        quoteQty: fmt(t.quoteQty),
        commission: fmt(t.commission),
        commissionAsset: t.commissionAsset,
        time: t.time,
        isBuyer: t.isBuyer,
        isMaker: t.isMaker,
        isBestMatch: true,
      }));
  }

  /** The order a request names, by orderId (takes precedence, as on Binance) or origClientOrderId; the newest one for a reused client id. */
  findOrder(params: Readonly<Record<string, string>>): EmuOrder | undefined {
    const m = this.market(params['symbol']);
    const id = params['orderId'];
    const cid = params['origClientOrderId'];
    if (id !== undefined) return this.state.orders.find((o) => o.symbol === m.symbol && String(o.orderId) === id);
    if (cid !== undefined) return this.state.orders.findLast((o) => o.symbol === m.symbol && o.clientOrderId === cid);
    throw ERR.orderIdOrClientId();
  }

  // ——— internals ———

  private lookup(params: Readonly<Record<string, string>>, missing: () => BinanceApiError): EmuOrder {
    const o = this.findOrder(params);
    if (o === undefined) throw missing();
    return o;
  }

  private balance(asset: string): { free: number; locked: number } {
    let b = this.state.balances[asset];
    if (b === undefined) {
      b = { free: 0, locked: 0 };
      this.state.balances[asset] = b;
    }
    return b;
  }

  private liquidity(symbol: string): Liquidity {
    const l = this.state.liquidity[symbol];
    return { perRequest: l?.perRequest ?? Number.POSITIVE_INFINITY, tradeSize: l?.tradeSize ?? Number.POSITIVE_INFINITY };
  }

  /** Executes `qty` of `o` at `price`, split into trades of at most `tradeSize`. */
  private fill(o: EmuOrder, qty: number, price: number, maker: boolean, now: number): void {
    if (qty <= 0 || price <= 0) return;
    const m = this.market(o.symbol);
    const { tradeSize } = this.liquidity(o.symbol);
    const rate = maker ? this.maker : this.taker;
    const base = this.balance(m.baseAsset);
    const quote = this.balance(m.quoteAsset);
    let left = qty;
    while (left > 0) {
      const q = r8(Math.min(left, tradeSize));
      left = r8(left - q);
      const quoteQty = r8(q * price);
      let commission: number;
      let commissionAsset: string;
      if (o.side === 'BUY') {
        const release = r8(q * o.lockPrice);
        quote.locked = r8(quote.locked - release);
        quote.free = r8(quote.free + release - quoteQty);
        o.locked = r8(o.locked - release);
        commission = r8(q * rate);
        commissionAsset = m.baseAsset;
        base.free = r8(base.free + q - commission);
      } else {
        base.locked = r8(base.locked - q);
        o.locked = r8(o.locked - q);
        commission = r8(quoteQty * rate);
        commissionAsset = m.quoteAsset;
        quote.free = r8(quote.free + quoteQty - commission);
      }
      this.state.trades.push({ symbol: o.symbol, id: this.state.nextTradeId++, orderId: o.orderId, price, qty: q, quoteQty, commission, commissionAsset, time: now, isBuyer: o.side === 'BUY', isMaker: maker });
      o.executedQty = r8(o.executedQty + q);
      o.cummulativeQuoteQty = r8(o.cummulativeQuoteQty + quoteQty);
    }
    o.updateTime = now;
    if (o.executedQty >= o.origQty) this.finish(o, 'FILLED', now);
    else o.status = 'PARTIALLY_FILLED';
  }

  /** Ends an order and releases what it still reserves. */
  private finish(o: EmuOrder, status: 'FILLED' | 'CANCELED' | 'EXPIRED', now: number): void {
    const m = this.market(o.symbol);
    const b = this.balance(o.side === 'BUY' ? m.quoteAsset : m.baseAsset);
    b.locked = r8(b.locked - o.locked);
    b.free = r8(b.free + o.locked);
    o.locked = 0;
    o.status = status;
    o.updateTime = now;
  }

  private orderFields(o: EmuOrder): Record<string, unknown> {
    return {
      price: fmt(o.price),
      origQty: fmt(o.origQty),
      executedQty: fmt(o.executedQty),
      origQuoteOrderQty: fmt(0),
      cummulativeQuoteQty: fmt(o.cummulativeQuoteQty),
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
    };
  }

  private orderReport(o: EmuOrder): Record<string, unknown> {
    return {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      ...this.orderFields(o),
      stopPrice: fmt(0),
      icebergQty: fmt(0),
      time: o.time,
      updateTime: o.updateTime,
      isWorking: true,
      workingTime: o.time,
      selfTradePreventionMode: 'NONE',
    };
  }
}

export function isOpen(o: EmuOrder): boolean {
  return o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
}
