/**
 * Hand-computed fixtures: the nodes without a TA-Lib reference (worked from the catalog
 * descriptions, arithmetic in the comments), the edge params TA-Lib cannot run (period 1, MACD
 * signal 1), and param validation.
 */
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errors.js';
import { INDICATORS, runIndicator, type IndicatorParams } from '../../src/indicators/index.js';

const N = Number.NaN;

/** Runs `name` over rows of inputs (one array per bar, catalog input order). */
function run(name: string, params: IndicatorParams, rows: readonly (readonly number[])[], ts?: readonly number[]): number[][] {
  const ind = INDICATORS[name]!(params);
  const m = rows[0]?.length ?? 0;
  const cols = Array.from({ length: m }, (_, i) => Float64Array.from(rows.map((r) => r[i]!)));
  const outs = runIndicator(ind, cols, ts ?? rows.map(() => 0));
  // Back to rows: one array of outputs per bar.
  return rows.map((_, t) => outs.map((o) => o[t]!));
}

/** Equal to 12 significant digits, NaN equal to NaN. */
function expectRows(got: number[][], want: number[][], why: string): void {
  expect(got.length, why).toBe(want.length);
  got.forEach((row, t) =>
    row.forEach((v, j) => {
      const w = want[t]![j]!;
      if (Number.isNaN(w)) expect(v, `${why}: bar ${t} output ${j} should be NaN`).toBeNaN();
      else expect(v, `${why}: bar ${t} output ${j}`).toBeCloseTo(w, 12);
    }),
  );
}

const iso = (s: string): number => Date.parse(s);

describe('vwap: session VWAP of (h + l + c) / 3, reset at UTC midnight', () => {
  it('accumulates within a UTC day, resets on a new one, skips NaN bars, is NaN before any volume', () => {
    const rows = [
      [11, 9, 10, 100], // tp 10 · 100 → 10
      [13, 11, 12, 300], // (1000 + 3600) / 400 = 11.5
      [12, 9, 9, 0], // tp 10, no volume: still 11.5
      [21, 18, 18, 50], // 00:00:00.000 next day → new session: 19
      [20, 20, 20, 150], // (950 + 3000) / 200 = 19.75
      [99, 99, 99, N], // NaN volume: skipped (and does not open the 4th's session)
      [30, 30, 30, 10], // 4 Jan → new session: 30
      [40, 40, 40, 0], // 5 Jan, no volume yet: NaN
      [41, 39, 40, 10], // tp 40: 40
    ];
    const ts = [
      '2024-01-02T14:30:00Z',
      '2024-01-02T15:30:00Z',
      '2024-01-02T23:59:59.999Z',
      '2024-01-03T00:00:00Z',
      '2024-01-03T23:59:59.999Z',
      '2024-01-04T01:00:00Z',
      '2024-01-04T02:00:00Z',
      '2024-01-05T00:00:00Z',
      '2024-01-05T01:00:00Z',
    ].map(iso);
    expectRows(run('vwap', {}, rows, ts), [[10], [11.5], [11.5], [19], [19.75], [N], [30], [N], [40]], 'vwap');
  });
});

describe('donchian: highest high, midpoint, lowest low', () => {
  it('tracks the window extremes with lookback period − 1', () => {
    const rows = [
      [5, 3],
      [7, 4],
      [6, 2], // max(5,7,6) = 7, min(3,4,2) = 2
      [4, 3], // max(7,6,4) = 7, min(4,2,3) = 2
      [3, 1], // max(6,4,3) = 6, min(2,3,1) = 1
    ];
    expectRows(run('donchian', { period: 3 }, rows), [[N, N, N], [N, N, N], [7, 4.5, 2], [7, 4.5, 2], [6, 3.5, 1]], 'donchian(3)');
  });
});

