import type { PlanRisk } from '@strata/compiler';

export type BreakerConfig = NonNullable<PlanRisk['drawdownBreaker']>;

/** What happened to the breaker on a close. */
export const BREAKER = { NONE: 0, TRIPPED: 1, RESET: 2 } as const;
export type BreakerEvent = (typeof BREAKER)[keyof typeof BREAKER];

/**
 * The drawdown circuit breaker (docs/backtest-semantics.md, risk layer): at each close, equity is
 * compared with its peak over the last `window` closes (a monotonic deque: O(1) amortised per
 * close); at `threshold` or more below, it trips for `cooldown` closes. When the cooldown ends the
 * peak history restarts. Allocation-free per close.
 */
export class DrawdownBreaker {
  readonly #deque: Float64Array;
  readonly #index: Float64Array;
  #head = 0;
  #tail = 0;
  #bar = 0;
  #cooldownLeft = 0;
  #tripped = false;
  #drawdown = 0;

  constructor(readonly config: BreakerConfig) {
    this.#deque = new Float64Array(config.window + 1);
    this.#index = new Float64Array(config.window + 1);
  }

  get tripped(): boolean {
    return this.#tripped;
  }

  /** The drawdown from the window's peak at the last close fed while armed (≤ 0). */
  get drawdown(): number {
    return this.#drawdown;
  }

  /** Feeds one close; returns BREAKER.TRIPPED, BREAKER.RESET (cooldown over, armed again) or BREAKER.NONE. */
  update(equity: number): BreakerEvent {
    let event: BreakerEvent = BREAKER.NONE;
    if (this.#tripped) {
      this.#cooldownLeft -= 1;
      if (this.#cooldownLeft <= 0) {
        this.#tripped = false;
        this.#head = this.#tail = 0;
        event = BREAKER.RESET;
      }
    }
    if (!this.#tripped) {
      const { window, threshold, cooldown } = this.config;
      const cap = window + 1;
      const dq = this.#deque;
      const ix = this.#index;
      while (this.#tail > this.#head && dq[(this.#tail - 1) % cap]! <= equity) this.#tail--;
      dq[this.#tail % cap] = equity;
      ix[this.#tail % cap] = this.#bar;
      this.#tail++;
      while (ix[this.#head % cap]! <= this.#bar - window) this.#head++;
      this.#drawdown = equity / dq[this.#head % cap]! - 1;
      if (this.#drawdown <= -threshold) {
        this.#tripped = true;
        this.#cooldownLeft = cooldown;
        event = BREAKER.TRIPPED;
      }
    }
    this.#bar++;
    return event;
  }
}
