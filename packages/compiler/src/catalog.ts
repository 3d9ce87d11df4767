/**
 * The node catalog: one typed registry of every signal node, shared by the compiler (signatures,
 * type check, warm-up) and the kernel (implementations are looked up by `name`).
 *
 * Lookback follows TA-Lib's convention: the number of bars consumed before the first valid
 * output (SMA(n) → n − 1, RSI(n) → n). Indicators with infinite memory (EMA, KAMA, RSI, ATR, ADX …)
 * are marked `unstable`: their value keeps depending on where history starts after the lookback;
 * `strata analyze warmup` measures by how much.
 */

export type ValueType = 'number' | 'bool';
export type BarField = 'open' | 'high' | 'low' | 'close' | 'volume';
export const BAR_FIELDS: readonly BarField[] = ['open', 'high', 'low', 'close', 'volume'];

export type NodeKind = 'indicator' | 'rolling' | 'math' | 'logic' | 'event' | 'cross_sectional' | 'drawing' | 'news';

export interface CatalogInput {
  readonly name: string;
  readonly type: ValueType;
}

export type ParamType = 'int' | 'float' | 'levels' | 'timestamp';

export interface CatalogParam {
  readonly name: string;
  readonly type: ParamType;
  /** Inclusive range for numeric params; for `levels`, the range of the list length. */
  readonly min?: number;
  readonly max?: number;
  /** A param with a default may be omitted. */
  readonly default?: number;
  readonly description: string;
}

export interface CatalogOutput {
  readonly name: string;
  readonly type: ValueType;
}

export type ParamValues = Readonly<Record<string, number | readonly number[] | string>>;

export interface CatalogEntry {
  readonly name: string;
  readonly kind: NodeKind;
  readonly description: string;
  /** Explicit series arguments, in call order. */
  readonly inputs: readonly CatalogInput[];
  /** Bar fields read implicitly from the evaluation timeframe (e.g. ATR reads high, low, close). */
  readonly bar: readonly BarField[];
  readonly params: readonly CatalogParam[];
  /** One output, or several selected with `.name` (e.g. `bbands(close, 20).upper`). */
  readonly outputs: readonly CatalogOutput[];
  /** Bars consumed before the first valid output, as a function of params. */
  readonly lookback: (p: Readonly<Record<string, number>>) => number;
  /** Infinite-memory recursion: values depend on the start of history beyond `lookback`. */
  readonly unstable?: boolean;
  /** Name of the independent reference implementation the kernel's tests compare against. */
  readonly reference?: string;
}

const num = (name: string): CatalogInput => ({ name, type: 'number' });
const bool = (name: string): CatalogInput => ({ name, type: 'bool' });
const out = (name = 'value', type: ValueType = 'number'): CatalogOutput => ({ name, type });
const PERIOD_MAX = 100_000;
const period = (dflt?: number, name = 'period', min = 1, description = 'window length in bars'): CatalogParam => ({
  name,
  type: 'int',
  min,
  max: PERIOD_MAX,
  ...(dflt !== undefined ? { default: dflt } : {}),
  description,
});
const float = (name: string, min: number, max: number, dflt: number | undefined, description: string): CatalogParam => ({
  name,
  type: 'float',
  min,
  max,
  ...(dflt !== undefined ? { default: dflt } : {}),
  description,
});
const HLC: readonly BarField[] = ['high', 'low', 'close'];
const HLCV: readonly BarField[] = ['high', 'low', 'close', 'volume'];
const p = (v: Readonly<Record<string, number>>, k: string): number => v[k] ?? 0;

