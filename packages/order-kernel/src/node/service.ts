import type { AmendOrder, CancelOrder, Command, OrderEvent, OrderFilled, SubmitOrder } from '@strata/contract';
import { OrderKernel } from '../core/kernel.js';
import type { KernelInput, KernelOutput, OrderKernelConfig, OrderLogRecord } from '../core/types.js';
import { VenueError, type Venue, type VenueFill, type VenueOrder } from '../core/venue-port.js';
import { isTerminal, type OrderView } from '../fsm.js';
import { systemClock, type Clock } from './clock.js';
import { OrderShellError } from './errors.js';
import { SqliteOrderLog } from './order-log.js';
import type { Drift, ReconcileReport, SendResult } from './protocol.js';

const EPS = 1e-9;
const UNKNOWN_OUTCOME: ReadonlySet<string> = new Set(['unavailable', 'rate_limited']);

/** What one input produced: every kernel output, and the SendResult view of it. */
export interface StepResult extends SendResult {
  readonly outputs: readonly KernelOutput[];
}

/** Something the service could not settle on its own; reported to `onIssue` (and the server's stderr). */
export interface ServiceIssue {
  readonly kind: 'unresolved_submit' | 'venue_error' | 'foreign_order' | 'fill_mismatch' | 'poll_failed';
  readonly clientOrderId?: string;
  readonly message: string;
}

export interface RetryPolicy {
  /** Submit attempts in all (each after a lookup proved the previous one did not land). Default 3. */
  readonly attempts: number;
  /** Delay before the n-th retry: `backoffMs * 2^(n-1)`. Default 200. */
  readonly backoffMs: number;
  /** Lookups (fetchOrder) tried before an outcome is declared unresolved. Default 5. */
  readonly lookups: number;
}

export interface OrderServiceOptions {
  readonly config: OrderKernelConfig;
  readonly venue: Venue;
  /** The order log file (SQLite); created when missing. */
  readonly logPath: string;
  /** Default: the system clock. Tests pass a ManualClock. */
  readonly clock?: Clock;
  /** How often a `Clock` input is stepped (timers fire on it). Default 1000 ms; 0 disables the ticker. */
  readonly tickMs?: number;
  /** How often open orders are polled when the venue has no push stream (`capabilities.watchOrders` false). Default: every tick. */
  readonly pollEveryTicks?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Sleeps between retries (default: setTimeout). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onIssue?: (issue: ServiceIssue) => void;
  /** Refuse commands while reconciliation reports drift (default true). */
  readonly refuseOnDrift?: boolean;
  /** Scrubs secrets from venue error text before it enters an event, the log or an issue (e.g. CredentialsStore.redact). */
  readonly redact?: (text: string) => string;
}

/**
 * The shell around one OrderKernel, one Venue and one SqliteOrderLog. Inputs are processed one at
 * a time, in arrival order (a mailbox): `kernel.step(input)`, then the outputs in order — log
 * records are appended durably (one transaction per run of consecutive records) before anything
 * that follows them is performed; venue commands are dispatched to the venue (serialised per
 * order); events go to listeners. Venue results and subscription updates come back as order/v1
 * events (OrderAccepted, one OrderFilled per venue fill with the venue's fill id, OrderCanceled,
 * OrderExpired, OrderRejected with the VenueError kind as code) and go through the same mailbox.
 *
 * A submit whose outcome is unknown (VenueError `unavailable` / `rate_limited`) is looked up by
 * clientOrderId before anything is retried, so a retry can never place a second order.
 */
export class OrderService {
  readonly venueId: string;
  private readonly venue: Venue;
  private readonly log: SqliteOrderLog;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onIssue: (issue: ServiceIssue) => void;
  private readonly refuseOnDrift: boolean;
  private readonly redact: (text: string) => string;
  private kernel: OrderKernel;
  private mailbox: Promise<unknown> = Promise.resolve();
  private readonly venueChains = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly listeners = new Set<(event: OrderEvent) => void>();
  private readonly stops: (() => void)[] = [];
  private seq: number;
  private lastTs: number;
  private driftList: readonly Drift[] = [];
  /** Orders logged as sent that the venue proved it never received; sent when their originator repeats them. */
  private readonly unsent = new Set<string>();
  private closed = false;
  private ticks = 0;
  private polling = false;

