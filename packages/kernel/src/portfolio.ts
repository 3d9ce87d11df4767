import type { PlanPortfolio, PlanRisk } from '@strata/compiler';
import { periodKey } from './timeframe.js';

/** A symbol eligible at a rebalance: its index in the stream, in the universe, its score and volatility. */
export interface Candidate {
  readonly s: number;
  readonly si: number;
  readonly score: number;
  readonly vol: number;
}

/**
 * Whether a rebalance is due at the close of `ts` (docs/backtest-semantics.md, portfolio form):
 * `daily` every bar; `weekly` / `monthly` on the first or last bar of the period, where "last" is
 * known from the calendar's next bar time, never from prices.
 */
export function rebalanceDue(rebalance: PlanPortfolio['rebalance'], ts: number, prevTs: number, nextTs: number): boolean {
  const every = rebalance.every;
  if (every === 'daily') return true;
  if (rebalance.on === 'last') return nextTs === nextTs && periodKey(every, ts) !== periodKey(every, nextTs);
  return prevTs !== prevTs || periodKey(every, ts) !== periodKey(every, prevTs);
}

/**
 * Target weights (one per stream symbol) from the eligible candidates: rank by score (ties by
 * universe order), keep the first `top`, weight (`equal`: 1/top each; `inverse_volatility`:
 * selected/top split by 1/σ; `score`: by max(score, 0)), cap each at `maxWeight` and the risk
 * position cap, cap the sum at the gross exposure, and give the rest to the cash sleeve.
 * Pure: the candidates are not modified.
 */
export function targetWeights(candidates: readonly Candidate[], pf: PlanPortfolio, risk: PlanRisk, nSym: number, universe: readonly number[], cashSym: number): { targets: Float64Array; chosen: readonly Candidate[] } {
  const sign = pf.order === 'desc' ? -1 : 1;
  const chosen = [...candidates].sort((a, b) => sign * (a.score - b.score) || a.si - b.si).slice(0, pf.top);
  const targets = new Float64Array(nSym);
  if (chosen.length > 0) {
    const raw = chosen.map((c) => (pf.weighting.kind === 'inverse_volatility' ? 1 / c.vol : pf.weighting.kind === 'score' ? Math.max(0, c.score) : 1));
    let sum = raw.reduce((x, y) => x + y, 0);
    if (!(sum > 0)) {
      raw.fill(1);
      sum = raw.length;
    }
    const share = chosen.length / pf.top;
    chosen.forEach((c, i) => {
      targets[c.s] = Math.min((share * raw[i]!) / sum, pf.maxWeight, risk.maxPositionWeight);
    });
  }
  let gross = 0;
  for (const s of universe) gross += targets[s]!;
  if (gross > risk.maxGrossExposure) for (const s of universe) targets[s] = (targets[s]! * risk.maxGrossExposure) / gross;
  gross = Math.min(gross, risk.maxGrossExposure);
  if (cashSym >= 0) targets[cashSym] = Math.max(0, 1 - gross);
  return { targets, chosen };
}