describe('keltner: EMA(close) ± k · ATR', () => {
  it('combines a TA-Lib-seeded EMA and a Wilder ATR', () => {
    // EMA(2), alpha 2/3: seed (9 + 10) / 2 = 9.5; 9.5 + (11 − 9.5)·2/3 = 10.5; 10.5 + (10 − 10.5)·2/3 = 61/6.
    // ATR(2): TR₁ = 2, TR₂ = max(3, 2, 1) = 3 → 2.5; TR₃ = max(1, 0, 1) = 1 → (2.5 + 1) / 2 = 1.75.
    const rows = [
      [10, 8, 9],
      [11, 9, 10],
      [12, 9, 11],
      [11, 10, 10],
    ];
    const mid = 61 / 6;
    expectRows(
      run('keltner', { period: 2, atr_period: 2, k: 2 }, rows),
      [
        [N, N, N],
        [N, N, N],
        [15.5, 10.5, 5.5],
        [mid + 3.5, mid, mid - 3.5],
      ],
      'keltner(2, 2, 2)',
    );
  });
});

describe('supertrend: ratcheted ATR bands and the trend direction', () => {
  it('starts down, flips up above the upper band and down below the lower band', () => {
    // ATR(1) = true range. hl2 ± 1·TR:
    // bar 1: hl2 10, TR 2 → bands 12 / 8; first value: down, line = upper 12.
    // bar 2: hl2 12, TR 3 → 15 / 9; lower 9 > 8 → 9; upper 15 ≥ 12 and prev close 10 ≤ 12 → stays 12;
    //        close 12.5 > 12 → up, line = lower 9.
    // bar 3: hl2 12, TR 1 → 13 / 11; lower 11; prev close 12.5 > 12 → upper resets to 13; close 12 ≥ 11 → up, 11.
    // bar 4: hl2 10.5, TR 3 → 13.5 / 7.5; lower stays 11 (7.5 < 11, prev close 12 ≥ 11); upper stays 13;
    //        close 9.5 < 11 → down, line = upper 13.
    // bar 5: hl2 9, TR 2 → 11 / 7; prev close 9.5 < 11 → lower resets to 7; upper 11 < 13 → 11; close 8.5 ≤ 11 → down, 11.
    const rows = [
      [10, 8, 9],
      [11, 9, 10],
      [13, 11, 12.5],
      [12.5, 11.5, 12],
      [12, 9, 9.5],
      [10, 8, 8.5],
    ];
    expectRows(run('supertrend', { period: 1, k: 1 }, rows), [[N, N], [12, -1], [9, 1], [11, 1], [13, -1], [11, -1]], 'supertrend(1, 1)');
  });
});

describe('zscore: (x − mean) / population stdev over the window', () => {
  it('includes the newest value in its window and is 0 on a flat window', () => {
    // [1,2,3]: mean 2, var 2/3 → z = 1/√(2/3) = √1.5.   [2,3,3]: mean 8/3, var 2/9 → z = (1/3)/(√2/3) = 1/√2.
    // [3,3,3]: no spread → 0.   [3,3,6]: mean 4, var 2 → z = 2/√2 = √2.   [3,6,0]: mean 3, var 6 → −3/√6.
    const x = [1, 2, 3, 3, 3, 3, 6, 0];
    expectRows(
      run('zscore', { period: 3 }, x.map((v) => [v])),
      [[N], [N], [Math.sqrt(1.5)], [1 / Math.SQRT2], [0], [0], [Math.SQRT2], [-3 / Math.sqrt(6)]],
      'zscore(3)',
    );
  });
});

describe('crosses_above / crosses_below', () => {
  // a goes from ≤ b to > b (above), from ≥ b to < b (below); equality is not a cross by itself.
  const rows = [
    [1, 2],
    [2, 2], // touches: neither
    [3, 2], // from 2 ≤ 2 to 3 > 2: above
    [2, 2], // back to equal: neither
    [1, 2], // from 2 ≥ 2 to 1 < 2: below
    [N, 5], // unknown: NaN, state kept
    [3, 2], // compared with bar 4 (1 ≤ 2): above
    [3, 3], // neither
    [3, 4], // from 3 ≥ 3 to 3 < 4: below
  ];
  it.each([
    ['crosses_above', [[N], [0], [1], [0], [0], [N], [1], [0], [0]]],
    ['crosses_below', [[N], [0], [0], [0], [1], [N], [0], [0], [1]]],
  ] as const)('%s handles touches, equality and NaN gaps', (name, want) => {
    expectRows(run(name, {}, rows), want.map((r) => [...r]), name);
  });
});

