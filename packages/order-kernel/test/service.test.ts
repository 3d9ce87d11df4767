import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CancelOrder, OrderEvent, SubmitOrder } from '@strata/contract';
import type { OrderLogRecord, PreTradeControls } from '../src/index.js';
import { ManualClock, OrderService, OrderShellError, SqliteOrderLog, type ServiceIssue } from '../src/node/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryVenue } from './support/memory-venue.js';

const T0 = 1_767_225_600_000;
const SYMBOL = 'BTC/USDT';
let dir: string;
let logPath: string;
let seq = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-service-'));
  logPath = join(dir, 'orders.sqlite');
  seq = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const submit = (id: string, over: Partial<SubmitOrder> = {}): SubmitOrder => ({
  schema: 'order/v1',
  type: 'SubmitOrder',
  clientOrderId: id,
  tsEvent: T0 + seq,
  seq: seq++,
  symbol: SYMBOL,
  side: 'buy',
  qty: 1,
  orderType: 'limit',
  limitPrice: 20_000,
  timeInForce: 'gtc',
  ...over,
});
const cancel = (id: string): CancelOrder => ({ schema: 'order/v1', type: 'CancelOrder', clientOrderId: id, tsEvent: T0 + seq, seq: seq++ });

interface Rig {
  service: OrderService;
  venue: MemoryVenue;
  events: OrderEvent[];
  issues: ServiceIssue[];
  clock: ManualClock;
}

async function rig(options: { venue?: MemoryVenue; controls?: PreTradeControls; clock?: ManualClock; redact?: (t: string) => string; tickMs?: number } = {}): Promise<Rig> {
  const clock = options.clock ?? new ManualClock(T0);
  const venue = options.venue ?? new MemoryVenue({ id: 'memory', now: () => clock.now() });
  venue.setPrice(SYMBOL, 30_000);
  const issues: ServiceIssue[] = [];
  const service = await OrderService.open({
    config: { controls: options.controls ?? {}, venue: { id: venue.id, capabilities: venue.capabilities } },
    venue,
    logPath,
    clock,
    tickMs: options.tickMs ?? 0,
    retry: { attempts: 3, backoffMs: 1, lookups: 3 },
    onIssue: (i) => issues.push(i),
    ...(options.redact ? { redact: options.redact } : {}),
  });
  const events: OrderEvent[] = [];
  service.onEvent((e) => events.push(e));
  return { service, venue, events, issues, clock };
}

/** The same order as a market IOC (no limit price). */
const market = (o: SubmitOrder): SubmitOrder => {
  const { limitPrice: _drop, ...rest } = o;
  return { ...rest, orderType: 'market', timeInForce: 'ioc' };
};
const types = (events: readonly OrderEvent[], id: string) => events.filter((e) => e.clientOrderId === id).map((e) => e.type);