  private constructor(options: OrderServiceOptions, log: SqliteOrderLog, kernel: OrderKernel, records: readonly OrderLogRecord[]) {
    this.venueId = options.venue.id;
    this.venue = options.venue;
    this.log = log;
    this.kernel = kernel;
    this.clock = options.clock ?? systemClock;
    this.retry = { attempts: 3, backoffMs: 200, lookups: 5, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.onIssue = options.onIssue ?? (() => {});
    this.refuseOnDrift = options.refuseOnDrift ?? true;
    this.redact = options.redact ?? ((t) => t);
    let seq = 0;
    let ts = 0;
    for (const r of records) {
      ts = Math.max(ts, r.tsEvent);
      const m = r.message as { schema?: string; seq?: number };
      if (m.schema !== undefined && typeof m.seq === 'number') seq = Math.max(seq, m.seq + 1);
    }
    this.seq = seq;
    this.lastTs = ts;
  }

  /**
   * Opens the log (created when missing), rebuilds the kernel from it (OrderKernel.replay),
   * subscribes to the venue, reconciles (see `reconcile`) and starts the clock. Check
   * `reconciliation().ok` — or `drift()` — before trading: while there is drift, commands are refused.
   */
  static async open(options: OrderServiceOptions): Promise<OrderService> {
    if (options.config.venue.id !== options.venue.id) {
      throw new OrderShellError('order_log', `the kernel config names venue ${JSON.stringify(options.config.venue.id)} but the venue is ${JSON.stringify(options.venue.id)}`);
    }
    const log = new SqliteOrderLog(options.logPath, { venueId: options.venue.id });
    let service: OrderService;
    try {
      const records = log.readAll();
      const kernel = OrderKernel.replay(options.config, records);
      service = new OrderService(options, log, kernel, records);
    } catch (e) {
      log.close();
      throw e;
    }
    service.stops.push(options.venue.subscribe((u) => service.onVenueUpdate(u.order, u.fill)));
    try {
      await service.reconcile();
    } catch (e) {
      await service.close();
      throw e;
    }
    const tickMs = options.tickMs ?? 1_000;
    const pollEvery = Math.max(1, options.pollEveryTicks ?? 1);
    if (tickMs > 0) {
      service.stops.push(
        service.clock.setInterval(() => {
          if (service.closed) return;
          if (service.timerDue()) service.track(service.handle({ type: 'Clock', tsEvent: service.stampTs() }).catch((e: unknown) => service.issue('venue_error', undefined, `clock step failed: ${(e as Error).message}`)));
          if (!service.venue.capabilities.watchOrders && ++service.ticks % pollEvery === 0) service.track(service.poll());
        }, tickMs),
      );
    }
    return service;
  }

  /** Takes one input (a command, a venue event, a control input) through the kernel and performs its outputs. */
  handle(input: KernelInput): Promise<StepResult> {
    if (this.closed) return Promise.reject(new OrderShellError('closed', 'the order service is closed'));
    if (this.refuseOnDrift && this.driftList.length > 0 && isCommand(input)) {
      return Promise.reject(
        new OrderShellError('drift', `commands are refused until the drift between the order log and the venue is resolved (${this.driftList.length} item(s): ${this.driftList.map((d) => d.message).join('; ')}); fix the venue side, then reconcile again`),
      );
    }
    return this.enqueue(() => this.process(input));
  }

  onEvent(listener: (event: OrderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  order(clientOrderId: string): OrderView | undefined {
    return this.kernel.order(clientOrderId);
  }

  /** Every order the kernel knows, working ones first. */
  orders(): OrderView[] {
    return this.kernel.orders();
  }

  drift(): readonly Drift[] {
    return this.driftList;
  }

  /** The log's records (for audits and tests). */
  records(): OrderLogRecord[] {
    return this.log.readAll();
  }

  /** Resolves once no input is queued and no venue call is in flight. */
  async idle(): Promise<void> {
    for (;;) {
      const before = this.pending.size;
      await Promise.allSettled([this.mailbox, ...this.pending]);
      await new Promise((r) => setImmediate(r));
      if (this.pending.size === 0 && before === 0) return;
      if (this.pending.size === 0) continue;
    }
  }

  /**
   * Compares every working order of the log with the venue and brings the log up to date:
   * acceptances, fills (by the venue's fill ids — no fill is lost or counted twice) and terminal
   * states the log missed are stepped into the kernel. An order logged as sent that the venue
   * has never seen (the process stopped between logging and sending) is reported as `unsent`: it
   * is not guessed at, and not sent on the service's own initiative — when its originator repeats
   * it (the same SubmitOrder: a duplicate), the lookup has proved it did not land, so it is sent
   * then, once. Venue orders the log does not know, and orders whose symbol, side, quantity
   * or fills disagree, are drift: reported, never guessed at; commands are refused until a
   * reconciliation finds none.
   */
  async reconcile(): Promise<ReconcileReport> {
    const drift: Drift[] = [];
    const applied: OrderEvent[] = [];
    const collect = (events: readonly OrderEvent[]): void => {
      applied.push(...events);
    };
    const open = this.kernel.orders().filter((o) => !isTerminal(o.state));
    for (const view of open) {
      const vo = await this.lookup(view.clientOrderId, view.symbol);
      if (vo === 'unresolved') throw new OrderShellError('connection', `cannot reconcile: the venue ${this.venueId} did not answer for order ${view.clientOrderId}; retry when it is reachable`);
      if (vo === undefined) {
        if (view.state === 'PENDING' || view.state === 'SUBMITTED') {
          this.unsent.add(view.clientOrderId);
        } else {
          drift.push({ kind: 'missing_at_venue', clientOrderId: view.clientOrderId, symbol: view.symbol, expected: view.state, actual: null, message: `order ${view.clientOrderId} is ${view.state} in the log but the venue has never seen it` });
        }
        continue;
      }
      const mismatch = compare(view, vo);
      if (mismatch) {
        drift.push(mismatch);
        continue;
      }
      collect(await this.syncOrder(vo));
      const after = this.kernel.order(view.clientOrderId)!;
      if (Math.abs(after.filledQty - vo.filledQty) > EPS) {
        drift.push({
          kind: 'fill_mismatch',
          clientOrderId: view.clientOrderId,
          symbol: view.symbol,
          expected: vo.filledQty,
          actual: after.filledQty,
          message: `order ${view.clientOrderId}: the venue reports ${vo.filledQty} filled but its fills add up to ${after.filledQty} in the log`,
        });
      }
    }
    for (const vo of await this.venue.fetchOpenOrders()) {
      const known = this.kernel.order(vo.clientOrderId);
      if (!known) {
        drift.push({
          kind: 'unknown_venue_order',
          clientOrderId: vo.clientOrderId,
          symbol: vo.symbol,
          expected: null,
          actual: { venueOrderId: vo.venueOrderId, side: vo.side, qty: vo.qty, filledQty: vo.filledQty, status: vo.status },
          message: `the venue has an open order ${vo.clientOrderId} (${vo.side} ${vo.qty} ${vo.symbol}, venue id ${vo.venueOrderId}) that the order log does not know`,
        });
      } else if (isTerminal(known.state)) {
        drift.push({ kind: 'state_mismatch', clientOrderId: vo.clientOrderId, symbol: vo.symbol, expected: known.state, actual: vo.status, message: `order ${vo.clientOrderId} is ${known.state} in the log but open at the venue` });
      }
    }
    this.driftList = drift;
    return { ok: drift.length === 0, drift, checked: open.length, applied, unsent: [...this.unsent] };
  }

  /** Stops the clock and the venue subscription, waits for work in flight, closes the log. The venue is the caller's to close. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const s of this.stops.splice(0)) s();
    await this.idle();
    this.closed = true;
    this.log.close();
  }

  // ——— the mailbox ———

  private enqueue<T>(job: () => T | Promise<T>): Promise<T> {
    const run = this.mailbox.then(job);
    this.mailbox = run.catch(() => undefined);
    return run;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    const q = p.catch(() => undefined);
    this.pending.add(q);
    void q.finally(() => this.pending.delete(q));
    return p;
  }

  private issue(kind: ServiceIssue['kind'], clientOrderId: string | undefined, message: string): void {
    this.onIssue({ kind, ...(clientOrderId !== undefined ? { clientOrderId } : {}), message: this.redact(message) });
  }

  /** One input: step, then perform the outputs in order. Runs inside the mailbox. */
  private process(input: KernelInput): StepResult {
    this.lastTs = Math.max(this.lastTs, input.tsEvent);
    const outputs = this.kernel.step(input);
    const events: OrderEvent[] = [];
    let duplicate: SendResult['duplicate'];
    let conflict: SendResult['conflict'];
    let batch: OrderLogRecord[] = [];
    const flush = (): void => {
      if (batch.length > 0) this.log.append(batch);
      batch = [];
    };
    for (const out of outputs) {
      if (out.kind === 'log') {
        batch.push(out.record);
        continue;
      }
      flush(); // durable before anything that follows it
      switch (out.kind) {
        case 'venue':
          this.dispatch(out.command);
          break;
        case 'event':
          events.push(out.event);
          for (const l of [...this.listeners]) l(out.event);
          break;
        case 'duplicate':
          duplicate = { clientOrderId: out.clientOrderId, order: out.order };
          if (input.type === 'SubmitOrder' && this.unsent.delete(input.clientOrderId)) {
            // Proven absent at the venue at reconciliation, and asked for again: complete the interrupted submit.
            this.dispatch(input);
          }
          break;
        case 'conflict':
          conflict = { clientOrderId: out.clientOrderId, message: out.message };
          break;
      }
    }
    flush();
    return { outputs, events, ...(duplicate ? { duplicate } : {}), ...(conflict ? { conflict } : {}) };
  }

  /** Steps the events `make` builds from the kernel's current view (inside the mailbox, so the view is fresh). */
  private stepEvents(clientOrderId: string, make: (view: OrderView | undefined) => readonly OrderEvent[]): Promise<OrderEvent[]> {
    return this.enqueue(() => {
      const out: OrderEvent[] = [];
      for (const e of make(this.kernel.order(clientOrderId))) out.push(...this.process(e).events);
      return out;
    });
  }

  // ——— venue commands ———

  /** Venue work is serialised per order (a cancel never overtakes its submit) and runs outside the mailbox. */
  private dispatch(cmd: SubmitOrder | AmendOrder | CancelOrder): void {
    const id = cmd.clientOrderId;
    const prev = this.venueChains.get(id) ?? Promise.resolve();
    const next = prev.then(() => this.perform(cmd)).catch((e: unknown) => this.issue('venue_error', id, `${cmd.type} ${id}: ${(e as Error).message}`));
    this.venueChains.set(id, next);
    void this.track(next).finally(() => {
      if (this.venueChains.get(id) === next) this.venueChains.delete(id);
    });
  }

  private async perform(cmd: SubmitOrder | AmendOrder | CancelOrder): Promise<void> {
    switch (cmd.type) {
      case 'SubmitOrder':
        return this.submit(cmd);
      case 'CancelOrder':
        return this.cancel(cmd);
      case 'AmendOrder':
        return this.amend(cmd);
    }
  }

  private async submit(cmd: SubmitOrder): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let vo: VenueOrder;
      try {
        vo = await this.venue.submit(cmd);
      } catch (e) {
        if (!(e instanceof VenueError)) throw e;
        if (!UNKNOWN_OUTCOME.has(e.kind)) {
          await this.reject(cmd.clientOrderId, e.kind, e.message);
          return;
        }
        // Unknown outcome: find out whether it landed before doing anything else.
        const found = await this.lookup(cmd.clientOrderId, cmd.symbol);
        if (found === 'unresolved') {
          this.issue('unresolved_submit', cmd.clientOrderId, `submit of ${cmd.clientOrderId} failed with ${e.kind} and the venue could not be asked whether it landed; the order stays SUBMITTED until a reconciliation settles it`);
          return;
        }
        if (found !== undefined) {
          await this.syncOrder(found);
          return;
        }
        if (attempt >= this.retry.attempts) {
          await this.reject(cmd.clientOrderId, e.kind, `${e.message} (after ${attempt} attempts; the venue has no order with this clientOrderId)`);
          return;
        }
        await this.sleep(this.retry.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      await this.syncOrder(vo);
      return;
    }
  }

  private async cancel(cmd: CancelOrder): Promise<void> {
    const view = this.kernel.order(cmd.clientOrderId);
    if (!view) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.syncOrder(await this.venue.cancel(cmd.clientOrderId, view.symbol));
        return;
      } catch (e) {
        if (!(e instanceof VenueError)) throw e;
        // Whatever went wrong, the venue's own view decides: the order may have filled or been canceled already.
        const found = await this.lookup(cmd.clientOrderId, view.symbol);
        if (found !== 'unresolved' && found !== undefined && found.status !== 'open') {
          await this.syncOrder(found);
          return;
        }
        if (e.retryable && attempt < this.retry.attempts) {
          await this.sleep(this.retry.backoffMs * 2 ** (attempt - 1));
          continue;
        }
        await this.reject(cmd.clientOrderId, e.kind, `cancel refused by the venue: ${e.message}`);
        return;
      }
    }
  }

  private async amend(cmd: AmendOrder): Promise<void> {
    const view = this.kernel.order(cmd.clientOrderId);
    if (!view) return;
    let vo: VenueOrder;
    try {
      vo = await this.venue.amend(cmd, view.symbol);
    } catch (e) {
      if (!(e instanceof VenueError)) throw e;
      await this.reject(cmd.clientOrderId, 'amend_refused', `the venue refused the amend (${e.kind}): ${e.message}`);
      return;
    }
    const { schema: _s, type: _t, clientOrderId, tsEvent: _ts, seq: _q, ...changes } = cmd;
    await this.stepEvents(clientOrderId, () => [this.event({ type: 'OrderAmended', clientOrderId, ...changes })]);
    await this.syncOrder(vo);
  }

  private reject(clientOrderId: string, code: string, reason: string): Promise<OrderEvent[]> {
    return this.stepEvents(clientOrderId, (view) => (view && !isTerminal(view.state) ? [this.event({ type: 'OrderRejected', clientOrderId, code, reason: this.redact(reason).slice(0, 500) })] : []));
  }

  /** fetchOrder with retries; `unresolved` when the venue never answered. */
  private async lookup(clientOrderId: string, symbol: string): Promise<VenueOrder | undefined | 'unresolved'> {
    for (let i = 1; ; i++) {
      try {
        return await this.venue.fetchOrder(clientOrderId, symbol);
      } catch (e) {
        if (!(e instanceof VenueError) || !e.retryable || i >= this.retry.lookups) return 'unresolved';
        await this.sleep(this.retry.backoffMs * 2 ** (i - 1));
      }
    }
  }

  // ——— venue reports → events ———

  private onVenueUpdate(order: VenueOrder, fill?: VenueFill): void {
    if (this.closed) return;
    if (!this.kernel.order(order.clientOrderId)) {
      this.issue('foreign_order', order.clientOrderId, `the venue reported order ${order.clientOrderId} (${order.side} ${order.qty} ${order.symbol}) that this order kernel did not send`);
      return;
    }
    this.track(this.syncOrder(order, fill ? [fill] : []).catch((e: unknown) => this.issue('venue_error', order.clientOrderId, `applying a venue update failed: ${(e as Error).message}`)));
  }

  /** Polls working orders when the venue has no push stream. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const view of this.kernel.orders().filter((o) => !isTerminal(o.state) && o.state !== 'PENDING')) {
        try {
          const vo = await this.venue.fetchOrder(view.clientOrderId, view.symbol);
          if (vo) await this.syncOrder(vo);
        } catch (e) {
          this.issue('poll_failed', view.clientOrderId, `polling ${view.clientOrderId}: ${(e as Error).message}`);
        }
      }
    } finally {
      this.polling = false;
    }
  }

  /**
   * Brings the kernel's order up to the venue's view `vo`: OrderAccepted (with the venue order
   * id), then every fill the kernel has not seen (its fill id is the key; missing ones are fetched
   * with fetchFills), then the terminal state. Idempotent: a stale or repeated view adds nothing.
   */
  private async syncOrder(vo: VenueOrder, known: readonly VenueFill[] = []): Promise<OrderEvent[]> {
    const view = this.kernel.order(vo.clientOrderId);
    if (!view) return [];
    let fills = known.filter((f) => f.clientOrderId === vo.clientOrderId);
    const seen = new Set(view.fillIds);
    const newQty = fills.filter((f) => !seen.has(f.fillId)).reduce((s, f) => s + f.qty, 0);
    if (vo.filledQty > view.filledQty + newQty + EPS) {
      const all = await this.venue.fetchFills(vo.symbol);
      const byId = new Map(fills.map((f) => [f.fillId, f]));
      for (const f of all) if (f.clientOrderId === vo.clientOrderId || (f.venueOrderId === vo.venueOrderId && f.clientOrderId === '')) byId.set(f.fillId, f);
      fills = [...byId.values()];
    }
    fills.sort((a, b) => a.ts - b.ts || (a.fillId < b.fillId ? -1 : a.fillId > b.fillId ? 1 : 0));
    return this.stepEvents(vo.clientOrderId, (current) => {
      if (!current) return [];
      const out: OrderEvent[] = [];
      let state = current.state;
      if ((state === 'PENDING' || state === 'SUBMITTED') && vo.status !== 'rejected') {
        out.push(this.event({ type: 'OrderAccepted', clientOrderId: vo.clientOrderId, venueOrderId: vo.venueOrderId }));
        state = 'ACCEPTED';
      }
      const have = new Set(current.fillIds);
      let cum = current.filledQty;
      for (const f of fills) {
        if (have.has(f.fillId)) continue;
        have.add(f.fillId);
        cum = round(cum + f.qty);
        const fillEvent: Omit<OrderFilled, 'schema' | 'tsEvent' | 'seq'> = {
          type: 'OrderFilled',
          clientOrderId: vo.clientOrderId,
          fillId: f.fillId,
          symbol: current.symbol,
          side: current.side,
          qty: f.qty,
          price: f.price,
          fee: Math.max(0, f.fee),
          cumQty: cum,
          leavesQty: Math.max(0, round(current.qty - cum)),
          ...(f.liquidity !== undefined ? { liquidity: f.liquidity } : {}),
        };
        out.push(this.event(fillEvent));
      }
      if (!isTerminal(state) && vo.status !== 'open' && vo.status !== 'filled') {
        const left = Math.max(0, round(current.qty - cum));
        if (vo.status === 'canceled') out.push(this.event({ type: 'OrderCanceled', clientOrderId: vo.clientOrderId, canceledQty: left }));
        else if (vo.status === 'expired') out.push(this.event({ type: 'OrderExpired', clientOrderId: vo.clientOrderId, expiredQty: left }));
        else if (vo.status === 'rejected' && (state === 'PENDING' || state === 'SUBMITTED')) out.push(this.event({ type: 'OrderRejected', clientOrderId: vo.clientOrderId, code: 'rejected', reason: 'the venue rejected the order' }));
      }
      if (vo.status === 'filled' && cum + EPS < vo.filledQty) {
        this.issue('fill_mismatch', vo.clientOrderId, `order ${vo.clientOrderId}: the venue reports ${vo.filledQty} filled, the fills found add up to ${cum}`);
      }
      return out;
    });
  }

  /**
   * Whether a kernel timer is due at the clock's time. A `Clock` input is stepped (and logged) only
   * then, so an idle kernel does not grow its log every tick.
   */
  private timerDue(): boolean {
    const first = this.kernel.snapshot().timers[0];
    return first !== undefined && first.timer.dueAt <= this.clock.now();
  }

  // ——— stamping ———

  private stampTs(): number {
    this.lastTs = Math.max(this.lastTs, this.clock.now());
    return this.lastTs;
  }

  private event(body: EventBody): OrderEvent {
    return { schema: 'order/v1', ...body, tsEvent: this.stampTs(), seq: this.seq++ } as OrderEvent;
  }
}

/** An event without its envelope (schema, tsEvent, seq), per event type. */
type EventBody = OrderEvent extends infer E ? (E extends OrderEvent ? Omit<E, 'schema' | 'tsEvent' | 'seq'> : never) : never;

function isCommand(input: KernelInput): input is Command {
  return 'schema' in input && (input.type === 'SubmitOrder' || input.type === 'AmendOrder' || input.type === 'CancelOrder' || input.type === 'CancelAll');
}

function round(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

function compare(view: OrderView, vo: VenueOrder): Drift | undefined {
  const base = { clientOrderId: view.clientOrderId, symbol: view.symbol };
  if (vo.symbol !== view.symbol) return { ...base, kind: 'symbol_mismatch', expected: view.symbol, actual: vo.symbol, message: `order ${view.clientOrderId}: the log says ${view.symbol}, the venue ${vo.symbol}` };
  if (vo.side !== view.side) return { ...base, kind: 'side_mismatch', expected: view.side, actual: vo.side, message: `order ${view.clientOrderId}: the log says ${view.side}, the venue ${vo.side}` };
  if (Math.abs(vo.qty - view.qty) > EPS * Math.max(1, view.qty)) return { ...base, kind: 'qty_mismatch', expected: view.qty, actual: vo.qty, message: `order ${view.clientOrderId}: the log says qty ${view.qty}, the venue ${vo.qty}` };
  return undefined;
}
