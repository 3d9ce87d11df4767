import type { BarSeries } from '@strata/feeds';
import { describe, expect, it } from 'vitest';
import { SeriesStream } from './stream.js';

const H = 3_600_000;
function series(symbol: string, ts: readonly number[]): BarSeries {
  const n = ts.length;
  const ones = () => new Float64Array(n).fill(1);
  return { symbol, timeframe: '1h', ts: Float64Array.from(ts), open: ones(), high: ones(), low: ones(), close: ones(), volume: ones(), length: n, file: `${symbol}.csv`, line: new Int32Array(n) };
}

describe('SeriesStream', () => {
  it('merges timestamps across symbols and marks absent symbols with −1', () => {
    const s = new SeriesStream(['A', 'B'], new Map([['A', series('A', [0, H, 2 * H])], ['B', series('B', [H, 3 * H])]]));
    const seen: [number, number, number][] = [];
    while (s.next()) seen.push([s.ts, s.rows[0]!, s.rows[1]!]);
    expect(seen).toEqual([
      [0, 0, -1],
      [H, 1, 0],
      [2 * H, 2, -1],
      [3 * H, -1, 1],
    ]);
    expect(s.total).toBe(4);
  });

  it('steps over the data, not the calendar: an outage is skipped, and nextTs is the calendar expectation but never past a real bar', () => {
    // 24/7 hourly calendar; the 2h bar is missing (an outage).
    const s = new SeriesStream(['A'], new Map([['A', series('A', [0, H, 3 * H])]]), { nextSession: (t) => t + H });
    const seen: [number, number][] = [];
    while (s.next()) seen.push([s.ts, s.nextTs]);
    // At 1h the calendar expects 2h (unknown outage); the stream then moves to the real 3h bar.
    expect(seen).toEqual([
      [0, H],
      [H, 2 * H],
      [3 * H, Number.NaN],
    ]);
  });

  it('a bar the calendar does not expect is still visited (no infinite loop, nothing skipped)', () => {
    // A calendar that only knows even hours; the data has a bar at 1h.
    const s = new SeriesStream(['A'], new Map([['A', series('A', [0, H, 2 * H])]]), { nextSession: (t) => Math.floor(t / (2 * H)) * 2 * H + 2 * H });
    const ts: number[] = [];
    while (s.next()) ts.push(s.ts);
    expect(ts).toEqual([0, H, 2 * H]);
  });
});
