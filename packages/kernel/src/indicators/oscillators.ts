import { EmaCore, ExtremeDeque, WindowSum, emaAlpha, writeNaN } from './core.js';
import { intParam } from './params.js';
import type { IndicatorFactory, StreamingIndicator } from './types.js';

/**
 * Wilder's RSI as TA-Lib computes it: the first average gain/loss is the plain mean of the first n
 * changes (output on bar n), then `avg = (avg·(n − 1) + x) / n`. A window with no change at all
 * gives 0 (TA-Lib's convention for 0/0).
 */
export class RsiCore {
  readonly n: number;
  /** The RSI, once `push` has returned true. */
  value = Number.NaN;
  private count = 0;
  private prev = 0;
  private gain = 0;
  private loss = 0;

  constructor(n: number) {
    this.n = n;
  }

  /** Adds src[i]; returns true from bar n on. */
  push(src: Float64Array, i: number): boolean {
    const v = src[i]!;
    const n = this.n;
    const t = this.count++;
    if (t === 0) {
      this.prev = v;
      return false;
    }
    const d = v - this.prev;
    this.prev = v;
    if (t <= n) {
      if (d < 0) this.loss -= d;
      else this.gain += d;
      if (t < n) return false;
      this.loss /= n;
      this.gain /= n;
    } else {
      this.loss *= n - 1;
      this.gain *= n - 1;
      if (d < 0) this.loss -= d;
      else this.gain += d;
      this.loss /= n;
      this.gain /= n;
    }
    const s = this.gain + this.loss;
    this.value = s !== 0 ? 100.0 * (this.gain / s) : 0.0;
    return true;
  }
}

export class Rsi implements StreamingIndicator {
  readonly outputs = 1;
  private readonly core: RsiCore;

  constructor(period: number) {
    this.core = new RsiCore(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    out[o] = v === v && this.core.push(x, 0) ? this.core.value : Number.NaN;
  }
}

/**
 * MACD as TA-Lib computes it: the slow EMA starts at the first bar; the fast EMA is seeded at the
 * slow one's first value (bar slow − 1) with the SMA of the `fast` values ending there; the signal
 * is a TA-Lib EMA of the MACD line. Outputs macd, signal, hist from bar slow − 1 + signal − 1.
 */
export class Macd implements StreamingIndicator {
  readonly outputs = 3;
  private readonly slow: EmaCore;
  private readonly fast: EmaCore;
  private readonly signal: EmaCore;
  private readonly fastStart: number;
  private readonly tmp = new Float64Array(1);
  private count = 0;

  constructor(fast: number, slow: number, signal: number) {
    // TA-Lib swaps the periods when slow < fast.
    if (slow < fast) [fast, slow] = [slow, fast];
    this.slow = new EmaCore(slow, emaAlpha(slow));
    this.fast = new EmaCore(fast, emaAlpha(fast));
    this.signal = new EmaCore(signal, emaAlpha(signal));
    this.fastStart = slow - fast;
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v) {
      writeNaN(out, o, 3);
      return;
    }
    const t = this.count++;
    if (t >= this.fastStart) this.fast.push(x, 0);
    if (!this.slow.push(x, 0)) {
      writeNaN(out, o, 3);
      return;
    }
    const m = this.fast.value - this.slow.value;
    this.tmp[0] = m;
    if (!this.signal.push(this.tmp, 0)) {
      writeNaN(out, o, 3);
      return;
    }
    const sig = this.signal.value;
    out[o] = m;
    out[o + 1] = sig;
    out[o + 2] = m - sig;
  }
}

/**
 * Fast stochastic %K over `n` bars as TA-Lib computes it: (close − lowest low) / ((highest high −
 * lowest low) / 100), 0 when the range is 0.
 */
class FastK {
  readonly n: number;
  /** %K, once `push` has returned true. */
  value = Number.NaN;
  private readonly hi: ExtremeDeque;
  private readonly lo: ExtremeDeque;
  private count = 0;

