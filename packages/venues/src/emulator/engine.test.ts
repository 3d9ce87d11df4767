import { describe, expect, it } from 'vitest';
import { BinanceApiError, BinanceEngine, initialState } from './engine.js';
import { DEFAULT_MARKETS } from './markets.js';

const T = 1_700_000_000_000;
function engine(balances: Record<string, number> = { USDT: 1_000, BTC: 1 }) {
  const e = new BinanceEngine(initialState(balances), { markets: DEFAULT_MARKETS });
  e.setPrice('BTCUSDT', 30_000, T);
  return e;
}
const order = (p: Record<string, string>) => ({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '29000', ...p });

function refusal(f: () => unknown): [number, number, string] {
  try {
    f();
  } catch (e) {
    if (e instanceof BinanceApiError) return [e.status, e.code, e.msg];
    throw e;
  }
  throw new Error('expected a BinanceApiError');
}

describe('BinanceEngine: order validation, as Binance answers it', () => {
  it.each([
    ['unknown symbol', { symbol: 'XYZ' }, [400, -1121, 'Invalid symbol.']],
    ['no quantity', { quantity: '' }, [400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."]],
    ['malformed quantity', { quantity: '1e-3' }, [400, -1100, "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."]],
    ['off-tick price', { price: '29000.005' }, [400, -1013, 'Filter failure: PRICE_FILTER']],
    ['off-step quantity', { quantity: '0.000015' }, [400, -1013, 'Filter failure: LOT_SIZE']],
    ['too small a notional', { quantity: '0.0001' }, [400, -1013, 'Filter failure: NOTIONAL']],
    ['no timeInForce on a limit', { timeInForce: '' }, [400, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."]],
    ['timeInForce on a market order', { type: 'MARKET', price: '' }, [400, -1106, "Parameter 'timeInForce' sent when not required."]],
    ['a stop order type', { type: 'STOP_LOSS' }, [400, -1116, 'Invalid orderType.']],
    ['more quote than the account holds', { quantity: '1' }, [400, -2010, 'Account has insufficient balance for requested action.']],
    ['a LIMIT_MAKER that would take', { type: 'LIMIT_MAKER', price: '31000', timeInForce: '' }, [400, -2010, 'Order would immediately match and take.']],
    ['a client id Binance would not accept', { newClientOrderId: 'x'.repeat(37) }, [400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."]],
  ])('refuses %s', (_name, fields, expected) => {
    const e = engine();
    const params = Object.fromEntries(Object.entries(order(fields as Record<string, string>)).filter(([, v]) => v !== ''));
    expect(refusal(() => e.newOrder(params, T))).toEqual(expected);
    expect(e.state.orders, 'a refused order leaves no trace').toEqual([]);
    expect(e.state.balances['USDT']).toEqual({ free: 1_000, locked: 0 });
  });

  it('refuses a duplicate clientOrderId only while the first order is open', () => {
    const e = engine();
    e.newOrder(order({ newClientOrderId: 'dup' }), T);
    expect(refusal(() => e.newOrder(order({ newClientOrderId: 'dup' }), T))).toEqual([400, -2010, 'Duplicate order sent.']);
    e.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: 'dup' }, T);
    e.newOrder(order({ newClientOrderId: 'dup' }), T);
    expect(e.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'dup' })['orderId'], 'the newest order under a reused id').toBe(2);
  });
});

describe('BinanceEngine: balances', () => {
  it('reserves on acceptance, settles fills with commission on the asset received, releases on cancel', () => {
    const e = engine();
    e.newOrder(order({ newClientOrderId: 'b1' }), T);
    expect(e.state.balances['USDT']).toEqual({ free: 710, locked: 290 });
    e.setLiquidity('BTCUSDT', { perRequest: 0.004 });
    e.setPrice('BTCUSDT', 28_900, T + 1);
    expect(e.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'b1' })).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.00400000' });
    expect(e.state.balances['BTC']).toEqual({ free: 1 + 0.004 - 0.000004, locked: 0 });
    e.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: 'b1' }, T + 2);
    expect(e.state.balances['USDT']).toEqual({ free: 1_000 - 0.004 * 29_000, locked: 0 });
    e.setLiquidity('BTCUSDT', {});
    e.newOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.5', newClientOrderId: 's1' }, T + 3);
    // sells pay commission in quote: 0.5 × 28 900 × 0.1 %
    expect(e.state.balances['USDT']?.free).toBeCloseTo(1_000 - 116 + 14_450 - 14.45, 8);
    expect(e.state.balances['BTC']?.locked).toBe(0);
  });

  it('answers -2011 to a cancel of a filled order and -2013 to a lookup of an unknown one', () => {
    const e = engine();
    e.newOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01', newClientOrderId: 'm1' }, T);
    expect(refusal(() => e.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: 'm1' }, T))).toEqual([400, -2011, 'Unknown order sent.']);
    expect(refusal(() => e.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'zz' }))).toEqual([400, -2013, 'Order does not exist.']);
    expect(refusal(() => e.getOrder({ symbol: 'BTCUSDT' }))[1]).toBe(-1102);
  });
});
