import { ORDER_SCHEMA, type AmendOrder, type CancelAll, type CancelOrder, type Message, type OrderEvent, type OrderRejected, type OrderSubmitted, type SubmitOrder, type TimeInForce } from '@strata/contract';
import { applyInPlace, inputOf, isTerminal, NO_FILLS, ORDER_TRANSITIONS, OrderStateError, type OrderRecord, type OrderView } from '../fsm.js';
import { checkInput } from './check-input.js';
import { amendPriceAndSize, Controls, newSymbolState, refPrice, type Refusal, type SymbolState } from './controls.js';
import { OrderKernelError } from './errors.js';
import { normalizeSubmit, payloadDiff } from './payload.js';
import { TimerQueue, type TimerEntry } from './timer-queue.js';
import type { AlgoSnapshot, ControlInput, KernelInput, KernelOutput, OrderKernelConfig, OrderKernelSnapshot, OrderLogRecord, OrderSnapshot, SymbolSnapshot, Timer } from './types.js';
import { SlidingWindow } from './window.js';

const DAY_MS = 86_400_000;
const SNAPSHOT_FORMAT = 'strata.order-kernel.snapshot/v1';

/** The kernel's mutable order: the fsm record plus what the controls and timers need. */
interface KOrder extends OrderRecord {
  readonly submit: SubmitOrder;
  readonly orderType: SubmitOrder['orderType'];
  timeInForce: TimeInForce;
  expireAt: number | undefined;
  limitPrice: number | undefined;
  stopPrice: number | undefined;
  readonly parentId: string | undefined;
  amends: SlidingWindow | undefined;
  deadline: TimerEntry | undefined;
  heartbeat: TimerEntry | undefined;
  /** The working list (intrusive, doubly linked: O(1) add and remove, submission order, no hashing). */
  prev: KOrder | undefined;
  next: KOrder | undefined;
  inWorking: boolean;
}

/** Open orders in submission order. */
class WorkingList {
  head: KOrder | undefined = undefined;
  tail: KOrder | undefined = undefined;

  add(o: KOrder): void {
    if (o.inWorking) return;
    o.inWorking = true;
    o.prev = this.tail;
    o.next = undefined;
    if (this.tail === undefined) this.head = o;
    else this.tail.next = o;
    this.tail = o;
  }

  remove(o: KOrder): void {
    if (!o.inWorking) return;
    o.inWorking = false;
    if (o.prev === undefined) this.head = o.next;
    else o.prev.next = o.next;
    if (o.next === undefined) this.tail = o.prev;
    else o.next.prev = o.prev;
    o.prev = undefined;
    o.next = undefined;
  }
}

interface Algo {
  readonly parentId: string;
  readonly algo: 'twap' | 'vwap';
  readonly child: SubmitOrder;
  readonly sliceQty: readonly number[];
  readonly everyMs: number;
  sent: number;
  timer: TimerEntry | undefined;
}

type LogKind = OrderLogRecord['kind'];

/**
 * The order kernel: a deterministic step function over order/v1 commands, venue events and control
 * inputs. `step(input)` validates the input (ContractError when it breaks the contract), decides,
 * updates the kernel's state and returns the outputs, in this order: every `log` record of the
 * step first (gap-free `n`), then the `venue` commands, `event`s, `duplicate`s and `conflict`s they
 * record. A step that throws (ContractError, OrderStateError) changes nothing.
 *
 * Time is the inputs' `tsEvent`: the kernel's clock is the largest tsEvent seen so far (an input
 * stamped earlier is handled at the kernel's current time). Timers are evaluated at the end of
 * every step, after the input itself: every timer due at or before the clock fires, in
 * (dueAt, seq) order; a `Clock` input does nothing else.
 *
 * The returned array is fresh for each step and owned by the caller; the message objects in it are
 * shared with the kernel's log (an upstream command is forwarded to the venue as the same object):
 * treat them as immutable.
 */
export class OrderKernel {
  private readonly controls: Controls;
  private readonly byId = new Map<string, KOrder>();
  /** Orders still open (SUBMITTED … CANCEL_PENDING), in submission order. */
  private readonly working = new WorkingList();
  private readonly symbols = new Map<string, SymbolState>();
  private readonly timers = new TimerQueue();
  private readonly algos = new Map<string, Algo>();
  private readonly dayEnd: (ts: number) => number;
  private now = 0;
  private logN = 0;
  private seq = 0;
  private timerSeq = 0;
  private killEngaged = false;
  private killReason = '';
  private readonly retain: number;
  /** clientOrderIds of finished orders, in the order they finished, from `finishedHead`. */
  private finished: string[] = [];
  private finishedHead = 0;
  private out: KernelOutput[] = [];
  /** Effects of the current step, appended after its log records. */
  private readonly fx: KernelOutput[] = [];

