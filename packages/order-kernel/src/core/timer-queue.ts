import type { Timer } from './types.js';

/** A scheduled timer. `live` turns false when it is cancelled (its order ended, or it was replaced). */
export interface TimerEntry {
  timer: Timer;
  readonly seq: number;
  live: boolean;
}

/**
 * Timers ordered by (dueAt, seq): a binary min-heap with lazy deletion. Cancelled entries are
 * dropped when they reach the top, and the heap is compacted when they outnumber the live ones.
 */
export class TimerQueue {
  private heap: TimerEntry[] = [];
  private dead = 0;

  get size(): number {
    return this.heap.length - this.dead;
  }

  push(e: TimerEntry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      const t = h[i]!;
      h[i] = h[p]!;
      h[p] = t;
      i = p;
    }
  }

  cancel(e: TimerEntry): void {
    if (!e.live) return;
    e.live = false;
    this.dead++;
    if (this.dead > 1024 && this.dead * 2 > this.heap.length) this.compact();
  }

  /** The earliest live entry due at or before `now`, removed from the queue; undefined when none. */
  popDue(now: number): TimerEntry | undefined {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      if (!top.live) {
        this.removeTop();
        this.dead--;
        continue;
      }
      if (top.timer.dueAt > now) return undefined;
      this.removeTop();
      return top;
    }
    return undefined;
  }

  /** The live entries in (dueAt, seq) order. */
  live(): TimerEntry[] {
    return this.heap.filter((e) => e.live).sort((a, b) => (less(a, b) ? -1 : 1));
  }

  private removeTop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l]!, h[m]!)) m = l;
      if (r < h.length && less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      const t = h[i]!;
      h[i] = h[m]!;
      h[m] = t;
      i = m;
    }
  }

  private compact(): void {
    const keep = this.heap.filter((e) => e.live);
    this.heap = [];
    this.dead = 0;
    for (const e of keep) this.push(e);
  }
}

function less(a: TimerEntry, b: TimerEntry): boolean {
  return a.timer.dueAt < b.timer.dueAt || (a.timer.dueAt === b.timer.dueAt && a.seq < b.seq);
}