describe('OrderService: performing outputs', () => {
  it('appends the log record durably before the venue sees the command', async () => {
    const r = await rig();
    const seenAtSubmit: OrderLogRecord[][] = [];
    const original = r.venue.submit.bind(r.venue);
    r.venue.submit = async (o) => {
      const reader = new SqliteOrderLog(logPath, { venueId: 'memory', readonly: true });
      seenAtSubmit.push(reader.readAll());
      reader.close();
      return original(o);
    };
    await r.service.handle(submit('s-1'));
    await r.service.idle();
    expect(seenAtSubmit).toHaveLength(1);
    expect(seenAtSubmit[0]!.some((rec) => rec.kind === 'venue' && rec.message.type === 'SubmitOrder' && rec.message.clientOrderId === 's-1')).toBe(true);
    expect(types(r.events, 's-1')).toEqual(['OrderSubmitted', 'OrderAccepted']);
    await r.service.close();
  });

  it('turns venue fills into one OrderFilled each, with the venue fill id, cumQty and leavesQty', async () => {
    const r = await rig();
    await r.service.handle(submit('f-1', { qty: 1 }));
    await r.service.idle();
    const a = r.venue.fill('f-1', 0.25, 19_990);
    const b = r.venue.fill('f-1', 0.75, 19_995);
    await r.service.idle();
    const fills = r.events.filter((e) => e.type === 'OrderFilled');
    expect(fills).toEqual([
      expect.objectContaining({ fillId: a.fillId, qty: 0.25, price: 19_990, cumQty: 0.25, leavesQty: 0.75 }),
      expect.objectContaining({ fillId: b.fillId, qty: 0.75, price: 19_995, cumQty: 1, leavesQty: 0 }),
    ]);
    expect(r.service.order('f-1')).toMatchObject({ state: 'FILLED', filledQty: 1 });
    await r.service.close();
  });

  it('ignores a duplicate fill report: one OrderFilled, the fill counted once', async () => {
    const r = await rig();
    await r.service.handle(submit('d-1', { qty: 1 }));
    await r.service.idle();
    const f = r.venue.fill('d-1', 0.4, 20_000);
    await r.service.idle();
    r.venue.replayFill(f.fillId);
    r.venue.replayFill(f.fillId);
    await r.service.idle();
    expect(r.events.filter((e) => e.type === 'OrderFilled')).toHaveLength(1);
    expect(r.service.order('d-1')).toMatchObject({ state: 'PARTIALLY_FILLED', filledQty: 0.4, fillIds: [f.fillId] });
    await r.service.close();
  });

  it('applies fills reported out of order exactly once, with cumQty growing', async () => {
    const r = await rig();
    await r.service.handle(submit('o-1', { qty: 1 }));
    await r.service.idle();
    const f1 = r.venue.fill('o-1', 0.3, 20_000, { notify: false });
    const f2 = r.venue.fill('o-1', 0.7, 20_000, { notify: false });
    r.venue.replayFill(f2.fillId); // the later fill is reported first
    r.venue.replayFill(f1.fillId);
    await r.service.idle();
    const fills = r.events.filter((e) => e.type === 'OrderFilled');
    expect(fills.map((e) => (e as { fillId: string }).fillId).sort()).toEqual([f1.fillId, f2.fillId].sort());
    expect(fills.map((e) => (e as { cumQty: number }).cumQty)).toEqual([0.3, 1]);
    expect(r.service.order('o-1')).toMatchObject({ state: 'FILLED', filledQty: 1 });
    await r.service.close();
  });

  it('a venue rejection becomes OrderRejected with the VenueError kind as code', async () => {
    const r = await rig();
    r.venue.failNext('submit', 'insufficient_funds');
    await r.service.handle(submit('rj-1'));
    await r.service.idle();
    expect(r.events.filter((e) => e.clientOrderId === 'rj-1').at(-1)).toMatchObject({ type: 'OrderRejected', code: 'insufficient_funds' });
    expect(r.service.order('rj-1')?.state).toBe('REJECTED');
    await r.service.close();
  });

  it('a refused cancel leaves the order working (CancelRejected) and says why', async () => {
    const r = await rig();
    await r.service.handle(submit('cr-1'));
    await r.service.idle();
    r.venue.failNext('cancel', 'rejected');
    await r.service.handle(cancel('cr-1'));
    await r.service.idle();
    expect(r.events.filter((e) => e.clientOrderId === 'cr-1').at(-1)).toMatchObject({ type: 'OrderRejected', code: 'rejected' });
    expect(r.service.order('cr-1')?.state).toBe('ACCEPTED');
    await r.service.close();
  });

  it('a cancel that loses the race to a fill reports the fill, not a cancel', async () => {
    const r = await rig();
    await r.service.handle(submit('race-1', { qty: 1 }));
    await r.service.idle();
    r.venue.fill('race-1', 1, 20_000, { notify: false }); // filled at the venue, not yet reported
    await r.service.handle(cancel('race-1'));
    await r.service.idle();
    expect(types(r.events, 'race-1')).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    expect(r.service.order('race-1')).toMatchObject({ state: 'FILLED', filledQty: 1 });
    await r.service.close();
  });
});

