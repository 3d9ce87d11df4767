/**
 * Time for push feeds: the system scheduler, a manual (virtual-time) scheduler for tests,
 * and the replay engine that paces recorded events through either.
 */
import { FeedError } from './errors.js';
import type { Scheduler, Unsubscribe } from './spec.js';

/** Wall clock and Node timers. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A scheduler whose time moves only when told to. Timers due at the same time run in the order they were set. */
export interface ManualScheduler extends Scheduler {
  /** Moves time forward by `ms`, running every timer that falls due, in due order. */
  advance(ms: number): void;
  /** Runs timers (moving time to each) until none is left; throws after `maxTimers` as a runaway guard. */
  runAll(maxTimers?: number): void;
  /** Timers waiting. */
  readonly pending: number;
}

export function createManualScheduler(startMs = 0): ManualScheduler {
  interface Timer {
    readonly due: number;
    readonly seq: number;
    readonly fn: () => void;
  }
  let now = startMs;
  let seq = 0;
  const timers: Timer[] = [];
  const take = (limit: number): Timer | undefined => {
    let best = -1;
    for (let i = 0; i < timers.length; i++) {
      const t = timers[i] as Timer;
      if (t.due > limit) continue;
      const b = best < 0 ? undefined : (timers[best] as Timer);
      if (b === undefined || t.due < b.due || (t.due === b.due && t.seq < b.seq)) best = i;
    }
    return best < 0 ? undefined : timers.splice(best, 1)[0];
  };
  return {
    now: () => now,
    setTimeout(fn, delayMs) {
      const timer: Timer = { due: now + Math.max(0, delayMs), seq: seq++, fn };
      timers.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      const i = timers.indexOf(handle as Timer);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`advance(${ms}): time only moves forward`);
      const target = now + ms;
      for (let t = take(target); t !== undefined; t = take(target)) {
        now = t.due;
        t.fn();
      }
      now = target;
    },
    runAll(maxTimers = 10_000_000) {
      for (let n = 0; timers.length > 0; n++) {
        if (n >= maxTimers) throw new Error(`runAll: more than ${maxTimers} timers ran; a timer keeps re-arming itself`);
        const t = take(Number.POSITIVE_INFINITY) as Timer;
        now = Math.max(now, t.due);
        t.fn();
      }
    },
    get pending() {
      return timers.length;
    },
  };
}

/** A recorded event: `at` is its event time (ms, UTC) in market time. */
export interface ReplayEvent<R> {
  readonly at: number;
  readonly record: R;
}

export interface ReplayOptions<R> {
  readonly scheduler: Scheduler;
  /** Multiple of real time, or `'max'`. */
  readonly speed: number | 'max';
  readonly onRecord: (record: R) => void;
  readonly onEnd?: (() => void) | undefined;
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** Events delivered per timer callback at `speed: 'max'`. */
const MAX_SPEED_CHUNK = 4096;

export function checkSpeed(speed: unknown): number | 'max' {
  if (speed === undefined) return 1;
  if (speed === 'max' || (typeof speed === 'number' && Number.isFinite(speed) && speed > 0)) return speed;
  throw new FeedError('invalid_request', `speed must be a positive number (multiple of real time) or 'max', got ${JSON.stringify(speed)}`);
}

/**
 * Replays events (ascending by `at`) through the scheduler: the event at market time `at`
 * is delivered at wall time `start + (at - firstAt) / speed`, where `start` is the
 * scheduler's time now. Due times are computed from the start, so pacing does not drift.
 * Nothing is delivered synchronously: the first delivery happens in a scheduler callback.
 */
export function startReplay<R>(events: readonly ReplayEvent<R>[], options: ReplayOptions<R>): Unsubscribe {
  const { scheduler, onRecord } = options;
  const speed = checkSpeed(options.speed);
  const start = scheduler.now();
  const firstAt = events[0]?.at ?? 0;
  let i = 0;
  let handle: unknown;
  let stopped = false;

  const dueAt = (at: number): number => (speed === 'max' ? start : start + (at - firstAt) / speed);

  const tick = (): void => {
    handle = undefined;
    if (stopped) return;
    const now = scheduler.now();
    let emitted = 0;
    try {
      while (i < events.length && !stopped) {
        const ev = events[i] as ReplayEvent<R>;
        if (dueAt(ev.at) > now) break;
        if (speed === 'max' && emitted >= MAX_SPEED_CHUNK) break;
        i++;
        emitted++;
        onRecord(ev.record);
      }
    } catch (error) {
      stopped = true;
      if (options.onError === undefined) throw error;
      options.onError(error);
      return;
    }
    if (stopped) return;
    if (i >= events.length) {
      stopped = true;
      options.onEnd?.();
      return;
    }
    const next = events[i] as ReplayEvent<R>;
    handle = scheduler.setTimeout(tick, Math.max(0, dueAt(next.at) - scheduler.now()));
  };

  handle = scheduler.setTimeout(tick, 0);
  return () => {
    if (stopped) return;
    stopped = true;
    if (handle !== undefined) scheduler.clearTimeout(handle);
    handle = undefined;
  };
}
