import { describe, expect, it } from 'vitest';
import { BREAKER, DrawdownBreaker } from './risk.js';

describe('DrawdownBreaker', () => {
  it('trips at the threshold below the rolling peak, waits out the cooldown, then re-arms with a fresh peak', () => {
    const b = new DrawdownBreaker({ threshold: 0.1, window: 3, cooldown: 2, action: 'flatten' });
    expect(b.update(100)).toBe(BREAKER.NONE);
    expect(b.update(95)).toBe(BREAKER.NONE); // −5 %
    expect(b.update(89)).toBe(BREAKER.TRIPPED); // −11 % from 100
    expect(b.drawdown).toBeCloseTo(-0.11, 12);
    expect(b.tripped).toBe(true);
    expect(b.update(80)).toBe(BREAKER.NONE); // cooling down (1 left)
    expect(b.update(80)).toBe(BREAKER.RESET); // armed again; 80 is the new peak
    expect(b.tripped).toBe(false);
    expect(b.update(75)).toBe(BREAKER.NONE); // −6.25 % from 80, not from 100
  });

  it('forgets peaks older than the window', () => {
    const b = new DrawdownBreaker({ threshold: 0.1, window: 3, cooldown: 0, action: 'halt_entries' });
    for (const e of [100, 95, 94]) expect(b.update(e)).toBe(BREAKER.NONE);
    // The 100 has left the 3-close window: the peak is 95, and 86 is −9.5 % from it.
    expect(b.update(86)).toBe(BREAKER.NONE);
    expect(b.drawdown).toBeCloseTo(86 / 95 - 1, 12);
  });
});
