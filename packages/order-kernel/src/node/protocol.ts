import { COMMAND_TYPES, ContractError, ORDER_SCHEMA, validateMessage, type Command, type OrderEvent } from '@strata/contract';
import { CONTROL_INPUT_TYPES, checkInput } from '../core/check-input.js';
import type { ControlInput } from '../core/types.js';
import type { OrderView } from '../fsm.js';
import { ORDER_STATES } from '../fsm.js';
import { OrderShellError } from './errors.js';

/**
 * The gateway wire protocol: newline-delimited JSON frames over a stream socket. Version 1.
 *
 * client → server: `hello` (first frame), then requests `send`, `control`, `orders`,
 *                  `reconcile`, each with a correlation `id` (a positive integer).
 * server → client: `hello` (the answer to the client's), `result` (one per request, same `id`),
 *                  `event` (pushed contract events, in kernel order), `error` (a frame the server
 *                  could not take; carries the request `id` when it had one).
 *
 * Both hellos carry `schema: "order/v1"` and `protocol: 1`; a peer with another major version is
 * refused with an `unsupported_version` error. Every contract message is validated with the
 * contract's compiled validators when it is received, at both ends.
 */
export const GATEWAY_PROTOCOL = 1;
/** Largest frame either end accepts (bytes, without the newline). */
export const MAX_FRAME_BYTES = 1 << 20;

/** What a command produced, synchronously with respect to the kernel step that took it. */
export interface SendResult {
  /** Upstream events the step emitted (OrderSubmitted, pre-trade OrderRejected, …), in order. */
  readonly events: readonly OrderEvent[];
  /** Set when the command repeated a SubmitOrder (same clientOrderId, same payload): the original order; nothing was sent. */
  readonly duplicate?: { readonly clientOrderId: string; readonly order: OrderView };
  /** Set when the command reused a clientOrderId with a different payload: refused, the original is untouched. */
  readonly conflict?: { readonly clientOrderId: string; readonly message: string };
}

/** One difference between the order log and the venue found by reconciliation. */
export interface Drift {
  readonly kind: 'unknown_venue_order' | 'qty_mismatch' | 'symbol_mismatch' | 'side_mismatch' | 'fill_mismatch' | 'missing_at_venue' | 'state_mismatch';
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly message: string;
}

export interface ReconcileReport {
  /** True when no drift was found: trading may proceed. */
  readonly ok: boolean;
  readonly drift: readonly Drift[];
  /** Non-terminal orders in the log that were checked against the venue. */
  readonly checked: number;
  /** Events recovered from the venue and stepped into the kernel (fills the log missed, acceptances, terminal states). */
  readonly applied: readonly OrderEvent[];
  /**
   * Orders logged as sent that the venue has never seen (the process stopped between logging and
   * sending). They stay SUBMITTED; the first repeat of the same SubmitOrder sends them, once.
   */
  readonly unsent: readonly string[];
}

/**
 * The port between a strategy kernel and the order kernel. In-process it wraps an OrderService;
 * cross-process it is a SocketGateway talking to a server process. Both behave the same.
 */
export interface OrderGateway {
  /** Takes one command. Rejects with ContractError for an invalid message, OrderShellError `drift` while drift is unresolved. */
  send(cmd: Command): Promise<SendResult>;
  /** Market data, clock, kill switch, algo start: the kernel's non-contract inputs. */
  control(input: ControlInput): Promise<SendResult>;
  /** Every upstream event, in kernel order. Returns an unsubscribe function. */
  onEvent(listener: (event: OrderEvent) => void): () => void;
  orders(): Promise<OrderView[]>;
  close(): Promise<void>;
}

// ——— frames ———

export type ClientFrame =
  | { readonly t: 'hello'; readonly schema: string; readonly protocol: number; readonly client?: string }
  | { readonly t: 'send'; readonly id: number; readonly message: unknown }
  | { readonly t: 'control'; readonly id: number; readonly input: unknown }
  | { readonly t: 'orders'; readonly id: number }
  | { readonly t: 'reconcile'; readonly id: number }
  /** The client could not take a server frame (reported to the server's error hook). */
  | ({ readonly t: 'error' } & WireError);

