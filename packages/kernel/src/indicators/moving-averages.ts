import { EmaCore, WindowSum } from './core.js';
import { intParam } from './params.js';
import type { IndicatorFactory, StreamingIndicator } from './types.js';

/** SMA(n), TA-Lib SMA. Lookback n − 1. */
export class Sma implements StreamingIndicator {
  readonly outputs = 1;
  private readonly core: WindowSum;

  constructor(period: number) {
    this.core = new WindowSum(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    out[o] = v === v && this.core.push(x, 0) ? this.core.mean : Number.NaN;
  }
}

/** EMA(n), TA-Lib EMA: alpha 2/(n+1), seeded with the SMA of the first n values. Lookback n − 1. */
export class Ema implements StreamingIndicator {
  readonly outputs = 1;
  private readonly core: EmaCore;

  constructor(period: number) {
    this.core = new EmaCore(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    out[o] = v === v && this.core.push(x, 0) ? this.core.value : Number.NaN;
  }
}

/**
 * Linearly weighted MA, TA-Lib WMA: weights 1 (oldest) … n (newest) over n(n+1)/2. O(1) per bar:
 * the weighted sum drops one plain sum per step; both are re-summed from the ring every n bars.
 */
export class Wma implements StreamingIndicator {
  readonly outputs = 1;
  private readonly n: number;
  private readonly divider: number;
  private readonly buf: Float64Array;
  private head = 0;
  private count = 0;
  private tick = 0;
  private plain = 0;
  private weighted = 0;

  constructor(period: number) {
    this.n = period;
    this.divider = (period * (period + 1)) / 2;
    this.buf = new Float64Array(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v) {
      out[o] = Number.NaN;
      return;
    }
    const n = this.n;
    const h = this.head;
    if (this.count < n) {
      this.count++;
      this.plain += v;
      this.weighted += v * this.count;
      this.buf[h] = v;
      this.head = h + 1 === n ? 0 : h + 1;
      out[o] = this.count === n ? this.weighted / this.divider : Number.NaN;
      return;
    }
    // Every weight drops by one (the oldest, weight 1, leaves), the new value enters with weight n.
    this.weighted = this.weighted - this.plain + v * n;
    this.plain = this.plain - this.buf[h]! + v;
    this.buf[h] = v;
    this.head = h + 1 === n ? 0 : h + 1;
    if (++this.tick === n) this.resum();
    out[o] = this.weighted / this.divider;
  }

  private resum(): void {
    this.tick = 0;
    const n = this.n;
    let plain = 0;
    let weighted = 0;
    let w = 1;
    for (let i = this.head; i < n; i++, w++) {
      plain += this.buf[i]!;
      weighted += this.buf[i]! * w;
    }
    for (let i = 0; i < this.head; i++, w++) {
      plain += this.buf[i]!;
      weighted += this.buf[i]! * w;
    }
    this.plain = plain;
    this.weighted = weighted;
  }
}

/** DEMA(n) = 2·EMA − EMA(EMA), TA-Lib DEMA. Lookback 2(n − 1). */
export class Dema implements StreamingIndicator {
  readonly outputs = 1;
  private readonly e1: EmaCore;
  private readonly e2: EmaCore;
  private readonly tmp = new Float64Array(1);

  constructor(period: number) {
    this.e1 = new EmaCore(period);
    this.e2 = new EmaCore(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v || !this.e1.push(x, 0)) {
      out[o] = Number.NaN;
      return;
    }
    this.tmp[0] = this.e1.value;
    out[o] = this.e2.push(this.tmp, 0) ? 2.0 * this.e1.value - this.e2.value : Number.NaN;
  }
}

/** TEMA(n) = 3·EMA − 3·EMA² + EMA³, TA-Lib TEMA. Lookback 3(n − 1). */
export class Tema implements StreamingIndicator {
  readonly outputs = 1;
  private readonly e1: EmaCore;
  private readonly e2: EmaCore;
  private readonly e3: EmaCore;
  private readonly tmp = new Float64Array(1);

