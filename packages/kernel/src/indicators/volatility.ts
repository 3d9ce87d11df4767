import { AtrCore, EmaCore, ExtremeDeque, RollingMoments, writeNaN } from './core.js';
import { floatParam, intParam } from './params.js';
import type { IndicatorFactory, StreamingIndicator } from './types.js';

/** Bollinger bands, TA-Lib BBANDS (SMA, population stdev, k up = k down). Outputs upper, middle, lower. */
export class Bbands implements StreamingIndicator {
  readonly outputs = 3;
  private readonly m: RollingMoments;
  private readonly k: number;

  constructor(period: number, k: number) {
    this.m = new RollingMoments(period);
    this.k = k;
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const v = x[0]!;
    if (v !== v || !this.m.push(x, 0)) {
      writeNaN(out, o, 3);
      return;
    }
    const mid = this.m.mean;
    const w = Math.sqrt(this.m.variance) * this.k;
    out[o] = mid + w;
    out[o + 1] = mid;
    out[o + 2] = mid - w;
  }
}

/** Wilder's ATR, TA-Lib ATR. Inputs high, low, close. Lookback n. */
export class Atr implements StreamingIndicator {
  readonly outputs = 1;
  private readonly core: AtrCore;

  constructor(period: number) {
    this.core = new AtrCore(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    out[o] = h === h && l === l && c === c && this.core.push(x, 0) ? this.core.value : Number.NaN;
  }
}

/** Normalised ATR, TA-Lib NATR: 100 · ATR / close (0 when close is 0). */
export class Natr implements StreamingIndicator {
  readonly outputs = 1;
  private readonly core: AtrCore;

  constructor(period: number) {
    this.core = new AtrCore(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    if (h !== h || l !== l || c !== c || !this.core.push(x, 0)) {
      out[o] = Number.NaN;
      return;
    }
    out[o] = c !== 0 ? (this.core.value / c) * 100.0 : 0.0;
  }
}

/**
 * Keltner channel: middle = TA-Lib EMA(close, period), band = k · TA-Lib ATR(atr_period). Inputs
 * high, low, close; outputs upper, middle, lower once both parts are warm (bar max(period − 1,
 * atr_period)).
 */
export class Keltner implements StreamingIndicator {
  readonly outputs = 3;
  private readonly ema: EmaCore;
  private readonly atr: AtrCore;
  private readonly k: number;

  constructor(period: number, atrPeriod: number, k: number) {
    this.ema = new EmaCore(period);
    this.atr = new AtrCore(atrPeriod);
    this.k = k;
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    if (h !== h || l !== l || c !== c) {
      writeNaN(out, o, 3);
      return;
    }
    const midReady = this.ema.push(x, 2);
    if (!this.atr.push(x, 0) || !midReady) {
      writeNaN(out, o, 3);
      return;
    }
    const mid = this.ema.value;
    const w = this.k * this.atr.value;
    out[o] = mid + w;
    out[o + 1] = mid;
    out[o + 2] = mid - w;
  }
}

/** Donchian channel: highest high, midpoint, lowest low over n bars. Inputs high, low. */
export class Donchian implements StreamingIndicator {
  readonly outputs = 3;
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
    if (h !== h || l !== l) {
      writeNaN(out, o, 3);
      return;
    }
    this.hi.push(x, 0);
    this.lo.push(x, 1);
    if (this.count < this.n - 1) {
      this.count++;
      writeNaN(out, o, 3);
      return;
    }
    const up = this.hi.value;
    const dn = this.lo.value;
    out[o] = up;
    out[o + 1] = (up + dn) / 2;
    out[o + 2] = dn;
  }
}

export const volatility: Readonly<Record<string, IndicatorFactory>> = {
  bbands: (p) => new Bbands(intParam('bbands', p, 'period'), floatParam('bbands', p, 'k')),
  atr: (p) => new Atr(intParam('atr', p, 'period')),
  natr: (p) => new Natr(intParam('natr', p, 'period')),
  keltner: (p) => new Keltner(intParam('keltner', p, 'period'), intParam('keltner', p, 'atr_period'), floatParam('keltner', p, 'k')),
  donchian: (p) => new Donchian(intParam('donchian', p, 'period')),
};
