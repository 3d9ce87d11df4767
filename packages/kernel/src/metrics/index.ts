/**
 * Performance metrics of a backtest: pure functions over the kernel's results
 * (`EquityCurve`, `Trade[]`, `Fill[]`). No I/O, no clock, no randomness: the same inputs
 * always give the same numbers, bit for bit.
 *
 * Conventions (every formula is repeated in `README.md` next to this file):
 *
 * - Timestamps are ms since the Unix epoch, UTC (the kernel's convention). A calendar year
 *   is 365.25 days = 31,557,600,000 ms.
 * - `E_0 … E_{n-1}` is `curve.equity`; the per-bar simple return is
 *   `r_i = E_i / E_{i-1} − 1` for `i = 1 … n−1` (N = n − 1 returns).
 * - A number that is undefined for the input (a ratio with a zero denominator, a mean of
 *   nothing) is `null`, never `NaN`. The one deliberate exception is `profitFactor`, which
 *   is `Infinity` when there are winning trades and no losing ones.
 *
 * @module
 */

import type { EquityCurve, Fill, Trade } from '../results.js';

/** Milliseconds in one day. */
export const MS_PER_DAY = 86_400_000;
/** Milliseconds in one calendar year of 365.25 days (used by CAGR and turnover). */
export const MS_PER_YEAR = 365.25 * MS_PER_DAY;

/** Common values of `periodsPerYear`. */
export const PERIODS_PER_YEAR = {
  /** Daily bars of exchange-traded equities (≈ trading days per year). */
  equitiesDaily: 252,
  /** Daily bars of a market that trades every day (crypto). */
  cryptoDaily: 365,
  /** Hourly bars of a market that trades around the clock (crypto). */
  cryptoHourly: 8760,
} as const;

export interface MetricsInput {
  readonly curve: EquityCurve;
  readonly trades: readonly Trade[];
  readonly fills: readonly Fill[];
  /** Bars per year used to annualise per-bar statistics: 252 (daily equities), 365 (daily crypto), 8760 (hourly crypto). */
  readonly periodsPerYear: number;
}

/** The deepest peak-to-trough decline of the equity curve. */
export interface MaxDrawdown {
  /** `E_trough / E_peak − 1`: a fraction ≤ 0 (−0.55 is a 55 % drawdown); 0 when equity never fell. */
  readonly depth: number;
  /** Time of the running high the trough is measured from (the last bar at that high before the trough). */
  readonly peakTs: number;
  /** Time of the lowest point (the first bar reaching the deepest drawdown). */
  readonly troughTs: number;
  /** First bar after the trough at which equity is back at or above the peak; `null` if it never recovered. */
  readonly recoveryTs: number | null;
  /** Bars from the peak to the recovery, or to the last bar when not recovered. */
  readonly durationBars: number;
  /** Calendar days from the peak to the recovery, or to the last bar when not recovered. */
  readonly durationDays: number;
}

