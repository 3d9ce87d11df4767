import { ExtremeDeque, RollingMoments, WindowSum } from './core.js';
import { intParam } from './params.js';
import type { IndicatorFactory, StreamingIndicator } from './types.js';

/** Rolling maximum or minimum (TA-Lib MAX / MIN), monotonic deque, O(1) amortised. */
export class RollingExtreme implements StreamingIndicator {
  readonly outputs = 1;
  private readonly n: number;
  private readonly dq: ExtremeDeque;
  private count = 0;

  constructor(period: number, kind: 'max' | 'min') {
    this.n = period;
    this.dq = new ExtremeDeque(period, kind);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v) {
      out[o] = Number.NaN;
      return;
    }
    this.dq.push(x, 0);
    if (this.count < this.n - 1) {
      this.count++;
      out[o] = Number.NaN;
      return;
    }
    out[o] = this.dq.value;
  }
}

/** Rolling sum, TA-Lib SUM. */
export class RollingSum implements StreamingIndicator {
  readonly outputs = 1;
  private readonly w: WindowSum;

  constructor(period: number) {
    this.w = new WindowSum(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    out[o] = v === v && this.w.push(x, 0) ? this.w.sum : Number.NaN;
  }
}

/** Population standard deviation over the window, TA-Lib STDDEV (nbdev 1). */
export class Stdev implements StreamingIndicator {
  readonly outputs = 1;
  private readonly m: RollingMoments;

  constructor(period: number) {
    this.m = new RollingMoments(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    out[o] = v === v && this.m.push(x, 0) ? Math.sqrt(this.m.variance) : Number.NaN;
  }
}

/**
 * z-score of the newest value against its window (including itself): (x − mean) / population
 * stdev. A window of equal values has no spread; its z-score is 0 (x equals the mean).
 */
export class Zscore implements StreamingIndicator {
  readonly outputs = 1;
  private readonly m: RollingMoments;

  constructor(period: number) {
    this.m = new RollingMoments(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v || !this.m.push(x, 0)) {
      out[o] = Number.NaN;
      return;
    }
    const sd = Math.sqrt(this.m.variance);
    out[o] = sd > 0 ? this.m.deviation / sd : 0;
  }
}

/**
 * Least-squares slope per bar over the window, TA-Lib LINEARREG_SLOPE. O(1): Σ(y − K) and
 * Σ j·(y − K) (j = 0 oldest … n − 1 newest) slide in constant time and are re-summed with a new
 * shift K (the window mean) every n bars; the slope does not depend on K.
 */
export class LinregSlope implements StreamingIndicator {
  readonly outputs = 1;
  private readonly n: number;
  private readonly sumX: number;
  private readonly divisor: number;
  private readonly buf: Float64Array;
  private head = 0;
  private count = 0;
  private tick = 0;
  private shift = 0;
  private s = 0;
  private w = 0;
  private run = 0;
  private last = Number.NaN;

  constructor(period: number) {
    const n = period;
    this.n = n;
    this.sumX = (n * (n - 1)) / 2;
    const sumXSqr = (n * (n - 1) * (2 * n - 1)) / 6;
    this.divisor = n * sumXSqr - this.sumX * this.sumX;
    this.buf = new Float64Array(n);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v) {
      out[o] = Number.NaN;
      return;
    }
    const n = this.n;
    const h = this.head;
    this.run = v === this.last ? this.run + 1 : 1;
    this.last = v;
    if (this.count < n) {
      if (this.count === 0) this.shift = v;
      const d = v - this.shift;
      this.s += d;
      this.w += this.count * d;
      this.buf[h] = v;
      this.head = h + 1 === n ? 0 : h + 1;
      if (++this.count < n) {
        out[o] = Number.NaN;
        return;
      }
      this.resum();
    } else {
      const dOld = this.buf[h]! - this.shift;
      const dNew = v - this.shift;
      // Every index drops by one (the oldest leaves at index 0); the new value enters at n − 1.
      this.w = this.w - (this.s - dOld) + (n - 1) * dNew;
      this.s = this.s - dOld + dNew;
      this.buf[h] = v;
      this.head = h + 1 === n ? 0 : h + 1;
      if (++this.tick === n) this.resum();
    }
    out[o] = this.run >= n ? 0 : (n * this.w - this.sumX * this.s) / this.divisor;
  }

