import type { AmendOrder, SubmitOrder } from '@strata/contract';
import { fmtBps, fmtNum, fmtPrice } from './format.js';
import type { OrderKernelConfig, PreTradeControls, PretradeRejectCode } from './types.js';
import { SlidingWindow } from './window.js';

/** A refusal: the code and a message that says the numbers. */
export interface Refusal {
  readonly code: PretradeRejectCode;
  readonly reason: string;
}

/** A submit remembered for duplicate suppression. */
export interface RecentSubmit {
  readonly ts: number;
  readonly m: SubmitOrder;
}

/**
 * Everything the kernel keeps per symbol, behind one map lookup: the last prices (NaN when
 * unknown), the per-symbol throttle window, the recent submits (duplicate suppression) and the
 * cancel/replace guard per side.
 */
export interface SymbolState {
  readonly symbol: string;
  last: number;
  bid: number;
  ask: number;
  sent: SlidingWindow | undefined;
  /** Submits sent within the duplicate window, oldest first. */
  recent: RecentSubmit[];
  lastCancelBuy: number;
  lastCancelSell: number;
  replacesBuy: SlidingWindow | undefined;
  replacesSell: SlidingWindow | undefined;
}

export function newSymbolState(symbol: string): SymbolState {
  return { symbol, last: Number.NaN, bid: Number.NaN, ask: Number.NaN, sent: undefined, recent: [], lastCancelBuy: Number.NaN, lastCancelSell: Number.NaN, replacesBuy: undefined, replacesSell: undefined };
}

/** The reference price for collars and notional: mid when bid and ask are known, else last; NaN when neither. */
export function refPrice(s: SymbolState | undefined): number {
  if (s === undefined) return Number.NaN;
  if (s.bid === s.bid && s.ask === s.ask) return (s.bid + s.ask) / 2;
  return s.last;
}

function refKind(s: SymbolState): 'mid' | 'last' {
  return s.bid === s.bid && s.ask === s.ask ? 'mid' : 'last';
}

/**
 * The pre-trade controls. `check*` never mutates; `record*` is called only once a command is
 * actually sent, so a refused command leaves no trace in any window.
 */
export class Controls {
  readonly c: PreTradeControls;
  global: SlidingWindow | undefined;
  cancels: SlidingWindow | undefined;

  constructor(readonly config: OrderKernelConfig) {
    this.c = config.controls;
    const t = this.c.throttle;
    if (t?.global) this.global = new SlidingWindow(t.global.limit, t.global.windowMs);
    if (t?.cancels) this.cancels = new SlidingWindow(t.cancels.limit, t.cancels.windowMs);
  }

  /** Venue capabilities: unsupported order types, TIFs, brackets and OCO fail fast. */
  checkCapabilities(m: SubmitOrder): Refusal | undefined {
    const cap = this.config.venue.capabilities;
    const venue = this.config.venue.id;
    if (!cap.orderTypes.includes(m.orderType)) return { code: 'unsupported_order_type', reason: `venue ${venue} does not support ${m.orderType} orders (supported: ${cap.orderTypes.join(', ')})` };
    if (!cap.timeInForce.includes(m.timeInForce)) return { code: 'unsupported_time_in_force', reason: `venue ${venue} does not support time in force ${m.timeInForce} (supported: ${cap.timeInForce.join(', ')})` };
    if (m.bracket !== undefined && !cap.bracket) return { code: 'unsupported_bracket', reason: `venue ${venue} has no native bracket orders; send the take-profit and stop-loss as separate orders` };
    if (m.ocoGroup !== undefined && !cap.oco) return { code: 'unsupported_oco', reason: `venue ${venue} has no native one-cancels-other groups (ocoGroup ${m.ocoGroup})` };
    return undefined;
  }