export interface Metrics {
  /** Time of the first bar. */
  readonly startTs: number;
  /** Time of the last bar. */
  readonly endTs: number;
  /** Number of bars (marks) in the curve. */
  readonly bars: number;
  /** Calendar years from the first to the last bar: `(endTs − startTs) / 365.25 days`. */
  readonly years: number;
  readonly initialEquity: number;
  readonly finalEquity: number;
  /** `E_{n−1} / E_0 − 1`. */
  readonly totalReturn: number;
  /** `(E_{n−1} / E_0)^(1 / years) − 1`; −1 if equity ended ≤ 0; `null` when `years` is 0. */
  readonly cagr: number | null;
  /** `stdev_sample(r) · √periodsPerYear`; `null` with fewer than 2 returns. */
  readonly volatility: number | null;
  /** `mean(r) / stdev_sample(r) · √periodsPerYear` (risk-free rate 0); `null` when the stdev is 0. */
  readonly sharpe: number | null;
  /** `mean(r) / DD · √periodsPerYear`, `DD = √(Σ min(r_i, 0)² / N)`; `null` when DD is 0. */
  readonly sortino: number | null;
  /** `cagr / |maxDrawdown.depth|`; `null` when there is no drawdown or no CAGR. */
  readonly calmar: number | null;
  readonly maxDrawdown: MaxDrawdown;
  /** Mean of `curve.exposure` over all bars (gross position value / equity). */
  readonly exposure: number;
  /** Annualised turnover: `Σ |qty · price| over fills / mean(E) / years`; `null` when `years` is 0. */
  readonly turnover: number | null;
  /** Number of round-trip trades. */
  readonly trades: number;
  /** Share of trades with `pnl > 0`; `null` without trades. */
  readonly winRate: number | null;
  /** `Σ pnl⁺ / |Σ pnl⁻|`; `Infinity` when there are wins and no losses; `null` without trades or when every pnl is 0. */
  readonly profitFactor: number | null;
  /** Mean trade pnl (cash, net of fees and slippage); `null` without trades. */
  readonly expectancy: number | null;
  /** Mean `trade.bars`; `null` without trades. */
  readonly avgHoldingBars: number | null;
  /** Mean `(exitTs − entryTs)` in days; `null` without trades. */
  readonly avgHoldingDays: number | null;
  /** `Σ fill.fee` over all fills (including fills of positions still open at the end). */
  readonly feesPaid: number;
  /** `Σ fill.slippage` over all fills. */
  readonly slippagePaid: number;
}

/** Drawdown at every bar, in columns: `drawdown[i] = E_i / max(E_0 … E_i) − 1` (≤ 0). */
export interface DrawdownSeries {
  readonly ts: Float64Array;
  readonly drawdown: Float64Array;
  readonly length: number;
}

/** One calendar year of monthly returns. */
export interface MonthlyReturnsRow {
  /** UTC calendar year. */
  readonly year: number;
  /** Index 0 = January … 11 = December; `null` for a month with no bar in the curve. */
  readonly months: readonly (number | null)[];
  /** Compounded return of the year's months that have bars: `Π (1 + m) − 1`. */
  readonly total: number;
}

/**
 * Per-bar simple returns `r_i = E_i / E_{i−1} − 1`, `i = 1 … n−1` (length `n − 1`).
 */
export function simpleReturns(curve: EquityCurve): Float64Array {
  const n = curve.length;
  const out = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) out[i - 1] = at(curve.equity, i) / at(curve.equity, i - 1) - 1;
  return out;
}

/**
 * Drawdown at every bar: `d_i = E_i / P_i − 1` with the running peak `P_i = max(E_0 … E_i)`.
 */
export function drawdownSeries(curve: EquityCurve): DrawdownSeries {
  const n = curve.length;
  const ts = Float64Array.from(curve.ts.subarray(0, n));
  const drawdown = new Float64Array(n);
  let peak = -Infinity;
  for (let i = 0; i < n; i++) {
    const e = at(curve.equity, i);
    if (e > peak) peak = e;
    drawdown[i] = e / peak - 1;
  }
  return { ts, drawdown, length: n };
}

/**
 * The maximum drawdown and its timing.
 *
 * - depth: `min_i (E_i / P_i − 1)` with the running peak `P_i = max(E_0 … E_i)`;
 * - trough: the first bar at which that minimum is reached;
 * - peak: the last bar at or before the trough whose equity equals the running peak there;
 * - recovery: the first bar after the trough with `E ≥ E_peak` (`null` if none);
 * - duration: peak → recovery, or peak → last bar when not recovered, in bars and in days.
 *
 * A curve that never falls has depth 0, peak = trough = recovery = the first bar, duration 0.
 */
