import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BarSeries } from '../types.js';
import { sentimentSeries, type ScoredNewsItem } from './align.js';

const DAY = 86_400_000;
const utc = (s: string): number => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);

/** Daily bars stamped 00:00 UTC on the given dates (prices irrelevant here). */
function bars(dates: readonly string[], symbol = 'SPY'): BarSeries {
  const ts = Float64Array.from(dates, utc);
  const one = new Float64Array(dates.length).fill(1);
  return { symbol, timeframe: '1d', ts, open: one, high: one, low: one, close: one, volume: one, length: dates.length, file: 'mem', line: new Int32Array(dates.length) };
}

let next = 0;
const item = (ts: string | number, score: number, symbols: readonly string[] = ['SPY']): ScoredNewsItem => ({ id: `n${next++}`, ts: typeof ts === 'number' ? ts : utc(ts), source: 'test', symbols, headline: 'x', score });

// Thu 2024-03-07, Fri 03-08, Mon 03-11, Tue 03-12
const week = bars(['2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12']);

describe('sentimentSeries: an item is visible from the first bar that closes at or after it', () => {
  it.each([
    ['during the bar', '2024-03-07T15:00:00Z', 0],
    ['at the bar open', '2024-03-07T00:00:00Z', 0],
    ['exactly at the close (00:00 UTC next day)', '2024-03-08T00:00:00Z', 0],
    ['1 ms after the close', utc('2024-03-08') + 1, 1],
    ['on Saturday: Monday', '2024-03-09T12:00:00Z', 2],
    ['on Sunday night: Monday', '2024-03-10T23:59:59Z', 2],
    ['in the last bar', '2024-03-12T20:00:00Z', 3],
  ])('published %s → bar %i', (_label, ts, bar) => {
    const s = sentimentSeries([item(ts, 0.5)], week);
    expect(Array.from(s.count), `count 1 at bar ${bar} only`).toEqual([0, 1, 2, 3].map((j) => (j === bar ? 1 : 0)));
    expect(s.sum[bar]).toBe(0.5);
    expect(s.dropped).toBe(0);
  });

  it('sums several items of one bar and counts them; empty bars carry 0 and 0', () => {
    const s = sentimentSeries([item('2024-03-08T13:00:00Z', 0.5), item('2024-03-08T14:00:00Z', -0.25), item('2024-03-08T21:00:00Z', 0.75)], week);
    expect(Array.from(s.sum)).toEqual([0, 1, 0, 0]);
    expect(Array.from(s.count)).toEqual([0, 3, 0, 0]);
  });

  it('leaves out items before the first bar opened, after the last bar closed, and about other symbols', () => {
    const s = sentimentSeries([item(utc('2024-03-07') - 1, 1), item(utc('2024-03-13') + 1, 1), item('2024-03-07T12:00:00Z', 1, ['QQQ']), item('2024-03-07T12:00:00Z', -1, ['QQQ', 'SPY'])], week);
    expect(s.dropped, 'two SPY items fall outside the bars').toBe(2);
    expect(Array.from(s.count)).toEqual([1, 0, 0, 0]);
    expect(s.sum[0], 'only the item naming SPY counts').toBe(-1);
  });

  it('uses a custom close time', () => {
    // Close at 21:00 UTC (16:00 New York in winter): a 22:00 UTC item goes to the next bar.
    const s = sentimentSeries([item('2024-03-07T22:00:00Z', 1)], week, { closeOf: (t) => t + 21 * 3_600_000 });
    expect(Array.from(s.count)).toEqual([0, 1, 0, 0]);
  });

  it('refuses a score outside [-1, 1]', () => {
    expect(() => sentimentSeries([item('2024-03-07T12:00:00Z', 1.5)], week)).toThrow(/score 1.5 is not a number in \[-1, 1\]/);
    expect(() => sentimentSeries([item('2024-03-07T12:00:00Z', Number.NaN)], week)).toThrow(/score NaN/);
  });

  it('is causal: an item published after bar j closes never changes bars 0..j', () => {
    const dates = Array.from({ length: 40 }, (_, k) => new Date(utc('2024-01-01') + k * DAY).toISOString().slice(0, 10));
    const b = bars(dates);
    const t0 = utc('2023-12-31');
    const t1 = utc('2024-02-12');
    const arbItem = fc.record({ ts: fc.integer({ min: t0, max: t1 }), score: fc.double({ min: -1, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(arbItem, { maxLength: 30 }), arbItem, fc.integer({ min: 0, max: 39 }), (base, extra, j) => {
        const close = b.ts[j]! + DAY;
        fc.pre(extra.ts > close);
        const before = sentimentSeries(base.map((x) => item(x.ts, x.score)), b);
        const after = sentimentSeries([...base, extra].map((x) => item(x.ts, x.score)), b);
        for (let k = 0; k <= j; k++) {
          if (after.sum[k] !== before.sum[k] || after.count[k] !== before.count[k]) return false;
        }
        return true;
      }),
      { seed: 20240307, numRuns: 300 },
    );
  });
});