  constructor(
    readonly config: OrderKernelConfig,
    snapshot?: OrderKernelSnapshot,
  ) {
    checkConfig(config);
    this.controls = new Controls(config);
    this.dayEnd = config.dayEnd ?? ((ts) => Math.floor(ts / DAY_MS) * DAY_MS + DAY_MS);
    this.retain = config.retainTerminalOrders ?? 100_000;
    if (snapshot !== undefined) this.restore(snapshot);
  }

  /** Rebuilds a kernel from its order log (records from n = 0, gap-free), checking that every decision it logged is the one it makes again. */
  static replay(config: OrderKernelConfig, records: readonly OrderLogRecord[]): OrderKernel {
    const k = new OrderKernel(config);
    let i = 0;
    while (i < records.length) {
      const r = records[i]!;
      if (r.n !== i) throw new OrderKernelError('replay_mismatch', `log record ${i} has n = ${r.n}: the log must be gap-free from 0`);
      if (r.kind !== 'input') throw new OrderKernelError('replay_mismatch', `log record ${r.n} is a ${r.kind} record where the next input was expected`);
      const outs = k.step(r.message);
      for (const o of outs) {
        if (o.kind !== 'log') continue;
        const logged = records[i];
        if (logged === undefined) throw new OrderKernelError('replay_mismatch', `the log ends inside the step of input ${r.n}: the kernel also decides ${o.record.kind} n = ${o.record.n}`);
        if (!sameRecord(logged, o.record)) {
          throw new OrderKernelError('replay_mismatch', `log record ${logged.n} (${logged.kind} ${logged.message.type}) differs from what the kernel decides again (${o.record.kind} ${o.record.message.type}): was the configuration changed?`);
        }
        i++;
      }
    }
    return k;
  }

  /** One input → its outputs. See the class comment for the ordering and atomicity guarantees. */
  step(input: KernelInput): readonly KernelOutput[] {
    const m = checkInput(input);
    const now = m.tsEvent > this.now ? m.tsEvent : this.now;
    const out: KernelOutput[] = [];
    this.out = out;
    const fx = this.fx;
    const n0 = this.logN;
    const s0 = this.seq;
    try {
      this.dispatch(m, now);
    } catch (e) {
      // Every handler checks before it writes; the counters are restored for the log records it may have numbered.
      this.logN = n0;
      this.seq = s0;
      fx.length = 0;
      throw e;
    }
    this.now = now;
    if (this.timers.size > 0) this.fireTimers(now);
    for (let i = 0; i < fx.length; i++) out.push(fx[i]!);
    fx.length = 0;
    return out;
  }

  /** The order as a read-only view (a copy), or undefined. */
  order(clientOrderId: string): OrderView | undefined {
    const o = this.byId.get(clientOrderId);
    return o === undefined ? undefined : viewOf(o);
  }

  /** Every order the kernel holds (open and done), in submission order. */
  orders(): OrderView[] {
    const out: OrderView[] = [];
    for (const o of this.byId.values()) out.push(viewOf(o));
    return out;
  }

  /** Orders still open (SUBMITTED, ACCEPTED, PARTIALLY_FILLED, CANCEL_PENDING), in submission order. */
  openOrders(): OrderView[] {
    const out: OrderView[] = [];
    for (let o = this.working.head; o !== undefined; o = o.next) out.push(viewOf(o));
    return out;
  }

  get killSwitchEngaged(): boolean {
    return this.killEngaged;
  }

  // ——— dispatch ———

  private dispatch(m: KernelInput, now: number): void {
    switch (m.type) {
      case 'SubmitOrder':
        return this.onSubmit(m, now);
      case 'CancelOrder':
        return this.onCancel(m, now);
      case 'AmendOrder':
        return this.onAmend(m, now);
      case 'CancelAll':
        return this.onCancelAll(m, now);
      case 'OrderSubmitted':
      case 'OrderAccepted':
      case 'OrderRejected':
      case 'OrderFilled':
      case 'OrderCanceled':
      case 'OrderExpired':
      case 'OrderAmended':
        return this.onVenueEvent(m, now);
      case 'MarketUpdate':
        return this.onMarket(m, now);
      case 'Clock':
        this.log('input', m, now);
        return;
      case 'KillSwitch':
        return this.onKillSwitch(m, now);
      case 'StartAlgo':
        return this.onStartAlgo(m, now);
      case 'Requote':
        return this.onRequote(m, now);
    }
  }

  private log(kind: LogKind, message: KernelInput, now: number): void {
    this.out.push({ kind: 'log', record: { n: this.logN++, tsEvent: now, kind, message } });
  }

  // ——— commands ———

  private onSubmit(m: SubmitOrder, now: number): void {
    const prev = this.byId.get(m.clientOrderId);
    this.log('input', m, now);
    if (prev === undefined) {
      this.place(m, now, undefined);
      return;
    }
    const diff = payloadDiff(prev.submit, m);
    if (diff.length === 0) {
      this.fx.push({ kind: 'duplicate', clientOrderId: m.clientOrderId, order: viewOf(prev) });
    } else {
      this.conflict(m, `clientOrderId ${m.clientOrderId} is already used by a different order (${prev.state}): ${diff.join('; ')}`, now);
    }
  }