  constructor(period: number) {
    this.e1 = new EmaCore(period);
    this.e2 = new EmaCore(period);
    this.e3 = new EmaCore(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    const tmp = this.tmp;
    if (v !== v || !this.e1.push(x, 0)) {
      out[o] = Number.NaN;
      return;
    }
    tmp[0] = this.e1.value;
    if (!this.e2.push(tmp, 0)) {
      out[o] = Number.NaN;
      return;
    }
    tmp[0] = this.e2.value;
    if (!this.e3.push(tmp, 0)) {
      out[o] = Number.NaN;
      return;
    }
    out[o] = this.e3.value + (3.0 * this.e1.value - 3.0 * this.e2.value);
  }
}

const KAMA_SLOW = 2.0 / (30.0 + 1.0);
const KAMA_DIFF = 2.0 / (2.0 + 1.0) - KAMA_SLOW;

/**
 * Kaufman's adaptive MA, TA-Lib KAMA (fast 2, slow 30). Efficiency ratio |x − x[n]| / Σ|Δx| over
 * the last n changes; smoothing (ER·(2/3 − 2/31) + 2/31)². The first value (bar n) starts from
 * x[n−1]. Lookback n.
 */
export class Kama implements StreamingIndicator {
  readonly outputs = 1;
  private readonly n: number;
  /** The last n values (x[t−n] … x[t−1] before the current bar is stored). */
  private readonly xs: Float64Array;
  /** |Δx| of the last n changes. */
  private readonly ds: Float64Array;
  private head = 0;
  private count = 0;
  private tick = 0;
  private sumRoc = 0;
  /** Number of non-zero changes in the window: 0 means a flat window, sum exactly 0. */
  private moving = 0;
  private prev = Number.NaN;
  private kama = Number.NaN;

  constructor(period: number) {
    this.n = period;
    this.xs = new Float64Array(period);
    this.ds = new Float64Array(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v) {
      out[o] = Number.NaN;
      return;
    }
    const n = this.n;
    const t = this.count++;
    const h = this.head;
    if (t === 0) {
      this.prev = v;
      this.xs[h] = v;
      this.head = h + 1 === n ? 0 : h + 1;
      out[o] = Number.NaN;
      return;
    }
    const d = Math.abs(v - this.prev);
    // ds and xs share the head: slot h holds x[t−n] and the change that ended at t−n.
    if (t > n) {
      const dOld = this.ds[h]!;
      this.sumRoc -= dOld;
      if (dOld !== 0) this.moving--;
    }
    this.sumRoc += d;
    if (d !== 0) this.moving++;
    this.ds[h] = d;
    if (this.moving === 0) this.sumRoc = 0;
    if (t < n) {
      this.xs[h] = v;
      this.head = h + 1 === n ? 0 : h + 1;
      this.prev = v;
      out[o] = Number.NaN;
      return;
    }
    const periodRoc = v - this.xs[h]!;
    const sum = this.sumRoc;
    let er = 1.0;
    if (!(sum <= periodRoc) && sum !== 0) er = Math.abs(periodRoc / sum);
    let sc = er * KAMA_DIFF + KAMA_SLOW;
    sc *= sc;
    const base = t === n ? this.prev : this.kama;
    this.kama = (v - base) * sc + base;
    this.xs[h] = v;
    this.head = h + 1 === n ? 0 : h + 1;
    this.prev = v;
    if (t > n && ++this.tick === n) this.resum();
    out[o] = this.kama;
  }

  private resum(): void {
    this.tick = 0;
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.ds[i]!;
    this.sumRoc = this.moving === 0 ? 0 : s;
  }
}

export const movingAverages: Readonly<Record<string, IndicatorFactory>> = {
  sma: (p) => new Sma(intParam('sma', p, 'period')),
  ema: (p) => new Ema(intParam('ema', p, 'period')),
  wma: (p) => new Wma(intParam('wma', p, 'period')),
  dema: (p) => new Dema(intParam('dema', p, 'period')),
  tema: (p) => new Tema(intParam('tema', p, 'period')),
  kama: (p) => new Kama(intParam('kama', p, 'period')),
};