  constructor(n: number) {
    this.n = n;
    this.hi = new ExtremeDeque(n, 'max');
    this.lo = new ExtremeDeque(n, 'min');
  }

  /** Adds the bar (high, low, close) = src[i], src[i+1], src[i+2]; returns true from bar n − 1 on. */
  push(src: Float64Array, i: number): boolean {
    this.hi.push(src, i);
    this.lo.push(src, i + 1);
    if (this.count < this.n - 1) {
      this.count++;
      return false;
    }
    const hh = this.hi.value;
    const ll = this.lo.value;
    const diff = (hh - ll) / 100.0;
    this.value = diff !== 0.0 ? (src[i + 2]! - ll) / diff : 0.0;
    return true;
  }
}

/** Slow stochastic, TA-Lib STOCH with SMA smoothing for slow %K and %D. Outputs k, d. */
export class Stoch implements StreamingIndicator {
  readonly outputs = 2;
  private readonly fastK: FastK;
  private readonly slowK: WindowSum;
  private readonly slowD: WindowSum;
  private readonly tmp = new Float64Array(1);

  constructor(kPeriod: number, kSmooth: number, dPeriod: number) {
    this.fastK = new FastK(kPeriod);
    this.slowK = new WindowSum(kSmooth);
    this.slowD = new WindowSum(dPeriod);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    const tmp = this.tmp;
    if (h !== h || l !== l || c !== c || !this.fastK.push(x, 0)) {
      writeNaN(out, o, 2);
      return;
    }
    tmp[0] = this.fastK.value;
    if (!this.slowK.push(tmp, 0)) {
      writeNaN(out, o, 2);
      return;
    }
    tmp[0] = this.slowK.mean;
    if (!this.slowD.push(tmp, 0)) {
      writeNaN(out, o, 2);
      return;
    }
    out[o] = this.slowK.mean;
    out[o + 1] = this.slowD.mean;
  }
}

/** Stochastic RSI, TA-Lib STOCHRSI: fast %K of RSI(n) over k_period, %D its SMA. Outputs k, d. */
export class StochRsi implements StreamingIndicator {
  readonly outputs = 2;
  private readonly rsi: RsiCore;
  private readonly fastK: FastK;
  private readonly fastD: WindowSum;
  private readonly tmp = new Float64Array(3);

  constructor(period: number, kPeriod: number, dPeriod: number) {
    this.rsi = new RsiCore(period);
    this.fastK = new FastK(kPeriod);
    this.fastD = new WindowSum(dPeriod);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    const tmp = this.tmp;
    if (v !== v || !this.rsi.push(x, 0)) {
      writeNaN(out, o, 2);
      return;
    }
    const r = this.rsi.value;
    tmp[0] = r;
    tmp[1] = r;
    tmp[2] = r;
    if (!this.fastK.push(tmp, 0)) {
      writeNaN(out, o, 2);
      return;
    }
    tmp[0] = this.fastK.value;
    if (!this.fastD.push(tmp, 0)) {
      writeNaN(out, o, 2);
      return;
    }
    out[o] = this.fastK.value;
    out[o + 1] = this.fastD.mean;
  }
}

/**
 * Commodity channel index, TA-Lib CCI: (tp − mean) / (0.015 · mean absolute deviation) of the
 * typical price (h + l + c) / 3 over n bars; 0 when either factor is 0. The mean deviation has no
 * O(1) update, so this is O(n) per bar.
 */
export class Cci implements StreamingIndicator {
  readonly outputs = 1;
  private readonly n: number;
  private readonly buf: Float64Array;
  private head = 0;
  private count = 0;

