/**
 * Building blocks shared by the streaming indicators: windowed sums, TA-Lib-seeded EMA and Wilder
 * smoothing, monotonic deques and shifted moments. All state lives in typed arrays and numeric
 * fields; nothing here allocates after construction.
 *
 * Calling convention. A block's `push(src, i)` reads its input(s) from a Float64Array at index i
 * (an indicator passes its `x`, or a one-slot scratch array for a computed value), returns a
 * boolean (ready or not) and leaves its result in a numeric field (`value`, `sum`, `mean`, …). In
 * V8 a double passed to or returned from a call that the optimiser does not inline is boxed on the
 * heap; arrays, small integers, booleans and field reads are not. This keeps every `update`
 * allocation-free whatever the optimiser decides to inline.
 *
 * Numerical policy. Sliding-window sums are updated in O(1) (add the new value, drop the oldest)
 * and re-summed exactly from the ring every `n` pushes, so rounding error never accumulates for
 * longer than one window, however long the run (10M+ bars). Second moments are taken about a shift
 * K that is re-centred on the window mean at each re-sum, which removes the catastrophic
 * cancellation of the textbook E[x²] − E[x]² form. Run-length counters detect windows where every
 * value is equal, so their variance is exactly 0 rather than a rounding residue.
 */

/** TA-Lib's `PER_TO_K`: the EMA smoothing factor for a period. */
export function emaAlpha(period: number): number {
  return 2.0 / (period + 1);
}

/** Sum and mean over the last `n` values (TA-Lib SUM / SMA semantics), O(1) per push. */
export class WindowSum {
  readonly n: number;
  /** Sum and mean of the current window, once `push` has returned true. */
  sum = 0;
  mean = Number.NaN;
  private full = false;
  private readonly buf: Float64Array;
  private head = 0;
  private count = 0;
  private tick = 0;

  constructor(n: number) {
    this.n = n;
    this.buf = new Float64Array(n);
  }

  /** Adds src[i]; returns true once `n` values have been pushed. */
  push(src: Float64Array, i: number): boolean {
    const v = src[i]!;
    const n = this.n;
    const buf = this.buf;
    const h = this.head;
    if (this.full) {
      this.sum = this.sum + v - buf[h]!;
      buf[h] = v;
      this.head = h + 1 === n ? 0 : h + 1;
      if (++this.tick === n) this.resum();
    } else {
      buf[h] = v;
      this.head = h + 1 === n ? 0 : h + 1;
      this.sum += v;
      if (++this.count < n) return false;
      this.full = true;
    }
    this.mean = this.sum / n;
    return true;
  }

  private resum(): void {
    this.tick = 0;
    const n = this.n;
    const buf = this.buf;
    let s = 0;
    for (let i = this.head; i < n; i++) s += buf[i]!;
    for (let i = 0; i < this.head; i++) s += buf[i]!;
    this.sum = s;
  }
}

/**
 * Exponential moving average seeded with the SMA of its first `n` inputs (TA-Lib's default
 * compatibility); afterwards `ema += (x − ema) · k` in TA-Lib's operation order.
 */
export class EmaCore {
  readonly n: number;
  readonly k: number;
  value = Number.NaN;
  private count = 0;
  private seed = 0;

  constructor(n: number, k = emaAlpha(n)) {
    this.n = n;
    this.k = k;
  }

  /** Adds src[i]; returns true once seeded (from the n-th push). */
  push(src: Float64Array, i: number): boolean {
    const v = src[i]!;
    if (this.count < this.n) {
      this.seed += v;
      if (++this.count < this.n) return false;
      this.value = this.seed / this.n;
      return true;
    }
    this.value = (v - this.value) * this.k + this.value;
    return true;
  }
}

/**
 * Average true range, TA-Lib's ATR: true range from the second bar, the first ATR (bar n) is the
 * mean of n true ranges, then Wilder's `atr = (atr · (n − 1) + tr) / n` in TA-Lib's order.
 */
export class AtrCore {
  readonly n: number;
  /** The ATR, once `push` has returned true. */
  value = Number.NaN;
  private count = 0;
  private seed = 0;
  private prevClose = 0;

  constructor(n: number) {
    this.n = n;
  }

  /** Adds the bar (high, low, close) = src[i], src[i+1], src[i+2]; returns true from bar n on. */
  push(src: Float64Array, i: number): boolean {
    const high = src[i]!;
    const low = src[i + 1]!;
    const close = src[i + 2]!;
    const t = this.count++;
    const pc = this.prevClose;
    this.prevClose = close;
    if (t === 0) return false;
    let tr = high - low;
    const a = Math.abs(high - pc);
    if (a > tr) tr = a;
    const b = Math.abs(low - pc);
    if (b > tr) tr = b;
    const n = this.n;
    if (t <= n) {
      this.seed += tr;
      if (t < n) return false;
      this.value = this.seed / n;
      return true;
    }
    let s = this.value * (n - 1);
    s += tr;
    this.value = s / n;
    return true;
  }
}

