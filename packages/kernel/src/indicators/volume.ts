import { intParam } from './params.js';
import type { IndicatorFactory, StreamingIndicator } from './types.js';

/** On-balance volume, TA-Lib OBV: starts at the first bar's volume. Inputs close, volume. */
export class Obv implements StreamingIndicator {
  readonly outputs = 1;
  private started = false;
  private prev = 0;
  private obv = 0;

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const c = x[0]!;
    const vol = x[1]!;
    if (c !== c || vol !== vol) {
      out[o] = Number.NaN;
      return;
    }
    if (!this.started) {
      this.started = true;
      this.obv = vol;
    } else if (c > this.prev) {
      this.obv += vol;
    } else if (c < this.prev) {
      this.obv -= vol;
    }
    this.prev = c;
    out[o] = this.obv;
  }
}

/**
 * Money flow index, TA-Lib MFI: typical price (h + l + c) / 3 times volume, split by the sign of the
 * typical price's change, summed over the last n changes; 100 · positive / (positive + negative),
 * 0 when there is no flow at all. Inputs high, low, close, volume. Lookback n.
 */
export class Mfi implements StreamingIndicator {
  readonly outputs = 1;
  private readonly n: number;
  private readonly pos: Float64Array;
  private readonly neg: Float64Array;
  private head = 0;
  private count = 0;
  private tick = 0;
  private posSum = 0;
  private negSum = 0;
  /** Non-zero entries per side: a side with none sums to exactly 0 (no rounding residue). */
  private posCount = 0;
  private negCount = 0;
  private prevTp = 0;

  constructor(period: number) {
    this.n = period;
    this.pos = new Float64Array(period);
    this.neg = new Float64Array(period);
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    const vol = x[3]!;
    if (h !== h || l !== l || c !== c || vol !== vol) {
      out[o] = Number.NaN;
      return;
    }
    const tp = (h + l + c) / 3.0;
    const t = this.count++;
    if (t === 0) {
      this.prevTp = tp;
      out[o] = Number.NaN;
      return;
    }
    const n = this.n;
    const i = this.head;
    if (t > n) {
      const p = this.pos[i]!;
      const q = this.neg[i]!;
      this.posSum -= p;
      this.negSum -= q;
      if (p !== 0) this.posCount--;
      if (q !== 0) this.negCount--;
    }
    const d = tp - this.prevTp;
    this.prevTp = tp;
    const flow = tp * vol;
    let p = 0;
    let q = 0;
    if (d < 0) q = flow;
    else if (d > 0) p = flow;
    this.pos[i] = p;
    this.neg[i] = q;
    this.posSum += p;
    this.negSum += q;
    if (p !== 0) this.posCount++;
    if (q !== 0) this.negCount++;
    if (this.posCount === 0) this.posSum = 0;
    if (this.negCount === 0) this.negSum = 0;
    this.head = i + 1 === n ? 0 : i + 1;
    if (t < n) {
      out[o] = Number.NaN;
      return;
    }
    if (t > n && ++this.tick === n) this.resum();
    const total = this.posSum + this.negSum;
    out[o] = total !== 0 ? 100.0 * (this.posSum / total) : 0.0;
  }

  private resum(): void {
    this.tick = 0;
    let p = 0;
    let q = 0;
    for (let i = 0; i < this.n; i++) {
      p += this.pos[i]!;
      q += this.neg[i]!;
    }
    this.posSum = p;
    this.negSum = q;
  }
}

const DAY_MS = 86_400_000;

/**
 * Session VWAP of the typical price (h + l + c) / 3, volume-weighted, reset when the bar's open time
 * enters a new UTC day. NaN while the session has traded no volume (undefined average). Inputs high,
 * low, close, volume. Lookback 0.
 */
export class Vwap implements StreamingIndicator {
  readonly outputs = 1;
  private day = Number.NaN;
  private pv = 0;
  private vol = 0;

  update(x: Float64Array, ts: number, out: Float64Array, o: number): void {
    const h = x[0]!;
    const l = x[1]!;
    const c = x[2]!;
    const v = x[3]!;
    if (h !== h || l !== l || c !== c || v !== v) {
      out[o] = Number.NaN;
      return;
    }
    const day = Math.floor(ts / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.pv = 0;
      this.vol = 0;
    }
    this.pv += ((h + l + c) / 3) * v;
    this.vol += v;
    out[o] = this.vol !== 0 ? this.pv / this.vol : Number.NaN;
  }
}

export const volume: Readonly<Record<string, IndicatorFactory>> = {
  obv: () => new Obv(),
  mfi: (p) => new Mfi(intParam('mfi', p, 'period')),
  vwap: () => new Vwap(),
};