  private resum(): void {
    this.tick = 0;
    const n = this.n;
    const buf = this.buf;
    let total = 0;
    for (let i = 0; i < n; i++) total += buf[i]!;
    const k = total / n;
    let s = 0;
    let w = 0;
    let j = 0;
    for (let i = this.head; i < n; i++, j++) {
      const d = buf[i]! - k;
      s += d;
      w += j * d;
    }
    for (let i = 0; i < this.head; i++, j++) {
      const d = buf[i]! - k;
      s += d;
      w += j * d;
    }
    this.shift = k;
    this.s = s;
    this.w = w;
  }
}

/**
 * Pearson correlation of a and b over the window, TA-Lib CORREL: 0 when either series has no
 * spread. Moments are taken about shifts re-centred every n bars, so price levels do not cancel.
 */
export class Correl implements StreamingIndicator {
  readonly outputs = 1;
  private readonly n: number;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private head = 0;
  private count = 0;
  private tick = 0;
  private kx = 0;
  private ky = 0;
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private syy = 0;
  private sxy = 0;
  private runX = 0;
  private runY = 0;
  private lastX = Number.NaN;
  private lastY = Number.NaN;

  constructor(period: number) {
    this.n = period;
    this.xs = new Float64Array(period);
    this.ys = new Float64Array(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const a = x[0]!;
    const b = x[1]!;
    if (a !== a || b !== b) {
      out[o] = Number.NaN;
      return;
    }
    const n = this.n;
    const h = this.head;
    this.runX = a === this.lastX ? this.runX + 1 : 1;
    this.runY = b === this.lastY ? this.runY + 1 : 1;
    this.lastX = a;
    this.lastY = b;
    if (this.count < n) {
      if (this.count === 0) {
        this.kx = a;
        this.ky = b;
      }
      const dx = a - this.kx;
      const dy = b - this.ky;
      this.sx += dx;
      this.sy += dy;
      this.sxx += dx * dx;
      this.syy += dy * dy;
      this.sxy += dx * dy;
      this.xs[h] = a;
      this.ys[h] = b;
      this.head = h + 1 === n ? 0 : h + 1;
      if (++this.count < n) {
        out[o] = Number.NaN;
        return;
      }
      this.resum();
    } else {
      const ox = this.xs[h]! - this.kx;
      const oy = this.ys[h]! - this.ky;
      const dx = a - this.kx;
      const dy = b - this.ky;
      this.sx += dx - ox;
      this.sy += dy - oy;
      this.sxx += dx * dx - ox * ox;
      this.syy += dy * dy - oy * oy;
      this.sxy += dx * dy - ox * oy;
      this.xs[h] = a;
      this.ys[h] = b;
      this.head = h + 1 === n ? 0 : h + 1;
      if (++this.tick === n) this.resum();
    }
    if (this.runX >= n || this.runY >= n) {
      out[o] = 0;
      return;
    }
    const vx = this.sxx - (this.sx * this.sx) / n;
    const vy = this.syy - (this.sy * this.sy) / n;
    const denom = vx * vy;
    out[o] = denom > 0 ? (this.sxy - (this.sx * this.sy) / n) / Math.sqrt(denom) : 0;
  }

  private resum(): void {
    this.tick = 0;
    const n = this.n;
    let tx = 0;
    let ty = 0;
    for (let i = 0; i < n; i++) {
      tx += this.xs[i]!;
      ty += this.ys[i]!;
    }
    const kx = tx / n;
    const ky = ty / n;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      const dx = this.xs[i]! - kx;
      const dy = this.ys[i]! - ky;
      sx += dx;
      sy += dy;
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
    this.kx = kx;
    this.ky = ky;
    this.sx = sx;
    this.sy = sy;
    this.sxx = sxx;
    this.syy = syy;
    this.sxy = sxy;
  }
}

export const rolling: Readonly<Record<string, IndicatorFactory>> = {
  rolling_min: (p) => new RollingExtreme(intParam('rolling_min', p, 'period'), 'min'),
  rolling_max: (p) => new RollingExtreme(intParam('rolling_max', p, 'period'), 'max'),
  rolling_sum: (p) => new RollingSum(intParam('rolling_sum', p, 'period')),
  stdev: (p) => new Stdev(intParam('stdev', p, 'period')),
  zscore: (p) => new Zscore(intParam('zscore', p, 'period')),
  linreg_slope: (p) => new LinregSlope(intParam('linreg_slope', p, 'period')),
  correl: (p) => new Correl(intParam('correl', p, 'period')),
};
