import { KernelError } from '../errors.js';
import { floatParam, levelsParam, timestampParam } from './params.js';
import type { IndicatorFactory, StreamingIndicator } from './types.js';

/**
 * Proximity to support/resistance levels. The nearest level is the one with the smallest relative
 * distance |x / level − 1| (so "nearest" and "near" agree; a tie goes to the lower level). Outputs
 * the signed distance x / level − 1 (negative below the level) and near = |distance| ≤ tolerance.
 * O(log levels) per bar: levels are sorted, and the nearest is the closest one below or above x.
 * Input source. Lookback 0.
 */
export class SrProximity implements StreamingIndicator {
  readonly outputs = 2;
  private readonly levels: Float64Array;
  private readonly tolerance: number;

  /** `levels` must be positive and sorted ascending (as `levelsParam` returns them). */
  constructor(levels: Float64Array, tolerance: number) {
    if (levels.length === 0) throw new KernelError('range', '`levels` of `sr_proximity` must hold at least one level');
    this.levels = levels;
    this.tolerance = tolerance;
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v) {
      out[o] = Number.NaN;
      out[o + 1] = Number.NaN;
      return;
    }
    const lv = this.levels;
    // First index with level > v.
    let lo = 0;
    let hi = lv.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lv[mid]! > v) hi = mid;
      else lo = mid + 1;
    }
    let d: number;
    if (lo === 0) d = v / lv[0]! - 1;
    else if (lo === lv.length) d = v / lv[lo - 1]! - 1;
    else {
      const below = v / lv[lo - 1]! - 1; // ≥ 0
      const above = v / lv[lo]! - 1; // < 0
      d = -above < below ? above : below;
    }
    out[o] = d;
    out[o + 1] = Math.abs(d) <= this.tolerance ? 1 : 0;
  }
}

/**
 * A trend line through (t0, p0) and (t1, p1), evaluated at each bar's open time by linear
 * interpolation / extrapolation (exact at both anchors). Outputs the line, up = source goes from
 * ≤ line to > line, down = from ≥ line to < line, each against the line's value at that bar.
 * Input source. Lookback 1.
 */
export class TrendlineCross implements StreamingIndicator {
  readonly outputs = 3;
  private readonly t0: number;
  private readonly p0: number;
  private readonly span: number;
  private readonly p1: number;
  private started = false;
  private prevX = 0;
  private prevLine = 0;

  constructor(t0: number, p0: number, t1: number, p1: number) {
    if (!(t1 > t0)) throw new KernelError('range', '`t1` of `trendline_cross` must be after `t0`');
    this.t0 = t0;
    this.p0 = p0;
    this.span = t1 - t0;
    this.p1 = p1;
  }

  /** The line's value at time `ts` (ms since the epoch). */
  valueAt(ts: number): number {
    const w = (ts - this.t0) / this.span;
    return this.p0 * (1 - w) + this.p1 * w;
  }

  update(x: Float64Array, ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v || ts !== ts) {
      out[o] = Number.NaN;
      out[o + 1] = Number.NaN;
      out[o + 2] = Number.NaN;
      return;
    }
    const line = this.valueAt(ts);
    if (!this.started) {
      this.started = true;
      out[o] = Number.NaN;
      out[o + 1] = Number.NaN;
      out[o + 2] = Number.NaN;
    } else {
      out[o] = line;
      out[o + 1] = this.prevX <= this.prevLine && v > line ? 1 : 0;
      out[o + 2] = this.prevX >= this.prevLine && v < line ? 1 : 0;
    }
    this.prevX = v;
    this.prevLine = line;
  }
}

export const drawings: Readonly<Record<string, IndicatorFactory>> = {
  sr_proximity: (p) => new SrProximity(levelsParam('sr_proximity', p, 'levels'), floatParam('sr_proximity', p, 'tolerance')),
  trendline_cross: (p) =>
    new TrendlineCross(
      timestampParam('trendline_cross', p, 't0'),
      floatParam('trendline_cross', p, 'p0'),
      timestampParam('trendline_cross', p, 't1'),
      floatParam('trendline_cross', p, 'p1'),
    ),
};
