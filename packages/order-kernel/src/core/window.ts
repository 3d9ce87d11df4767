/**
 * A sliding-window rate counter: at most `limit` events in any `windowMs` (over tsEvent). It keeps
 * the times of the last `limit` events in a ring, so a check and a record are O(1) and allocate
 * nothing: another event at `now` is allowed when fewer than `limit` are stored, or the oldest
 * stored one is at least `windowMs` old.
 */
export class SlidingWindow {
  private readonly times: number[];
  private head = 0;
  private count = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.times = new Array<number>(limit).fill(0);
  }

  /** Events inside (now - windowMs, now]. */
  inWindow(now: number): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.times[(this.head + i) % this.limit]! > now - this.windowMs) n++;
    return n;
  }

  allows(now: number): boolean {
    return this.count < this.limit || this.times[this.head]! <= now - this.windowMs;
  }

  record(now: number): void {
    if (this.count < this.limit) {
      this.times[(this.head + this.count) % this.limit] = now;
      this.count++;
    } else {
      this.times[this.head] = now;
      this.head = (this.head + 1) % this.limit;
    }
  }

  /** The stored times, oldest first (for snapshots). */
  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.times[(this.head + i) % this.limit]!);
    return out;
  }

  static from(limit: number, windowMs: number, times: readonly number[]): SlidingWindow {
    const w = new SlidingWindow(limit, windowMs);
    for (const t of times) w.record(t);
    return w;
  }
}