  private conflict(m: SubmitOrder, detail: string, now: number): void {
    this.out.push({ kind: 'log', record: { n: this.logN++, tsEvent: now, kind: 'conflict', message: m, detail } });
    this.fx.push({ kind: 'conflict', clientOrderId: m.clientOrderId, message: detail });
  }

  /** A new order: controls, then either a rejection or [venue SubmitOrder, OrderSubmitted]. */
  private place(m: SubmitOrder, now: number, parentId: string | undefined): void {
    const s = this.symbols.get(m.symbol);
    const refusal = this.checkSubmit(m, s, now);
    const o = newKOrder(m, parentId);
    this.byId.set(m.clientOrderId, o);
    if (refusal !== undefined) {
      o.state = 'REJECTED';
      this.reject(o.clientOrderId, refusal, now);
      this.retire(o);
      return;
    }
    this.controls.recordSubmit(m, s ?? this.symbol(m.symbol), now);
    const ev: OrderSubmitted = { schema: ORDER_SCHEMA, type: 'OrderSubmitted', clientOrderId: m.clientOrderId, tsEvent: now, seq: this.seq++, symbol: m.symbol };
    o.state = 'SUBMITTED';
    this.working.add(o);
    this.log('venue', m, now);
    this.log('event', ev, now);
    this.fx.push({ kind: 'venue', command: m });
    this.fx.push({ kind: 'event', event: ev });
    if (m.timeInForce === 'gtd' || m.timeInForce === 'day') this.scheduleDeadline(o, now);
  }

  /** Pre-trade checks of a new order, in this order: venue capabilities, kill switch, qty, price collar, notional, duplicate, cancel/replace guard, throttles. */
  private checkSubmit(m: SubmitOrder, s: SymbolState | undefined, now: number): Refusal | undefined {
    const c = this.controls;
    return (
      c.checkCapabilities(m) ??
      (this.killEngaged ? { code: 'kill_switch', reason: `kill switch engaged: ${this.killReason}` } : undefined) ??
      c.checkPriceAndSize(m.symbol, m.qty, m.limitPrice, m.stopPrice, s) ??
      c.checkDuplicate(m, s, now) ??
      c.checkReplace(m, s, now) ??
      c.checkThrottle(m.symbol, s, now)
    );
  }

  private symbol(symbol: string): SymbolState {
    let s = this.symbols.get(symbol);
    if (s === undefined) this.symbols.set(symbol, (s = newSymbolState(symbol)));
    return s;
  }

  /** An OrderRejected for `clientOrderId` (the order's own rejection, or a command's). */
  private reject(clientOrderId: string, r: Refusal, now: number): void {
    const ev: OrderRejected = { schema: ORDER_SCHEMA, type: 'OrderRejected', clientOrderId, tsEvent: now, seq: this.seq++, code: r.code, reason: r.reason.length > 500 ? `${r.reason.slice(0, 499)}…` : r.reason };
    this.log('reject', ev, now);
    this.fx.push({ kind: 'event', event: ev });
  }

  private onCancel(m: CancelOrder, now: number): void {
    const o = this.byId.get(m.clientOrderId);
    if (o === undefined) throw new OrderStateError('NONE', 'CancelRequested', `no order ${m.clientOrderId}: CancelOrder for an unknown clientOrderId`);
    const next = ORDER_TRANSITIONS[o.state].CancelRequested;
    if (next === undefined) throw new OrderStateError(o.state, 'CancelRequested', `cannot cancel ${o.clientOrderId}: it is ${o.state}`);
    this.log('input', m, now);
    const r = this.controls.checkCancelThrottle(now);
    if (r !== undefined) {
      this.reject(o.clientOrderId, r, now);
      return;
    }
    this.controls.recordCancel(this.symbol(o.symbol), o.side, now, true);
    o.state = next;
    this.log('venue', m, now);
    this.fx.push({ kind: 'venue', command: m });
  }

  private onAmend(m: AmendOrder, now: number): void {
    const o = this.byId.get(m.clientOrderId);
    if (o === undefined) throw new OrderStateError('NONE', 'AmendRequested', `no order ${m.clientOrderId}: AmendOrder for an unknown clientOrderId`);
    if (ORDER_TRANSITIONS[o.state].AmendRequested === undefined) throw new OrderStateError(o.state, 'AmendRequested', `cannot amend ${o.clientOrderId}: it is ${o.state}`);
    if (m.qty !== undefined && m.qty <= o.filledQty) throw new OrderStateError(o.state, 'AmendRequested', `cannot amend ${o.clientOrderId} to qty ${m.qty}: ${o.filledQty} is already filled`);
    if (m.limitPrice !== undefined && o.orderType !== 'limit' && o.orderType !== 'stop_limit') throw new OrderStateError(o.state, 'AmendRequested', `cannot set a limit price on ${o.clientOrderId}: it is a ${o.orderType} order`);
    if (m.stopPrice !== undefined && o.orderType !== 'stop' && o.orderType !== 'stop_limit') throw new OrderStateError(o.state, 'AmendRequested', `cannot set a stop price on ${o.clientOrderId}: it is a ${o.orderType} order`);
    this.log('input', m, now);
    const r = this.checkAmend(o, m, now);
    if (r !== undefined) this.reject(o.clientOrderId, r, now);
    else this.sendAmend(o, m, now);
  }

