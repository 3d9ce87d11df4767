/**
 * Plain array implementations of the nodes that have no TA-Lib counterpart, written straight from
 * the catalog descriptions (and, for SuperTrend, from TradingView's `ta.supertrend` Pine source).
 * Deliberately naive: they share no code with the streaming kernel.
 */
import type { Bars } from './spy.js';
import { ta } from './talib.js';

const nanArray = (n: number): Float64Array => new Float64Array(n).fill(Number.NaN);

/** Session VWAP of the typical price, sessions = UTC calendar dates of the bar open time. */
export function vwapRef(b: Bars): Float64Array[] {
  const out = nanArray(b.length);
  let session = '';
  let pv = 0;
  let vol = 0;
  for (let t = 0; t < b.length; t++) {
    const day = new Date(b.ts[t]!).toISOString().slice(0, 10);
    if (day !== session) {
      session = day;
      pv = 0;
      vol = 0;
    }
    const typical = (b.high[t]! + b.low[t]! + b.close[t]!) / 3;
    pv += typical * b.volume[t]!;
    vol += b.volume[t]!;
    out[t] = vol > 0 ? pv / vol : Number.NaN;
  }
  return [out];
}

/** TradingView's `ta.supertrend(factor, atrPeriod)` on TA-Lib's ATR; direction mapped to +1 up / −1 down. */
export function supertrendRef(b: Bars, period: number, factor: number): Float64Array[] {
  const atr = ta('ATR', { high: b.high, low: b.low, close: b.close }, { optInTimePeriod: period }).outputs[0]!;
  const n = b.length;
  const upper = nanArray(n);
  const lower = nanArray(n);
  const st = nanArray(n);
  const dir = nanArray(n);
  for (let t = 0; t < n; t++) {
    if (Number.isNaN(atr[t]!)) continue;
    const src = (b.high[t]! + b.low[t]!) / 2;
    let ub = src + factor * atr[t]!;
    let lb = src - factor * atr[t]!;
    const first = t === 0 || Number.isNaN(atr[t - 1]!);
    const prevLb = first ? 0 : lower[t - 1]!;
    const prevUb = first ? 0 : upper[t - 1]!;
    const prevClose = t > 0 ? b.close[t - 1]! : Number.NaN;
    lb = lb > prevLb || prevClose < prevLb ? lb : prevLb;
    ub = ub < prevUb || prevClose > prevUb ? ub : prevUb;
    let tvDir: number; // TradingView: 1 = down, −1 = up
    if (first) tvDir = 1;
    else if (st[t - 1] === upper[t - 1]) tvDir = b.close[t]! > ub ? -1 : 1;
    else tvDir = b.close[t]! < lb ? 1 : -1;
    upper[t] = ub;
    lower[t] = lb;
    st[t] = tvDir === -1 ? lb : ub;
    dir[t] = -tvDir;
  }
  return [st, dir];
}

export function crossRef(a: ArrayLike<number>, b: ArrayLike<number>, direction: 'above' | 'below'): Float64Array[] {
  const out = nanArray(a.length);
  for (let t = 1; t < a.length; t++) {
    const was = direction === 'above' ? a[t - 1]! <= b[t - 1]! : a[t - 1]! >= b[t - 1]!;
    const is = direction === 'above' ? a[t]! > b[t]! : a[t]! < b[t]!;
    out[t] = was && is ? 1 : 0;
  }
  return [out];
}

/** Nearest level by relative distance; on a tie the lower level wins. */
export function srRef(x: ArrayLike<number>, levels: readonly number[], tolerance: number): Float64Array[] {
  const sorted = [...levels].sort((p, q) => p - q);
  const dist = nanArray(x.length);
  const near = nanArray(x.length);
  for (let t = 0; t < x.length; t++) {
    let best = Number.NaN;
    for (const level of sorted) {
      const d = x[t]! / level - 1;
      if (Number.isNaN(best) || Math.abs(d) < Math.abs(best)) best = d;
    }
    dist[t] = best;
    near[t] = Math.abs(best) <= tolerance ? 1 : 0;
  }
  return [dist, near];
}

export function trendlineRef(x: ArrayLike<number>, ts: ArrayLike<number>, t0: number, p0: number, t1: number, p1: number): Float64Array[] {
  const n = x.length;
  const raw = new Float64Array(n);
  for (let t = 0; t < n; t++) raw[t] = p0 + ((p1 - p0) * (ts[t]! - t0)) / (t1 - t0);
  const line = nanArray(n);
  const up = nanArray(n);
  const down = nanArray(n);
  for (let t = 1; t < n; t++) {
    line[t] = raw[t]!;
    up[t] = x[t - 1]! <= raw[t - 1]! && x[t]! > raw[t]! ? 1 : 0;
    down[t] = x[t - 1]! >= raw[t - 1]! && x[t]! < raw[t]! ? 1 : 0;
  }
  return [line, up, down];
}
