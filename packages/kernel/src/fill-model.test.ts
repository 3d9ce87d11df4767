import { describe, expect, it } from 'vitest';
import { affordableQty, limitTouchPrice, marketPrice, participationCap, stopTriggerRef } from './fill-model.js';

// Hand-computed fixtures. Bar: open 100, high 104, low 97.
const O = 100;
const H = 104;
const L = 97;

describe('fill model', () => {
  it('prices market orders at the reference plus slippage against the taker', () => {
    expect(marketPrice(true, 100, 0.0002)).toBeCloseTo(100.02, 12);
    expect(marketPrice(false, 100, 0.0002)).toBeCloseTo(99.98, 12);
    expect(marketPrice(true, 50, 0)).toBe(50);
  });

  it('fills a touched limit at the better of the open and the level, else not at all', () => {
    expect(limitTouchPrice(true, 98, O, H, L)).toBe(98); // touched inside the bar
    expect(limitTouchPrice(true, 101, O, H, L)).toBe(100); // below the open already: the open
    expect(limitTouchPrice(true, 96.99, O, H, L)).toBeNaN(); // never reached
    expect(limitTouchPrice(false, 103, O, H, L)).toBe(103);
    expect(limitTouchPrice(false, 99, O, H, L)).toBe(100);
    expect(limitTouchPrice(false, 104.01, O, H, L)).toBeNaN();
  });

  it('triggers a stop at its level inside the bar and at the open on a gap through it', () => {
    expect(stopTriggerRef(false, 98, O, H, L)).toBe(98); // sell stop hit inside the bar
    expect(stopTriggerRef(false, 101, O, H, L)).toBe(100); // gapped below: the open
    expect(stopTriggerRef(false, 96, O, H, L)).toBeNaN();
    expect(stopTriggerRef(true, 103, O, H, L)).toBe(103);
    expect(stopTriggerRef(true, 99, O, H, L)).toBe(100); // gapped above: the open
    expect(stopTriggerRef(true, 105, O, H, L)).toBeNaN();
  });

  it('caps quantity by volume participation in whole lots', () => {
    expect(participationCap(undefined, 1000, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(participationCap(0.1, 1234, 1)).toBe(123);
    expect(participationCap(0.1, 1234, 10)).toBe(120);
    expect(participationCap(0.1, 1230, 1)).toBe(123); // 0.1 × 1230 = 122.99999… in binary: not rounded down to 122
  });

  it('buys whole lots within the budget including the fee, never rounding up', () => {
    // 10,000 at 100.02 with a 1 bp fee: unit 100.030002 → 99 whole shares (9,902.97), 100 would cost 10,003.
    expect(affordableQty(10_000, 100.02, 0.0001, 1)).toBe(99);
    expect(affordableQty(10_000, 100, 0, 1)).toBe(100); // exactly affordable
    expect(affordableQty(10_000, 100, 0, 30)).toBe(90);
    expect(affordableQty(0, 100, 0, 1)).toBe(0);
    expect(affordableQty(100, 0, 0, 1)).toBe(0);
  });
});