describe('OrderService: submits with an unknown outcome', () => {
  it.each(['unavailable', 'rate_limited'] as const)('%s after the order landed: looked up by clientOrderId, accepted, never resubmitted', async (kind) => {
    const r = await rig();
    r.venue.failNext('submit', kind, { landed: true });
    await r.service.handle(submit('u-1'));
    await r.service.idle();
    expect(r.venue.calls.filter((c) => c.clientOrderId === 'u-1').map((c) => c.method)).toEqual(['submit', 'fetchOrder']);
    expect(r.venue.created.filter((o) => o.clientOrderId === 'u-1')).toHaveLength(1);
    expect(types(r.events, 'u-1')).toEqual(['OrderSubmitted', 'OrderAccepted']);
    await r.service.close();
  });

  it('timeout before the order landed: looked up (absent), then retried once — one order at the venue', async () => {
    const r = await rig();
    r.venue.failNext('submit', 'unavailable');
    await r.service.handle(submit('u-2'));
    await r.service.idle();
    expect(r.venue.calls.filter((c) => c.clientOrderId === 'u-2').map((c) => c.method)).toEqual(['submit', 'fetchOrder', 'submit']);
    expect(r.venue.created.filter((o) => o.clientOrderId === 'u-2')).toHaveLength(1);
    expect(r.service.order('u-2')?.state).toBe('ACCEPTED');
    await r.service.close();
  });

  it('a market order that filled inside a timed-out submit: the lookup finds it and the fill is fetched', async () => {
    const r = await rig();
    r.venue.failNext('submit', 'unavailable', { landed: true });
    await r.service.handle(market(submit('u-3')));
    await r.service.idle();
    expect(types(r.events, 'u-3')).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    expect(r.venue.created).toHaveLength(1);
    await r.service.close();
  });

  it('gives up after the retry budget with OrderRejected carrying the error kind', async () => {
    const r = await rig();
    for (let i = 0; i < 3; i++) r.venue.failNext('submit', 'rate_limited');
    await r.service.handle(submit('u-4'));
    await r.service.idle();
    expect(r.venue.calls.filter((c) => c.clientOrderId === 'u-4').map((c) => c.method)).toEqual(['submit', 'fetchOrder', 'submit', 'fetchOrder', 'submit', 'fetchOrder']);
    expect(r.events.filter((e) => e.clientOrderId === 'u-4').at(-1)).toMatchObject({ type: 'OrderRejected', code: 'rate_limited', reason: expect.stringMatching(/after 3 attempts/) });
    expect(r.venue.created).toHaveLength(0);
    await r.service.close();
  });

  it('when even the lookup fails the order stays SUBMITTED (never guessed), an issue is raised, and reconciliation settles it', async () => {
    const r = await rig();
    r.venue.failNext('submit', 'unavailable', { landed: true });
    for (let i = 0; i < 3; i++) r.venue.failNext('fetchOrder', 'unavailable');
    await r.service.handle(submit('u-5'));
    await r.service.idle();
    expect(r.service.order('u-5')?.state).toBe('SUBMITTED');
    expect(r.issues.map((i) => i.kind)).toEqual(['unresolved_submit']);
    const report = await r.service.reconcile();
    expect(report.ok).toBe(true);
    expect(report.applied.map((e) => e.type)).toEqual(['OrderAccepted']);
    expect(r.service.order('u-5')?.state).toBe('ACCEPTED');
    await r.service.close();
  });

  it('scrubs secrets from venue error text before it reaches events, the log or issues', async () => {
    const SECRET = 'sk-live-abcdef123456';
    const r = await rig({ redact: (t) => t.split(SECRET).join('[redacted]') });
    const original = r.venue.submit.bind(r.venue);
    r.venue.submit = async (o) => {
      if (o.clientOrderId === 'sec-1') {
        const { VenueError } = await import('../src/index.js');
        throw new VenueError('auth', `invalid signature for key ${SECRET}`);
      }
      return original(o);
    };
    await r.service.handle(submit('sec-1'));
    await r.service.idle();
    const rejected = r.events.find((e) => e.type === 'OrderRejected');
    expect(rejected).toMatchObject({ code: 'auth', reason: 'invalid signature for key [redacted]' });
    expect(JSON.stringify(r.service.records())).not.toContain(SECRET);
    expect(JSON.stringify(r.events)).not.toContain(SECRET);
    await r.service.close();
  });
});

