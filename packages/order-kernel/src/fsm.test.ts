import type { Message } from '@strata/contract';
import { validateMessage } from '@strata/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyInPlace, applyMessage, foldOrder, inputOf, isTerminal, newOrderRecord, ORDER_INPUTS, ORDER_STATES, ORDER_TRANSITIONS, OrderStateError, transition, type OrderView } from './fsm.js';

/** The full table, written out independently of the code: [state, input, expected next state]. */
const LEGAL: readonly (readonly [string, string, string])[] = [
  ['PENDING', 'Submitted', 'SUBMITTED'],
  ['PENDING', 'Rejected', 'REJECTED'],
  ['PENDING', 'CancelRequested', 'CANCELED'],
  ['SUBMITTED', 'Accepted', 'ACCEPTED'],
  ['SUBMITTED', 'Rejected', 'REJECTED'],
  ['SUBMITTED', 'PartialFill', 'PARTIALLY_FILLED'],
  ['SUBMITTED', 'FinalFill', 'FILLED'],
  ['SUBMITTED', 'CancelRequested', 'CANCEL_PENDING'],
  ['SUBMITTED', 'Canceled', 'CANCELED'],
  ['SUBMITTED', 'Expired', 'EXPIRED'],
  ['SUBMITTED', 'CommandRejected', 'SUBMITTED'],
  ['ACCEPTED', 'PartialFill', 'PARTIALLY_FILLED'],
  ['ACCEPTED', 'FinalFill', 'FILLED'],
  ['ACCEPTED', 'CancelRequested', 'CANCEL_PENDING'],
  ['ACCEPTED', 'Canceled', 'CANCELED'],
  ['ACCEPTED', 'Expired', 'EXPIRED'],
  ['ACCEPTED', 'AmendRequested', 'ACCEPTED'],
  ['ACCEPTED', 'Amended', 'ACCEPTED'],
  ['ACCEPTED', 'CommandRejected', 'ACCEPTED'],
  ['PARTIALLY_FILLED', 'PartialFill', 'PARTIALLY_FILLED'],
  ['PARTIALLY_FILLED', 'FinalFill', 'FILLED'],
  ['PARTIALLY_FILLED', 'CancelRequested', 'CANCEL_PENDING'],
  ['PARTIALLY_FILLED', 'Canceled', 'CANCELED'],
  ['PARTIALLY_FILLED', 'Expired', 'EXPIRED'],
  ['PARTIALLY_FILLED', 'AmendRequested', 'PARTIALLY_FILLED'],
  ['PARTIALLY_FILLED', 'Amended', 'PARTIALLY_FILLED'],
  ['PARTIALLY_FILLED', 'CommandRejected', 'PARTIALLY_FILLED'],
  ['CANCEL_PENDING', 'PartialFill', 'CANCEL_PENDING'],
  ['CANCEL_PENDING', 'FinalFill', 'FILLED'],
  ['CANCEL_PENDING', 'Canceled', 'CANCELED'],
  ['CANCEL_PENDING', 'Expired', 'EXPIRED'],
  ['CANCEL_PENDING', 'CancelRejectedUnfilled', 'ACCEPTED'],
  ['CANCEL_PENDING', 'CancelRejectedPartial', 'PARTIALLY_FILLED'],
];