  private checkAmend(o: KOrder, m: AmendOrder, now: number): Refusal | undefined {
    const venue = this.config.venue;
    if (!venue.capabilities.amend) return { code: 'unsupported_amend', reason: `venue ${venue.id} cannot amend orders in place: cancel ${o.clientOrderId} and submit a new order` };
    const g = this.controls.c.amendLoop;
    if (g !== undefined && o.amends !== undefined && !o.amends.allows(now)) {
      return { code: 'amend_loop', reason: `${o.amends.inWindow(now)} amends of ${o.clientOrderId} within ${g.windowMs} ms; the guard allows ${g.maxAmends} per ${g.windowMs} ms` };
    }
    if (m.timeInForce !== undefined && !venue.capabilities.timeInForce.includes(m.timeInForce)) {
      return { code: 'amend_refused', reason: `AmendOrder refused by unsupported_time_in_force: venue ${venue.id} does not support time in force ${m.timeInForce}` };
    }
    const s = this.symbols.get(o.symbol);
    const r = amendPriceAndSize(this.controls, o.symbol, m, o.qty, o.limitPrice, o.stopPrice, s);
    if (r !== undefined) return r;
    const t = this.controls.checkThrottle(o.symbol, s, now);
    return t === undefined ? undefined : { code: 'amend_refused', reason: `AmendOrder refused by ${t.code}: ${t.reason}` };
  }

  private sendAmend(o: KOrder, m: AmendOrder, now: number): void {
    const g = this.controls.c.amendLoop;
    if (g !== undefined) (o.amends ??= new SlidingWindow(g.maxAmends, g.windowMs)).record(now);
    this.controls.recordRate(this.symbol(o.symbol), now);
    o.state = ORDER_TRANSITIONS[o.state].AmendRequested!;
    this.log('venue', m, now);
    this.fx.push({ kind: 'venue', command: m });
  }

  private onCancelAll(m: CancelAll, now: number): void {
    this.log('input', m, now);
    const why = `CancelAll ${m.clientOrderId}${m.reason !== undefined ? `: ${m.reason}` : ''}`;
    this.cancelWorking(m.symbol, why, now);
  }

  /** One CancelOrder per working order (of `symbol`, when given) that can be cancelled. Never throttled. */
  private cancelWorking(symbol: string | undefined, why: string, now: number): void {
    const reason = why.length > 200 ? `${why.slice(0, 199)}…` : why;
    for (let o = this.working.head; o !== undefined; o = o.next) {
      if (symbol !== undefined && o.symbol !== symbol) continue;
      const next = ORDER_TRANSITIONS[o.state].CancelRequested;
      if (next === undefined) continue; // already cancelling
      const cmd: CancelOrder = { schema: ORDER_SCHEMA, type: 'CancelOrder', clientOrderId: o.clientOrderId, tsEvent: now, seq: this.seq++, reason };
      this.controls.recordCancel(this.symbol(o.symbol), o.side, now, false);
      o.state = next;
      this.log('venue', cmd, now);
      this.fx.push({ kind: 'venue', command: cmd });
    }
  }

  // ——— venue events ———

  private onVenueEvent(m: OrderEvent, now: number): void {
    const o = this.byId.get(m.clientOrderId);
    if (o === undefined) throw new OrderStateError('NONE', inputOf(m, undefined), `no order ${m.clientOrderId}: ${m.type} for an unknown clientOrderId`);
    if (m.type === 'OrderFilled' && (m.symbol !== o.symbol || m.side !== o.side)) {
      throw new OrderStateError(o.state, 'PartialFill', `fill ${m.fillId} is ${m.symbol} ${m.side} but order ${o.clientOrderId} is ${o.symbol} ${o.side}`);
    }
    const wasOpen = !isTerminal(o.state);
    const changed = applyInPlace(o, m); // checks before it writes
    this.log('input', m, now);
    if (!changed) return; // a duplicate fill report: logged, not forwarded, nothing counted twice
    if (m.type === 'OrderAmended') this.amended(o, m, now);
    if (wasOpen && isTerminal(o.state)) this.end(o);
    this.fx.push({ kind: 'event', event: m });
  }

  private amended(o: KOrder, m: Extract<Message, { type: 'OrderAmended' }>, now: number): void {
    if (m.limitPrice !== undefined) o.limitPrice = m.limitPrice;
    if (m.stopPrice !== undefined) o.stopPrice = m.stopPrice;
    if (m.timeInForce !== undefined || m.expireAt !== undefined) {
      if (m.timeInForce !== undefined) o.timeInForce = m.timeInForce;
      o.expireAt = o.timeInForce === 'gtd' ? (m.expireAt ?? o.expireAt) : undefined;
      if (o.deadline !== undefined) this.timers.cancel(o.deadline);
      o.deadline = undefined;
      if (o.timeInForce === 'gtd' || o.timeInForce === 'day') this.scheduleDeadline(o, now);
    }
  }