const entries: CatalogEntry[] = [
  // — moving averages —
  { name: 'sma', kind: 'indicator', description: 'Simple moving average.', inputs: [num('source')], bar: [], params: [period()], outputs: [out()], lookback: (v) => p(v, 'period') - 1, reference: 'SMA' },
  { name: 'ema', kind: 'indicator', description: 'Exponential moving average, alpha = 2/(period+1), seeded with the SMA of the first period bars.', inputs: [num('source')], bar: [], params: [period()], outputs: [out()], lookback: (v) => p(v, 'period') - 1, unstable: true, reference: 'EMA' },
  { name: 'wma', kind: 'indicator', description: 'Linearly weighted moving average.', inputs: [num('source')], bar: [], params: [period()], outputs: [out()], lookback: (v) => p(v, 'period') - 1, reference: 'WMA' },
  { name: 'dema', kind: 'indicator', description: 'Double exponential moving average: 2·EMA − EMA(EMA).', inputs: [num('source')], bar: [], params: [period()], outputs: [out()], lookback: (v) => 2 * (p(v, 'period') - 1), unstable: true, reference: 'DEMA' },
  { name: 'tema', kind: 'indicator', description: 'Triple exponential moving average.', inputs: [num('source')], bar: [], params: [period()], outputs: [out()], lookback: (v) => 3 * (p(v, 'period') - 1), unstable: true, reference: 'TEMA' },
  { name: 'kama', kind: 'indicator', description: "Kaufman's adaptive moving average (fast 2, slow 30).", inputs: [num('source')], bar: [], params: [period(10)], outputs: [out()], lookback: (v) => p(v, 'period'), unstable: true, reference: 'KAMA' },
  // — oscillators —
  { name: 'rsi', kind: 'indicator', description: "Wilder's relative strength index, 0..100.", inputs: [num('source')], bar: [], params: [period(14, 'period', 2)], outputs: [out()], lookback: (v) => p(v, 'period'), unstable: true, reference: 'RSI' },
  {
    name: 'macd', kind: 'indicator', description: 'MACD: EMA(fast) − EMA(slow), its signal EMA and the histogram.', inputs: [num('source')], bar: [],
    params: [period(12, 'fast', 2, 'fast EMA length'), period(26, 'slow', 2, 'slow EMA length'), period(9, 'signal', 1, 'signal EMA length')],
    outputs: [out('macd'), out('signal'), out('hist')], lookback: (v) => Math.max(p(v, 'fast'), p(v, 'slow')) - 1 + p(v, 'signal') - 1, unstable: true, reference: 'MACD',
  },
  {
    name: 'bbands', kind: 'indicator', description: 'Bollinger bands: SMA ± k population standard deviations.', inputs: [num('source')], bar: [],
    params: [period(20, 'period', 2), float('k', 0, 100, 2, 'width in standard deviations')], outputs: [out('upper'), out('middle'), out('lower')], lookback: (v) => p(v, 'period') - 1, reference: 'BBANDS',
  },
  { name: 'atr', kind: 'indicator', description: "Wilder's average true range.", inputs: [], bar: HLC, params: [period(14)], outputs: [out()], lookback: (v) => p(v, 'period'), unstable: true, reference: 'ATR' },
  { name: 'natr', kind: 'indicator', description: 'Normalised ATR: 100 · ATR / close.', inputs: [], bar: HLC, params: [period(14)], outputs: [out()], lookback: (v) => p(v, 'period'), unstable: true, reference: 'NATR' },
  { name: 'adx', kind: 'indicator', description: "Wilder's average directional index, 0..100.", inputs: [], bar: HLC, params: [period(14, 'period', 2)], outputs: [out()], lookback: (v) => 2 * p(v, 'period') - 1, unstable: true, reference: 'ADX' },
  { name: 'plus_di', kind: 'indicator', description: 'Plus directional indicator (DMI +DI).', inputs: [], bar: HLC, params: [period(14)], outputs: [out()], lookback: (v) => p(v, 'period'), unstable: true, reference: 'PLUS_DI' },
  { name: 'minus_di', kind: 'indicator', description: 'Minus directional indicator (DMI −DI).', inputs: [], bar: HLC, params: [period(14)], outputs: [out()], lookback: (v) => p(v, 'period'), unstable: true, reference: 'MINUS_DI' },
  {
    name: 'stoch', kind: 'indicator', description: 'Slow stochastic oscillator (%K smoothed by an SMA, %D an SMA of %K).', inputs: [], bar: HLC,
    params: [period(14, 'k_period', 1, 'fast %K window'), period(3, 'k_smooth', 1, 'slow %K SMA length'), period(3, 'd_period', 1, '%D SMA length')],
    outputs: [out('k'), out('d')], lookback: (v) => p(v, 'k_period') - 1 + p(v, 'k_smooth') - 1 + p(v, 'd_period') - 1, reference: 'STOCH',
  },
  {
    name: 'stochrsi', kind: 'indicator', description: 'Stochastic RSI: fast stochastic of the RSI.', inputs: [num('source')], bar: [],
    params: [period(14, 'period', 2, 'RSI length'), period(14, 'k_period', 1, 'stochastic window'), period(3, 'd_period', 1, '%D SMA length')],
    outputs: [out('k'), out('d')], lookback: (v) => p(v, 'period') + p(v, 'k_period') - 1 + p(v, 'd_period') - 1, unstable: true, reference: 'STOCHRSI',
  },
  { name: 'cci', kind: 'indicator', description: 'Commodity channel index.', inputs: [], bar: HLC, params: [period(20, 'period', 2)], outputs: [out()], lookback: (v) => p(v, 'period') - 1, reference: 'CCI' },
  { name: 'roc', kind: 'indicator', description: 'Rate of change in percent: 100 · (x / x[n] − 1).', inputs: [num('source')], bar: [], params: [period(10)], outputs: [out()], lookback: (v) => p(v, 'period'), reference: 'ROC' },
  { name: 'mom', kind: 'indicator', description: 'Momentum: x − x[n].', inputs: [num('source')], bar: [], params: [period(10)], outputs: [out()], lookback: (v) => p(v, 'period'), reference: 'MOM' },
  { name: 'willr', kind: 'indicator', description: "Williams' %R, −100..0.", inputs: [], bar: HLC, params: [period(14)], outputs: [out()], lookback: (v) => p(v, 'period') - 1, reference: 'WILLR' },
  { name: 'obv', kind: 'indicator', description: 'On-balance volume.', inputs: [], bar: ['close', 'volume'], params: [], outputs: [out()], lookback: () => 0, unstable: true, reference: 'OBV' },
  { name: 'mfi', kind: 'indicator', description: 'Money flow index, 0..100.', inputs: [], bar: HLCV, params: [period(14)], outputs: [out()], lookback: (v) => p(v, 'period'), reference: 'MFI' },
  { name: 'vwap', kind: 'indicator', description: 'Session VWAP of the typical price, reset at each UTC session (trading day) start.', inputs: [], bar: HLCV, params: [], outputs: [out()], lookback: () => 0 },
  {
    name: 'donchian', kind: 'indicator', description: 'Donchian channel: highest high, lowest low and their midpoint.', inputs: [], bar: ['high', 'low'],
    params: [period(20)], outputs: [out('upper'), out('middle'), out('lower')], lookback: (v) => p(v, 'period') - 1,
  },
  {
    name: 'keltner', kind: 'indicator', description: 'Keltner channel: EMA(close) ± k · ATR.', inputs: [], bar: HLC,
    params: [period(20, 'period', 1, 'EMA length'), period(10, 'atr_period', 1, 'ATR length'), float('k', 0, 100, 2, 'width in ATRs')],
    outputs: [out('upper'), out('middle'), out('lower')], lookback: (v) => Math.max(p(v, 'period') - 1, p(v, 'atr_period')), unstable: true,
  },
  {
    name: 'supertrend', kind: 'indicator', description: 'SuperTrend: the trailing band and the trend direction (+1 up, −1 down).', inputs: [], bar: HLC,
    params: [period(10, 'period', 1, 'ATR length'), float('k', 0, 100, 3, 'band width in ATRs')], outputs: [out('line'), out('direction')], lookback: (v) => p(v, 'period'), unstable: true,
  },
  {
    name: 'sar', kind: 'indicator', description: 'Parabolic SAR.', inputs: [], bar: ['high', 'low'],
    params: [float('step', 0, 1, 0.02, 'acceleration step'), float('max_step', 0, 1, 0.2, 'acceleration cap')], outputs: [out()], lookback: () => 1, unstable: true, reference: 'SAR',
  },
  // — rolling statistics —
  { name: 'rolling_min', kind: 'rolling', description: 'Lowest value over the window.', inputs: [num('source')], bar: [], params: [period()], outputs: [out()], lookback: (v) => p(v, 'period') - 1, reference: 'MIN' },
  { name: 'rolling_max', kind: 'rolling', description: 'Highest value over the window.', inputs: [num('source')], bar: [], params: [period()], outputs: [out()], lookback: (v) => p(v, 'period') - 1, reference: 'MAX' },
  { name: 'rolling_sum', kind: 'rolling', description: 'Sum over the window.', inputs: [num('source')], bar: [], params: [period()], outputs: [out()], lookback: (v) => p(v, 'period') - 1, reference: 'SUM' },
  { name: 'stdev', kind: 'rolling', description: 'Population standard deviation over the window.', inputs: [num('source')], bar: [], params: [period(20, 'period', 2)], outputs: [out()], lookback: (v) => p(v, 'period') - 1, reference: 'STDDEV' },
  { name: 'zscore', kind: 'rolling', description: '(x − mean) / population stdev over the window.', inputs: [num('source')], bar: [], params: [period(20, 'period', 2)], outputs: [out()], lookback: (v) => p(v, 'period') - 1 },
  { name: 'linreg_slope', kind: 'rolling', description: 'Slope of the least-squares line through the window, per bar.', inputs: [num('source')], bar: [], params: [period(14, 'period', 2)], outputs: [out()], lookback: (v) => p(v, 'period') - 1, reference: 'LINEARREG_SLOPE' },
  { name: 'correl', kind: 'rolling', description: 'Pearson correlation of two series over the window.', inputs: [num('a'), num('b')], bar: [], params: [period(30, 'period', 2)], outputs: [out()], lookback: (v) => p(v, 'period') - 1, reference: 'CORREL' },
  // — events —
  { name: 'crosses_above', kind: 'event', description: 'True on the bar where a goes from ≤ b to > b.', inputs: [num('a'), num('b')], bar: [], params: [], outputs: [out('value', 'bool')], lookback: () => 1 },
  { name: 'crosses_below', kind: 'event', description: 'True on the bar where a goes from ≥ b to < b.', inputs: [num('a'), num('b')], bar: [], params: [], outputs: [out('value', 'bool')], lookback: () => 1 },
  // — cross-sectional —
  { name: 'rank', kind: 'cross_sectional', description: 'Percentile rank of the value across the universe at the same time, 0 (lowest) .. 1 (highest); NaN values are unranked.', inputs: [num('source')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
  // — chart drawings (frozen by the agent's annotate_drawing / detect_sr_levels tools) —
  {
    name: 'sr_proximity', kind: 'drawing', description: 'Signed relative distance (x / level − 1) to the nearest support/resistance level, and whether it is within the tolerance.',
    inputs: [num('source')], bar: [],
    params: [
      { name: 'levels', type: 'levels', min: 1, max: 1000, description: 'price levels, e.g. [412.5, 430]' },
      float('tolerance', 0, 1, 0.005, 'relative distance that counts as near'),
    ],
    outputs: [out('distance'), out('near', 'bool')], lookback: () => 0,
  },
  {
    name: 'trendline_cross', kind: 'drawing', description: 'A trend line through two anchors (time, price): its value at each bar, and crosses of the source above / below it.',
    inputs: [num('source')], bar: [],
    params: [
      { name: 't0', type: 'timestamp', description: 'first anchor time (ISO 8601 date or UTC timestamp)' },
      { name: 'p0', type: 'float', min: 0, max: 1e12, description: 'first anchor price' },
      { name: 't1', type: 'timestamp', description: 'second anchor time, after t0' },
      { name: 'p1', type: 'float', min: 0, max: 1e12, description: 'second anchor price' },
    ],
    outputs: [out('line'), out('up', 'bool'), out('down', 'bool')], lookback: () => 1,
  },
  // — unstructured feeds, scored by a local model before the run —
  {
    name: 'news_sentiment', kind: 'news',
    description: "Mean sentiment score, in [-1, 1], of the news items visible in the last `window` bars (this one included), weighted by item; NaN when the window holds no item. Items come from the artifact's `feeds.news`, scored by a local ONNX model when the feed is loaded and aligned causally: an item counts from the first bar that closes at or after its publication time.",
    inputs: [], bar: [],
    params: [period(1, 'window', 1, 'window length in bars')],
    outputs: [out()], lookback: (v) => p(v, 'window') - 1,
  },
  // — element-wise math and logic —
  { name: 'abs', kind: 'math', description: 'Absolute value.', inputs: [num('x')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
  { name: 'sqrt', kind: 'math', description: 'Square root (NaN below 0).', inputs: [num('x')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
  { name: 'log', kind: 'math', description: 'Natural logarithm (NaN at or below 0).', inputs: [num('x')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
  { name: 'exp', kind: 'math', description: 'e to the power x.', inputs: [num('x')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
  { name: 'pow', kind: 'math', description: 'x to the power y.', inputs: [num('x'), num('y')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
  { name: 'sign', kind: 'math', description: '−1, 0 or 1.', inputs: [num('x')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
  { name: 'min', kind: 'math', description: 'The smaller of two values (element-wise; see rolling_min for a window).', inputs: [num('a'), num('b')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
  { name: 'max', kind: 'math', description: 'The larger of two values (element-wise; see rolling_max for a window).', inputs: [num('a'), num('b')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
  { name: 'nz', kind: 'math', description: 'x, or the fallback where x is NaN (e.g. during warm-up).', inputs: [num('x'), num('fallback')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
  { name: 'where', kind: 'logic', description: 'a where the condition holds, b otherwise.', inputs: [bool('condition'), num('a'), num('b')], bar: [], params: [], outputs: [out()], lookback: () => 0 },
];

/** The registry, keyed by name. Frozen: the catalog is data. */
export const CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(entries.map((e) => [e.name, Object.freeze(e)]));

export function catalogEntry(name: string): CatalogEntry | undefined {
  return CATALOG.get(name);
}

/** Derived bar series, expanded by the compiler into arithmetic on bar fields. */
export const DERIVED_FIELDS: Readonly<Record<string, string>> = {
  hl2: '(high + low) / 2',
  hlc3: '(high + low + close) / 3',
  ohlc4: '(open + high + low + close) / 4',
};