  /** Size and price: max qty, price collar (limit and stop prices) vs the reference, max notional. */
  checkPriceAndSize(symbol: string, qty: number, limitPrice: number | undefined, stopPrice: number | undefined, s: SymbolState | undefined): Refusal | undefined {
    const c = this.c;
    if (c.maxQty !== undefined && qty > c.maxQty) return { code: 'max_qty', reason: `qty ${fmtNum(qty)} exceeds max qty ${fmtNum(c.maxQty)}` };
    const collar = c.priceCollarBps;
    if (collar === undefined && c.maxNotional === undefined) return undefined;
    const ref = refPrice(s);
    if (collar !== undefined) {
      if (ref !== ref) {
        if ((c.requireReference ?? true) && (limitPrice !== undefined || stopPrice !== undefined)) return { code: 'no_reference_price', reason: `no reference price for ${symbol} yet (no bid/ask or last): the ${collar} bps price collar cannot be checked` };
      } else {
        if (limitPrice !== undefined && outside(limitPrice, ref, collar)) return collarRefusal('limit', limitPrice, ref, refKind(s!), collar);
        if (stopPrice !== undefined && outside(stopPrice, ref, collar)) return collarRefusal('stop', stopPrice, ref, refKind(s!), collar);
      }
    }
    if (c.maxNotional !== undefined) {
      const price = limitPrice ?? ref;
      if (price !== price) return { code: 'no_reference_price', reason: `no reference price for ${symbol} yet (no bid/ask or last) and no limit price: max notional ${fmtNum(c.maxNotional)} cannot be checked` };
      const notional = qty * price;
      if (notional > c.maxNotional) {
        return { code: 'max_notional', reason: `notional ${fmtNum(notional)} (qty ${fmtNum(qty)} × ${limitPrice !== undefined ? 'limit' : refKind(s!)} ${fmtPrice(price)}) exceeds max notional ${fmtNum(c.maxNotional)}` };
      }
    }
    return undefined;
  }

  /** Duplicate suppression: the same order (symbol, side, qty, type, prices) under another clientOrderId within the window. */
  checkDuplicate(m: SubmitOrder, s: SymbolState | undefined, now: number): Refusal | undefined {
    const w = this.c.duplicateWindowMs;
    if (w === undefined || s === undefined) return undefined;
    const r = s.recent;
    for (let i = r.length - 1; i >= 0; i--) {
      const e = r[i]!;
      if (e.ts <= now - w) break;
      const p = e.m;
      if (p.side === m.side && p.qty === m.qty && p.orderType === m.orderType && p.limitPrice === m.limitPrice && p.stopPrice === m.stopPrice && p.trailingOffsetBps === m.trailingOffsetBps) {
        return { code: 'duplicate_order', reason: `same ${m.symbol} ${m.side} ${fmtNum(m.qty)} ${m.orderType}${priceText(m)} as ${p.clientOrderId} sent ${now - e.ts} ms ago; duplicate window is ${w} ms` };
      }
    }
    return undefined;
  }

  /** Cancel/replace guard for a new submit that follows an upstream cancel on the same symbol and side. */
  checkReplace(m: SubmitOrder, s: SymbolState | undefined, now: number): Refusal | undefined {
    const g = this.c.amendLoop;
    if (g === undefined || s === undefined || !isReplace(s, m.side, now, g.windowMs)) return undefined;
    const w = m.side === 'buy' ? s.replacesBuy : s.replacesSell;
    if (w !== undefined && !w.allows(now)) return { code: 'cancel_replace_loop', reason: `${w.inWindow(now)} cancel-replaces of ${m.symbol} ${m.side} within ${g.windowMs} ms; the guard allows ${g.maxAmends} per ${g.windowMs} ms` };
    return undefined;
  }

  /** Message-rate throttles for new orders and amends: global, then per symbol. */
  checkThrottle(symbol: string, s: SymbolState | undefined, now: number): Refusal | undefined {
    const g = this.global;
    if (g !== undefined && !g.allows(now)) return { code: 'throttle_global', reason: `${g.inWindow(now)} orders and amends in the last ${g.windowMs} ms; the limit is ${g.limit} per ${g.windowMs} ms` };
    const w = s?.sent;
    if (w !== undefined && !w.allows(now)) return { code: 'throttle_symbol', reason: `${w.inWindow(now)} orders and amends for ${symbol} in the last ${w.windowMs} ms; the limit is ${w.limit} per ${w.windowMs} ms` };
    return undefined;
  }