  /** The order is done: it leaves the working set and its timers are cancelled. */
  private end(o: KOrder): void {
    this.working.remove(o);
    if (o.deadline !== undefined) this.timers.cancel(o.deadline);
    if (o.heartbeat !== undefined) this.timers.cancel(o.heartbeat);
    o.deadline = undefined;
    o.heartbeat = undefined;
    this.retire(o);
  }

  /** A finished order is kept until `retainTerminalOrders` newer ones have finished. */
  private retire(o: KOrder): void {
    this.finished.push(o.clientOrderId);
    if (this.finished.length - this.finishedHead > this.retain) {
      this.byId.delete(this.finished[this.finishedHead++]!);
      if (this.finishedHead > 4096 && this.finishedHead * 2 > this.finished.length) {
        this.finished = this.finished.slice(this.finishedHead);
        this.finishedHead = 0;
      }
    }
  }

  // ——— control inputs ———

  private onMarket(m: Extract<ControlInput, { type: 'MarketUpdate' }>, now: number): void {
    this.log('input', m, now);
    const q = this.symbol(m.symbol);
    if (m.last !== undefined) q.last = m.last;
    if (m.bid !== undefined) q.bid = m.bid;
    if (m.ask !== undefined) q.ask = m.ask;
  }

  private onKillSwitch(m: Extract<ControlInput, { type: 'KillSwitch' }>, now: number): void {
    this.log('input', m, now);
    this.killEngaged = m.engaged;
    this.killReason = m.engaged ? m.reason : '';
    if (m.cancelAll) this.cancelWorking(undefined, `kill switch: ${m.reason}`, now);
  }

  private onStartAlgo(m: Extract<ControlInput, { type: 'StartAlgo' }>, now: number): void {
    this.log('input', m, now);
    const child = normalizeSubmit({ ...m.child, clientOrderId: m.parentId, tsEvent: m.tsEvent, seq: 0 });
    if (this.algos.has(m.parentId)) {
      this.conflict(child, `algo ${m.parentId} already exists`, now);
      return;
    }
    const weights = m.profile ?? new Array<number>(m.slices).fill(1);
    let sum = 0;
    for (const w of weights) sum += w;
    const sliceQty: number[] = [];
    let planned = 0;
    for (let i = 0; i < m.slices - 1; i++) {
      let q = (m.child.qty * weights[i]!) / sum;
      if (m.lotSize !== undefined) q = Math.floor(q / m.lotSize + 1e-9) * m.lotSize;
      sliceQty.push(q);
      planned += q;
    }
    sliceQty.push(Math.max(0, m.child.qty - planned)); // the last slice takes the remainder
    const a: Algo = { parentId: m.parentId, algo: m.algo, child, sliceQty, everyMs: m.everyMs, sent: 0, timer: undefined };
    this.algos.set(m.parentId, a);
    a.timer = this.schedule({ kind: 'interval', dueAt: now, parentId: m.parentId, everyMs: m.everyMs });
  }

  private onRequote(m: Extract<ControlInput, { type: 'Requote' }>, now: number): void {
    const o = this.byId.get(m.clientOrderId);
    if (o === undefined) throw new OrderStateError('NONE', 'AmendRequested', `no order ${m.clientOrderId}: Requote for an unknown clientOrderId`);
    if (isTerminal(o.state)) throw new OrderStateError(o.state, 'AmendRequested', `cannot re-quote ${o.clientOrderId}: it is ${o.state}`);
    if (o.orderType !== 'limit') throw new OrderStateError(o.state, 'AmendRequested', `cannot re-quote ${o.clientOrderId}: re-quoting moves a limit price, and it is a ${o.orderType} order`);
    this.log('input', m, now);
    const venue = this.config.venue;
    if (!venue.capabilities.amend) {
      this.reject(o.clientOrderId, { code: 'unsupported_amend', reason: `venue ${venue.id} cannot amend orders in place: re-quoting ${o.clientOrderId} needs amend` }, now);
      return;
    }
    if (o.heartbeat !== undefined) this.timers.cancel(o.heartbeat);
    o.heartbeat = this.schedule({ kind: 'heartbeat', dueAt: now + m.everyMs, clientOrderId: o.clientOrderId, everyMs: m.everyMs, offsetBps: m.offsetBps });
  }

  // ——— timers ———

  private schedule(timer: Timer): TimerEntry {
    const e: TimerEntry = { timer, seq: this.timerSeq++, live: true };
    this.timers.push(e);
    return e;
  }

  private scheduleDeadline(o: KOrder, now: number): void {
    const dueAt = o.timeInForce === 'gtd' ? o.expireAt! : this.dayEnd(now);
    o.deadline = this.schedule({ kind: 'deadline', dueAt, clientOrderId: o.clientOrderId });
  }