describe('OrderService: restart and reconciliation', () => {
  it('applies fills that happened while the service was down — none lost, none doubled', async () => {
    const clock = new ManualClock(T0);
    const venue = new MemoryVenue({ id: 'memory', now: () => clock.now() });
    const r1 = await rig({ venue, clock });
    await r1.service.handle(submit('rc-1', { qty: 1 }));
    await r1.service.idle();
    venue.fill('rc-1', 0.4, 20_000);
    await r1.service.idle();
    await r1.service.close();
    const missed = venue.fill('rc-1', 0.6, 20_010); // nobody listening
    const r2 = await rig({ venue, clock });
    expect(r2.service.drift()).toEqual([]);
    expect(r2.service.order('rc-1')).toMatchObject({ state: 'FILLED', filledQty: 1 });
    const fillIds = r2.service
      .records()
      .filter((rec) => rec.kind === 'input' && rec.message.type === 'OrderFilled')
      .map((rec) => (rec.message as { fillId: string }).fillId);
    expect(fillIds).toEqual([venue.fills[0]!.fillId, missed.fillId]);
    await r2.service.close();
  });

  it('completes an order logged as sent that never reached the venue when its originator repeats it, exactly once', async () => {
    const clock = new ManualClock(T0);
    const lost = new MemoryVenue({ id: 'memory', now: () => clock.now() });
    lost.submit = async () => {
      throw new Error('process killed before the request left');
    };
    const r1 = await rig({ venue: lost, clock });
    await r1.service.handle(submit('nav-1'));
    await r1.service.idle();
    expect(r1.service.order('nav-1')?.state).toBe('SUBMITTED');
    await r1.service.close();
    const fresh = new MemoryVenue({ id: 'memory', now: () => clock.now() });
    const r2 = await rig({ venue: fresh, clock });
    // Reconciliation proved it absent: not drift, not rejected, not sent on the service's own initiative.
    expect(r2.service.drift()).toEqual([]);
    expect(r2.service.order('nav-1')?.state).toBe('SUBMITTED');
    expect(fresh.created).toHaveLength(0);
    const again = await r2.service.handle(submit('nav-1', { seq: 77 }));
    expect(again.duplicate?.clientOrderId).toBe('nav-1');
    await r2.service.idle();
    expect(fresh.created.map((o) => o.clientOrderId)).toEqual(['nav-1']);
    expect(r2.service.order('nav-1')?.state).not.toBe('REJECTED');
    // A further repeat is only a duplicate: the venue still has it once.
    await r2.service.handle(submit('nav-1', { seq: 78 }));
    await r2.service.idle();
    expect(fresh.created).toHaveLength(1);
    await r2.service.close();
  });

  it('reports an order the log does not know as drift and refuses commands until reconciled clean', async () => {
    const venue = new MemoryVenue({ id: 'memory' });
    venue.injectForeignOrder({ clientOrderId: 'manual-1', symbol: SYMBOL, side: 'sell', orderType: 'limit', qty: 2, filledQty: 0, avgPrice: Number.NaN, limitPrice: 40_000, status: 'open' });
    const r = await rig({ venue });
    expect(r.service.drift()).toEqual([
      expect.objectContaining({ kind: 'unknown_venue_order', clientOrderId: 'manual-1', symbol: SYMBOL, expected: null, actual: expect.objectContaining({ qty: 2, side: 'sell' }) }),
    ]);
    const refused = await r.service.handle(submit('blocked-1')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OrderShellError);
    expect((refused as OrderShellError).code).toBe('drift');
    expect((refused as Error).message).toMatch(/refused until the drift .* is resolved/);
    expect(venue.created.filter((o) => o.clientOrderId === 'blocked-1')).toHaveLength(0);
    // Control inputs still pass (an operator can still engage the kill switch).
    await expect(r.service.handle({ type: 'KillSwitch', tsEvent: T0, engaged: true, cancelAll: false, reason: 'drift' })).resolves.toBeDefined();
    await venue.cancel('manual-1', SYMBOL); // the operator deals with it at the venue
    expect((await r.service.reconcile()).ok).toBe(true);
    await r.service.handle({ type: 'KillSwitch', tsEvent: T0, engaged: false, cancelAll: false, reason: 'resolved' });
    await r.service.handle(submit('after-1'));
    await r.service.idle();
    expect(r.service.order('after-1')?.state).toBe('ACCEPTED');
    await r.service.close();
  });

  it.each([
    ['qty_mismatch', { qty: 3 }, 1, 3],
    ['side_mismatch', { side: 'sell' as const }, 'buy', 'sell'],
  ])('reports %s between the log and the venue', async (kind, patch, expected, actual) => {
    const venue = new MemoryVenue({ id: 'memory' });
    const r1 = await rig({ venue });
    await r1.service.handle(submit('mm-1', { qty: 1 }));
    await r1.service.idle();
    await r1.service.close();
    venue.corrupt('mm-1', patch);
    const r2 = await rig({ venue });
    expect(r2.service.drift()).toEqual([expect.objectContaining({ kind, clientOrderId: 'mm-1', symbol: SYMBOL, expected, actual, message: expect.stringContaining('mm-1') })]);
    await r2.service.close();
  });

  it('refuses a log made for another venue', async () => {
    const r = await rig();
    await r.service.close();
    const other = new MemoryVenue({ id: 'other' });
    await expect(OrderService.open({ config: { controls: {}, venue: { id: 'other', capabilities: other.capabilities } }, venue: other, logPath, tickMs: 0 })).rejects.toThrow(/belongs to venue "memory", not "other"/);
  });
});

