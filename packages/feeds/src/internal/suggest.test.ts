import { describe, expect, it } from 'vitest';
import { didYouMean, listSome } from './suggest.js';

describe('didYouMean', () => {
  const ids = ['crypto.binance.spot.1d', 'crypto.binance.spot.1h', 'equities.us.daily'];
  const etfs = ['BIL', 'SPY', 'XLB', 'XLE', 'XLF', 'XLI', 'XLK', 'XLP', 'XLU', 'XLV', 'XLY'];
  it.each<[string, readonly string[], string | undefined]>([
    ['equities.us.dialy', ids, 'equities.us.daily'],
    ['Equities.US.Daily', ids, 'equities.us.daily'],
    ['crypto.binance.spot.4h', ids, 'crypto.binance.spot.1h'],
    ['fx.spot', ids, undefined],
    ['SPX', etfs, 'SPY'],
    ['XLRE', etfs, 'XLE'],
    ['GLD', etfs, undefined],
    ['BTCUSDT', ['BTC/USDT', 'ETH/USDT'], 'BTC/USDT'],
    ['anything', [], undefined],
  ])('%s → %s', (input, candidates, want) => {
    expect(didYouMean(input, candidates)).toBe(want);
  });
});

describe('listSome', () => {
  it('lists all or the first n and a count', () => {
    expect(listSome(['a', 'b'])).toBe('a, b');
    expect(listSome(['a', 'b', 'c'], 2)).toBe('a, b, … (1 more)');
  });
});