export function maxDrawdown(curve: EquityCurve): MaxDrawdown {
  const n = requireBars(curve);
  let peak = at(curve.equity, 0);
  let peakIdx = 0;
  let depth = 0;
  let ddPeakIdx = 0;
  let troughIdx = 0;
  for (let i = 0; i < n; i++) {
    const e = at(curve.equity, i);
    if (e >= peak) {
      peak = e;
      peakIdx = i;
    }
    const d = e / peak - 1;
    if (d < depth) {
      depth = d;
      troughIdx = i;
      ddPeakIdx = peakIdx;
    }
  }
  const peakTs = at(curve.ts, ddPeakIdx);
  if (depth === 0) {
    const t0 = at(curve.ts, 0);
    return { depth: 0, peakTs: t0, troughTs: t0, recoveryTs: t0, durationBars: 0, durationDays: 0 };
  }
  const peakEquity = at(curve.equity, ddPeakIdx);
  let recoveryIdx: number | null = null;
  for (let i = troughIdx + 1; i < n; i++) {
    if (at(curve.equity, i) >= peakEquity) {
      recoveryIdx = i;
      break;
    }
  }
  const endIdx = recoveryIdx ?? n - 1;
  return {
    depth,
    peakTs,
    troughTs: at(curve.ts, troughIdx),
    recoveryTs: recoveryIdx === null ? null : at(curve.ts, recoveryIdx),
    durationBars: endIdx - ddPeakIdx,
    durationDays: (at(curve.ts, endIdx) - peakTs) / MS_PER_DAY,
  };
}

/**
 * Every metric of a run. Formulas: see the field docs of {@link Metrics} and `README.md`.
 *
 * @throws RangeError when the curve is empty, `periodsPerYear` is not a positive finite
 *   number, the initial equity is not positive, or the curve holds a non-finite value.
 */
export function computeMetrics(input: MetricsInput): Metrics {
  const { curve, trades, fills, periodsPerYear } = input;
  const n = requireBars(curve);
  if (!(Number.isFinite(periodsPerYear) && periodsPerYear > 0)) {
    throw new RangeError(`computeMetrics: periodsPerYear must be a positive finite number, got ${periodsPerYear}`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(at(curve.equity, i)) || !Number.isFinite(at(curve.ts, i))) {
      throw new RangeError(`computeMetrics: curve has a non-finite equity or ts at index ${i}`);
    }
  }
  const initialEquity = at(curve.equity, 0);
  if (!(initialEquity > 0)) {
    throw new RangeError(`computeMetrics: the initial equity must be > 0, got ${initialEquity}`);
  }
  const finalEquity = at(curve.equity, n - 1);
  const startTs = at(curve.ts, 0);
  const endTs = at(curve.ts, n - 1);
  const years = (endTs - startTs) / MS_PER_YEAR;
  const totalReturn = finalEquity / initialEquity - 1;
  const cagr = years > 0 ? (finalEquity <= 0 ? -1 : Math.pow(finalEquity / initialEquity, 1 / years) - 1) : null;

  // Per-bar return statistics.
  const r = simpleReturns(curve);
  const N = r.length;
  const sqrtP = Math.sqrt(periodsPerYear);
  let volatility: number | null = null;
  let sharpe: number | null = null;
  let sortino: number | null = null;
  if (N >= 1) {
    const m = mean(r);
    let downside = 0;
    for (const x of r) if (x < 0) downside += x * x;
    const dd = Math.sqrt(downside / N);
    sortino = dd > 0 ? (m / dd) * sqrtP : null;
    if (N >= 2) {
      let ss = 0;
      for (const x of r) ss += (x - m) * (x - m);
      const sd = Math.sqrt(ss / (N - 1));
      volatility = sd * sqrtP;
      // A stdev at the level of floating-point noise (e.g. a curve growing at a constant
      // rate) would give an absurd ratio; treat it as zero.
      sharpe = sd > 1e-12 * Math.abs(m) && sd > 0 ? (m / sd) * sqrtP : null;
    }
  }

  const mdd = maxDrawdown(curve);
  const calmar = cagr !== null && mdd.depth < 0 ? cagr / Math.abs(mdd.depth) : null;

  const exposure = mean(curve.exposure.subarray(0, n));

  let traded = 0;
  let feesPaid = 0;
  let slippagePaid = 0;
  for (const f of fills) {
    traded += Math.abs(f.qty * f.price);
    feesPaid += f.fee;
    slippagePaid += f.slippage;
  }
  const meanEquity = mean(curve.equity.subarray(0, n));
  const turnover = years > 0 && meanEquity > 0 ? traded / meanEquity / years : null;

  return {
    startTs,
    endTs,
    bars: n,
    years,
    initialEquity,
    finalEquity,
    totalReturn,
    cagr,
    volatility,
    sharpe,
    sortino,
    calmar,
    maxDrawdown: mdd,
    exposure,
    turnover,
    ...tradeStats(trades),
    feesPaid,
    slippagePaid,
  };
}