  checkCancelThrottle(now: number): Refusal | undefined {
    const w = this.cancels;
    if (w !== undefined && !w.allows(now)) return { code: 'throttle_cancels', reason: `CancelOrder refused: ${w.inWindow(now)} cancels in the last ${w.windowMs} ms; the limit is ${w.limit} per ${w.windowMs} ms` };
    return undefined;
  }

  /** Records a submit that was sent. */
  recordSubmit(m: SubmitOrder, s: SymbolState, now: number): void {
    this.recordRate(s, now);
    const w = this.c.duplicateWindowMs;
    if (w !== undefined) {
      const r = s.recent;
      while (r.length > 0 && r[0]!.ts <= now - w) r.shift();
      r.push({ ts: now, m });
    }
    const g = this.c.amendLoop;
    if (g !== undefined && isReplace(s, m.side, now, g.windowMs)) {
      if (m.side === 'buy') (s.replacesBuy ??= new SlidingWindow(g.maxAmends, g.windowMs)).record(now);
      else (s.replacesSell ??= new SlidingWindow(g.maxAmends, g.windowMs)).record(now);
    }
  }

  /** Records a new order or an amend that was sent (global and per-symbol windows). */
  recordRate(s: SymbolState, now: number): void {
    this.global?.record(now);
    const t = this.c.throttle?.perSymbol;
    if (t !== undefined) (s.sent ??= new SlidingWindow(t.limit, t.windowMs)).record(now);
  }

  /** Records a cancel that was sent; `upstream` cancels (not the kernel's own) arm the cancel/replace guard. */
  recordCancel(s: SymbolState, side: 'buy' | 'sell', now: number, upstream: boolean): void {
    this.cancels?.record(now);
    if (upstream && this.c.amendLoop !== undefined) {
      if (side === 'buy') s.lastCancelBuy = now;
      else s.lastCancelSell = now;
    }
  }
}

/** Amend checks: the new price and size go through the same collar, qty and notional controls. */
export function amendPriceAndSize(controls: Controls, symbol: string, m: AmendOrder, qty: number, limitPrice: number | undefined, stopPrice: number | undefined, s: SymbolState | undefined): Refusal | undefined {
  const r = controls.checkPriceAndSize(symbol, m.qty ?? qty, m.limitPrice ?? limitPrice, m.stopPrice ?? stopPrice, s);
  return r === undefined ? undefined : { code: 'amend_refused', reason: `AmendOrder refused by ${r.code}: ${r.reason}` };
}

function isReplace(s: SymbolState, side: 'buy' | 'sell', now: number, windowMs: number): boolean {
  const t = side === 'buy' ? s.lastCancelBuy : s.lastCancelSell;
  return t > now - windowMs; // false for NaN (no cancel yet)
}

function outside(price: number, ref: number, collar: number): boolean {
  return (Math.abs(price - ref) / ref) * 10_000 > collar + 1e-9;
}

function collarRefusal(what: 'limit' | 'stop', price: number, ref: number, kind: 'mid' | 'last', collar: number): Refusal {
  const bps = (Math.abs(price - ref) / ref) * 10_000;
  return { code: 'price_collar', reason: `${what} ${fmtPrice(price)} is ${fmtBps(bps)} bps from ${kind} ${fmtPrice(ref)}; collar is ${collar} bps` };
}

function priceText(m: SubmitOrder): string {
  return (m.limitPrice !== undefined ? ` limit ${fmtPrice(m.limitPrice)}` : '') + (m.stopPrice !== undefined ? ` stop ${fmtPrice(m.stopPrice)}` : '') + (m.trailingOffsetBps !== undefined ? ` trailing ${m.trailingOffsetBps} bps` : '');
}
