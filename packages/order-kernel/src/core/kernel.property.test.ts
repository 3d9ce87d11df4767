import { ContractError, encodeMessage, type SubmitOrder } from '@strata/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTerminal, ORDER_STATES, OrderStateError } from '../fsm.js';
import { OrderKernel } from './kernel.js';
import { samePayload } from './payload.js';
import { accepted, amend, amended, cancel, cancelAll, canceled, clock, config, expired, filled, kill, last, quote, rejected, submit, T, venueOf } from './test-support.js';
import type { KernelInput, KernelOutput, OrderLogRecord, OrderSnapshot } from './types.js';

const IDS = ['a', 'b', 'c', 'd', 'e'];
const SYMBOLS = ['SPY', 'QQQ'];

/** One random action, turned into a valid kernel input at time `ts` (it may still be illegal for the order's state). */
const action = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('submit' as const), id: fc.nat(IDS.length - 1), variant: fc.nat(2), tif: fc.constantFrom('gtc', 'day', 'gtd', 'ioc') }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('accept' as const), id: fc.nat(IDS.length - 1) }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('fill' as const), id: fc.nat(IDS.length - 1), fillId: fc.nat(3), qty: fc.constantFrom(10, 25, 30, 50, 100) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('cancel' as const, 'canceled' as const, 'expired' as const, 'rejected' as const, 'refusedCommand' as const), id: fc.nat(IDS.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('amend' as const, 'amended' as const), id: fc.nat(IDS.length - 1), price: fc.integer({ min: 95, max: 105 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cancelAll' as const), symbol: fc.option(fc.constantFrom(...SYMBOLS), { nil: undefined }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('market' as const), symbol: fc.constantFrom(...SYMBOLS), mid: fc.integer({ min: 97, max: 103 }), withQuote: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('clock' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('kill' as const), engaged: fc.boolean(), cancelAll: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('requote' as const), id: fc.nat(IDS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('algo' as const), parent: fc.nat(1), slices: fc.integer({ min: 1, max: 4 }) }) },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

const steps = fc.array(fc.tuple(action, fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength: 60 });

function toInput(a: Action, ts: number): KernelInput {
  switch (a.k) {
    case 'submit': {
      const id = IDS[a.id]!;
      return submit(id, { symbol: SYMBOLS[a.id % 2]!, limitPrice: 100 + (a.variant === 2 ? 1 : 0), timeInForce: a.tif, ...(a.tif === 'gtd' ? { expireAt: ts + 5000 } : {}), ...(a.variant === 1 ? { reason: 'retry' } : {}) }, ts);
    }
    case 'accept':
      return accepted(IDS[a.id]!, ts);
    case 'fill':
      return filled(IDS[a.id]!, `f${a.fillId}`, a.qty, 100, ts, { symbol: SYMBOLS[a.id % 2]!, cumQty: a.qty });
    case 'cancel':
      return cancel(IDS[a.id]!, ts);
    case 'canceled':
      return canceled(IDS[a.id]!, 10, ts);
    case 'expired':
      return expired(IDS[a.id]!, 10, ts);
    case 'rejected':
      return rejected(IDS[a.id]!, 'venue_reject', ts);
    case 'refusedCommand':
      return rejected(IDS[a.id]!, 'amend_refused', ts);
    case 'amend':
      return amend(IDS[a.id]!, { limitPrice: a.price }, ts);
    case 'amended':
      return amended(IDS[a.id]!, { limitPrice: a.price }, ts);
    case 'cancelAll':
      return cancelAll(`ca${ts}`, a.symbol, ts);
    case 'market':
      return a.withQuote ? quote(a.symbol, a.mid - 0.01, a.mid + 0.01, ts) : last(a.symbol, a.mid, ts);
    case 'clock':
      return clock(ts);
    case 'kill':
      return kill(a.engaged, a.cancelAll, ts);
    case 'requote':
      return { type: 'Requote', tsEvent: ts, clientOrderId: IDS[a.id]!, everyMs: 500, offsetBps: 5 };
    case 'algo':
      return { type: 'StartAlgo', tsEvent: ts, parentId: `P${a.parent}`, algo: 'twap', child: submit('tpl', { symbol: 'SPY', qty: 90 }, ts), slices: a.slices, everyMs: 700, lotSize: 1 };
  }
}

const CFG = config({
  priceCollarBps: 300,
  requireReference: false,
  maxQty: 1000,
  maxNotional: 1e6,
  duplicateWindowMs: 200,
  throttle: { global: { limit: 6, windowMs: 1000 }, perSymbol: { limit: 4, windowMs: 1000 }, cancels: { limit: 3, windowMs: 1000 } },
  amendLoop: { maxAmends: 2, windowMs: 1000 },
});

interface Run {
  readonly inputs: KernelInput[];
  readonly outputs: KernelOutput[][];
  readonly log: OrderLogRecord[];
  readonly kernel: OrderKernel;
}

/** Feeds the actions; an input the state machine refuses must throw OrderStateError and change nothing, and is then left out. */
function play(list: readonly (readonly [Action, number])[], check?: (k: OrderKernel, outs: readonly KernelOutput[], before: OrderSnapshot[]) => void): Run {
  const k = new OrderKernel(CFG);
  const inputs: KernelInput[] = [];
  const outputs: KernelOutput[][] = [];
  let ts = T;
  for (const [a, dt] of list) {
    ts += dt;
    const input = toInput(a, ts);
    const before = JSON.stringify(k.snapshot());
    let outs: readonly KernelOutput[];
    try {
      outs = k.step(input);
    } catch (e) {
      if (e instanceof ContractError) throw e; // the generators only make valid messages
      expect(e).toBeInstanceOf(OrderStateError);
      expect(JSON.stringify(k.snapshot()), 'a refused input changes nothing').toBe(before);
      continue;
    }
    inputs.push(input);
    outputs.push([...outs]);
    check?.(k, outs, (JSON.parse(before) as { orders: OrderSnapshot[] }).orders);
  }
  return { inputs, outputs, log: outputs.flat().flatMap((o) => (o.kind === 'log' ? [o.record] : [])), kernel: k };
}

describe('the order kernel under random input sequences (properties)', () => {
  it('never reaches an illegal state; terminal stays terminal except FILLED by a late fill; the log is gap-free and ahead of its effects', () => {
    fc.assert(
      fc.property(steps, (list) => {
        let nextN = 0;
        play(list, (k, outs, before) => {
          const firstEffect = outs.findIndex((o) => o.kind !== 'log');
          for (const [i, o] of outs.entries()) {
            if (o.kind !== 'log') continue;
            expect(firstEffect === -1 || i < firstEffect, 'every log record precedes the effects').toBe(true);
            expect(o.record.n).toBe(nextN++);
          }
          const prev = new Map(before.map((o) => [o.clientOrderId, o]));
          for (const o of k.snapshot().orders) {
            expect(ORDER_STATES).toContain(o.state);
            expect(o.filledQty).toBeLessThanOrEqual(o.qty + 1e-9);
            expect(o.filledQty).toBeGreaterThanOrEqual(0);
            expect(new Set(o.fillIds).size).toBe(o.fillIds.length);
            const p = prev.get(o.clientOrderId);
            if (p !== undefined && isTerminal(p.state) && o.state !== p.state) {
              expect(o.state, `${o.clientOrderId} left ${p.state}`).toBe('FILLED');
              expect(o.filledQty).toBeCloseTo(o.qty, 9);
            }
          }
          const open = k.openOrders().map((o) => o.clientOrderId);
          expect(open).toEqual(k.orders().filter((o) => !isTerminal(o.state)).map((o) => o.clientOrderId));
        });
      }),
    );
  });

  it('folding the same inputs gives the same outputs and snapshot; replay(log) rebuilds the live snapshot', () => {
    fc.assert(
      fc.property(steps, (list) => {
        const live = play(list);
        const again = new OrderKernel(CFG);
        const outs = live.inputs.map((i) => [...again.step(i)]);
        expect(outs).toEqual(live.outputs);
        const snap = JSON.stringify(live.kernel.snapshot());
        expect(JSON.stringify(again.snapshot())).toBe(snap);
        expect(JSON.stringify(OrderKernel.replay(CFG, live.log).snapshot())).toBe(snap);
        expect(JSON.stringify(OrderKernel.replay(CFG, JSON.parse(JSON.stringify(live.log)) as OrderLogRecord[]).snapshot())).toBe(snap);
      }),
    );
  });

  it('a kernel resumed from a JSON snapshot at any point continues exactly like the original', () => {
    fc.assert(
      fc.property(steps, fc.nat(), (list, cut) => {
        const live = play(list);
        const at = cut % (live.inputs.length + 1);
        const head = new OrderKernel(CFG);
        for (const i of live.inputs.slice(0, at)) head.step(i);
        const resumed = new OrderKernel(CFG, JSON.parse(JSON.stringify(head.snapshot())));
        const tail = live.inputs.slice(at).map((i) => [...resumed.step(i)]);
        expect(tail).toEqual(live.outputs.slice(at));
        expect(JSON.stringify(resumed.snapshot())).toBe(JSON.stringify(live.kernel.snapshot()));
      }),
    );
  });

  it('the generators reach every order state and every output kind (so the properties above test something)', () => {
    const states = new Set<string>();
    const kinds = new Set<string>();
    const codes = new Set<string>();
    let refused = 0;
    fc.assert(
      fc.property(steps, (list) => {
        const k = new OrderKernel(CFG);
        let ts = T;
        for (const [a, dt] of list) {
          ts += dt;
          try {
            for (const o of k.step(toInput(a, ts))) {
              kinds.add(o.kind === 'log' ? `log:${o.record.kind}` : o.kind);
              if (o.kind === 'event' && o.event.type === 'OrderRejected') codes.add(o.event.code);
            }
          } catch {
            refused++;
          }
          for (const o of k.orders()) states.add(o.state);
        }
      }),
    );
    expect([...states].sort()).toEqual(ORDER_STATES.filter((s) => s !== 'PENDING').sort()); // PENDING never outlives a step
    expect([...kinds].sort()).toEqual(['conflict', 'duplicate', 'event', 'log:conflict', 'log:event', 'log:input', 'log:reject', 'log:timer', 'log:venue', 'venue']);
    expect(codes.size).toBeGreaterThanOrEqual(4);
    expect(refused).toBeGreaterThan(0);
  });
});

describe('idempotency (properties)', () => {
  it('N repeats of a submit, interleaved with other traffic, send exactly one SubmitOrder and N−1 duplicates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), steps, fc.array(fc.nat(), { maxLength: 8 }), (n, noise, positions) => {
        const k = new OrderKernel(config());
        const all: KernelInput[] = [];
        const target = (i: number): SubmitOrder => submit('target', { symbol: 'IWM', qty: 7 }, T + i); // another seq and tsEvent each time
        const noiseInputs = noise.map(([a], i) => toInput(a, T + i));
        let r = 0;
        for (let i = 0; i < noiseInputs.length + n; i++) {
          if (r < n && (positions.includes(i) || noiseInputs.length - (i - r) <= 0 || i % 3 === 0)) all.push(target(r++));
          else all.push(noiseInputs[i - r]!);
        }
        while (r < n) all.push(target(r++));
        let sent = 0;
        let duplicates = 0;
        for (const input of all) {
          let outs: readonly KernelOutput[] = [];
          try {
            outs = k.step(input);
          } catch (e) {
            expect(e).toBeInstanceOf(OrderStateError);
          }
          sent += venueOf(outs).filter((c) => c.type === 'SubmitOrder' && c.clientOrderId === 'target').length;
          duplicates += outs.filter((o) => o.kind === 'duplicate' && o.clientOrderId === 'target').length;
        }
        expect(sent).toBe(1);
        expect(duplicates).toBe(n - 1);
      }),
    );
  });

  it('same id: duplicate exactly when the canonical payload (RFC 8785, without seq and tsEvent) is equal, else conflict and the original is untouched', () => {
    const field = fc.record(
      {
        qty: fc.constantFrom(100, 101),
        side: fc.constantFrom('buy' as const, 'sell' as const),
        limitPrice: fc.constantFrom(100, 100.5),
        reason: fc.constantFrom(undefined, 'x'),
        reduceOnly: fc.constantFrom(undefined, true, false),
        bracket: fc.constantFrom(undefined, { stopLoss: 95 }, { stopLoss: 95, takeProfit: 110 }),
        ocoGroup: fc.constantFrom(undefined, 'g'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(field, field, fc.nat(1000), (a, b, dt) => {
        const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
        const first = submit('id', clean(a) as Partial<SubmitOrder>);
        const second = submit('id', clean(b) as Partial<SubmitOrder>, T + dt);
        const canonical = (m: SubmitOrder) => encodeMessage({ ...m, seq: 0, tsEvent: 0 });
        const same = canonical(first) === canonical(second);
        expect(samePayload(first, second)).toBe(same);
        const k = new OrderKernel(config());
        k.step(first);
        const before = JSON.stringify(k.snapshot().orders);
        const outs = k.step(second);
        expect(outs.filter((o) => o.kind !== 'log').map((o) => o.kind)).toEqual([same ? 'duplicate' : 'conflict']);
        expect(venueOf(outs)).toEqual([]);
        expect(JSON.stringify(k.snapshot().orders)).toBe(before);
      }),
    );
  });
});

describe('fills (properties)', () => {
  it('duplicate and out-of-order fill reports lose nothing and count nothing twice', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ qty: fc.integer({ min: 1, max: 40 }), price: fc.integer({ min: 90, max: 110 }) }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.nat(),
        (parts, dups, seed) => {
          const qty = 200;
          const fills: { id: string; qty: number; price: number }[] = [];
          let total = 0;
          for (const [i, p] of parts.entries()) {
            if (total + p.qty > qty) break;
            total += p.qty;
            fills.push({ id: `f${i}`, qty: p.qty, price: p.price });
          }
          // Every fill once, some twice, in a shuffled order.
          const reports = [...fills, ...dups.filter((d) => fills.length > 0).map((d) => fills[d % fills.length]!)];
          let s = seed;
          for (let i = reports.length - 1; i > 0; i--) {
            s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
            const j = s % (i + 1);
            [reports[i], reports[j]] = [reports[j]!, reports[i]!];
          }
          const k = new OrderKernel(config());
          k.step(submit('o', { qty, limitPrice: 110 }));
          k.step(accepted('o'));
          let forwarded = 0;
          for (const f of reports) forwarded += k.step(filled('o', f.id, f.qty, f.price, T, { cumQty: f.qty })).filter((o) => o.kind === 'event').length;
          const v = k.order('o')!;
          expect(forwarded, 'each execution is forwarded once').toBe(fills.length);
          expect(v.filledQty).toBe(total);
          expect([...v.fillIds].sort()).toEqual(fills.map((f) => f.id).sort());
          if (total > 0) expect(v.avgPrice).toBeCloseTo(fills.reduce((a, f) => a + f.qty * f.price, 0) / total, 9);
          expect(v.state).toBe(total === qty ? 'FILLED' : total > 0 ? 'PARTIALLY_FILLED' : 'ACCEPTED');
        },
      ),
    );
  });
});
