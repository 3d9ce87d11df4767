/**
 * The shell's clock port. The kernel itself never reads a clock — time enters it as the
 * `tsEvent` of inputs. The service stamps the events it makes from venue reports with `now()`
 * and steps a `Clock` input every tick so that timers (deadlines, re-quotes, algo slices) fire.
 */
export interface Clock {
  /** ms since the epoch, UTC. */
  now(): number;
  /** Calls `fn` every `ms` until the returned function is called. */
  setInterval(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setInterval(fn, ms) {
    const h = setInterval(fn, ms);
    h.unref();
    return () => clearInterval(h);
  },
};

/** A clock that moves only when told to (tests, replays): `advance` fires due intervals in time order. */
export class ManualClock implements Clock {
  private t: number;
  private nextId = 0;
  private readonly timers = new Map<number, { fn: () => void; every: number; due: number }>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setInterval(fn: () => void, ms: number): () => void {
    if (!(ms > 0)) throw new RangeError(`interval must be > 0 ms, got ${ms}`);
    const id = this.nextId++;
    this.timers.set(id, { fn, every: ms, due: this.t + ms });
    return () => this.timers.delete(id);
  }

  /** Moves time forward by `ms`, firing each interval at every due time on the way (earliest first, then by creation). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot move a clock backwards (${ms} ms)`);
    const end = this.t + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextDue = Infinity;
      for (const [id, timer] of this.timers) if (timer.due <= end && timer.due < nextDue) [nextId, nextDue] = [id, timer.due];
      if (nextId === undefined) break;
      const timer = this.timers.get(nextId)!;
      this.t = timer.due;
      timer.due += timer.every;
      timer.fn();
    }
    this.t = end;
  }
}
