/**
 * The symbols the emulator lists in `GET /api/v3/exchangeInfo`, with the filters Binance publishes for
 * them (values as on api.binance.com for BTCUSDT / ETHUSDT; the emulator enforces PRICE_FILTER,
 * LOT_SIZE and NOTIONAL, and lists the rest for fidelity).
 */
export interface EmulatorMarket {
  /** Binance symbol id, e.g. `BTCUSDT`. */
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly tickSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly stepSize: string;
  readonly minNotional: string;
  readonly maxNotional: string;
}

export const DEFAULT_MARKETS: readonly EmulatorMarket[] = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    minPrice: '0.01000000',
    maxPrice: '1000000.00000000',
    tickSize: '0.01000000',
    minQty: '0.00001000',
    maxQty: '9000.00000000',
    stepSize: '0.00001000',
    minNotional: '5.00000000',
    maxNotional: '9000000.00000000',
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    minPrice: '0.01000000',
    maxPrice: '1000000.00000000',
    tickSize: '0.01000000',
    minQty: '0.00010000',
    maxQty: '9000.00000000',
    stepSize: '0.00010000',
    minNotional: '5.00000000',
    maxNotional: '9000000.00000000',
  },
];

/** Order types the emulator implements (and therefore advertises per symbol). */
export const EMULATOR_ORDER_TYPES = ['LIMIT', 'LIMIT_MAKER', 'MARKET'] as const;

/** One symbol entry of `exchangeInfo`, in Binance's field order. */
export function exchangeInfoSymbol(m: EmulatorMarket): Record<string, unknown> {
  return {
    symbol: m.symbol,
    status: 'TRADING',
    baseAsset: m.baseAsset,
    baseAssetPrecision: 8,
    quoteAsset: m.quoteAsset,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: [...EMULATOR_ORDER_TYPES],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: false,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    amendAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: m.minPrice, maxPrice: m.maxPrice, tickSize: m.tickSize },
      { filterType: 'LOT_SIZE', minQty: m.minQty, maxQty: m.maxQty, stepSize: m.stepSize },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '100.00000000', stepSize: '0.00000000' },
      { filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: '5', bidMultiplierDown: '0.2', askMultiplierUp: '5', askMultiplierDown: '0.2', avgPriceMins: 5 },
      { filterType: 'NOTIONAL', minNotional: m.minNotional, applyMinToMarket: true, maxNotional: m.maxNotional, applyMaxToMarket: false, avgPriceMins: 5 },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}