/** Trade statistics (the trade part of {@link Metrics}). */
export function tradeStats(trades: readonly Trade[]): Pick<Metrics, 'trades' | 'winRate' | 'profitFactor' | 'expectancy' | 'avgHoldingBars' | 'avgHoldingDays'> {
  const count = trades.length;
  if (count === 0) {
    return { trades: 0, winRate: null, profitFactor: null, expectancy: null, avgHoldingBars: null, avgHoldingDays: null };
  }
  let wins = 0;
  let grossWin = 0;
  let grossLoss = 0;
  let pnl = 0;
  let bars = 0;
  let ms = 0;
  for (const t of trades) {
    if (t.pnl > 0) {
      wins++;
      grossWin += t.pnl;
    } else if (t.pnl < 0) {
      grossLoss -= t.pnl;
    }
    pnl += t.pnl;
    bars += t.bars;
    ms += t.exitTs - t.entryTs;
  }
  const profitFactor = grossLoss > 0 ? grossWin / grossLoss : grossWin > 0 ? Infinity : null;
  return {
    trades: count,
    winRate: wins / count,
    profitFactor,
    expectancy: pnl / count,
    avgHoldingBars: bars / count,
    avgHoldingDays: ms / count / MS_PER_DAY,
  };
}

/**
 * Buy-and-hold of a benchmark on a strategy's own marks: at each mark of `curve`, the benchmark's
 * last close at or before it (the first known close before its first bar), bought with `initialCash`.
 */
export function benchmarkCurve(series: { readonly ts: ArrayLike<number>; readonly close: ArrayLike<number>; readonly length: number }, curve: EquityCurve, initialCash: number): EquityCurve {
  const prices = new Float64Array(curve.length);
  let j = 0;
  let last = Number.NaN;
  for (let i = 0; i < curve.length; i++) {
    while (j < series.length && series.ts[j]! <= curve.ts[i]!) last = series.close[j++]!;
    prices[i] = last;
  }
  let k = 0;
  while (k < prices.length && !(prices[k]! > 0)) k++;
  for (let i = 0; i < k; i++) prices[i] = prices[k]!;
  return buyAndHoldCurve(curve.ts, prices, initialCash);
}

/**
 * The benchmark: all equity in the asset at the first price, held to the end, no costs,
 * fractional units. `equity_i = initialEquity · p_i / p_0`, `cash_i = 0`, `exposure_i = 1`.
 * Pass dividend-adjusted prices (e.g. `adj_close`) for a total-return benchmark.
 *
 * @throws RangeError when the lengths differ, there are no prices, `p_0 ≤ 0`, or a value is not finite.
 */