  private fireTimers(now: number): void {
    for (let e = this.timers.popDue(now); e !== undefined; e = this.timers.popDue(now)) {
      const t = e.timer;
      if (t.kind === 'deadline') this.fireDeadline(e, t, now);
      else if (t.kind === 'heartbeat') this.fireHeartbeat(e, t, now);
      else this.fireInterval(e, t, now);
    }
  }

  private timerLog(message: KernelInput, timer: Timer, now: number): void {
    this.out.push({ kind: 'log', record: { n: this.logN++, tsEvent: now, kind: 'timer', message, timer } });
  }

  private fireDeadline(e: TimerEntry, t: Extract<Timer, { kind: 'deadline' }>, now: number): void {
    const o = this.byId.get(t.clientOrderId);
    if (o === undefined || o.deadline !== e) return;
    o.deadline = undefined;
    const next = ORDER_TRANSITIONS[o.state].CancelRequested;
    if (next === undefined) return; // already cancelling
    const what = o.timeInForce === 'gtd' ? `gtd order expired at ${new Date(t.dueAt).toISOString()}` : `day order: the trading day ended at ${new Date(t.dueAt).toISOString()}`;
    const cmd: CancelOrder = { schema: ORDER_SCHEMA, type: 'CancelOrder', clientOrderId: o.clientOrderId, tsEvent: now, seq: this.seq++, reason: `deadline: ${what}` };
    this.timerLog(cmd, t, now);
    this.controls.recordCancel(this.symbol(o.symbol), o.side, now, false);
    o.state = next;
    this.log('venue', cmd, now);
    this.fx.push({ kind: 'venue', command: cmd });
  }

  private fireHeartbeat(e: TimerEntry, t: Extract<Timer, { kind: 'heartbeat' }>, now: number): void {
    const o = this.byId.get(t.clientOrderId);
    if (o === undefined || o.heartbeat !== e) return;
    // Next beat: the first multiple of everyMs after now (a long gap gives one re-quote, not a burst).
    const dueAt = t.dueAt + (Math.floor((now - t.dueAt) / t.everyMs) + 1) * t.everyMs;
    o.heartbeat = this.schedule({ kind: 'heartbeat', dueAt, clientOrderId: t.clientOrderId, everyMs: t.everyMs, offsetBps: t.offsetBps });
    if (ORDER_TRANSITIONS[o.state].AmendRequested === undefined) return; // not amendable right now (e.g. a cancel is pending)
    const ref = refPrice(this.symbols.get(o.symbol));
    if (ref !== ref) return; // no reference yet: skip this beat
    const f = o.side === 'buy' ? 1 - t.offsetBps / 10_000 : 1 + t.offsetBps / 10_000;
    const price = Math.round(ref * f * 1e8) / 1e8;
    if (price === o.limitPrice || !(price > 0)) return;
    const cmd: AmendOrder = { schema: ORDER_SCHEMA, type: 'AmendOrder', clientOrderId: o.clientOrderId, tsEvent: now, seq: this.seq++, limitPrice: price };
    this.timerLog(cmd, t, now);
    const r = this.checkAmend(o, cmd, now);
    if (r !== undefined) this.reject(o.clientOrderId, r, now);
    else this.sendAmend(o, cmd, now);
  }

  private fireInterval(e: TimerEntry, t: Extract<Timer, { kind: 'interval' }>, now: number): void {
    const a = this.algos.get(t.parentId);
    if (a === undefined || a.timer !== e) return;
    const i = a.sent++;
    a.timer = a.sent < a.sliceQty.length ? this.schedule({ kind: 'interval', dueAt: t.dueAt + t.everyMs, parentId: t.parentId, everyMs: t.everyMs }) : undefined;
    const qty = a.sliceQty[i]!;
    if (!(qty > 0)) return; // lot rounding left nothing for this slice
    const child: SubmitOrder = { ...a.child, clientOrderId: `${a.parentId}/${i + 1}`, tsEvent: now, seq: this.seq++, qty };
    this.timerLog(child, t, now);
    if (this.byId.has(child.clientOrderId)) {
      this.conflict(child, `algo ${a.parentId} slice ${i + 1}: clientOrderId ${child.clientOrderId} is already used`, now);
      return;
    }
    this.place(child, now, a.parentId);
  }

  // ——— snapshots ———

