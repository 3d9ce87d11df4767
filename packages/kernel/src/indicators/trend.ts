import { AtrCore, writeNaN } from './core.js';
import { floatParam, intParam } from './params.js';
import type { IndicatorFactory, StreamingIndicator } from './types.js';

/**
 * Wilder's directional movement as TA-Lib computes it: +DM, −DM and TR summed over the first n − 1
 * changes, then smoothed `s = s − s/n + x` from the n-th change on (bar n).
 */
class DmCore {
  readonly n: number;
  /** Valid bars consumed so far. */
  count = 0;
  plusDm = 0;
  minusDm = 0;
  tr = 0;
  private prevHigh = 0;
  private prevLow = 0;
  private prevClose = 0;

  constructor(n: number) {
    this.n = n;
  }

  /** Adds the bar (high, low, close) = src[0..2]; returns true once the smoothed sums are defined (bar n). */
  push(src: Float64Array): boolean {
    const high = src[0]!;
    const low = src[1]!;
    const close = src[2]!;
    const t = this.count++;
    if (t === 0) {
      this.prevHigh = high;
      this.prevLow = low;
      this.prevClose = close;
      return false;
    }
    const diffP = high - this.prevHigh;
    const diffM = this.prevLow - low;
    const dmP = diffP > 0 && diffP > diffM ? diffP : 0;
    const dmM = diffM > 0 && diffP < diffM ? diffM : 0;
    const pc = this.prevClose;
    let tr = high - low;
    const a = Math.abs(high - pc);
    if (a > tr) tr = a;
    const b = Math.abs(low - pc);
    if (b > tr) tr = b;
    this.prevHigh = high;
    this.prevLow = low;
    this.prevClose = close;
    const n = this.n;
    if (t < n) {
      this.plusDm += dmP;
      this.minusDm += dmM;
      this.tr += tr;
      return false;
    }
    this.plusDm = this.plusDm - this.plusDm / n + dmP;
    this.minusDm = this.minusDm - this.minusDm / n + dmM;
    this.tr = this.tr - this.tr / n + tr;
    return true;
  }
}

/**
 * +DI or −DI, TA-Lib PLUS_DI / MINUS_DI: 100 · smoothed DM / smoothed TR (0 when TR is 0).
 * Lookback n. For n = 1 this keeps the 0..100 scale; TA-Lib returns the bare ratio (0..1) there.
 */
export class DirectionalIndicator implements StreamingIndicator {
  readonly outputs = 1;
  private readonly core: DmCore;
  private readonly plus: boolean;

  constructor(period: number, side: 'plus' | 'minus') {
    this.core = new DmCore(period);
    this.plus = side === 'plus';
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    if (h !== h || l !== l || c !== c || !this.core.push(x)) {
      out[o] = Number.NaN;
      return;
    }
    const tr = this.core.tr;
    out[o] = tr !== 0 ? 100.0 * ((this.plus ? this.core.plusDm : this.core.minusDm) / tr) : 0.0;
  }
}

/**
 * Wilder's ADX, TA-Lib ADX: DX from bar n, the first ADX (bar 2n − 1) is the mean of n DX values,
 * then `adx = (adx · (n − 1) + dx) / n`. A bar whose DX is undefined (TR or +DI + −DI is 0) keeps
 * the previous ADX, as TA-Lib does.
 */
export class Adx implements StreamingIndicator {
  readonly outputs = 1;
  private readonly n: number;
  private readonly core: DmCore;
  private sumDx = 0;
  private adx = Number.NaN;

  constructor(period: number) {
    this.n = period;
    this.core = new DmCore(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    if (h !== h || l !== l || c !== c || !this.core.push(x)) {
      out[o] = Number.NaN;
      return;
    }
    const n = this.n;
    const t = this.core.count - 1;
    const tr = this.core.tr;
    let dx = Number.NaN;
    if (tr !== 0) {
      const minusDi = 100.0 * (this.core.minusDm / tr);
      const plusDi = 100.0 * (this.core.plusDm / tr);
      const s = minusDi + plusDi;
      if (s !== 0) dx = 100.0 * (Math.abs(minusDi - plusDi) / s);
    }
    if (t < 2 * n - 1) {
      if (dx === dx) this.sumDx += dx;
      out[o] = Number.NaN;
      return;
    }
    if (t === 2 * n - 1) {
      if (dx === dx) this.sumDx += dx;
      this.adx = this.sumDx / n;
    } else if (dx === dx) {
      this.adx = (this.adx * (n - 1) + dx) / n;
    }
    out[o] = this.adx;
  }
}

/**
 * SuperTrend on TA-Lib's ATR(period): basic bands hl2 ± k·ATR, ratcheted (the lower band only
 * rises and the upper only falls while the previous close stays inside them). The trend flips up
 * when the close ends above the upper band and down when it ends below the lower band. Outputs the
 * active band (lower in an up trend, upper in a down trend) and the direction (+1 up, −1 down). As
 * in TradingView's `ta.supertrend`, the first value starts in a down trend.
 */
export class Supertrend implements StreamingIndicator {
  readonly outputs = 2;
  private readonly atr: AtrCore;
  private readonly k: number;
  private started = false;
  private upper = 0;
  private lower = 0;
  private dir = -1;
  private prevClose = Number.NaN;

