import { VenueError } from '@strata/order-kernel';

/**
 * Bounded retries for idempotent reads (fetch order, open orders, balances, fills) — never for a
 * submit, which goes through the adapter's lookup-before-resubmit path instead.
 *
 * Attempt `k` (1-based) that fails with a retryable VenueError (`unavailable`, `rate_limited`) is
 * followed by a pause of `min(maxDelayMs, baseDelayMs · 2^(k-1))`, scaled by a jitter factor in
 * `[1 - jitter, 1]` drawn from a seeded generator — deterministic for a given seed, so a test (or a
 * replay) sees the same schedule every time, while two adapters with different seeds spread out.
 * Retrying stops after `attempts` tries, or earlier when the next pause would end past `budgetMs`
 * since the first try; the last error is rethrown unchanged. Non-retryable errors are thrown at once.
 */
export interface RetryPolicy {
  /** Total tries, the first included (≥ 1). */
  readonly attempts: number;
  /** Time budget for all tries and pauses, ms since the first try. */
  readonly budgetMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Fraction of each pause that is randomised, 0..1. */
  readonly jitter: number;
  /** Seed of the jitter sequence. */
  readonly seed: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, budgetMs: 10_000, baseDelayMs: 200, maxDelayMs: 2_000, jitter: 0.5, seed: 1 };

export interface RetryDeps {
  readonly sleep: (ms: number) => Promise<void>;
  /** ms clock for the budget. */
  readonly now: () => number;
  /** Called before each pause with the attempt that failed (1-based), the pause and the error. */
  readonly onRetry?: (info: { readonly attempt: number; readonly delayMs: number; readonly error: VenueError }) => void;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function validateRetryPolicy(p: RetryPolicy): RetryPolicy {
  const bad = (what: string) => {
    throw new RangeError(`retry policy: ${what}`);
  };
  if (!Number.isInteger(p.attempts) || p.attempts < 1) bad(`attempts must be a whole number ≥ 1, got ${p.attempts}`);
  if (!(p.budgetMs >= 0)) bad(`budgetMs must be ≥ 0, got ${p.budgetMs}`);
  if (!(p.baseDelayMs >= 0) || !(p.maxDelayMs >= p.baseDelayMs)) bad(`need 0 ≤ baseDelayMs ≤ maxDelayMs, got ${p.baseDelayMs}, ${p.maxDelayMs}`);
  if (!(p.jitter >= 0 && p.jitter <= 1)) bad(`jitter must be in 0..1, got ${p.jitter}`);
  if (!Number.isInteger(p.seed)) bad(`seed must be an integer, got ${p.seed}`);
  return p;
}

/** mulberry32: a tiny, well-distributed 32-bit PRNG; `unit(seed, k)` is the k-th draw in [0, 1). */
function unit(seed: number, k: number): number {
  let t = (seed + Math.imul(k, 0x6d2b79f5)) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

/** The pause after failed attempt `attempt` (1-based). Pure: same policy and attempt, same pause. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const factor = 1 - policy.jitter * unit(policy.seed, attempt);
  return Math.round(raw * factor);
}

/** Runs `op` under `policy`. Only VenueErrors with `retryable` are retried. */
export async function retryRead<T>(op: () => Promise<T>, policy: RetryPolicy, deps: RetryDeps): Promise<T> {
  const start = deps.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof VenueError) || !e.retryable || attempt >= policy.attempts) throw e;
      const delayMs = backoffDelay(policy, attempt);
      if (deps.now() + delayMs - start > policy.budgetMs) throw e;
      deps.onRetry?.({ attempt, delayMs, error: e });
      await deps.sleep(delayMs);
    }
  }
}