/** Sliding-window maximum or minimum with a monotonic deque: O(1) amortised per push, exact. */
export class ExtremeDeque {
  readonly n: number;
  /** Extreme of the last `n` values pushed (of all of them during warm-up). */
  value = Number.NaN;
  private readonly vals: Float64Array;
  private readonly seqs: Float64Array;
  private readonly isMax: boolean;
  private front = 0;
  private size = 0;
  private seq = 0;

  constructor(n: number, kind: 'max' | 'min') {
    this.n = n;
    this.vals = new Float64Array(n);
    this.seqs = new Float64Array(n);
    this.isMax = kind === 'max';
  }

  /** Adds src[i]; the window's extreme is then in `value`. */
  push(src: Float64Array, i: number): void {
    const v = src[i]!;
    const n = this.n;
    const vals = this.vals;
    const seqs = this.seqs;
    const s = this.seq++;
    // Expire the front if it has left the window (at most one per push).
    if (this.size > 0 && seqs[this.front]! <= s - n) {
      this.front = this.front + 1 === n ? 0 : this.front + 1;
      this.size--;
    }
    // Drop values the new one dominates from the back (ties too: the newer one lives longer).
    const isMax = this.isMax;
    while (this.size > 0) {
      let b = this.front + this.size - 1;
      if (b >= n) b -= n;
      const w = vals[b]!;
      if (isMax ? w > v : w < v) break;
      this.size--;
    }
    let t = this.front + this.size;
    if (t >= n) t -= n;
    vals[t] = v;
    seqs[t] = s;
    this.size++;
    this.value = vals[this.front]!;
  }
}

/**
 * Mean and population variance over the last `n` values, from sums of (x − K) and (x − K)² with K
 * re-centred on the window mean every `n` pushes. Once full, each push leaves `mean`, `variance`
 * and `deviation` (newest value − mean, free of cancellation against the price level).
 */
export class RollingMoments {
  readonly n: number;
  mean = Number.NaN;
  variance = Number.NaN;
  deviation = Number.NaN;
  private full = false;
  private readonly buf: Float64Array;
  private head = 0;
  private count = 0;
  private tick = 0;
  private shift = 0;
  private s1 = 0;
  private s2 = 0;
  /** Length of the run of equal values ending at the newest one. */
  private run = 0;
  private last = Number.NaN;

  constructor(n: number) {
    this.n = n;
    this.buf = new Float64Array(n);
  }

  /** Adds src[i]; returns true once the window holds `n` values. */
  push(src: Float64Array, i: number): boolean {
    const v = src[i]!;
    const n = this.n;
    const buf = this.buf;
    const h = this.head;
    this.run = v === this.last ? this.run + 1 : 1;
    this.last = v;
    if (this.full) {
      const dOld = buf[h]! - this.shift;
      const dNew = v - this.shift;
      this.s1 += dNew - dOld;
      this.s2 += dNew * dNew - dOld * dOld;
      buf[h] = v;
      this.head = h + 1 === n ? 0 : h + 1;
      if (++this.tick === n) this.recentre();
    } else {
      if (this.count === 0) this.shift = v;
      const d = v - this.shift;
      this.s1 += d;
      this.s2 += d * d;
      buf[h] = v;
      this.head = h + 1 === n ? 0 : h + 1;
      if (++this.count < n) return false;
      this.full = true;
      this.recentre();
    }
    if (this.run >= n) {
      // Every value in the window is equal: no spread at all.
      this.mean = v;
      this.variance = 0;
      this.deviation = 0;
      return true;
    }
    const m = this.s1 / n;
    const var_ = this.s2 / n - m * m;
    this.mean = this.shift + m;
    this.variance = var_ > 0 ? var_ : 0;
    this.deviation = v - this.shift - m;
    return true;
  }

  private recentre(): void {
    this.tick = 0;
    const n = this.n;
    const buf = this.buf;
    let s = 0;
    for (let i = 0; i < n; i++) s += buf[i]!;
    const k = s / n;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const d = buf[i]! - k;
      s1 += d;
      s2 += d * d;
    }
    this.shift = k;
    this.s1 = s1;
    this.s2 = s2;
  }
}

/** Writes NaN to `count` outputs starting at `o`. */
export function writeNaN(out: Float64Array, o: number, count: number): void {
  for (let i = 0; i < count; i++) out[o + i] = Number.NaN;
}