  /** The kernel's whole state as plain JSON with a fixed key order (see OrderKernelSnapshot). */
  snapshot(): OrderKernelSnapshot {
    const orders: OrderSnapshot[] = [];
    for (const o of this.byId.values()) {
      orders.push({
        clientOrderId: o.clientOrderId,
        state: o.state,
        symbol: o.symbol,
        side: o.side,
        qty: o.qty,
        filledQty: o.filledQty,
        avgPrice: o.filledQty > 0 ? o.avgPrice : null,
        fillIds: o.fillIds.slice(),
        lateFills: o.lateFills,
        timeInForce: o.timeInForce,
        expireAt: o.expireAt ?? null,
        limitPrice: o.limitPrice ?? null,
        stopPrice: o.stopPrice ?? null,
        submit: normalizeSubmit(o.submit),
        parentId: o.parentId ?? null,
        amendTimes: o.amends?.toArray() ?? [],
      });
    }
    const symbols: SymbolSnapshot[] = [];
    for (const q of this.symbols.values()) {
      symbols.push({
        symbol: q.symbol,
        last: nullIfNaN(q.last),
        bid: nullIfNaN(q.bid),
        ask: nullIfNaN(q.ask),
        sent: q.sent?.toArray() ?? [],
        recent: q.recent.map((e) => [e.ts, normalizeSubmit(e.m)] as const),
        lastCancel: { buy: nullIfNaN(q.lastCancelBuy), sell: nullIfNaN(q.lastCancelSell) },
        replaces: { buy: q.replacesBuy?.toArray() ?? [], sell: q.replacesSell?.toArray() ?? [] },
      });
    }
    const algos: AlgoSnapshot[] = [];
    for (const a of this.algos.values()) algos.push({ parentId: a.parentId, algo: a.algo, child: normalizeSubmit(a.child), sliceQty: a.sliceQty.slice(), everyMs: a.everyMs, sent: a.sent });
    const c = this.controls;
    return {
      format: SNAPSHOT_FORMAT,
      venueId: this.config.venue.id,
      now: this.now,
      nextLogN: this.logN,
      nextSeq: this.seq,
      nextTimerSeq: this.timerSeq,
      killSwitch: { engaged: this.killEngaged, reason: this.killReason },
      orders,
      finished: this.finished.slice(this.finishedHead),
      symbols,
      timers: this.timers.live().map((e) => ({ seq: e.seq, timer: timerJson(e.timer) })),
      algos,
      windows: { global: c.global?.toArray() ?? [], cancels: c.cancels?.toArray() ?? [] },
    };
  }

  private restore(s: OrderKernelSnapshot): void {
    if (s === null || typeof s !== 'object' || s.format !== SNAPSHOT_FORMAT) throw new OrderKernelError('invalid_snapshot', `not an order kernel snapshot: format must be "${SNAPSHOT_FORMAT}"`);
    if (s.venueId !== this.config.venue.id) throw new OrderKernelError('invalid_snapshot', `the snapshot is of venue ${s.venueId}, this kernel is configured for ${this.config.venue.id}`);
    this.now = s.now;
    this.logN = s.nextLogN;
    this.seq = s.nextSeq;
    this.timerSeq = s.nextTimerSeq;
    this.killEngaged = s.killSwitch.engaged;
    this.killReason = s.killSwitch.reason;
    const g = this.config.controls.amendLoop;
    for (const os of s.orders) {
      const o = newKOrder(os.submit, os.parentId ?? undefined);
      o.state = os.state;
      o.qty = os.qty;
      o.filledQty = os.filledQty;
      o.avgPrice = os.avgPrice ?? Number.NaN;
      o.fillIds = os.fillIds.length === 0 ? NO_FILLS : os.fillIds.slice();
      o.lateFills = os.lateFills;
      o.timeInForce = os.timeInForce;
      o.expireAt = os.expireAt ?? undefined;
      o.limitPrice = os.limitPrice ?? undefined;
      o.stopPrice = os.stopPrice ?? undefined;
      if (g !== undefined && os.amendTimes.length > 0) o.amends = SlidingWindow.from(g.maxAmends, g.windowMs, os.amendTimes);
      this.byId.set(o.clientOrderId, o);
      if (!isTerminal(o.state)) this.working.add(o);
    }
    this.finished = s.finished.slice();
    for (const id of this.finished) if (!this.byId.has(id)) throw new OrderKernelError('invalid_snapshot', `finished order ${id} is not among the orders`);
    const t = this.config.controls.throttle;
    for (const ss of s.symbols) {
      const q = newSymbolState(ss.symbol);
      q.last = ss.last ?? Number.NaN;
      q.bid = ss.bid ?? Number.NaN;
      q.ask = ss.ask ?? Number.NaN;
      if (t?.perSymbol !== undefined && ss.sent.length > 0) q.sent = SlidingWindow.from(t.perSymbol.limit, t.perSymbol.windowMs, ss.sent);
      for (const [ts, m] of ss.recent) q.recent.push({ ts, m });
      q.lastCancelBuy = ss.lastCancel.buy ?? Number.NaN;
      q.lastCancelSell = ss.lastCancel.sell ?? Number.NaN;
      if (g !== undefined && ss.replaces.buy.length > 0) q.replacesBuy = SlidingWindow.from(g.maxAmends, g.windowMs, ss.replaces.buy);
      if (g !== undefined && ss.replaces.sell.length > 0) q.replacesSell = SlidingWindow.from(g.maxAmends, g.windowMs, ss.replaces.sell);
      this.symbols.set(q.symbol, q);
    }
    for (const a of s.algos) this.algos.set(a.parentId, { parentId: a.parentId, algo: a.algo, child: a.child, sliceQty: a.sliceQty.slice(), everyMs: a.everyMs, sent: a.sent, timer: undefined });
    for (const ts of s.timers) {
      const e: TimerEntry = { timer: ts.timer, seq: ts.seq, live: true };
      this.timers.push(e);
      const t = ts.timer;
      if (t.kind === 'interval') {
        const a = this.algos.get(t.parentId);
        if (a === undefined) throw new OrderKernelError('invalid_snapshot', `timer ${ts.seq} belongs to unknown algo ${t.parentId}`);
        a.timer = e;
      } else {
        const o = this.byId.get(t.clientOrderId);
        if (o === undefined) throw new OrderKernelError('invalid_snapshot', `timer ${ts.seq} belongs to unknown order ${t.clientOrderId}`);
        if (t.kind === 'deadline') o.deadline = e;
        else o.heartbeat = e;
      }
    }
    const c = this.controls;
    if (t?.global) c.global = SlidingWindow.from(t.global.limit, t.global.windowMs, s.windows.global);
    if (t?.cancels) c.cancels = SlidingWindow.from(t.cancels.limit, t.cancels.windowMs, s.windows.cancels);
  }
}

