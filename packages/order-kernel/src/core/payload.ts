import { ORDER_SCHEMA, type SubmitOrder } from '@strata/contract';

/**
 * The payload of a SubmitOrder — every field except the envelope's `seq` and `tsEvent` — in a
 * fixed order. Two submits with the same clientOrderId are the same request exactly when their
 * payloads are equal field by field; this is the same verdict as comparing their RFC 8785
 * canonical forms without `seq` and `tsEvent` (a property test checks that), without building
 * strings on the hot path.
 */
const PAYLOAD_FIELDS = ['symbol', 'side', 'qty', 'orderType', 'limitPrice', 'stopPrice', 'trailingOffsetBps', 'timeInForce', 'expireAt', 'reduceOnly', 'ocoGroup', 'reason'] as const;

export function samePayload(a: SubmitOrder, b: SubmitOrder): boolean {
  return payloadDiff(a, b).length === 0;
}

/** The fields that differ, as `field a → b` (empty when the payloads are equal). */
export function payloadDiff(a: SubmitOrder, b: SubmitOrder): string[] {
  const out: string[] = [];
  for (const f of PAYLOAD_FIELDS) if (a[f] !== b[f]) out.push(`${f} ${show(a[f])} → ${show(b[f])}`);
  const ba = a.bracket;
  const bb = b.bracket;
  if (ba !== bb && (ba === undefined || bb === undefined || ba.takeProfit !== bb.takeProfit || ba.stopLoss !== bb.stopLoss)) out.push(`bracket ${show(ba)} → ${show(bb)}`);
  return out;
}

function show(v: unknown): string {
  return v === undefined ? '(none)' : JSON.stringify(v);
}

/** A SubmitOrder with its keys in the contract's order and no undefined values (for snapshots). */
export function normalizeSubmit(m: SubmitOrder): SubmitOrder {
  const out: Record<string, unknown> = { schema: ORDER_SCHEMA, type: 'SubmitOrder', clientOrderId: m.clientOrderId, tsEvent: m.tsEvent, seq: m.seq };
  for (const f of PAYLOAD_FIELDS) {
    if (f === 'ocoGroup' && m.bracket !== undefined) out.bracket = normalizeBracket(m.bracket);
    if (m[f] !== undefined) out[f] = m[f];
  }
  if (m.bracket !== undefined && out.bracket === undefined) out.bracket = normalizeBracket(m.bracket);
  return out as unknown as SubmitOrder;
}

function normalizeBracket(b: NonNullable<SubmitOrder['bracket']>): NonNullable<SubmitOrder['bracket']> {
  const out: { takeProfit?: number; stopLoss?: number } = {};
  if (b.takeProfit !== undefined) out.takeProfit = b.takeProfit;
  if (b.stopLoss !== undefined) out.stopLoss = b.stopLoss;
  return out as NonNullable<SubmitOrder['bracket']>;
}
