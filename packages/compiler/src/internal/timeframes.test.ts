import { describe, expect, it } from 'vitest';
import { nests, parseTimeframe, tfMinutes } from './timeframes.js';

describe('parseTimeframe', () => {
  it.each<[string, ReturnType<typeof parseTimeframe>]>([
    ['1m', { n: 1, unit: 'm' }],
    ['15m', { n: 15, unit: 'm' }],
    ['4h', { n: 4, unit: 'h' }],
    ['1d', { n: 1, unit: 'd' }],
    ['1w', { n: 1, unit: 'w' }],
    ['1M', { n: 1, unit: 'M' }],
    ['9999d', { n: 9999, unit: 'd' }],
    ['0d', undefined],
    ['01d', undefined],
    ['10000d', undefined],
    ['1D', undefined],
    ['1y', undefined],
    ['d', undefined],
    ['1', undefined],
    [' 1d', undefined],
    ['1d ', undefined],
    ['', undefined],
  ])('%j → %j', (tf, expected) => {
    expect(parseTimeframe(tf)).toEqual(expected);
  });
});

describe('tfMinutes', () => {
  it.each<[string, number]>([
    ['1m', 1],
    ['90m', 90],
    ['1h', 60],
    ['4h', 240],
    ['1d', 1440],
    ['1w', 10_080],
    ['1M', 43_200],
    ['3M', 129_600],
  ])('%s is %i minutes', (tf, minutes) => {
    expect(tfMinutes(tf)).toBe(minutes);
  });

  it('orders anything that is not a timeframe last', () => {
    expect(tfMinutes('bogus')).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('nests(base, coarse)', () => {
  it.each<[base: string, coarse: string]>([
    ['1d', '1w'],
    ['1d', '1M'],
    ['1h', '4h'],
    ['4h', '1d'],
    ['1m', '5m'],
    ['15m', '1h'],
    ['90m', '1d'],
    ['1h', '1d'],
    ['1h', '1w'],
    ['4h', '1w'],
    ['1h', '1M'],
    ['1d', '2d'],
    ['1d', '2w'],
    ['1d', '3M'],
    ['1w', '2w'],
    ['1w', '4w'],
    ['1M', '3M'],
    ['1M', '12M'],
  ])('%s bars nest in %s', (base, coarse) => {
    expect(nests(base, coarse)).toEqual({ ok: true });
  });

  it.each<[base: string, coarse: string, reason: string]>([
    ['1h', '90m', '`90m` is not a whole number of `1h` bars'],
    ['7m', '1h', '`1h` is not a whole number of `7m` bars'],
    ['2M', '3M', '`3M` is not a whole number of `2M` bars'],
    ['2w', '3w', '`3w` is not a whole number of `2w` bars'],
    ['1w', '1M', 'weeks do not nest in months'],
    ['2d', '1w', '`2d` bars do not nest in weeks'],
    ['2d', '1M', '`2d` bars do not nest in months'],
    ['5h', '1w', '`5h` bars do not nest in days'],
    ['7m', '1w', '`7m` bars do not nest in days'],
    ['5h', '1M', '`5h` bars do not nest in days'],
    ['1d', '12h', '`12h` is not coarser than the base timeframe `1d`'],
    ['1d', '1d', '`1d` is not coarser than the base timeframe `1d`'],
    ['1d', '24h', '`24h` is not coarser than the base timeframe `1d`'],
    ['1w', '7d', '`7d` is not coarser than the base timeframe `1w`'],
    ['1M', '1w', '`1w` is not coarser than the base timeframe `1M`'],
    ['1d', 'bogus', 'not a timeframe'],
    ['bogus', '1d', 'not a timeframe'],
  ])('%s bars do not nest in %s', (base, coarse, reason) => {
    expect(nests(base, coarse)).toEqual({ ok: false, reason });
  });

  it('never nests a timeframe in itself or in a finer one', () => {
    const tfs = ['1m', '5m', '15m', '1h', '4h', '1d', '1w', '1M'];
    for (const a of tfs) {
      for (const b of tfs) {
        if (tfMinutes(b) <= tfMinutes(a)) expect(nests(a, b).ok, `${a} / ${b}`).toBe(false);
      }
    }
  });
});