function newKOrder(m: SubmitOrder, parentId: string | undefined): KOrder {
  // One object literal, so every order has the same shape (the fsm's OrderRecord fields first).
  return {
    clientOrderId: m.clientOrderId,
    state: 'PENDING',
    symbol: m.symbol,
    side: m.side,
    qty: m.qty,
    filledQty: 0,
    avgPrice: Number.NaN,
    fillIds: NO_FILLS,
    lateFills: 0,
    submit: m,
    orderType: m.orderType,
    timeInForce: m.timeInForce,
    expireAt: m.expireAt,
    limitPrice: m.limitPrice,
    stopPrice: m.stopPrice,
    parentId,
    amends: undefined,
    deadline: undefined,
    heartbeat: undefined,
    prev: undefined,
    next: undefined,
    inWorking: false,
  };
}

function viewOf(o: KOrder): OrderView {
  return { clientOrderId: o.clientOrderId, state: o.state, symbol: o.symbol, side: o.side, qty: o.qty, filledQty: o.filledQty, avgPrice: o.avgPrice, fillIds: o.fillIds.slice(), lateFills: o.lateFills };
}

function nullIfNaN(x: number): number | null {
  return x === x ? x : null;
}

function timerJson(t: Timer): Timer {
  switch (t.kind) {
    case 'deadline':
      return { kind: 'deadline', dueAt: t.dueAt, clientOrderId: t.clientOrderId };
    case 'heartbeat':
      return { kind: 'heartbeat', dueAt: t.dueAt, clientOrderId: t.clientOrderId, everyMs: t.everyMs, offsetBps: t.offsetBps };
    case 'interval':
      return { kind: 'interval', dueAt: t.dueAt, parentId: t.parentId, everyMs: t.everyMs };
  }
}

function checkConfig(config: OrderKernelConfig): void {
  const problems: string[] = [];
  const c = config.controls;
  const pos = (name: string, v: number | undefined): void => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) problems.push(`${name} must be a finite number > 0, got ${v}`);
  };
  const posInt = (name: string, v: number | undefined): void => {
    if (v !== undefined && !(Number.isSafeInteger(v) && v > 0)) problems.push(`${name} must be an integer > 0, got ${v}`);
  };
  pos('controls.priceCollarBps', c.priceCollarBps);
  pos('controls.maxNotional', c.maxNotional);
  pos('controls.maxQty', c.maxQty);
  posInt('controls.duplicateWindowMs', c.duplicateWindowMs);
  if (config.retainTerminalOrders !== undefined && !(Number.isSafeInteger(config.retainTerminalOrders) && config.retainTerminalOrders >= 0)) problems.push(`retainTerminalOrders must be an integer ≥ 0, got ${config.retainTerminalOrders}`);
  for (const k of ['global', 'perSymbol', 'cancels'] as const) {
    const t = c.throttle?.[k];
    if (t !== undefined) {
      posInt(`controls.throttle.${k}.limit`, t.limit);
      posInt(`controls.throttle.${k}.windowMs`, t.windowMs);
    }
  }
  if (c.amendLoop !== undefined) {
    posInt('controls.amendLoop.maxAmends', c.amendLoop.maxAmends);
    posInt('controls.amendLoop.windowMs', c.amendLoop.windowMs);
  }
  if (!config.venue || typeof config.venue.id !== 'string' || config.venue.id.length === 0) problems.push('venue.id must be a non-empty string');
  if (problems.length > 0) throw new OrderKernelError('invalid_config', `invalid order kernel configuration: ${problems.join('; ')}`);
}

/** Log records are equal when their numbers, kinds, times, messages (whatever their key order), timers and details are. */
function sameRecord(a: OrderLogRecord, b: OrderLogRecord): boolean {
  return a.n === b.n && a.kind === b.kind && a.tsEvent === b.tsEvent && deepEqual(a.message, b.message) && deepEqual(a.timer, b.timer) && a.detail === b.detail;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}
