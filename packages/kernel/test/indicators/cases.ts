/**
 * Per-indicator test table for the contract suite: how to feed it from bar columns, the param sets
 * checked against an independent implementation (TA-Lib through the `talib` binding, or a naive
 * batch implementation for nodes TA-Lib lacks), and small params for the property tests.
 */
import { CATALOG, type CatalogEntry } from '@strata/compiler';
import type { IndicatorParams } from '../../src/indicators/index.js';
import { crossRef, srRef, supertrendRef, trendlineRef, vwapRef } from './naive.js';
import type { Bars } from './spy.js';
import { ta, taPerWindow } from './talib.js';

type Column = 'open' | 'high' | 'low' | 'close' | 'volume';

export interface ReferenceCase {
  readonly params: IndicatorParams;
  /** What the values are checked against. */
  readonly against: string;
  /** Full-length reference outputs in catalog order, NaN where the reference has no value. */
  readonly reference: (b: Bars) => Float64Array[];
}

export interface IndicatorCase {
  readonly name: string;
  /** Columns feeding the explicit inputs, in catalog order (bar fields follow automatically). */
  readonly explicit: readonly Column[];
  readonly cases: readonly ReferenceCase[];
  /** Short windows, so that random series of a few hundred bars get well past the warm-up. */
  readonly small: IndicatorParams;
}

export function entryOf(name: string): CatalogEntry {
  const e = CATALOG.get(name);
  if (!e) throw new Error(`no catalog entry ${name}`);
  return e;
}

/** Input columns in the indicator's contract order: explicit inputs, then implicit bar fields. */
export function inputColumns(c: IndicatorCase, b: Pick<Bars, Column>): Float64Array[] {
  return [...c.explicit.map((k) => b[k]), ...entryOf(c.name).bar.map((f) => b[f])];
}

const HLC = (b: Bars) => ({ high: b.high, low: b.low, close: b.close });
const SRC = (b: Bars) => ({ inReal: b.close });

/** A TA-Lib function with one period param, on close or on high/low/close. */
function periodCases(fn: string, on: 'close' | 'hlc', periods: readonly number[], key = 'period'): ReferenceCase[] {
  return periods.map((n) => ({
    params: { [key]: n },
    against: `TA-Lib ${fn}`,
    reference: (b: Bars) => ta(fn, on === 'close' ? SRC(b) : HLC(b), { optInTimePeriod: n }).outputs,
  }));
}

/** z = (x − mean) / sd; 0 where sd is 0 (a window without spread). */
function zOf(x: Float64Array, mean: Float64Array, sd: Float64Array): Float64Array {
  return mean.map((m, t) => (sd[t]! > 0 ? (x[t]! - m) / sd[t]! : sd[t] === 0 ? 0 : Number.NaN));
}

const nanLike = (a: Float64Array): Float64Array => new Float64Array(a.length).fill(Number.NaN);

