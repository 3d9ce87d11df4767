import { describe, expect, it } from 'vitest';
import { thrown } from '../test/helpers.js';
import { isFeedError } from './errors.js';
import { createManualScheduler, startReplay, type ReplayEvent } from './replay.js';

const events = (ats: number[]): ReplayEvent<number>[] => ats.map((at) => ({ at, record: at }));

describe('createManualScheduler', () => {
  it('runs timers in due order (ties in the order set) only when time is advanced', () => {
    const s = createManualScheduler(1000);
    const log: string[] = [];
    s.setTimeout(() => log.push(`b@${s.now()}`), 20);
    s.setTimeout(() => log.push(`a@${s.now()}`), 10);
    s.setTimeout(() => log.push(`c@${s.now()}`), 20);
    const cancelled = s.setTimeout(() => log.push('never'), 5);
    s.clearTimeout(cancelled);
    expect(log).toEqual([]);
    s.advance(15);
    expect(log).toEqual(['a@1010']);
    expect(s.now()).toBe(1015);
    s.advance(100);
    expect(log).toEqual(['a@1010', 'b@1020', 'c@1020']);
    expect(s.now()).toBe(1115);
    expect(s.pending).toBe(0);
  });

  it('runs timers set by timers within the same advance', () => {
    const s = createManualScheduler();
    const log: number[] = [];
    s.setTimeout(() => s.setTimeout(() => log.push(s.now()), 5), 5);
    s.advance(10);
    expect(log).toEqual([10]);
  });

  it('runAll guards against runaway re-arming', () => {
    const s = createManualScheduler();
    const loop = (): void => void s.setTimeout(loop, 1);
    loop();
    expect(() => s.runAll(100)).toThrow(/re-arming/);
  });
});

describe('startReplay', () => {
  it('paces events at real time: event at market time t is delivered at start + (t - first) / speed', () => {
    const s = createManualScheduler(50_000);
    const got: [number, number][] = [];
    startReplay(events([0, 3_600_000, 7_200_000, 7_200_000, 10_800_000]), { scheduler: s, speed: 1, onRecord: (r) => got.push([r, s.now() - 50_000]) });
    expect(got).toEqual([]); // nothing synchronously
    s.advance(0);
    expect(got).toEqual([[0, 0]]);
    s.advance(3_599_999);
    expect(got).toHaveLength(1);
    s.advance(1);
    expect(got).toEqual([[0, 0], [3_600_000, 3_600_000]]);
    s.advance(3_600_000);
    expect(got.slice(2)).toEqual([[7_200_000, 7_200_000], [7_200_000, 7_200_000]]);
    s.runAll();
    expect(got.at(-1)).toEqual([10_800_000, 10_800_000]);
  });

  it('accelerates: speed 3600 plays an hour of market time per second', () => {
    const s = createManualScheduler();
    const got: number[] = [];
    let ended = 0;
    startReplay(events([0, 3_600_000, 7_200_000]), { scheduler: s, speed: 3600, onRecord: () => got.push(s.now()), onEnd: () => ended++ });
    s.runAll();
    expect(got).toEqual([0, 1000, 2000]);
    expect(ended).toBe(1);
  });

  it("speed 'max' delivers everything without waiting, in chunks that yield to the scheduler", () => {
    const s = createManualScheduler();
    const n = 10_000;
    const got: number[] = [];
    startReplay(events(Array.from({ length: n }, (_, i) => i * 60_000)), { scheduler: s, speed: 'max', onRecord: (r) => got.push(r) });
    s.advance(0);
    expect(got.length).toBe(n);
    expect(s.now()).toBe(0);
  });

  it('unsubscribe stops delivery at once and is idempotent', () => {
    const s = createManualScheduler();
    const got: number[] = [];
    const stop = startReplay(events([0, 1000, 2000, 3000]), { scheduler: s, speed: 1, onRecord: (r) => got.push(r) });
    s.advance(1000);
    stop();
    stop();
    s.runAll();
    expect(got).toEqual([0, 1000]);
    expect(s.pending).toBe(0);
  });

  it('an unsubscribe from inside onRecord delivers nothing more', () => {
    const s = createManualScheduler();
    const got: number[] = [];
    const stop = startReplay(events([0, 0, 0]), { scheduler: s, speed: 1, onRecord: (r) => {
      got.push(r);
      stop();
    } });
    s.runAll();
    expect(got).toEqual([0]);
  });

  it('an error in onRecord stops the replay and goes to onError (or is rethrown without one)', () => {
    const s = createManualScheduler();
    const errors: unknown[] = [];
    startReplay(events([0, 1, 2]), { scheduler: s, speed: 1, onRecord: (r) => {
      if (r === 1) throw new Error('boom');
    }, onError: (e) => errors.push(e) });
    s.runAll();
    expect(errors).toHaveLength(1);
    const s2 = createManualScheduler();
    startReplay(events([0]), { scheduler: s2, speed: 1, onRecord: () => {
      throw new Error('loud');
    } });
    expect(() => s2.runAll()).toThrow('loud');
  });

  it('an empty replay just ends', () => {
    const s = createManualScheduler();
    let ended = false;
    startReplay(events([]), { scheduler: s, speed: 1, onRecord: () => undefined, onEnd: () => (ended = true) });
    s.runAll();
    expect(ended).toBe(true);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 'fast'])('rejects speed %s', (speed) => {
    const e = thrown(() => startReplay(events([0]), { scheduler: createManualScheduler(), speed: speed as number, onRecord: () => undefined }));
    expect(isFeedError(e, 'invalid_request')).toBe(true);
  });
});
