import { VenueError } from '@strata/order-kernel';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY_POLICY, retryRead, validateRetryPolicy, type RetryPolicy } from './retry.js';

const policy: RetryPolicy = { attempts: 5, budgetMs: 10_000, baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0.5, seed: 42 };

/** A fake clock the sleeps advance: the retry loop is deterministic and instant. */
function clock() {
  let t = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)) };
}

function failing(errors: readonly unknown[], value = 'ok') {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    op: async () => {
      const e = errors[calls++];
      if (e !== undefined) throw e;
      return value;
    },
  };
}

const unavailable = () => new VenueError('unavailable', 'down');

describe('retryRead', () => {
  it('retries retryable errors with exponential backoff and deterministic jitter', async () => {
    const c = clock();
    const f = failing([unavailable(), new VenueError('rate_limited', '429'), unavailable()]);
    await expect(retryRead(f.op, policy, c)).resolves.toBe('ok');
    expect(f.calls).toBe(4);
    expect(c.sleeps).toEqual([1, 2, 3].map((k) => backoffDelay(policy, k)));
    // each pause lies in [raw·(1-jitter), raw], raw = 100·2^(k-1)
    c.sleeps.forEach((ms, i) => {
      const raw = 100 * 2 ** i;
      expect(ms).toBeGreaterThanOrEqual(raw * 0.5);
      expect(ms).toBeLessThanOrEqual(raw);
    });
    const again = clock();
    await retryRead(failing([unavailable(), unavailable(), unavailable()]).op, policy, again);
    expect(again.sleeps, 'same seed, same schedule').toEqual(c.sleeps);
  });

  it('spreads schedules by seed and caps pauses at maxDelayMs', () => {
    const a = [1, 2, 3, 4, 5, 6].map((k) => backoffDelay(policy, k));
    const b = [1, 2, 3, 4, 5, 6].map((k) => backoffDelay({ ...policy, seed: 43 }, k));
    expect(a).not.toEqual(b);
    expect(Math.max(...a)).toBeLessThanOrEqual(1_000);
    expect(backoffDelay({ ...policy, jitter: 0 }, 10)).toBe(1_000);
    expect([1, 2, 3].map((k) => backoffDelay({ ...policy, jitter: 0 }, k))).toEqual([100, 200, 400]);
  });

  it('stops after `attempts` tries and rethrows the last error unchanged', async () => {
    const c = clock();
    const errors = [unavailable(), unavailable(), unavailable(), unavailable(), unavailable(), unavailable()];
    const f = failing(errors);
    await expect(retryRead(f.op, policy, c)).rejects.toBe(errors[4]);
    expect(f.calls).toBe(5);
    expect(c.sleeps).toHaveLength(4);
  });

  it('stops when the next pause would overrun the time budget', async () => {
    const c = clock();
    const f = failing(Array.from({ length: 10 }, unavailable));
    await expect(retryRead(f.op, { ...policy, jitter: 0, budgetMs: 350 }, c)).rejects.toBeInstanceOf(VenueError);
    expect(c.sleeps, '100 + 200 fit in 350, the next 400 does not').toEqual([100, 200]);
    expect(f.calls).toBe(3);
  });

  it.each([
    ['rejected', new VenueError('rejected', 'no')],
    ['not_found', new VenueError('not_found', 'no')],
    ['auth', new VenueError('auth', 'no')],
    ['a non-venue error', new Error('bug')],
  ])('never retries %s', async (_name, error) => {
    const c = clock();
    const f = failing([error]);
    await expect(retryRead(f.op, policy, c)).rejects.toBe(error);
    expect(f.calls).toBe(1);
    expect(c.sleeps).toEqual([]);
  });

  it('validates the policy', () => {
    expect(validateRetryPolicy(DEFAULT_RETRY_POLICY)).toBe(DEFAULT_RETRY_POLICY);
    expect(() => validateRetryPolicy({ ...policy, attempts: 0 })).toThrow(/attempts/);
    expect(() => validateRetryPolicy({ ...policy, jitter: 2 })).toThrow(/jitter/);
    expect(() => validateRetryPolicy({ ...policy, maxDelayMs: 10 })).toThrow(/baseDelayMs/);
  });
});