  constructor(period: number, k: number) {
    this.atr = new AtrCore(period);
    this.k = k;
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    if (h !== h || l !== l || c !== c) {
      writeNaN(out, o, 2);
      return;
    }
    const ready = this.atr.push(x, 0);
    const prevClose = this.prevClose;
    this.prevClose = c;
    if (!ready) {
      writeNaN(out, o, 2);
      return;
    }
    const a = this.atr.value;
    const mid = (h + l) / 2;
    const bu = mid + this.k * a;
    const bl = mid - this.k * a;
    if (!this.started) {
      this.started = true;
      this.upper = bu;
      this.lower = bl;
      this.dir = -1;
    } else {
      this.lower = bl > this.lower || prevClose < this.lower ? bl : this.lower;
      this.upper = bu < this.upper || prevClose > this.upper ? bu : this.upper;
      if (this.dir === -1) this.dir = c > this.upper ? 1 : -1;
      else this.dir = c < this.lower ? -1 : 1;
    }
    out[o] = this.dir === 1 ? this.lower : this.upper;
    out[o + 1] = this.dir;
  }
}

/**
 * Parabolic SAR, TA-Lib SAR. The first bar only sets the previous high/low; the initial direction
 * is short when bar 1 has a positive −DM(1), long otherwise. `step` above `max_step` is capped.
 * Inputs high, low. Lookback 1.
 */
export class Sar implements StreamingIndicator {
  readonly outputs = 1;
  private readonly step: number;
  private readonly max: number;
  private count = 0;
  private isLong = true;
  private af = 0;
  private ep = 0;
  private sar = 0;
  private lastHigh = 0;
  private lastLow = 0;

  constructor(step: number, maxStep: number) {
    const s = step > maxStep ? maxStep : step;
    this.step = s;
    this.max = maxStep;
    this.af = s;
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const newHigh = x[0]!;
    const newLow = x[1]!;
    if (newHigh !== newHigh || newLow !== newLow) {
      out[o] = Number.NaN;
      return;
    }
    const t = this.count++;
    if (t === 0) {
      this.lastHigh = newHigh;
      this.lastLow = newLow;
      out[o] = Number.NaN;
      return;
    }
    let prevHigh = this.lastHigh;
    let prevLow = this.lastLow;
    if (t === 1) {
      const diffP = newHigh - prevHigh;
      const diffM = prevLow - newLow;
      const minusDm = diffM > 0 && diffP < diffM ? diffM : 0;
      this.isLong = !(minusDm > 0);
      if (this.isLong) {
        this.ep = newHigh;
        this.sar = prevLow;
      } else {
        this.ep = newLow;
        this.sar = prevHigh;
      }
      // TA-Lib treats the first processed bar as its own predecessor.
      prevHigh = newHigh;
      prevLow = newLow;
    }
    this.lastHigh = newHigh;
    this.lastLow = newLow;
    let sar = this.sar;
    if (this.isLong) {
      if (newLow <= sar) {
        // Switch to short.
        this.isLong = false;
        sar = this.ep;
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
        out[o] = sar;
        this.af = this.step;
        this.ep = newLow;
        sar = sar + this.af * (this.ep - sar);
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
      } else {
        out[o] = sar;
        if (newHigh > this.ep) {
          this.ep = newHigh;
          this.af += this.step;
          if (this.af > this.max) this.af = this.max;
        }
        sar = sar + this.af * (this.ep - sar);
        if (sar > prevLow) sar = prevLow;
        if (sar > newLow) sar = newLow;
      }
    } else if (newHigh >= sar) {
      // Switch to long.
      this.isLong = true;
      sar = this.ep;
      if (sar > prevLow) sar = prevLow;
      if (sar > newLow) sar = newLow;
      out[o] = sar;
      this.af = this.step;
      this.ep = newHigh;
      sar = sar + this.af * (this.ep - sar);
      if (sar > prevLow) sar = prevLow;
      if (sar > newLow) sar = newLow;
    } else {
      out[o] = sar;
      if (newLow < this.ep) {
        this.ep = newLow;
        this.af += this.step;
        if (this.af > this.max) this.af = this.max;
      }
      sar = sar + this.af * (this.ep - sar);
      if (sar < prevHigh) sar = prevHigh;
      if (sar < newHigh) sar = newHigh;
    }
    this.sar = sar;
  }
}

export const trend: Readonly<Record<string, IndicatorFactory>> = {
  adx: (p) => new Adx(intParam('adx', p, 'period')),
  plus_di: (p) => new DirectionalIndicator(intParam('plus_di', p, 'period'), 'plus'),
  minus_di: (p) => new DirectionalIndicator(intParam('minus_di', p, 'period'), 'minus'),
  supertrend: (p) => new Supertrend(intParam('supertrend', p, 'period'), floatParam('supertrend', p, 'k')),
  sar: (p) => new Sar(floatParam('sar', p, 'step'), floatParam('sar', p, 'max_step')),
};