export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly problems?: readonly string[];
  /** `contract` for a ContractError, `shell` for an OrderShellError, else `internal`. */
  readonly source: 'contract' | 'shell' | 'internal';
}

/** What the server side of the protocol needs: a gateway plus the reconciliation state. */
export interface GatewayBackend extends OrderGateway {
  readonly venueId: string;
  /** The drift of the last reconciliation; commands are refused while it is not empty. */
  drift(): readonly Drift[];
  /** Reconciles again (after the operator fixed the venue side) and returns the report. */
  reconcile(): Promise<ReconcileReport>;
}

export type ServerFrame =
  | { readonly t: 'hello'; readonly schema: string; readonly protocol: number; readonly venue: string; readonly drift: readonly Drift[] }
  | { readonly t: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'result'; readonly id: number; readonly ok: false; readonly error: WireError }
  | { readonly t: 'event'; readonly event: OrderEvent }
  | ({ readonly t: 'error'; readonly id?: number } & WireError);

export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return `${JSON.stringify(frame)}\n`;
}

/** Splits a byte stream into frames. A line longer than MAX_FRAME_BYTES is reported and skipped. */
export class FrameReader {
  private buffer = '';
  private skipping = false;
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOversize: () => void,
  ) {}

  push(chunk: string): void {
    let text = this.buffer + chunk;
    this.buffer = '';
    for (;;) {
      const nl = text.indexOf('\n');
      if (nl < 0) break;
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (line.length > MAX_FRAME_BYTES) {
        this.onOversize();
        continue;
      }
      if (line.trim() !== '') this.onLine(line);
    }
    if (text.length > MAX_FRAME_BYTES) {
      if (!this.skipping) this.onOversize();
      this.skipping = true;
      text = '';
    }
    if (!this.skipping) this.buffer = text;
  }
}

/** Checks the peer's hello: the same contract major version and protocol, or an `unsupported_version` error. */
export function checkHello(frame: { schema?: unknown; protocol?: unknown }, peer: 'client' | 'server'): void {
  const schema = frame.schema;
  if (typeof schema !== 'string' || !/^order\/v\d+$/.test(schema)) {
    throw new OrderShellError('protocol', `the ${peer}'s hello has no valid \`schema\` (got ${JSON.stringify(schema)}); expected "${ORDER_SCHEMA}"`);
  }
  if (schema !== ORDER_SCHEMA) {
    throw new OrderShellError('unsupported_version', `the ${peer} speaks ${schema}; this end speaks ${ORDER_SCHEMA} only — run matching versions of the strategy kernel and the order kernel`);
  }
  if (frame.protocol !== GATEWAY_PROTOCOL) {
    throw new OrderShellError('unsupported_version', `the ${peer} speaks gateway protocol ${JSON.stringify(frame.protocol)}; this end speaks protocol ${GATEWAY_PROTOCOL} only`);
  }
}

/** A contract command, validated; an event or anything else is a ContractError. */
export function validateCommand(value: unknown): Command {
  const m = validateMessage(value);
  if (!(COMMAND_TYPES as readonly string[]).includes(m.type)) throw new ContractError('invalid_message', `send takes a command (${COMMAND_TYPES.join(', ')}), got the event ${m.type}`);
  return m as Command;
}

/** A contract event, validated. */
export function validateEvent(value: unknown): OrderEvent {
  const m = validateMessage(value);
  if ((COMMAND_TYPES as readonly string[]).includes(m.type)) throw new ContractError('invalid_message', `expected an event, got the command ${m.type}`);
  return m as OrderEvent;
}

// ——— control inputs ———

