import type { PlanPortfolio, PlanRisk } from '@strata/compiler';
import { describe, expect, it } from 'vitest';
import { rebalanceDue, targetWeights } from './portfolio.js';

const pf = (over: Partial<PlanPortfolio> = {}): PlanPortfolio => ({
  score: 'n0',
  order: 'desc',
  top: 2,
  weighting: { kind: 'equal' },
  maxWeight: 1,
  cash: 'CASH',
  rebalance: { every: 'monthly', on: 'last', driftThreshold: 0 },
  ...over,
});
const risk: PlanRisk = { maxPositionWeight: 1, maxGrossExposure: 1, dailyLossHalt: null, drawdownBreaker: null };
// Stream symbols: 0..2 the universe, 3 the cash sleeve.
const cands = [
  { s: 0, si: 0, score: 1, vol: 0.02 },
  { s: 1, si: 1, score: 3, vol: 0.01 },
  { s: 2, si: 2, score: 3, vol: 0.04 },
];

describe('targetWeights', () => {
  it('equal: 1/top to each of the top scores (ties by universe order), the rest to the cash sleeve', () => {
    const { targets, chosen } = targetWeights(cands, pf(), risk, 4, [0, 1, 2], 3);
    expect(chosen.map((c) => c.s)).toEqual([1, 2]);
    expect(Array.from(targets)).toEqual([0, 0.5, 0.5, 0]);
  });

  it('fewer eligible than top: each keeps its 1/top slot, the cash sleeve takes the rest', () => {
    const { targets } = targetWeights([cands[0]!], pf(), risk, 4, [0, 1, 2], 3);
    expect(Array.from(targets)).toEqual([0.5, 0, 0, 0.5]);
  });

  it('caps a weight at max_weight and parks the excess in the cash sleeve', () => {
    const { targets } = targetWeights(cands, pf({ top: 1, maxWeight: 0.3 }), risk, 4, [0, 1, 2], 3);
    expect(targets[1]).toBeCloseTo(0.3, 15);
    expect(targets[3]).toBeCloseTo(0.7, 15);
  });

  it('inverse volatility splits by 1/σ; asc order ranks the lowest score first', () => {
    const { targets } = targetWeights(cands, pf({ weighting: { kind: 'inverse_volatility', lookback: 20 } }), risk, 4, [0, 1, 2], 3);
    // 1/0.01 : 1/0.04 = 4 : 1 of the whole (2 selected of top 2).
    expect(targets[1]).toBeCloseTo(0.8, 12);
    expect(targets[2]).toBeCloseTo(0.2, 12);
    const asc = targetWeights(cands, pf({ order: 'asc', top: 1 }), risk, 4, [0, 1, 2], 3);
    expect(asc.chosen[0]!.s).toBe(0);
  });
});

describe('rebalanceDue', () => {
  const d = (y: number, m: number, day: number) => Date.UTC(y, m - 1, day);
  it('monthly on the last bar: when the next bar is in another month', () => {
    const r = pf().rebalance;
    expect(rebalanceDue(r, d(2024, 1, 31), d(2024, 1, 30), d(2024, 2, 1))).toBe(true);
    expect(rebalanceDue(r, d(2024, 1, 30), d(2024, 1, 29), d(2024, 1, 31))).toBe(false);
    expect(rebalanceDue(r, d(2024, 1, 31), d(2024, 1, 30), Number.NaN), 'no next bar: unknown, not due').toBe(false);
  });
  it('weekly on the first bar: when the previous bar is in another week', () => {
    const r = { every: 'weekly' as const, on: 'first' as const, driftThreshold: 0 };
    expect(rebalanceDue(r, d(2024, 3, 4), d(2024, 3, 1), d(2024, 3, 5))).toBe(true); // Monday after Friday
    expect(rebalanceDue(r, d(2024, 3, 5), d(2024, 3, 4), d(2024, 3, 6))).toBe(false);
  });
});