  constructor(period: number) {
    this.n = period;
    this.buf = new Float64Array(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    if (h !== h || l !== l || c !== c) {
      out[o] = Number.NaN;
      return;
    }
    const n = this.n;
    const buf = this.buf;
    const tp = (h + l + c) / 3;
    buf[this.head] = tp;
    this.head = this.head + 1 === n ? 0 : this.head + 1;
    if (this.count < n - 1) {
      this.count++;
      out[o] = Number.NaN;
      return;
    }
    // Summed in ring order, as TA-Lib does.
    let avg = 0;
    for (let j = 0; j < n; j++) avg += buf[j]!;
    avg /= n;
    let dev = 0;
    for (let j = 0; j < n; j++) dev += Math.abs(buf[j]! - avg);
    const diff = tp - avg;
    out[o] = diff !== 0.0 && dev !== 0.0 ? diff / (0.015 * (dev / n)) : 0.0;
  }
}

/** A ring of the last n values: `then` is x[n] after a push returns true. */
class LagRing {
  then = Number.NaN;
  private readonly n: number;
  private readonly buf: Float64Array;
  private head = 0;
  private count = 0;

  constructor(n: number) {
    this.n = n;
    this.buf = new Float64Array(n);
  }

  /** Adds src[i]; returns true once it has n earlier values. */
  push(src: Float64Array, i: number): boolean {
    const v = src[i]!;
    const h = this.head;
    this.then = this.buf[h]!;
    this.buf[h] = v;
    this.head = h + 1 === this.n ? 0 : h + 1;
    if (this.count < this.n) {
      this.count++;
      return false;
    }
    return true;
  }
}

/** Rate of change in percent, TA-Lib ROC: ((x / x[n]) − 1) · 100, 0 when x[n] is 0. */
export class Roc implements StreamingIndicator {
  readonly outputs = 1;
  private readonly ring: LagRing;

  constructor(period: number) {
    this.ring = new LagRing(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v || !this.ring.push(x, 0)) {
      out[o] = Number.NaN;
      return;
    }
    const then = this.ring.then;
    out[o] = then !== 0.0 ? (v / then - 1.0) * 100.0 : 0.0;
  }
}

/** Momentum, TA-Lib MOM: x − x[n]. */
export class Mom implements StreamingIndicator {
  readonly outputs = 1;
  private readonly ring: LagRing;

  constructor(period: number) {
    this.ring = new LagRing(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    out[o] = v === v && this.ring.push(x, 0) ? v - this.ring.then : Number.NaN;
  }
}

/** Williams' %R, TA-Lib WILLR: (highest − close) / ((highest − lowest) / −100), 0 on a flat range. */
export class Willr implements StreamingIndicator {
  readonly outputs = 1;
  private readonly n: number;
  private readonly hi: ExtremeDeque;
  private readonly lo: ExtremeDeque;
  private count = 0;

  constructor(period: number) {
    this.n = period;
    this.hi = new ExtremeDeque(period, 'max');
    this.lo = new ExtremeDeque(period, 'min');
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    if (h !== h || l !== l || c !== c) {
      out[o] = Number.NaN;
      return;
    }
    this.hi.push(x, 0);
    this.lo.push(x, 1);
    if (this.count < this.n - 1) {
      this.count++;
      out[o] = Number.NaN;
      return;
    }
    const hh = this.hi.value;
    const ll = this.lo.value;
    const diff = (hh - ll) / -100.0;
    out[o] = diff !== 0.0 ? (hh - c) / diff : 0.0;
  }
}

export const oscillators: Readonly<Record<string, IndicatorFactory>> = {
  rsi: (p) => new Rsi(intParam('rsi', p, 'period')),
  macd: (p) => new Macd(intParam('macd', p, 'fast'), intParam('macd', p, 'slow'), intParam('macd', p, 'signal')),
  stoch: (p) => new Stoch(intParam('stoch', p, 'k_period'), intParam('stoch', p, 'k_smooth'), intParam('stoch', p, 'd_period')),
  stochrsi: (p) => new StochRsi(intParam('stochrsi', p, 'period'), intParam('stochrsi', p, 'k_period'), intParam('stochrsi', p, 'd_period')),
  cci: (p) => new Cci(intParam('cci', p, 'period')),
  roc: (p) => new Roc(intParam('roc', p, 'period')),
  mom: (p) => new Mom(intParam('mom', p, 'period')),
  willr: (p) => new Willr(intParam('willr', p, 'period')),
};