/** Checks a control input (the kernel's non-contract inputs) with the kernel's own boundary check; an invalid one is a ContractError. */
export function validateControl(value: unknown): ControlInput {
  const input = checkInput(value);
  if ('schema' in input) throw new ContractError('invalid_message', `control takes a control input (${CONTROL_INPUT_TYPES.join(', ')}); send contract messages with send()`);
  return input;
}

// ——— order views over the wire ———

/** OrderView → JSON (avgPrice NaN becomes null). */
export function orderViewToWire(v: OrderView): unknown {
  return { ...v, avgPrice: Number.isNaN(v.avgPrice) ? null : v.avgPrice };
}

/** JSON → OrderView, checked field by field (avgPrice null is NaN again). */
export function orderViewFromWire(value: unknown): OrderView {
  const v = value as Record<string, unknown> | null;
  const bad = (what: string): never => {
    throw new OrderShellError('protocol', `malformed order view from the server: ${what}`);
  };
  if (v === null || typeof v !== 'object') return bad('not an object');
  if (typeof v.clientOrderId !== 'string') bad('clientOrderId');
  if (typeof v.state !== 'string' || !(ORDER_STATES as readonly string[]).includes(v.state)) bad(`state ${JSON.stringify(v.state)}`);
  if (typeof v.symbol !== 'string') bad('symbol');
  if (v.side !== 'buy' && v.side !== 'sell') bad('side');
  for (const f of ['qty', 'filledQty', 'lateFills'] as const) if (typeof v[f] !== 'number') bad(f);
  if (v.avgPrice !== null && typeof v.avgPrice !== 'number') bad('avgPrice');
  if (!Array.isArray(v.fillIds) || !v.fillIds.every((x) => typeof x === 'string')) bad('fillIds');
  return { ...(v as unknown as OrderView), avgPrice: v.avgPrice === null ? Number.NaN : (v.avgPrice as number) };
}

export function sendResultToWire(r: SendResult): unknown {
  return r.duplicate ? { ...r, duplicate: { ...r.duplicate, order: orderViewToWire(r.duplicate.order) } } : r;
}

/** JSON → SendResult; every event is validated against the contract. */
export function sendResultFromWire(value: unknown): SendResult {
  const v = value as Record<string, unknown> | null;
  if (v === null || typeof v !== 'object' || !Array.isArray(v.events)) throw new OrderShellError('protocol', 'malformed send result from the server: no events array');
  const events = v.events.map(validateEvent);
  const d = v.duplicate as { clientOrderId?: unknown; order?: unknown } | undefined;
  const c = v.conflict as { clientOrderId?: unknown; message?: unknown } | undefined;
  if (d !== undefined && typeof d.clientOrderId !== 'string') throw new OrderShellError('protocol', 'malformed duplicate in send result');
  if (c !== undefined && (typeof c.clientOrderId !== 'string' || typeof c.message !== 'string')) throw new OrderShellError('protocol', 'malformed conflict in send result');
  return {
    events,
    ...(d !== undefined ? { duplicate: { clientOrderId: d.clientOrderId as string, order: orderViewFromWire(d.order) } } : {}),
    ...(c !== undefined ? { conflict: { clientOrderId: c.clientOrderId as string, message: c.message as string } } : {}),
  };
}

/** Any thrown value → the wire form. Only the message and code cross; stacks stay in the server. */
export function errorToWire(e: unknown): WireError {
  if (e instanceof ContractError) return { code: e.code, message: e.message, problems: e.problems, source: 'contract' };
  if (e instanceof OrderShellError) return { code: e.code, message: e.message, source: 'shell' };
  return { code: 'internal', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e), source: 'internal' };
}

/** The wire form → the same error class the in-process gateway would have thrown. */
export function errorFromWire(w: WireError): Error {
  if (w.source === 'contract') {
    const e = new ContractError(w.code as ContractError['code'], w.message);
    Object.defineProperty(e, 'problems', { value: w.problems ?? [], enumerable: true });
    return e;
  }
  if (w.source === 'shell') return new OrderShellError(w.code as OrderShellError['code'], w.message);
  return new Error(w.message);
}