describe('sr_proximity: signed relative distance to the nearest level', () => {
  it('picks the nearest level by relative distance and flags it within the tolerance', () => {
    const params = { levels: [110, 100], tolerance: 0.01 }; // unsorted on purpose
    const x = [100, 109, 104.8, 90, 120];
    expectRows(
      run('sr_proximity', params, x.map((v) => [v])),
      [
        [0, 1], // on a level
        [109 / 110 - 1, 1], // 0.9 % below 110
        [104.8 / 110 - 1, 0], // 4.73 % below 110 beats 4.8 % above 100 (by price, 100 is closer)
        [-0.1, 0], // below every level
        [120 / 110 - 1, 0], // above every level
      ],
      'sr_proximity',
    );
  });

  it('counts the tolerance as inclusive and resolves ties to the lower level', () => {
    // 129 / 128 − 1 = 2⁻⁷ and 127 / 128 − 1 = −2⁻⁷ exactly (near); 126 is 2⁻⁶ below (not near).
    // 150 is 50 % above 100 and 50 % below 300.
    expectRows(run('sr_proximity', { levels: [128], tolerance: 2 ** -7 }, [[129], [127], [126]]), [[2 ** -7, 1], [-(2 ** -7), 1], [-(2 ** -6), 0]], 'boundary');
    expectRows(run('sr_proximity', { levels: [100, 300], tolerance: 0.01 }, [[150]]), [[0.5, 0]], 'tie');
  });
});

describe('trendline_cross: a line through two (time, price) anchors', () => {
  it('interpolates and extrapolates in time and flags crosses against the line at each bar', () => {
    const params = { t0: '2024-01-01T00:00:00.000Z', p0: 100, t1: '2024-01-11T00:00:00.000Z', p1: 110 }; // +1 per day
    const bars: [string, number][] = [
      ['2023-12-30T00:00:00Z', 97], // line 98 (extrapolated back); first bar: NaN
      ['2023-12-31T00:00:00Z', 99.5], // line 99: from 97 ≤ 98 to 99.5 > 99 → up
      ['2024-01-01T00:00:00Z', 100], // line 100 (anchor): touching is no cross
      ['2024-01-01T12:00:00Z', 100], // line 100.5: from 100 ≥ 100 to 100 < 100.5 → down
      ['2024-01-11T00:00:00Z', 111], // line 110 (anchor): from 100 ≤ 100.5 to 111 > 110 → up
      ['2024-01-12T00:00:00Z', N], // NaN: skipped
      ['2024-01-21T00:00:00Z', 119], // line 120 (extrapolated): from 111 ≥ 110 to 119 < 120 → down
    ];
    expectRows(
      run('trendline_cross', params, bars.map(([, x]) => [x]), bars.map(([t]) => iso(t))),
      [
        [N, N, N],
        [99, 1, 0],
        [100, 0, 0],
        [100.5, 0, 1],
        [110, 1, 0],
        [N, N, N],
        [120, 0, 1],
      ],
      'trendline_cross',
    );
  });

  it('is exact at both anchors', () => {
    const params = { t0: '2024-03-01T00:00:00.000Z', p0: 0.1, t1: '2024-03-04T00:00:00.000Z', p1: 0.3 };
    const got = run('trendline_cross', params, [[0], [0], [0]], ['2024-02-29T00:00:00Z', '2024-03-01T00:00:00Z', '2024-03-04T00:00:00Z'].map(iso));
    expect(got[1]![0]).toBe(0.1);
    expect(got[2]![0]).toBe(0.3);
  });
});