export function buyAndHoldCurve(ts: ArrayLike<number>, prices: ArrayLike<number>, initialEquity: number): EquityCurve {
  const n = ts.length;
  if (prices.length !== n) throw new RangeError(`buyAndHoldCurve: ts has ${n} values but prices has ${prices.length}`);
  if (n === 0) throw new RangeError('buyAndHoldCurve: no prices');
  if (!(Number.isFinite(initialEquity) && initialEquity > 0)) {
    throw new RangeError(`buyAndHoldCurve: initialEquity must be a positive finite number, got ${initialEquity}`);
  }
  const p0 = at(prices, 0);
  if (!(Number.isFinite(p0) && p0 > 0)) throw new RangeError(`buyAndHoldCurve: the first price must be > 0, got ${p0}`);
  const units = initialEquity / p0;
  const tsOut = new Float64Array(n);
  const equity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = at(prices, i);
    const t = at(ts, i);
    if (!Number.isFinite(p) || !Number.isFinite(t)) throw new RangeError(`buyAndHoldCurve: non-finite price or ts at index ${i}`);
    tsOut[i] = t;
    // i = 0 is exactly initialEquity (avoids a rounding of units · p0).
    equity[i] = i === 0 ? initialEquity : units * p;
  }
  return { ts: tsOut, equity, cash: new Float64Array(n), exposure: new Float64Array(n).fill(1), length: n };
}

/**
 * Returns by UTC calendar month, compounded within the month, with a yearly total.
 *
 * The return of month M is `E_last(M) / E_last(previous bar month) − 1`, which equals
 * `Π (1 + r_i) − 1` over the bars of M; the first month is measured from the first bar
 * `E_0`. A month without bars is `null` (the next month with bars then spans the gap).
 * The yearly total is `Π (1 + m) − 1` over the year's non-null months. Rows are ordered by
 * year and cover every year from the first bar's to the last bar's.
 */
export function monthlyReturns(curve: EquityCurve): readonly MonthlyReturnsRow[] {
  const n = curve.length;
  if (n === 0) return [];
  // Last equity of each (year, month) key, in time order.
  const keys: number[] = [];
  const last: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = new Date(at(curve.ts, i));
    const key = d.getUTCFullYear() * 12 + d.getUTCMonth();
    const prevKey = keys[keys.length - 1];
    if (prevKey !== undefined && key < prevKey) {
      throw new RangeError(`monthlyReturns: timestamps must be ascending (index ${i} goes back in time)`);
    }
    if (prevKey === key) {
      last[last.length - 1] = at(curve.equity, i);
    } else {
      keys.push(key);
      last.push(at(curve.equity, i));
    }
  }
  const firstYear = Math.floor(at(keys, 0) / 12);
  const lastYear = Math.floor(at(keys, keys.length - 1) / 12);
  const rows: { year: number; months: (number | null)[]; growth: number }[] = [];
  for (let y = firstYear; y <= lastYear; y++) rows.push({ year: y, months: new Array<number | null>(12).fill(null), growth: 1 });
  let prev = at(curve.equity, 0);
  for (let k = 0; k < keys.length; k++) {
    const key = at(keys, k);
    const e = at(last, k);
    const ret = e / prev - 1;
    prev = e;
    const row = rows[Math.floor(key / 12) - firstYear];
    if (row === undefined) throw new RangeError(`monthlyReturns: no row for month key ${key}`);
    row.months[key % 12] = ret;
    row.growth *= 1 + ret;
  }
  return rows.map((r) => ({ year: r.year, months: r.months, total: r.growth - 1 }));
}

// ---------------------------------------------------------------------------------------

function requireBars(curve: EquityCurve): number {
  const n = curve.length;
  if (!(n > 0)) throw new RangeError('metrics: the equity curve is empty (at least one bar is needed)');
  return n;
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += at(xs, i);
  return xs.length > 0 ? s / xs.length : 0;
}

function at(xs: ArrayLike<number>, i: number): number {
  const v = xs[i];
  if (v === undefined) throw new RangeError(`metrics: index ${i} out of range (length ${xs.length})`);
  return v;
}