describe('OrderService: the clock', () => {
  it('fires a GTD deadline on the clock tick: the order is canceled at the venue', async () => {
    const clock = new ManualClock(T0);
    const r = await rig({ clock, tickMs: 1_000 });
    await r.service.handle(submit('gtd-1', { timeInForce: 'gtd', expireAt: T0 + 5_000 }));
    await r.service.idle();
    expect(r.service.order('gtd-1')?.state).toBe('ACCEPTED');
    const before = r.service.records().length;
    clock.advance(3_000); // no timer due: nothing is stepped or logged
    await r.service.idle();
    expect(r.service.records().length).toBe(before);
    clock.advance(2_000);
    await r.service.idle();
    expect(r.venue.order('gtd-1')?.status).toBe('canceled');
    expect(r.service.order('gtd-1')?.state).toBe('CANCELED');
    expect(r.service.records().some((rec) => rec.kind === 'timer')).toBe(true);
    await r.service.close();
  });

  it('engaging the kill switch with cancelAll cancels every working order at the venue', async () => {
    const r = await rig();
    await r.service.handle(submit('ks-1'));
    await r.service.handle(submit('ks-2', { side: 'sell', limitPrice: 40_000 }));
    await r.service.idle();
    await r.service.handle({ type: 'KillSwitch', tsEvent: T0 + 10, engaged: true, cancelAll: true, reason: 'test' });
    await r.service.idle();
    expect([r.service.order('ks-1')?.state, r.service.order('ks-2')?.state]).toEqual(['CANCELED', 'CANCELED']);
    const blocked = await r.service.handle(submit('ks-3'));
    expect(blocked.events).toEqual([expect.objectContaining({ type: 'OrderRejected', code: 'kill_switch' })]);
    await r.service.close();
  });
});