describe('edge params TA-Lib does not accept', () => {
  const x = [3, 1, 4, 1, 5, 9, 2, 6];
  it.each(['sma', 'ema', 'wma', 'dema', 'tema', 'rolling_min', 'rolling_max', 'rolling_sum'])('%s(1) is the identity', (name) => {
    expectRows(run(name, { period: 1 }, x.map((v) => [v])), x.map((v) => [v]), `${name}(1)`);
  });

  it('kama(1): every bar is fully efficient, so the smoothing is (2/3)²', () => {
    // bar 1 starts from x₀ = 10: 10 + (12 − 10)·4/9 = 98/9; bar 2: 98/9 + (11 − 98/9)·4/9 = 886/81.
    expectRows(run('kama', { period: 1 }, [[10], [12], [11]]), [[N], [98 / 9], [886 / 81]], 'kama(1)');
  });

  it('willr(1) is −100 · (high − close) / (high − low), 0 on a flat bar', () => {
    expectRows(run('willr', { period: 1 }, [[10, 8, 9.5], [10, 10, 10], [12, 8, 8]]), [[-25], [0], [-100]], 'willr(1)');
  });

  it('mfi(1) is 100 on a rising typical price, 0 on a falling or unchanged one', () => {
    const rows = [
      [10, 10, 10, 5],
      [11, 11, 11, 5], // up
      [10, 10, 10, 5], // down
      [10, 10, 10, 5], // unchanged: no flow at all → 0
    ];
    expectRows(run('mfi', { period: 1 }, rows), [[N], [100], [0], [0]], 'mfi(1)');
  });

  it('macd with signal 1: the signal is the MACD line and the histogram 0', () => {
    // slow EMA(3) seeded with (1 + 2 + 4)/3 = 7/3; fast EMA(2) seeded at the same bar with (2 + 4)/2 = 3.
    // bar 3: slow 7/3 + (3 − 7/3)/2 = 8/3, fast 3 → 1/3.  bar 4: slow 8/3 + (5 − 8/3)/2 = 23/6, fast 3 + 2·2/3 = 13/3 → 1/2.
    expectRows(
      run('macd', { fast: 2, slow: 3, signal: 1 }, [[1], [2], [4], [3], [5]]),
      [
        [N, N, N],
        [N, N, N],
        [2 / 3, 2 / 3, 0],
        [1 / 3, 1 / 3, 0],
        [1 / 2, 1 / 2, 0],
      ],
      'macd(2, 3, 1)',
    );
  });
});

describe('params', () => {
  it.each([
    ['sma', {}, /`period` of `sma` must be a finite number/],
    ['sma', { period: 0 }, /`period` of `sma` is 0; it must be between 1 and 100000/],
    ['sma', { period: 2.5 }, /must be a whole number/],
    ['rsi', { period: 1 }, /between 2 and/],
    ['bbands', { period: 20, k: -1 }, /`k` of `bbands`/],
    ['sr_proximity', { levels: [], tolerance: 0.01 }, /must hold 1 to 1000 levels/],
    ['sr_proximity', { levels: [100, -5] }, /positive finite prices/],
    ['sr_proximity', { levels: 100 }, /must be a list of price levels/],
    ['trendline_cross', { t0: 'soon', p0: 1, t1: '2024-01-01', p1: 2 }, /`t0` of `trendline_cross` must be an ISO 8601 timestamp/],
    ['trendline_cross', { t0: '2024-02-01', p0: 1, t1: '2024-01-01', p1: 2 }, /`t1` of `trendline_cross` must be after `t0`/],
  ] as [string, IndicatorParams, RegExp][])('%s(%o) fails loudly with KernelError range', (name, params, message) => {
    let caught: unknown;
    try {
      INDICATORS[name]!(params);
    } catch (e) {
      caught = e;
    }
    expect(caught, 'construction must throw').toBeInstanceOf(KernelError);
    expect((caught as KernelError).code).toBe('range');
    expect((caught as KernelError).message).toMatch(message);
  });

  it('fills catalog defaults for omitted params', () => {
    const withDefaults = run('macd', {}, Array.from({ length: 40 }, (_, t) => [100 + Math.sin(t)]));
    const explicit = run('macd', { fast: 12, slow: 26, signal: 9 }, Array.from({ length: 40 }, (_, t) => [100 + Math.sin(t)]));
    expect(withDefaults).toEqual(explicit);
    expect(withDefaults[32]!.every(Number.isNaN), 'lookback 25 + 8 = 33').toBe(true);
    expect(withDefaults[33]!.some(Number.isNaN)).toBe(false);
  });
});
