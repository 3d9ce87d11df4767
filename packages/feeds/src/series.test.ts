import { describe, expect, it } from 'vitest';
import { thrown } from '../test/helpers.js';
import { isFeedError } from './errors.js';
import { barAt, lowerBound, seriesRange, sliceSeries, upperBound } from './series.js';
import { DAY_MS, formatTs, HOUR_MS, MINUTE_MS, timeframeMs } from './timeframe.js';
import type { BarSeries } from './types.js';

const s: BarSeries = (() => {
  const ts = Float64Array.from([0, 1, 2, 3, 4].map((d) => d * DAY_MS));
  const px = Float64Array.from([10, 11, 12, 13, 14]);
  return { symbol: 'X', timeframe: '1d', ts, open: px, high: px, low: px, close: px, volume: px, length: 5, file: 'x.csv', line: Int32Array.from([2, 3, 4, 5, 6]) };
})();

describe('series helpers', () => {
  it('bounds', () => {
    expect(lowerBound(s.ts, 2 * DAY_MS)).toBe(2);
    expect(lowerBound(s.ts, 2 * DAY_MS + 1)).toBe(3);
    expect(upperBound(s.ts, 2 * DAY_MS)).toBe(3);
    expect(upperBound(s.ts, -1)).toBe(0);
  });

  it.each<[number | undefined, number | undefined, number[]]>([
    [undefined, undefined, [2, 3, 4, 5, 6]],
    [DAY_MS, 3 * DAY_MS, [3, 4, 5]],
    [DAY_MS + 1, 3 * DAY_MS - 1, [4]],
    [10 * DAY_MS, undefined, []],
  ])('sliceSeries(%s, %s) keeps bars with from <= ts <= to (inclusive)', (from, to, lines) => {
    const cut = sliceSeries(s, from, to);
    expect([...cut.line]).toEqual(lines);
    expect(cut.length).toBe(lines.length);
    expect(cut.close.length).toBe(lines.length);
  });

  it('slices are views on the same memory', () => {
    const cut = sliceSeries(s, DAY_MS, 2 * DAY_MS);
    expect(cut.close.buffer).toBe(s.close.buffer);
    expect(sliceSeries(s)).toBe(s);
  });

  it('barAt and seriesRange', () => {
    expect(barAt(s, 1)).toEqual({ ts: DAY_MS, open: 11, high: 11, low: 11, close: 11, volume: 11 });
    expect(() => barAt(s, 5)).toThrow(RangeError);
    expect(seriesRange(s)).toEqual({ first: 0, last: 4 * DAY_MS });
    expect(seriesRange(sliceSeries(s, 9 * DAY_MS))).toBeUndefined();
  });
});

describe('timeframes', () => {
  it.each([
    ['1m', MINUTE_MS],
    ['15m', 15 * MINUTE_MS],
    ['1h', HOUR_MS],
    ['4h', 4 * HOUR_MS],
    ['1d', DAY_MS],
    ['7d', 7 * DAY_MS],
  ])('%s = %i ms', (tf, ms) => {
    expect(timeframeMs(tf)).toBe(ms);
  });

  it.each(['', '1w', '0h', '7m', '5h', '1.5h', 'daily', '1H'])('rejects %j', (tf) => {
    expect(isFeedError(thrown(() => timeframeMs(tf)), 'unsupported')).toBe(true);
  });

  it('formats instants and dates', () => {
    expect(formatTs(Date.UTC(2021, 2, 4, 5))).toBe('2021-03-04T05:00:00Z');
    expect(formatTs(Date.UTC(2021, 2, 4), true)).toBe('2021-03-04');
  });
});