export const CASES: readonly IndicatorCase[] = [
  // — moving averages —
  { name: 'sma', explicit: ['close'], cases: periodCases('SMA', 'close', [2, 10, 30, 200]), small: { period: 4 } },
  { name: 'ema', explicit: ['close'], cases: periodCases('EMA', 'close', [2, 10, 20, 50]), small: { period: 4 } },
  { name: 'wma', explicit: ['close'], cases: periodCases('WMA', 'close', [2, 10, 30]), small: { period: 4 } },
  { name: 'dema', explicit: ['close'], cases: periodCases('DEMA', 'close', [2, 10, 30]), small: { period: 3 } },
  { name: 'tema', explicit: ['close'], cases: periodCases('TEMA', 'close', [2, 10, 30]), small: { period: 3 } },
  { name: 'kama', explicit: ['close'], cases: periodCases('KAMA', 'close', [2, 10, 30]), small: { period: 4 } },
  // — oscillators —
  { name: 'rsi', explicit: ['close'], cases: periodCases('RSI', 'close', [2, 14, 30]), small: { period: 4 } },
  {
    name: 'macd',
    explicit: ['close'],
    cases: [
      { fast: 12, slow: 26, signal: 9 },
      { fast: 5, slow: 35, signal: 5 },
      { fast: 2, slow: 3, signal: 2 },
    ].map((p) => ({
      params: p,
      against: 'TA-Lib MACD',
      reference: (b: Bars) => ta('MACD', SRC(b), { optInFastPeriod: p.fast, optInSlowPeriod: p.slow, optInSignalPeriod: p.signal }).outputs,
    })),
    small: { fast: 3, slow: 6, signal: 3 },
  },
  {
    name: 'stoch',
    explicit: [],
    cases: [
      { k_period: 14, k_smooth: 3, d_period: 3 },
      { k_period: 5, k_smooth: 3, d_period: 3 },
      { k_period: 10, k_smooth: 1, d_period: 5 },
      { k_period: 1, k_smooth: 1, d_period: 1 },
    ].map((p) => ({
      params: p,
      against: 'TA-Lib STOCH (SMA/SMA)',
      reference: (b: Bars) =>
        ta('STOCH', HLC(b), { optInFastK_Period: p.k_period, optInSlowK_Period: p.k_smooth, optInSlowK_MAType: 0, optInSlowD_Period: p.d_period, optInSlowD_MAType: 0 }).outputs,
    })),
    small: { k_period: 4, k_smooth: 2, d_period: 2 },
  },
  {
    name: 'stochrsi',
    explicit: ['close'],
    cases: [
      { period: 14, k_period: 14, d_period: 3 },
      { period: 14, k_period: 5, d_period: 3 },
      { period: 2, k_period: 1, d_period: 1 },
    ].map((p) => ({
      params: p,
      against: 'TA-Lib STOCHRSI (fastD SMA)',
      reference: (b: Bars) => ta('STOCHRSI', SRC(b), { optInTimePeriod: p.period, optInFastK_Period: p.k_period, optInFastD_Period: p.d_period, optInFastD_MAType: 0 }).outputs,
    })),
    small: { period: 3, k_period: 3, d_period: 2 },
  },
  { name: 'cci', explicit: [], cases: periodCases('CCI', 'hlc', [2, 20, 50]), small: { period: 4 } },
  { name: 'roc', explicit: ['close'], cases: periodCases('ROC', 'close', [1, 10, 50]), small: { period: 3 } },
  { name: 'mom', explicit: ['close'], cases: periodCases('MOM', 'close', [1, 10, 50]), small: { period: 3 } },
  { name: 'willr', explicit: [], cases: periodCases('WILLR', 'hlc', [2, 14, 50]), small: { period: 4 } },
  // — volatility —
  {
    name: 'bbands',
    explicit: ['close'],
    cases: [
      { period: 20, k: 2 },
      { period: 10, k: 1 },
      { period: 5, k: 0.5 },
      { period: 50, k: 3 },
    ].map((p) => ({
      params: p,
      against: 'TA-Lib BBANDS (SMA)',
      reference: (b: Bars) => ta('BBANDS', SRC(b), { optInTimePeriod: p.period, optInNbDevUp: p.k, optInNbDevDn: p.k, optInMAType: 0 }).outputs,
    })),
    small: { period: 4, k: 2 },
  },
  { name: 'atr', explicit: [], cases: periodCases('ATR', 'hlc', [1, 14, 30]), small: { period: 3 } },
  {
    name: 'natr',
    explicit: [],
    cases: [
      ...periodCases('NATR', 'hlc', [2, 14, 30]),
      {
        params: { period: 1 },
        against: '100 · TA-Lib NATR / close (for period 1 TA-Lib returns the raw true range)',
        reference: (b: Bars) => ta('NATR', HLC(b), { optInTimePeriod: 1 }).outputs.map((a) => a.map((v, t) => (100 * v) / b.close[t]!)),
      },
    ],
    small: { period: 3 },
  },
  {
    name: 'keltner',
    explicit: [],
    cases: [
      { period: 20, atr_period: 10, k: 2 },
      { period: 10, atr_period: 20, k: 1.5 },
      { period: 2, atr_period: 1, k: 0.5 },
    ].map((p) => ({
      params: p,
      against: 'TA-Lib EMA(close) ± k · TA-Lib ATR',
      reference: (b: Bars) => {
        const mid = ta('EMA', SRC(b), { optInTimePeriod: p.period }).outputs[0]!;
        const atr = ta('ATR', HLC(b), { optInTimePeriod: p.atr_period }).outputs[0]!;
        const up = nanLike(mid);
        const lo = nanLike(mid);
        const md = nanLike(mid);
        for (let t = 0; t < mid.length; t++) {
          if (Number.isNaN(mid[t]!) || Number.isNaN(atr[t]!)) continue;
          up[t] = mid[t]! + p.k * atr[t]!;
          md[t] = mid[t]!;
          lo[t] = mid[t]! - p.k * atr[t]!;
        }
        return [up, md, lo];
      },
    })),
    small: { period: 3, atr_period: 4, k: 2 },
  },
  {
    name: 'donchian',
    explicit: [],
    cases: [2, 20, 55].map((n) => ({
      params: { period: n },
      against: 'TA-Lib MAX(high) / MIN(low)',
      reference: (b: Bars) => {
        const hi = ta('MAX', { inReal: b.high }, { optInTimePeriod: n }).outputs[0]!;
        const lo = ta('MIN', { inReal: b.low }, { optInTimePeriod: n }).outputs[0]!;
        return [hi, hi.map((h, t) => (h + lo[t]!) / 2), lo];
      },
    })),
    small: { period: 4 },
  },
  // — trend —
  { name: 'adx', explicit: [], cases: periodCases('ADX', 'hlc', [2, 14, 30]), small: { period: 3 } },
  {
    name: 'plus_di',
    explicit: [],
    cases: [
      ...periodCases('PLUS_DI', 'hlc', [2, 14, 30]),
      {
        params: { period: 1 },
        against: 'TA-Lib PLUS_DI × 100 (TA-Lib returns the bare 0..1 ratio for period 1)',
        reference: (b: Bars) => ta('PLUS_DI', HLC(b), { optInTimePeriod: 1 }).outputs.map((a) => a.map((v) => 100 * v)),
      },
    ],
    small: { period: 3 },
  },
  {
    name: 'minus_di',
    explicit: [],
    cases: [
      ...periodCases('MINUS_DI', 'hlc', [2, 14, 30]),
      {
        params: { period: 1 },
        against: 'TA-Lib MINUS_DI × 100 (TA-Lib returns the bare 0..1 ratio for period 1)',
        reference: (b: Bars) => ta('MINUS_DI', HLC(b), { optInTimePeriod: 1 }).outputs.map((a) => a.map((v) => 100 * v)),
      },
    ],
    small: { period: 3 },
  },
  {
    name: 'supertrend',
    explicit: [],
    cases: [
      { period: 10, k: 3 },
      { period: 7, k: 2 },
      { period: 1, k: 1 },
    ].map((p) => ({ params: p, against: 'TradingView ta.supertrend (naive) on TA-Lib ATR', reference: (b: Bars) => supertrendRef(b, p.period, p.k) })),
    small: { period: 3, k: 1 },
  },
  {
    name: 'sar',
    explicit: [],
    cases: [
      { step: 0.02, max_step: 0.2 },
      { step: 0.01, max_step: 0.1 },
      { step: 0.05, max_step: 0.5 },
      { step: 0.2, max_step: 0.2 },
    ].map((p) => ({
      params: p,
      against: 'TA-Lib SAR',
      reference: (b: Bars) => ta('SAR', { high: b.high, low: b.low }, { optInAcceleration: p.step, optInMaximum: p.max_step }).outputs,
    })),
    small: { step: 0.02, max_step: 0.2 },
  },
  // — volume —
  {
    name: 'obv',
    explicit: [],
    cases: [{ params: {}, against: 'TA-Lib OBV', reference: (b: Bars) => ta('OBV', { inReal: b.close, volume: b.volume }).outputs }],
    small: {},
  },
  {
    name: 'mfi',
    explicit: [],
    cases: [2, 14, 30].map((n) => ({
      params: { period: n },
      against: 'TA-Lib MFI',
      reference: (b: Bars) => ta('MFI', { ...HLC(b), volume: b.volume }, { optInTimePeriod: n }).outputs,
    })),
    small: { period: 3 },
  },
  { name: 'vwap', explicit: [], cases: [{ params: {}, against: 'naive session VWAP (UTC dates)', reference: vwapRef }], small: {} },
  // — rolling statistics —
  { name: 'rolling_min', explicit: ['close'], cases: periodCases('MIN', 'close', [2, 20, 100]), small: { period: 4 } },
  { name: 'rolling_max', explicit: ['close'], cases: periodCases('MAX', 'close', [2, 20, 100]), small: { period: 4 } },
  { name: 'rolling_sum', explicit: ['close'], cases: periodCases('SUM', 'close', [2, 20, 100]), small: { period: 4 } },
  {
    name: 'stdev',
    explicit: ['close'],
    cases: [
      ...[20, 100].map((n) => ({
        params: { period: n },
        against: 'TA-Lib STDDEV (nbdev 1)',
        reference: (b: Bars) => ta('STDDEV', SRC(b), { optInTimePeriod: n, optInNbDev: 1 }).outputs,
      })),
      ...[2, 20, 100].map((n) => ({
        params: { period: n },
        against: 'TA-Lib STDDEV per centred window',
        reference: (b: Bars) => taPerWindow('STDDEV', SRC(b), { optInTimePeriod: n, optInNbDev: 1 }, n),
      })),
    ],
    small: { period: 4 },
  },
  {
    name: 'zscore',
    explicit: ['close'],
    cases: [
      ...[20, 100].map((n) => ({
        params: { period: n },
        against: '(close − TA-Lib SMA) / TA-Lib STDDEV',
        reference: (b: Bars) => {
          const mean = ta('SMA', SRC(b), { optInTimePeriod: n }).outputs[0]!;
          const sd = ta('STDDEV', SRC(b), { optInTimePeriod: n, optInNbDev: 1 }).outputs[0]!;
          return [zOf(b.close, mean, sd)];
        },
      })),
      ...[2, 20, 100].map((n) => ({
        params: { period: n },
        against: '(close − SMA) / STDDEV, TA-Lib per centred window',
        reference: (b: Bars) => {
          // On the window minus its newest value, the newest value is 0: z = −SMA' / STDDEV'.
          const mean = taPerWindow('SMA', SRC(b), { optInTimePeriod: n }, n)[0]!;
          const sd = taPerWindow('STDDEV', SRC(b), { optInTimePeriod: n, optInNbDev: 1 }, n)[0]!;
          return [zOf(new Float64Array(b.length), mean, sd)];
        },
      })),
    ],
    small: { period: 4 },
  },
  { name: 'linreg_slope', explicit: ['close'], cases: periodCases('LINEARREG_SLOPE', 'close', [2, 14, 50]), small: { period: 4 } },
  {
    name: 'correl',
    explicit: ['close', 'volume'],
    cases: [
      ...[30, 100].map((n) => ({
        params: { period: n },
        against: 'TA-Lib CORREL (close, volume)',
        reference: (b: Bars) => ta('CORREL', { inReal0: b.close, inReal1: b.volume }, { optInTimePeriod: n }).outputs,
      })),
      ...[2, 30, 100].map((n) => ({
        params: { period: n },
        against: 'TA-Lib CORREL per centred window',
        reference: (b: Bars) => taPerWindow('CORREL', { inReal0: b.close, inReal1: b.volume }, { optInTimePeriod: n }, n),
      })),
    ],
    small: { period: 4 },
  },
  // — events —
  { name: 'crosses_above', explicit: ['close', 'open'], cases: [{ params: {}, against: 'naive close/open cross', reference: (b: Bars) => crossRef(b.close, b.open, 'above') }], small: {} },
  { name: 'crosses_below', explicit: ['close', 'open'], cases: [{ params: {}, against: 'naive close/open cross', reference: (b: Bars) => crossRef(b.close, b.open, 'below') }], small: {} },
  // — drawings —
  {
    name: 'sr_proximity',
    explicit: ['close'],
    cases: [
      { levels: [100, 150, 200, 300, 400, 450, 500], tolerance: 0.01 },
      { levels: [250], tolerance: 0.005 },
      { levels: [44, 44.5, 120, 121, 600], tolerance: 0.2 },
    ].map((p) => ({ params: p, against: 'naive nearest level', reference: (b: Bars) => srRef(b.close, p.levels, p.tolerance) })),
    small: { levels: [98, 100, 103], tolerance: 0.01 },
  },
  {
    name: 'trendline_cross',
    explicit: ['close'],
    cases: [
      { t0: '2020-03-23T00:00:00.000Z', p0: 222.95, t1: '2022-01-03T00:00:00.000Z', p1: 477.71 },
      { t0: '2000-03-24T00:00:00.000Z', p0: 153.56, t1: '2007-10-09T00:00:00.000Z', p1: 156.48 },
    ].map((p) => ({
      params: p,
      against: 'naive line p0 + (p1 − p0)(t − t0)/(t1 − t0)',
      reference: (b: Bars) => trendlineRef(b.close, b.ts, Date.parse(p.t0), p.p0, Date.parse(p.t1), p.p1),
    })),
    small: { t0: '1970-01-01T00:00:00.000Z', p0: 100, t1: '1970-01-31T00:00:00.000Z', p1: 103 },
  },
];

export const IMPLEMENTED_KINDS: readonly CatalogEntry['kind'][] = ['indicator', 'rolling', 'event', 'drawing'];

export function lookbackOf(name: string, params: IndicatorParams): number {
  const numeric: Record<string, number> = {};
  for (const p of entryOf(name).params) {
    const v = params[p.name] ?? p.default;
    if (typeof v === 'number') numeric[p.name] = v;
  }
  return entryOf(name).lookback(numeric);
}
