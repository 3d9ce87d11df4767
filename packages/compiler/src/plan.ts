import type { ValueType } from './catalog.js';

/** The compiler's output: a deterministic, self-contained description of the signal DAG and the rules around it (schemas/plan/v1). */
export interface Plan {
  readonly strata: 'plan/v1';
  readonly artifact: { readonly name: string; readonly schema: 'strategy/v1'; readonly hash: string };
  readonly compiler: { readonly version: string };
  readonly params: Readonly<Record<string, number>>;
  readonly universe: readonly string[];
  readonly benchmark: string | null;
  readonly timeframes: { readonly base: string; readonly extra: readonly string[] };
  readonly feeds: Readonly<Record<string, string>>;
  readonly nodes: readonly PlanNode[];
  /** Named signals kept in the plan, by name → node reference. */
  readonly signals: Readonly<Record<string, string>>;
  readonly rules: PlanRules | null;
  readonly portfolio: PlanPortfolio | null;
  readonly sizing: PlanSizing | null;
  readonly risk: PlanRisk;
  readonly execution: PlanExecution;
  /** Bars of each timeframe the strategy needs before every output is valid. */
  readonly warmup: Readonly<Record<string, number>>;
  readonly customNodes: Readonly<Record<string, { readonly module: string; readonly sha256: string }>>;
}

export type PlanParamValue = number | string | readonly number[];

export interface PlanNode {
  /** `n0`, `n1`, … in topological order: every input precedes its consumer. */
  readonly id: string;
  /** A catalog name, an operator (`add`, `gt`, `and` …), `field`, `const`, `lag`, `align` or `custom:<name>`. */
  readonly op: string;
  /** Timeframe the node updates on. */
  readonly tf: string;
  /** Value type of a single-output node. */
  readonly type?: ValueType;
  /** Outputs of a multi-output node; consumers reference `nK.<name>`. */
  readonly outputs?: readonly { readonly name: string; readonly type: ValueType }[];
  /** References to earlier nodes: `nK` or `nK.<output>`. Catalog inputs first, then implicit bar fields. */
  readonly inputs: readonly string[];
  readonly params: Readonly<Record<string, PlanParamValue>>;
  /** Bars this node itself consumes before its first valid output. */
  readonly lookback: number;
  /** Bars per timeframe before this node's output is valid, counting its inputs. */
  readonly warmup: Readonly<Record<string, number>>;
  /** Infinite memory: the value keeps depending on where history starts. */
  readonly unstable?: true;
  /** Reads the same signal across the whole universe at one time. */
  readonly crossSectional?: true;
  /** Signal names that denote this node. */
  readonly labels?: readonly string[];
}

export interface PlanStop {
  readonly kind: 'atr' | 'percent' | 'expr';
  readonly multiple?: number;
  readonly period?: number;
  readonly value?: number;
  /** Node giving the stop distance in price units (ATR for `atr`, the expression for `expr`). */
  readonly node?: string;
}

export interface PlanRules {
  readonly entry: { readonly long?: string; readonly short?: string };
  readonly exit: { readonly long?: string; readonly short?: string; readonly maxBars?: number };
  readonly stopLoss?: PlanStop;
  readonly takeProfit?: PlanStop;
  readonly trailingStop?: PlanStop;
}

export interface PlanPortfolio {
  readonly score: string;
  readonly order: 'asc' | 'desc';
  readonly filter?: string;
  readonly top: number;
  readonly weighting: { readonly kind: 'equal' | 'inverse_volatility' | 'score'; readonly lookback?: number; readonly volatility?: string };
  readonly maxWeight: number;
  readonly cash: string | null;
  readonly rebalance: { readonly every: 'daily' | 'weekly' | 'monthly'; readonly on: 'first' | 'last'; readonly driftThreshold: number };
}

export interface PlanSizing {
  readonly kind: 'equity_fraction' | 'cash_fraction' | 'risk_per_trade' | 'volatility_target';
  readonly value?: number;
  readonly target?: number;
  readonly lookback?: number;
  readonly maxLeverage?: number;
  readonly lotSize: number;
  /** For volatility_target: node giving per-bar return volatility. */
  readonly volatility?: string;
}

export interface PlanRisk {
  readonly maxPositionWeight: number;
  readonly maxGrossExposure: number;
  readonly dailyLossHalt: number | null;
  readonly drawdownBreaker: { readonly threshold: number; readonly window: number; readonly cooldown: number; readonly action: 'flatten' | 'halt_entries' } | null;
}

export interface PlanExecution {
  readonly orderType: 'market' | 'limit';
  readonly limitOffsetBps: number | null;
  readonly maxSpreadBps: number | null;
  readonly timeInForce: 'day' | 'gtc' | 'ioc' | 'fok';
  readonly fill: 'next_open' | 'close' | 'limit_touch' | 'stop_gap';
  readonly feeBps: number;
  readonly slippageBps: number;
  readonly maxParticipation: number | null;
}
