import { errors as ccxtErrors } from 'ccxt';
import { VenueError, type VenueErrorKind } from '@strata/order-kernel';

/**
 * Every ccxt error class and the venue error kind it folds into. The rule of thumb: if the venue
 * answered and refused, the request did not take effect (`rejected`, `not_found`,
 * `insufficient_funds`, `auth`, `unsupported`); if ccxt cannot tell what happened — no answer, a
 * timeout, an answer it cannot read, an overload — the kind is `unavailable` or `rate_limited`, both
 * retryable, and for a submit it means "outcome unknown: look the order up".
 *
 * Decisions worth knowing:
 * - `InvalidNonce` (Binance -1021, timestamp outside recvWindow) is a NetworkError in ccxt and stays
 *   `unavailable`: the request was refused, but the cause is clock skew that goes away when the clock
 *   is resynchronised, so retrying (after the submit lookup) is right.
 * - `BadRequest` / `BadSymbol` / `ArgumentsRequired` / `OperationRejected` are `rejected`: the venue
 *   (or ccxt, before sending) refused this request as given; sending it again changes nothing.
 *   Binance's -1013 filter failures arrive as `BadRequest` or `InvalidOrder` depending on the filter.
 * - a bare `ExchangeError` (an error code ccxt has no class for), `OperationFailed`, `BadResponse`,
 *   `CancelPending` and the root `BaseError` are `unavailable`: the outcome is not established, so a
 *   submit is verified by lookup rather than assumed to have failed.
 * - `InvalidProxySettings` / `ExchangeClosedByUser` are `unavailable`: the venue cannot be reached
 *   as configured.
 * - ccxt maps Binance -2015 to `DDoSProtection` once a private call has succeeded on that instance
 *   (Binance answers -2015 to over-eager clients): that arrives here as `rate_limited`.
 * - anything that is not a ccxt error (a bug, a TypeError) is `unavailable` with the error as `cause`.
 */
export const CCXT_ERROR_KINDS = {
  BaseError: 'unavailable',
  ExchangeError: 'unavailable',
  AuthenticationError: 'auth',
  PermissionDenied: 'auth',
  AccountNotEnabled: 'auth',
  AccountSuspended: 'auth',
  ArgumentsRequired: 'rejected',
  BadRequest: 'rejected',
  BadSymbol: 'rejected',
  OperationRejected: 'rejected',
  NoChange: 'rejected',
  MarginModeAlreadySet: 'rejected',
  MarketClosed: 'rejected',
  ManualInteractionNeeded: 'rejected',
  RestrictedLocation: 'rejected',
  InsufficientFunds: 'insufficient_funds',
  InvalidAddress: 'rejected',
  AddressPending: 'rejected',
  InvalidOrder: 'rejected',
  OrderNotFound: 'not_found',
  OrderNotCached: 'not_found',
  OrderImmediatelyFillable: 'rejected',
  OrderNotFillable: 'rejected',
  DuplicateOrderId: 'rejected',
  ContractUnavailable: 'rejected',
  NotSupported: 'unsupported',
  InvalidProxySettings: 'unavailable',
  ExchangeClosedByUser: 'unavailable',
  OperationFailed: 'unavailable',
  NetworkError: 'unavailable',
  DDoSProtection: 'rate_limited',
  RateLimitExceeded: 'rate_limited',
  ExchangeNotAvailable: 'unavailable',
  OnMaintenance: 'unavailable',
  InvalidNonce: 'unavailable',
  ChecksumError: 'unavailable',
  RequestTimeout: 'unavailable',
  BadResponse: 'unavailable',
  NullResponse: 'unavailable',
  CancelPending: 'unavailable',
  UnsubscribeError: 'unavailable',
} as const satisfies Record<string, VenueErrorKind>;

export type CcxtErrorName = keyof typeof CCXT_ERROR_KINDS;

const byClass = new Map<unknown, VenueErrorKind>();
for (const [name, kind] of Object.entries(CCXT_ERROR_KINDS)) {
  const cls = (ccxtErrors as unknown as Record<string, unknown>)[name];
  if (typeof cls !== 'function') throw new Error(`ccxt no longer exports ${name}: update CCXT_ERROR_KINDS`);
  byClass.set(cls, kind);
}

/** The kind of a ccxt error: its own class's, else its nearest listed ancestor's (a class added by a newer ccxt). */
export function ccxtErrorKind(error: unknown): VenueErrorKind {
  if (!(error instanceof ccxtErrors.BaseError)) return 'unavailable';
  for (let proto: unknown = Object.getPrototypeOf(error); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const kind = byClass.get((proto as { constructor: unknown }).constructor);
    if (kind !== undefined) return kind;
  }
  return 'unavailable';
}

/** Words that must never reach a message: credentials and request signatures. */
export type Redactor = (text: string) => string;

export function redactor(secrets: readonly string[]): Redactor {
  const words = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(/signature=[0-9a-fA-F%A-Za-z+/=_-]+/g, 'signature=<redacted>');
    for (const w of words) out = out.split(w).join('<redacted>');
    return out;
  };
}

/**
 * Folds any error thrown by a ccxt call into a VenueError. `context` says what was being done
 * (e.g. `submit BTC/USDT buy 0.01 (clientOrderId abc)`); the ccxt error is kept as `cause` and its
 * message (redacted) appended.
 */
export function foldCcxtError(error: unknown, context: string, redact: Redactor = (t) => t): VenueError {
  if (error instanceof VenueError) return error;
  const kind = ccxtErrorKind(error);
  const name = error instanceof Error ? error.constructor.name : typeof error;
  const detail = error instanceof Error ? error.message : String(error);
  return new VenueError(kind, redact(`${context}: ${kind} (${name}: ${detail})`), { cause: error });
}
