import type { Plan, PlanStop } from '@strata/compiler';
import { KernelError } from './errors.js';
import type { EquityCurve, ExitReason, Fill, Side, Trade } from './results.js';
import { affordableQty, limitTouchPrice, marketPrice, participationCap as participationCapOf, stopTriggerRef } from './fill-model.js';
import { rebalanceDue, targetWeights, type Candidate } from './portfolio.js';
import { BREAKER, DrawdownBreaker } from './risk.js';
import { SignalEngine } from './signals.js';
import { transition, type SymbolStateName } from './state-machine.js';
import type { MarketStream } from './stream.js';

/**
 * The backtest fold: one pass over the market stream, each timestamp in two phases.
 *
 *  OPEN of bar t   orders decided at the close of t−1 are sized at t's open and executed by the
 *                  simulated venue (market at the open, limit/stop inside the bar); protective
 *                  stops and take-profits of open positions are checked against t's range.
 *  CLOSE of bar t  the signal DAG consumes bar t; positions are marked at t's close; the risk
 *                  layer updates; rules decide what to do at the next open (`fill: close`
 *                  executes at this close instead).
 *
 * docs/backtest-semantics.md is the contract; tests hold this file to it.
 */
export interface BacktestOptions {
  readonly plan: Plan;
  readonly stream: MarketStream;
  readonly initialCash?: number;
  /** Trading window (inclusive, ms UTC). Bars before `from` only warm the signals up. */
  readonly from?: number;
  readonly to?: number;
  /** Keep the per-bar equity curve (default true). Off for constant-memory runs. */
  readonly recordCurve?: boolean;
  /** Keep the event log of decisions, commands and events (default true). */
  readonly recordLog?: boolean;
  /** Keep every fill and finished order (default true). Trades are always kept. */
  readonly recordFills?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export type LogEntry =
  | { readonly seq: number; readonly ts: number; readonly type: 'Decision'; readonly symbol: string; readonly action: string; readonly reason: string }
  | {
      readonly seq: number;
      readonly ts: number;
      readonly type: 'SubmitOrder';
      readonly schema: 'order/v1';
      readonly clientOrderId: string;
      readonly symbol: string;
      readonly side: Side;
      readonly qty: number;
      readonly orderType: 'market' | 'limit' | 'stop';
      readonly price: number | null;
      readonly tif: string;
      readonly reason: string;
    }
  | { readonly seq: number; readonly ts: number; readonly type: 'OrderAccepted' | 'OrderCanceled' | 'OrderExpired'; readonly schema: 'order/v1'; readonly clientOrderId: string; readonly reason?: string }
  | {
      readonly seq: number;
      readonly ts: number;
      readonly type: 'OrderFilled';
      readonly schema: 'order/v1';
      readonly clientOrderId: string;
      readonly symbol: string;
      readonly side: Side;
      readonly qty: number;
      readonly price: number;
      readonly fee: number;
    };

export interface OrderRecord {
  readonly clientOrderId: string;
  readonly ts: number;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly orderType: 'market' | 'limit' | 'stop';
  readonly price: number | null;
  readonly filledQty: number;
  readonly avgFillPrice: number | null;
  readonly status: 'FILLED' | 'PARTIALLY_FILLED' | 'CANCELED' | 'EXPIRED';
  readonly reason: string;
}

export interface OpenPosition {
  readonly symbol: string;
  readonly qty: number;
  readonly avgPrice: number;
  readonly entryTs: number;
  readonly markPrice: number;
}

export interface BacktestResult {
  readonly curve: EquityCurve;
  readonly trades: readonly Trade[];
  readonly fills: readonly Fill[];
  readonly orders: readonly OrderRecord[];
  readonly log: readonly LogEntry[];
  readonly openPositions: readonly OpenPosition[];
  readonly symbols: readonly string[];
  readonly initialCash: number;
  readonly finalEquity: number;
  /** Bars (timestamps) consumed, including warm-up. */
  readonly steps: number;
}

interface Working {
  readonly id: string;
  readonly s: number;
  readonly side: Side;
  remaining: number;
  readonly qty: number;
  readonly type: 'market' | 'limit' | 'stop';
  readonly price: number;
  readonly gtc: boolean;
  readonly reason: ExitReason | 'entry' | 'rebalance';
  readonly ts: number;
  filled: number;
  notional: number;
}

interface Pos {
  qty: number;
  avg: number;
  entryTs: number;
  bars: number;
  fees: number;
  slippage: number;
  realized: number;
  boughtQty: number;
  boughtCost: number;
  stop: number;
  take: number;
  trail: number;
  trailDist: number;
  trailPct: number;
}

const NaN_ = Number.NaN;

/**
 * The kernel as a step function over its market stream: `step()` consumes the next timestamp
 * (open phase, signals, close phase) and returns false when the stream is exhausted or past `to`;
 * `finish()` cancels what is still working and returns the results. The same object serves a
 * backtest (stepped to the end) and, later, paper/live (stepped as bars arrive).
 */
export interface BacktestKernel {
  step(): boolean;
  finish(): BacktestResult;
  /** The event log so far (the same array `finish()` returns): a paper/live shell forwards new SubmitOrder entries after each step. */
  readonly log: readonly LogEntry[];
  /** Current position per traded symbol (the kernel's own book), for a shell to reconcile against a venue. */
  positions(): ReadonlyMap<string, number>;
}

/** Runs a whole backtest: `createKernel(opts)` stepped to the end of its stream. */
export function runBacktest(opts: BacktestOptions): BacktestResult {
  const kernel = createKernel(opts);
  while (kernel.step());
  return kernel.finish();
}

export function createKernel(opts: BacktestOptions): BacktestKernel {
  const { plan, stream } = opts;
  const initialCash = opts.initialCash ?? 100_000;
  const from = opts.from ?? Number.NEGATIVE_INFINITY;
  const to = opts.to ?? Number.POSITIVE_INFINITY;
  const recordCurve = opts.recordCurve ?? true;
  const recordLog = opts.recordLog ?? true;
  const recordFills = opts.recordFills ?? true;
  const symbols = stream.symbols;
  const nSym = symbols.length;
  const universe = plan.universe.map((u) => symbols.indexOf(u));
  if (universe.some((i) => i < 0)) throw new KernelError('data', `the market stream lacks universe symbols: ${plan.universe.filter((u) => !symbols.includes(u)).join(', ')}`);
  const cashSym = plan.portfolio?.cash ? symbols.indexOf(plan.portfolio.cash) : -1;
  if (plan.portfolio?.cash && cashSym < 0) throw new KernelError('data', `the market stream lacks the cash sleeve ${plan.portfolio.cash}`);

  // Signals are evaluated for the universe; the cash sleeve and benchmark are only traded / marked.
  const sigSymbols = plan.universe;
  const sig = new SignalEngine(plan, sigSymbols);
  const sigRows = new Int32Array(sigSymbols.length);
  const sigColumns = universe.map((i) => stream.columns[i]!);
  sig.checkColumns(sigColumns);

  const ex = plan.execution;
  const feeRate = ex.feeBps / 10_000;
  const slipRate = ex.slippageBps / 10_000;
  const offset = (ex.limitOffsetBps ?? 0) / 10_000;
  const gtc = ex.timeInForce === 'gtc';
  const fok = ex.timeInForce === 'fok';
  const participation = ex.maxParticipation ?? undefined;
  const risk = plan.risk;
  const lot = plan.sizing?.lotSize ?? 1;
  const hashTag = plan.artifact.hash.slice(7, 15);
  const noLeverage = plan.risk.maxGrossExposure <= 1 && plan.risk.maxPositionWeight <= 1;

  const slot = (ref: string | undefined) => (ref === undefined ? -1 : sig.slot(ref));
  const rules = plan.rules;
  const sEntryLong = slot(rules?.entry.long);
  const sEntryShort = slot(rules?.entry.short);
  const sExitLong = slot(rules?.exit.long);
  const sExitShort = slot(rules?.exit.short);
  const sStop = slot(rules?.stopLoss?.node);
  const sTake = slot(rules?.takeProfit?.node);
  const sTrail = slot(rules?.trailingStop?.node);
  const sVol = slot(plan.sizing?.volatility);
  const pf = plan.portfolio;
  const sScore = slot(pf?.score);
  const sFilter = slot(pf?.filter);
  const sPfVol = slot(pf?.weighting.volatility);
  const maxBars = rules?.exit.maxBars ?? 0;
  const buyOrder = [...universe, ...(cashSym >= 0 ? [cashSym] : [])];
  const warmSlots = [sEntryLong, sEntryShort, sExitLong, sExitShort, sStop, sTake, sTrail, sVol].filter((k) => k >= 0);
  const periodsPerYear = periodsPerYearOf(plan);

  // ——— state ———
  // Doubles that change every bar live in one object: V8 stores its fields unboxed, whereas a
  // reassigned closure variable holding a double allocates a new heap number on each write. The
  // per-bar functions read `D.ts` where they use it: hoisting it into a local at function entry
  // made V8 box it on every call (measured with the sampling heap profiler).
  const D = { ts: NaN_, nextTs: NaN_, targetsTs: NaN_, cash: initialCash, prevTs: NaN_, lastCloseEquity: initialCash, dayStartEquity: initialCash, equity: initialCash };
  const pos: Pos[] = symbols.map(() => newPos());
  const mark = new Float64Array(nSym).fill(NaN_);
  const state: SymbolStateName[] = sigSymbols.map(() => 'IDLE');
  const pendingEntry = new Int8Array(nSym); // +1 long, −1 short
  const pendingExit: (ExitReason | undefined)[] = new Array(nSym).fill(undefined);
  const entryStopDist = new Float64Array(nSym);
  const entryTakeDist = new Float64Array(nSym);
  const entryTrailDist = new Float64Array(nSym);
  const entrySizeHint = new Float64Array(nSym);
  const closedThisBar = new Uint8Array(nSym);
  /** When the pending entry / exit of each symbol was decided. */
  const decidedAt = new Float64Array(nSym);
  let pendingTargets: Float64Array | undefined;
  const working: Working[] = [];
  const fills: Fill[] = [];
  const trades: Trade[] = [];
  const orders: OrderRecord[] = [];
  const log: LogEntry[] = [];
  let seq = 0;
  let orderSeq = 0;

  const cap = Math.max(16, Math.min(stream.total === stream.total ? stream.total : 1024, 1 << 24));
  let curveTs: Float64Array = new Float64Array(recordCurve ? cap : 0);
  let curveEq: Float64Array = new Float64Array(recordCurve ? cap : 0);
  let curveCash: Float64Array = new Float64Array(recordCurve ? cap : 0);
  let curveExp: Float64Array = new Float64Array(recordCurve ? cap : 0);
  let curveLen = 0;

  // risk layer
  const breaker = risk.drawdownBreaker ? new DrawdownBreaker(risk.drawdownBreaker) : undefined;
  let forceRebalance = false;
  /** The portfolio is invested at the first trading bar, then rebalanced on its schedule. */
  let firstDecision = true;
  let dayKey = -1;
  let haltedDay = -1;
  let steps = 0;
  let trading = false;

  /**
   * Appends to the event log, numbering entries in order. Callers write `seq: 0` first in the
   * literal, so stamping the number in place neither copies nor reshapes the object.
   */
  const L = (e: Record<string, unknown>) => {
    const n = seq++;
    if (!recordLog) return;
    e.seq = n;
    log.push(e as unknown as LogEntry);
  };

  /** Sends an order; its client order id names the decision time (deterministic, see docs/backtest-semantics.md). */
  const submit = (ts: number, s: number, side: Side, qty: number, type: Working['type'], price: number, reason: Working['reason'], decisionTs = ts): Working => {
    const id = `${hashTag}-${symbols[s]}-${decisionTs}-${orderSeq++}`;
    const w: Working = { id, s, side, remaining: qty, qty, type, price, gtc, reason, ts, filled: 0, notional: 0 };
    L({ seq: 0, ts, type: 'SubmitOrder', schema: 'order/v1', clientOrderId: id, symbol: symbols[s]!, side, qty, orderType: type, price: type === 'market' ? null : price, tif: ex.timeInForce, reason });
    L({ seq: 0, ts, type: 'OrderAccepted', schema: 'order/v1', clientOrderId: id });
    working.push(w);
    return w;
  };

  const finishOrder = (w: Working, status: OrderRecord['status']) => {
    if (!recordFills) return;
    orders.push({
      clientOrderId: w.id,
      ts: w.ts,
      symbol: symbols[w.s]!,
      side: w.side,
      qty: w.qty,
      orderType: w.type,
      price: w.type === 'market' ? null : w.price,
      filledQty: w.filled,
      avgFillPrice: w.filled > 0 ? w.notional / w.filled : null,
      status,
      reason: w.reason,
    });
  };

  /** Applies one execution to cash, position and trade bookkeeping. */
  const applyFill = (ts: number, w: Working, qty: number, price: number, ref: number) => {
    const s = w.s;
    const p = pos[s]!;
    const notional = qty * price;
    const fee = notional * feeRate;
    const slip = Math.abs(price - ref) * qty;
    const signed = w.side === 'buy' ? qty : -qty;
    D.cash -= signed * price + fee;
    w.remaining -= qty;
    w.filled += qty;
    w.notional += notional;
    if (recordFills) fills.push({ ts, symbol: symbols[s]!, side: w.side, qty, price, fee, slippage: slip, clientOrderId: w.id });
    L({ seq: 0, ts, type: 'OrderFilled', schema: 'order/v1', clientOrderId: w.id, symbol: symbols[s]!, side: w.side, qty, price, fee });
    const before = p.qty;
    if (before === 0) {
      p.entryTs = ts;
      p.bars = 0;
      p.fees = 0;
      p.slippage = 0;
      p.realized = 0;
      p.boughtQty = 0;
      p.boughtCost = 0;
    }
    p.fees += fee;
    p.slippage += slip;
    if (before === 0 || Math.sign(before) === Math.sign(signed)) {
      p.avg = (p.avg * Math.abs(before) + price * qty) / (Math.abs(before) + qty);
      p.boughtQty += qty;
      p.boughtCost += notional;
      p.qty = before + signed;
    } else {
      const closing = Math.min(qty, Math.abs(before));
      p.realized += (price - p.avg) * closing * Math.sign(before);
      p.qty = before + signed;
      if (Math.abs(p.qty) < 1e-12) p.qty = 0;
    }
    if (before === 0 && p.qty !== 0) {
      // Protective levels are set from the entry fill price.
      const dir = Math.sign(p.qty);
      const stopDist = rules?.stopLoss?.kind === 'percent' ? price * rules.stopLoss.value! : entryStopDist[s]!;
      const takeDist = rules?.takeProfit?.kind === 'percent' ? price * rules.takeProfit.value! : entryTakeDist[s]!;
      p.stop = stopDist > 0 ? price - dir * stopDist : NaN_;
      p.take = takeDist > 0 ? price + dir * takeDist : NaN_;
      p.trailDist = entryTrailDist[s]!;
      p.trailPct = rules?.trailingStop?.kind === 'percent' ? rules.trailingStop.value! : 0;
      p.trail = p.trailPct > 0 ? price * (1 - dir * p.trailPct) : p.trailDist > 0 ? price - dir * p.trailDist : NaN_;
    }
    if (p.qty === 0 && before !== 0) {
      trades.push({
        symbol: symbols[s]!,
        direction: before > 0 ? 'long' : 'short',
        entryTs: p.entryTs,
        entryPrice: p.boughtQty > 0 ? p.boughtCost / p.boughtQty : p.avg,
        exitTs: ts,
        exitPrice: price,
        qty: p.boughtQty,
        pnl: p.realized - p.fees,
        returnPct: p.boughtCost > 0 ? (p.realized - p.fees) / p.boughtCost : 0,
        fees: p.fees,
        slippage: p.slippage,
        bars: p.bars,
        exitReason: w.reason === 'entry' ? 'signal' : w.reason,
      });
      closedThisBar[s] = 1;
      p.avg = 0;
      p.stop = NaN_;
      p.take = NaN_;
      p.trail = NaN_;
    }
  };

  /** The cap on quantity per bar from the volume participation limit. */
  const participationCap = (s: number, row: number): number => {
    if (participation === undefined) return Number.POSITIVE_INFINITY;
    return participationCapOf(participation, stream.columns[s]!.fields[4][row]!, lot);
  };

  /** Executes working orders of symbol s against its bar (open phase). */
  const executeAtOpen = (s: number, row: number) => {
    const f = stream.columns[s]!.fields;
    const open = f[0][row]!;
    const high = f[1][row]!;
    const low = f[2][row]!;
    for (let i = 0; i < working.length; i++) {
      const w = working[i]!;
      if (w.s !== s || w.remaining <= 0) continue;
      let price = NaN_;
      let ref = NaN_;
      const buy = w.side === 'buy';
      if (w.type === 'market') {
        ref = open;
        price = marketPrice(buy, open, slipRate);
      } else if (w.type === 'limit') {
        price = ref = limitTouchPrice(buy, w.price, open, high, low);
      } else {
        // stop: triggers inside the bar; a gap through the level fills at the open.
        ref = stopTriggerRef(buy, w.price, open, high, low);
        if (ref === ref) price = marketPrice(buy, ref, slipRate);
      }
      if (price !== price) continue;
      let qty = Math.min(w.remaining, participationCap(s, row));
      // Without leverage a buy never spends more than the cash (a gap may move a GTC fill).
      if (w.side === 'buy' && noLeverage && pos[s]!.qty >= 0) qty = Math.min(qty, affordable(D.cash, price));
      // Fill-or-kill: all of it on this bar, or nothing (the order then expires).
      if (fok && qty < w.remaining) continue;
      if (qty > 0) applyFill(D.ts, w, qty, price, ref);
    }
  };

  /** Removes finished orders; a partially filled market order expires unless GTC. */
  const sweepOrders = (s: number) => {
    for (let i = working.length - 1; i >= 0; i--) {
      const w = working[i]!;
      if (w.s !== s) continue;
      if (w.remaining <= 1e-12) {
        finishOrder(w, 'FILLED');
        working.splice(i, 1);
      } else if (!w.gtc) {
        L({ seq: 0, ts: D.ts, type: 'OrderExpired', schema: 'order/v1', clientOrderId: w.id, reason: w.filled > 0 ? 'partially filled; time in force ended' : 'not filled; time in force ended' });
        finishOrder(w, w.filled > 0 ? 'PARTIALLY_FILLED' : 'EXPIRED');
        working.splice(i, 1);
      }
    }
  };

  const equityAt = (prices: (s: number) => number): number => {
    let e = D.cash;
    for (let s = 0; s < nSym; s++) {
      const q = pos[s]!.qty;
      if (q !== 0) e += q * prices(s);
    }
    return e;
  };
  /** Equity marked at the last closes (the hot path: no closure). */
  const equityAtMarks = (): number => {
    let e = D.cash;
    for (let s = 0; s < nSym; s++) {
      const q = pos[s]!.qty;
      if (q !== 0) e += q * mark[s]!;
    }
    return e;
  };

  /** Whole lots affordable with `budget` at `price` including the fee; never rounds up. */
  const affordable = (budget: number, price: number): number => affordableQty(budget, price, feeRate, lot);

  const wholeLots = (q: number) => Math.floor(q / lot + 1e-9) * lot;

  // ——— open phase ———
  const openPhase = () => {
    if (!pendingTargets && working.length === 0 && !anyPendingEntryOrExit() && !anyPosition()) return;
    const rows = stream.rows;
    // Mark at the open for sizing.

    // 1. exits (signal, max bars, risk) as market orders
    for (let s = 0; s < nSym; s++) {
      const reason = pendingExit[s];
      if (reason === undefined || rows[s]! < 0) continue;
      pendingExit[s] = undefined;
      const q = pos[s]!.qty;
      if (q === 0) continue;
      submit(D.ts, s, q > 0 ? 'sell' : 'buy', Math.abs(q), 'market', NaN_, reason, decidedAt[s]!);
      // Executed now, so the proceeds are in the cash that sizes this open's entries.
      executeAtOpen(s, rows[s]!);
      sweepOrders(s);
    }
    // 2. portfolio rebalance: sells first, then buys within the cash
    if (pendingTargets) {
      const targets = pendingTargets;
      pendingTargets = undefined;
      rebalanceTo(targets, openOf, fillAtOpen);
    }
    // 3. entries, sized at the open
    for (const s of universe) {
      const dir = pendingEntry[s]!;
      if (dir === 0 || rows[s]! < 0) continue;
      pendingEntry[s] = 0;
      const si = universe.indexOf(s);
      const open = openOf(s);
      // Size at the price the order fills at on this bar (the open is known now): a limit fills at
      // the better of the open and its level, a stop at the worse (plus slippage). A GTC limit may
      // fill later at its level, so it is sized there.
      const limit = lastClose(s) * (1 - dir * offset);
      const stopLvl = lastClose(s) * (1 + dir * offset);
      const estPrice =
        ex.fill === 'limit_touch'
          ? gtc
            ? limit
            : dir > 0
              ? Math.min(open, limit)
              : Math.max(open, limit)
          : ex.fill === 'stop_gap'
            ? (dir > 0 ? Math.max(open, stopLvl) : Math.min(open, stopLvl)) * (1 + dir * slipRate)
            : open * (1 + dir * slipRate);
      const equity = equityAt(openOf);
      const qty = sizeEntry(s, estPrice, equity);
      if (qty <= 0) {
        L({ seq: 0, ts: D.ts, type: 'Decision', symbol: symbols[s]!, action: 'skip_entry', reason: 'sized to zero (not enough cash or risk budget)' });
        state[si] = transition(state[si]!, 'ENTRY_CANCELED');
        continue;
      }
      const side: Side = dir > 0 ? 'buy' : 'sell';
      if (ex.fill === 'limit_touch') submit(D.ts, s, side, qty, 'limit', limit, 'entry', decidedAt[s]!);
      else if (ex.fill === 'stop_gap') submit(D.ts, s, side, qty, 'stop', stopLvl, 'entry', decidedAt[s]!);
      else submit(D.ts, s, side, qty, 'market', NaN_, 'entry', decidedAt[s]!);
    }
    // 4. execute everything working for each symbol with a bar, then protective stops
    for (let s = 0; s < nSym; s++) {
      const row = rows[s]!;
      if (row < 0) continue;
      executeAtOpen(s, row);
      protect(s, row);
      sweepOrders(s);
    }
  };

  const lastClose = (s: number) => mark[s]!;
  /**
   * Executes a just-sent order at this open. Hot-path functions define no inner closures over their
   * locals: a captured local puts the whole frame in a heap-allocated context on every call.
   */
  const fillAtOpen = (w: Working) => {
    executeAtOpen(w.s, stream.rows[w.s]!);
    sweepOrders(w.s);
  };
  const hasWorkingEntry = (s: number): boolean => {
    for (const w of working) if (w.s === s && w.reason === 'entry') return true;
    return false;
  };
  /** The open of s at this bar (its last close when it has no bar now). Defined once: no closure per bar. */
  const openOf = (s: number) => {
    const row = stream.rows[s]!;
    return row >= 0 ? stream.columns[s]!.fields[0][row]! : mark[s]!;
  };
  const anyPosition = (): boolean => {
    for (let s = 0; s < nSym; s++) if (pos[s]!.qty !== 0) return true;
    return false;
  };
  const anyPendingEntryOrExit = (): boolean => {
    for (let s = 0; s < nSym; s++) if (pendingEntry[s] !== 0 || pendingExit[s] !== undefined) return true;
    return false;
  };

  const sizeEntry = (s: number, price: number, equity: number): number => {
    const sz = plan.sizing;
    if (!sz || !(price > 0)) return 0;
    let qty = 0;
    switch (sz.kind) {
      case 'equity_fraction':
        qty = wholeLots((sz.value! * equity) / (price * (1 + feeRate)));
        break;
      case 'cash_fraction':
        qty = affordable(sz.value! * D.cash, price);
        break;
      case 'risk_per_trade': {
        // A percent stop sits at value × the fill price, so the risk per unit is measured there too.
        const dist = rules?.stopLoss?.kind === 'percent' ? price * rules.stopLoss.value! : entryStopDist[s]!;
        qty = dist > 0 ? wholeLots((sz.value! * equity) / dist) : 0;
        break;
      }
      case 'volatility_target': {
        const weight = entrySizeHint[s]!;
        qty = weight > 0 ? wholeLots((weight * equity) / (price * (1 + feeRate))) : 0;
        break;
      }
    }
    // Risk caps: position weight, gross exposure, and never more than the cash allows (no margin below 1× equity).
    const maxPos = wholeLots((risk.maxPositionWeight * equity) / price);
    let gross = 0;
    for (let k = 0; k < nSym; k++) if (k !== s) gross += Math.abs(pos[k]!.qty * mark[k]!) || 0;
    const maxGross = wholeLots(Math.max(0, risk.maxGrossExposure * equity - gross) / price);
    qty = Math.min(qty, maxPos, maxGross);
    if (risk.maxGrossExposure <= 1 && risk.maxPositionWeight <= 1) qty = Math.min(qty, affordable(D.cash, price));
    return Math.max(0, qty);
  };

  /** Stop-loss, trailing stop and take-profit of an open position, checked against the bar. */
  const protect = (s: number, row: number) => {
    const p = pos[s]!;
    if (p.qty === 0) return;
    const f = stream.columns[s]!.fields;
    const open = f[0][row]!;
    const high = f[1][row]!;
    const low = f[2][row]!;
    const long = p.qty > 0;
    const stop = p.stop;
    const trail = p.trail;
    const stopLevel = long
      ? Math.max(stop === stop ? stop : -Infinity, trail === trail ? trail : -Infinity)
      : Math.min(stop === stop ? stop : Infinity, trail === trail ? trail : Infinity);
    const stopReason: ExitReason = p.stop === stopLevel ? 'stop_loss' : 'trailing_stop';
    const ref = Number.isFinite(stopLevel) ? stopTriggerRef(!long, stopLevel, open, high, low) : NaN_;
    if (ref === ref) {
      const w = submit(D.ts, s, long ? 'sell' : 'buy', Math.abs(p.qty), 'stop', stopLevel, stopReason);
      // The volume cap applies to stops too; the rest stays protected by the same level next bar.
      const q = Math.min(w.remaining, participationCap(s, row));
      if (q > 0) applyFill(D.ts, w, q, marketPrice(!long, ref, slipRate), ref);
      return;
    }
    const px = p.take === p.take ? limitTouchPrice(!long, p.take, open, high, low) : NaN_;
    if (px === px) {
      const w = submit(D.ts, s, long ? 'sell' : 'buy', Math.abs(p.qty), 'limit', p.take, 'take_profit');
      const q = Math.min(w.remaining, participationCap(s, row));
      if (q > 0) applyFill(D.ts, w, q, px, px);
    }
  };

  // ——— close phase ———
  const closePhase = () => {
    const rows = stream.rows;
    for (let s = 0; s < nSym; s++) {
      const row = rows[s]!;
      if (row >= 0) mark[s] = stream.columns[s]!.fields[3][row]!;
    }
    const equity = equityAtMarks();
    if (!trading) {
      D.equity = equity;
      return;
    }
    // Holding time counts the closes a position has been held through.
    for (let s = 0; s < nSym; s++) if (rows[s]! >= 0 && pos[s]!.qty !== 0) pos[s]!.bars += 1;
    // daily loss halt
    const dk = Math.floor(D.ts / 86_400_000);
    if (dk !== dayKey) {
      dayKey = dk;
      D.dayStartEquity = D.lastCloseEquity;
    }
    if (risk.dailyLossHalt !== null && equity / D.dayStartEquity - 1 <= -risk.dailyLossHalt && haltedDay !== dk) {
      haltedDay = dk;
      L({ seq: 0, ts: D.ts, type: 'Decision', symbol: '*', action: 'halt_entries', reason: `daily loss ${(100 * (equity / D.dayStartEquity - 1)).toFixed(2)}% breached ${-100 * risk.dailyLossHalt}%` });
    }
    // drawdown breaker over a rolling window of closes
    if (breaker) {
      const event = breaker.update(equity);
      if (event === BREAKER.RESET) {
        forceRebalance = true;
        L({ seq: 0, ts: D.ts, type: 'Decision', symbol: '*', action: 'breaker_reset', reason: 'cooldown over' });
      } else if (event === BREAKER.TRIPPED) {
        L({ seq: 0, ts: D.ts, type: 'Decision', symbol: '*', action: `breaker_${breaker.config.action}`, reason: `drawdown ${(100 * breaker.drawdown).toFixed(2)}% from the ${breaker.config.window}-bar peak` });
        if (breaker.config.action === 'flatten') {
          if (pf) {
            pendingTargets = new Float64Array(nSym);
            D.targetsTs = D.ts;
            if (cashSym >= 0) pendingTargets[cashSym] = 1;
          } else {
            for (let s = 0; s < nSym; s++) {
              if (pos[s]!.qty === 0) continue;
              pendingExit[s] = 'risk';
              decidedAt[s] = D.ts;
            }
          }
        }
      }
    }
    const tripped = breaker?.tripped === true;
    const entriesHalted = tripped || haltedDay === dk;
    if (rules) decideRules(entriesHalted);
    if (pf && !tripped) decidePortfolio();
    D.lastCloseEquity = equity;
    // Only market-on-close fills change the positions after the marks above.
    if (ex.fill === 'close') {
      closeFills();
      D.equity = equityAtMarks();
    } else {
      D.equity = equity;
    }
  };

  const decideRules = (entriesHalted: boolean) => {
    for (let si = 0; si < universe.length; si++) {
      const s = universe[si]!;
      if (sigRows[si]! < 0) continue;
      const v = sig.values(si);
      const p = pos[s]!;
      let st = state[si]!;
      if (closedThisBar[s] === 1) {
        closedThisBar[s] = 0;
        if (st === 'ENTERED' || st === 'MANAGING') st = transition(st, 'EXIT_FILLED');
      }
      if (st === 'IDLE') {
        // Warmed when every input of a decision is known: the rules, the stop distances, the volatility.
        let warm = true;
        for (const k of warmSlots) if (v[k]! !== v[k]!) warm = false;
        st = transition(st, warm ? 'WARMED' : 'BAR_CLOSED');
      } else if (st === 'EXITED') {
        st = transition(st, 'BAR_CLOSED');
      } else if (st === 'ENTERED') {
        if (p.qty !== 0) st = transition(st, 'BAR_CLOSED');
        else if (pendingEntry[s] === 0 && !hasWorkingEntry(s)) st = transition(st, 'ENTRY_CANCELED');
      }
      if (st === 'MANAGING') {
        const long = p.qty > 0;
        const exitV = long ? (sExitLong >= 0 ? v[sExitLong]! : 0) : sExitShort >= 0 ? v[sExitShort]! : 0;
        // trailing stop ratchets on closes
        if (p.trail === p.trail) {
          const c = mark[s]!;
          const lvl = p.trailPct > 0 ? c * (1 - (long ? 1 : -1) * p.trailPct) : c - (long ? 1 : -1) * p.trailDist;
          p.trail = long ? Math.max(p.trail, lvl) : Math.min(p.trail, lvl);
        }
        if (pendingExit[s] === undefined) {
          if (exitV === 1) {
            pendingExit[s] = 'signal';
            decidedAt[s] = D.ts;
            L({ seq: 0, ts: D.ts, type: 'Decision', symbol: symbols[s]!, action: 'exit', reason: 'exit rule' });
          } else if (maxBars > 0 && p.bars >= maxBars) {
            pendingExit[s] = 'max_bars';
            decidedAt[s] = D.ts;
            L({ seq: 0, ts: D.ts, type: 'Decision', symbol: symbols[s]!, action: 'exit', reason: `held ${p.bars} bars` });
          }
        }
      } else if (st === 'LOOKING' && !entriesHalted && p.qty === 0) {
        const el = sEntryLong >= 0 ? v[sEntryLong]! : 0;
        const es = sEntryShort >= 0 ? v[sEntryShort]! : 0;
        const dir = el === 1 ? 1 : es === 1 ? -1 : 0;
        if (dir !== 0) {
          const c = mark[s]!;
          entryStopDist[s] = stopDistance(rules!.stopLoss, v, sStop, c);
          entryTakeDist[s] = stopDistance(rules!.takeProfit, v, sTake, c);
          entryTrailDist[s] = rules!.trailingStop?.kind === 'percent' ? 0 : stopDistance(rules!.trailingStop, v, sTrail, c);
          if (plan.sizing?.kind === 'volatility_target') {
            const vol = v[sVol]! * Math.sqrt(periodsPerYear);
            entrySizeHint[s] = vol > 0 ? Math.min(plan.sizing.maxLeverage ?? 1, plan.sizing.target! / vol) : 0;
          }
          // A configured stop whose distance is not a positive number (e.g. an expression ≤ 0) means no entry.
          const badStop =
            (rules!.stopLoss && rules!.stopLoss.kind !== 'percent' && !(entryStopDist[s]! > 0)) ||
            (rules!.takeProfit && rules!.takeProfit.kind !== 'percent' && !(entryTakeDist[s]! > 0)) ||
            (rules!.trailingStop && rules!.trailingStop.kind !== 'percent' && !(entryTrailDist[s]! > 0));
          if (badStop) {
            L({ seq: 0, ts: D.ts, type: 'Decision', symbol: symbols[s]!, action: 'skip_entry', reason: 'a stop distance is not a positive number' });
          } else {
            pendingEntry[s] = dir;
            decidedAt[s] = D.ts;
            st = transition(st, 'ENTRY_SIGNAL');
            L({ seq: 0, ts: D.ts, type: 'Decision', symbol: symbols[s]!, action: dir > 0 ? 'enter_long' : 'enter_short', reason: 'entry rule' });
          }
        }
      }
      state[si] = st;
    }
  };

  const decidePortfolio = () => {
    const ts = D.ts;
    const due = firstDecision || forceRebalance || rebalanceDue(pf!.rebalance, ts, D.prevTs, D.nextTs);
    if (!due) return;
    forceRebalance = false;
    firstDecision = false;
    const cands: Candidate[] = [];
    for (let si = 0; si < universe.length; si++) {
      if (sigRows[si]! < 0) continue;
      const v = sig.values(si);
      const score = v[sScore]!;
      if (score !== score) continue;
      if (sFilter >= 0 && v[sFilter]! !== 1) continue;
      const vol = sPfVol >= 0 ? v[sPfVol]! : 1;
      if (pf!.weighting.kind === 'inverse_volatility' && !(vol > 0)) continue;
      cands.push({ s: universe[si]!, si, score, vol });
    }
    const { targets, chosen } = targetWeights(cands, pf!, risk, nSym, universe, cashSym);
    pendingTargets = targets;
    D.targetsTs = ts;
    L({ seq: 0, ts, type: 'Decision', symbol: '*', action: 'rebalance', reason: chosen.map((c) => `${symbols[c.s]}=${targets[c.s]!.toFixed(4)}`).join(' ') || 'nothing eligible: all cash' });
  };

  /** `fill: close`: decisions execute at this bar's close (market-on-close). */
  const closeFills = () => {
    const ts = D.ts;
    const rows = stream.rows;
    for (let s = 0; s < nSym; s++) {
      if (rows[s]! < 0) continue;
      const reason = pendingExit[s];
      if (reason !== undefined && pos[s]!.qty !== 0) {
        pendingExit[s] = undefined;
        const q = pos[s]!.qty;
        const w = submit(ts, s, q > 0 ? 'sell' : 'buy', Math.abs(q), 'market', NaN_, reason, decidedAt[s]!);
        const c = mark[s]!;
        applyFill(ts, w, Math.min(w.remaining, participationCap(s, rows[s]!)), q > 0 ? c * (1 - slipRate) : c * (1 + slipRate), c);
        sweepOrders(s);
      }
    }
    for (const s of universe) {
      const dir = pendingEntry[s]!;
      if (dir === 0 || rows[s]! < 0) continue;
      pendingEntry[s] = 0;
      const c = mark[s]!;
      const price = c * (1 + dir * slipRate);
      const qty = sizeEntry(s, price, equityAtMarks());
      if (qty <= 0) continue;
      const w = submit(ts, s, dir > 0 ? 'buy' : 'sell', qty, 'market', NaN_, 'entry');
      applyFill(ts, w, Math.min(qty, participationCap(s, rows[s]!)), price, c);
      sweepOrders(s);
    }
    if (pendingTargets) {
      const targets = pendingTargets;
      pendingTargets = undefined;
      rebalanceTo(targets, (k) => mark[k]!, (w) => {
        const c = mark[w.s]!;
        const q = Math.min(w.remaining, participationCap(w.s, rows[w.s]!), w.side === 'buy' ? affordable(D.cash, c * (1 + slipRate)) : Number.POSITIVE_INFINITY);
        if (q > 0) applyFill(ts, w, q, w.side === 'buy' ? c * (1 + slipRate) : c * (1 - slipRate), c);
        sweepOrders(w.s);
      });
    }
  };

  /**
   * Trades the portfolio to target weights, with the same algorithm at the open and (fill: close)
   * at the close: target quantities in whole lots at `priceOf`, sells first, then buys in universe
   * order (the cash sleeve last) within the cash, skipping changes below the drift threshold.
   * `execute` fills each order as soon as it is sent, so sells fund the buys.
   */
  const rebalanceTo = (targets: Float64Array, priceOf: (s: number) => number, execute: (w: Working) => void) => {
    const ts = D.ts;
    const rows = stream.rows;
    const equity = equityAt(priceOf);
    const want = new Float64Array(nSym);
    for (let s = 0; s < nSym; s++) {
      const w = targets[s]!;
      const price = priceOf(s);
      want[s] = rows[s]! < 0 ? pos[s]!.qty : w > 0 && price > 0 ? wholeLots((w * equity) / (price * (1 + slipRate) * (1 + feeRate))) : 0;
    }
    const drift = pf?.rebalance.driftThreshold ?? 0;
    for (let s = 0; s < nSym; s++) {
      const cur = pos[s]!.qty;
      if (rows[s]! < 0 || want[s]! >= cur) continue;
      if (want[s]! > 0 && ((cur - want[s]!) * priceOf(s)) / equity < drift) continue;
      execute(submit(ts, s, 'sell', cur - want[s]!, 'market', NaN_, 'rebalance', D.targetsTs));
    }
    for (const s of buyOrder) {
      const cur = pos[s]!.qty;
      if (rows[s]! < 0 || want[s]! <= cur) continue;
      const price = priceOf(s);
      if (cur > 0 && ((want[s]! - cur) * price) / equity < drift) continue;
      const qty = Math.min(want[s]! - cur, affordable(D.cash, price * (1 + slipRate)));
      if (qty <= 0) continue;
      execute(submit(ts, s, 'buy', qty, 'market', NaN_, 'rebalance', D.targetsTs));
    }
  };

  // ——— the fold, one step per timestamp ———
  const total = stream.total;
  let lastProgress = 0;
  let done = false;
  const step = (): boolean => {
    if (done) return false;
    if (!stream.next() || stream.ts > to) {
      done = true;
      return false;
    }
    const ts = stream.ts;
    steps++;
    for (let si = 0; si < universe.length; si++) sigRows[si] = stream.rows[universe[si]!]!;
    if (!trading && ts >= from) trading = true;
    D.ts = ts;
    D.nextTs = stream.nextTs > to ? Number.NaN : stream.nextTs;
    if (trading) openPhase();
    sig.clock[0] = ts;
    sig.clock[1] = stream.nextTs;
    sig.step(sigRows, sigColumns);
    closePhase();
    const equity = D.equity;
    if (trading && recordCurve) {
      if (curveLen === curveTs.length) {
        curveTs = grow(curveTs);
        curveEq = grow(curveEq);
        curveCash = grow(curveCash);
        curveExp = grow(curveExp);
      }
      let gross = 0;
      for (let s = 0; s < nSym; s++) if (pos[s]!.qty !== 0) gross += Math.abs(pos[s]!.qty * mark[s]!);
      curveTs[curveLen] = ts;
      curveEq[curveLen] = equity;
      curveCash[curveLen] = D.cash;
      curveExp[curveLen] = equity > 0 ? gross / equity : 0;
      curveLen++;
    }
    D.prevTs = ts;
    if (opts.onProgress && total === total && steps - lastProgress >= 4096) {
      lastProgress = steps;
      opts.onProgress(steps, total);
    }
    return true;
  };

  let result: BacktestResult | undefined;
  const finish = (): BacktestResult => {
    if (result) return result;
    done = true;
    // Orders still working at the end are canceled.
    for (const w of working) {
      L({ seq: 0, ts: D.prevTs, type: 'OrderCanceled', schema: 'order/v1', clientOrderId: w.id, reason: 'end of data' });
      finishOrder(w, w.filled > 0 ? 'PARTIALLY_FILLED' : 'CANCELED');
    }
    working.length = 0;
    const finalEquity = equityAtMarks();
    const openPositions: OpenPosition[] = [];
    for (let s = 0; s < nSym; s++) {
      const p = pos[s]!;
      if (p.qty !== 0) openPositions.push({ symbol: symbols[s]!, qty: p.qty, avgPrice: p.avg, entryTs: p.entryTs, markPrice: mark[s]! });
    }
    result = {
      curve: { ts: curveTs.subarray(0, curveLen), equity: curveEq.subarray(0, curveLen), cash: curveCash.subarray(0, curveLen), exposure: curveExp.subarray(0, curveLen), length: curveLen },
      trades,
      fills,
      orders,
      log,
      openPositions,
      symbols,
      initialCash,
      finalEquity,
      steps,
    };
    return result;
  };

  const positions = (): ReadonlyMap<string, number> => {
    const out = new Map<string, number>();
    for (let s = 0; s < nSym; s++) if (pos[s]!.qty !== 0) out.set(symbols[s]!, pos[s]!.qty);
    return out;
  };
  return { step, finish, log, positions };
}

function stopDistance(stop: PlanStop | undefined, v: Float64Array, slot: number, close: number): number {
  if (!stop) return 0;
  if (stop.kind === 'percent') return close * stop.value!;
  const x = slot >= 0 ? v[slot]! : NaN_;
  if (!(x > 0)) return 0;
  return stop.kind === 'atr' ? stop.multiple! * x : x;
}

function newPos(): Pos {
  return { qty: 0, avg: 0, entryTs: 0, bars: 0, fees: 0, slippage: 0, realized: 0, boughtQty: 0, boughtCost: 0, stop: NaN_, take: NaN_, trail: NaN_, trailDist: 0, trailPct: 0 };
}


function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(Math.max(16, a.length * 2));
  b.set(a);
  return b;
}

/** Bars per year used to annualise: 252 for daily equities, 365 for daily crypto, else by clock time. */
export function periodsPerYearOf(plan: Plan): number {
  const tf = plan.timeframes.base;
  const crypto = plan.universe.some((s) => s.includes('/'));
  const m = /^(\d+)(m|h|d|w|M)$/.exec(tf)!;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'd':
      return (crypto ? 365 : 252) / n;
    case 'w':
      return 52 / n;
    case 'M':
      return 12 / n;
    case 'h':
      return crypto ? (365 * 24) / n : (252 * 6.5) / n;
    default:
      return crypto ? (365 * 24 * 60) / n : (252 * 390) / n;
  }
}