describe('the order transition table', () => {
  const cases = ORDER_STATES.flatMap((s) => ORDER_INPUTS.map((i) => [s, i] as const));
  it.each(cases)('%s × %s', (state, input) => {
    const expected = LEGAL.find(([s, i]) => s === state && i === input)?.[2];
    if (expected === undefined) {
      expect(() => transition(state, input), `${state} --${input}--> is not in the table: it must be refused`).toThrow(OrderStateError);
    } else {
      expect(transition(state, input), `${state} --${input}-->`).toBe(expected);
    }
  });

  it('terminal states have no way out, and every open state has one', () => {
    for (const s of ORDER_STATES) expect(Object.keys(ORDER_TRANSITIONS[s]).length === 0).toBe(isTerminal(s));
  });

  it('random input sequences never leave the set of states: an illegal step throws and changes nothing (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ORDER_INPUTS), { maxLength: 40 }), (inputs) => {
        let state: (typeof ORDER_STATES)[number] = 'PENDING';
        for (const i of inputs) {
          try {
            state = transition(state, i);
          } catch (e) {
            expect(e).toBeInstanceOf(OrderStateError);
          }
          expect(ORDER_STATES).toContain(state);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

const base = { schema: 'order/v1' as const, clientOrderId: 'abc-SPY-1-0', tsEvent: 1_000, seq: 0 };
const submit: Message = { ...base, type: 'SubmitOrder', symbol: 'SPY', side: 'buy', qty: 100, orderType: 'market', timeInForce: 'day' };
const fill = (fillId: string, qty: number, price: number, cumQty: number): Message => ({ ...base, type: 'OrderFilled', fillId, symbol: 'SPY', side: 'buy', qty, price, fee: 0, cumQty, leavesQty: 100 - cumQty });

describe('an order as the fold of its messages', () => {
  it('every example message is valid order/v1', () => {
    for (const m of [submit, fill('f1', 40, 10, 40)]) expect(validateMessage(m)).toBe(m);
  });

  it('submit → submitted → accepted → partial → final fill', () => {
    const v = foldOrder([submit, { ...base, type: 'OrderSubmitted', symbol: 'SPY' }, { ...base, type: 'OrderAccepted' }, fill('f1', 40, 10, 40), fill('f2', 60, 11, 100)])!;
    expect(v).toMatchObject({ state: 'FILLED', filledQty: 100, fillIds: ['f1', 'f2'] });
    expect(v.avgPrice).toBeCloseTo((40 * 10 + 60 * 11) / 100, 12);
  });

  it('a duplicate fill report changes nothing (idempotent by fillId)', () => {
    const once = foldOrder([submit, { ...base, type: 'OrderSubmitted', symbol: 'SPY' }, fill('f1', 40, 10, 40)])!;
    const twice = applyMessage(once, fill('f1', 40, 10, 40));
    expect(twice).toBe(once);
  });

  it('a fill racing a cancel is kept: after OrderCanceled it is recorded, not lost', () => {
    const live = foldOrder([submit, { ...base, type: 'OrderSubmitted', symbol: 'SPY' }, { ...base, type: 'OrderAccepted' }, { ...base, type: 'CancelOrder' }, { ...base, type: 'OrderCanceled', canceledQty: 100 }])!;
    expect(live.state).toBe('CANCELED');
    const late = applyMessage(live, fill('f9', 30, 10, 30));
    expect(late).toMatchObject({ state: 'CANCELED', filledQty: 30, lateFills: 1 });
  });

  it('a venue refusing our cancel returns the order to where it was', () => {
    const pending = foldOrder([submit, { ...base, type: 'OrderSubmitted', symbol: 'SPY' }, { ...base, type: 'OrderAccepted' }, fill('f1', 40, 10, 40), { ...base, type: 'CancelOrder' }])!;
    expect(pending.state).toBe('CANCEL_PENDING');
    expect(applyMessage(pending, { ...base, type: 'OrderRejected', code: 'too_late', reason: 'order is already being filled' }).state).toBe('PARTIALLY_FILLED');
  });

  it('refuses what cannot happen: a second submit, a fill before the order was sent, an overfill', () => {
    const v = foldOrder([submit])!;
    expect(() => applyMessage(v, submit)).toThrow(/already exists/);
    expect(() => applyMessage(v, fill('f1', 10, 10, 10))).toThrow(OrderStateError);
    const sent = applyMessage(v, { ...base, type: 'OrderSubmitted', symbol: 'SPY' });
    expect(() => applyMessage(sent, fill('f1', 101, 10, 101))).toThrow(/overfill/);
    expect(() => foldOrder([{ ...base, type: 'OrderAccepted' }])).toThrow(/before SubmitOrder/);
  });

  it('folding the same messages always gives the same view, whatever duplicates are interleaved (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), (sizes, dupIdx) => {
        const fills: Message[] = [];
        let cum = 0;
        for (const [k, q] of sizes.entries()) {
          if (cum + q > 100) break;
          cum += q;
          fills.push(fill(`f${k}`, q, 10 + k, cum));
        }
        const head: Message[] = [submit, { ...base, type: 'OrderSubmitted', symbol: 'SPY' }, { ...base, type: 'OrderAccepted' }];
        const plain = foldOrder([...head, ...fills]) as OrderView;
        const withDups = [...head];
        for (const [k, f] of fills.entries()) {
          withDups.push(f);
          if (dupIdx.includes(k)) withDups.push(f);
        }
        expect(foldOrder(withDups)).toEqual(plain);
        expect(foldOrder([...head, ...fills])).toEqual(plain);
      }),
      { numRuns: 300 },
    );
  });
});

describe('applyInPlace (the kernel’s mutable form)', () => {
  it('checks before it writes: a refused message leaves the record exactly as it was', () => {
    const o = newOrderRecord({ clientOrderId: 'abc-SPY-1-0', symbol: 'SPY', side: 'buy', qty: 100 });
    applyInPlace(o, { ...base, type: 'OrderSubmitted', symbol: 'SPY' });
    applyInPlace(o, fill('f1', 40, 10, 40));
    const before = JSON.stringify(o);
    expect(() => applyInPlace(o, fill('f2', 70, 10, 110))).toThrow(/overfill/);
    expect(() => applyInPlace(o, { ...base, type: 'OrderAccepted' })).toThrow(OrderStateError);
    expect(() => applyInPlace(o, { ...base, type: 'OrderAmended', qty: 30 })).toThrow(/below its filled qty 40/);
    expect(JSON.stringify(o)).toBe(before);
    expect(applyInPlace(o, fill('f1', 40, 10, 40))).toBe(false); // duplicate: a no-op
    expect(JSON.stringify(o)).toBe(before);
  });

  it('a rejection with a command code refuses the command, not the order', () => {
    const rej = (code: string): Message => ({ ...base, type: 'OrderRejected', code, reason: 'x' });
    expect(inputOf(rej('unsupported_amend'), { state: 'ACCEPTED', qty: 100, filledQty: 0 })).toBe('CommandRejected');
    expect(inputOf(rej('throttle_cancels'), { state: 'SUBMITTED', qty: 100, filledQty: 0 })).toBe('CommandRejected');
    expect(inputOf(rej('max_qty'), { state: 'PENDING', qty: 100, filledQty: 0 })).toBe('Rejected');
  });
});
