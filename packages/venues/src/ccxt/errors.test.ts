import { errors as ccxtErrors } from 'ccxt';
import { VENUE_ERROR_KINDS, VenueError } from '@strata/order-kernel';
import { describe, expect, it } from 'vitest';
import { CCXT_ERROR_KINDS, ccxtErrorKind, foldCcxtError, redactor } from './errors.js';

/** The expected fold, written out independently of the implementation's table. */
const EXPECTED: Record<string, keyof typeof VENUE_ERROR_KINDS> = {
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
};

const classes = Object.entries(ccxtErrors).filter(([name, cls]) => name !== 'default' && typeof cls === 'function') as [string, new (m: string) => Error][];

describe('ccxt error taxonomy', () => {
  it('covers every error class ccxt exports, and nothing else', () => {
    expect(Object.keys(CCXT_ERROR_KINDS).sort()).toEqual(classes.map(([n]) => n).sort());
    expect(Object.keys(EXPECTED).sort()).toEqual(classes.map(([n]) => n).sort());
  });

  it.each(classes)('%s folds into its kind, keeps the error as cause and the retryable flag of the kind', (name, Cls) => {
    const original = new Cls('binance {"code":-1,"msg":"x"}');
    const folded = foldCcxtError(original, 'fetch balances');
    expect(folded).toBeInstanceOf(VenueError);
    expect(folded.kind, `${name} → ${EXPECTED[name]}`).toBe(EXPECTED[name]);
    expect(folded.retryable).toBe(VENUE_ERROR_KINDS[folded.kind].retryable);
    expect(folded.cause).toBe(original);
    expect(folded.message).toBe(`fetch balances: ${folded.kind} (${name}: binance {"code":-1,"msg":"x"})`);
  });

  it('folds a subclass ccxt may add later by its nearest listed ancestor', () => {
    class NewOrderProblem extends ccxtErrors.OrderNotFound {}
    class NewThrottle extends ccxtErrors.RateLimitExceeded {}
    expect(ccxtErrorKind(new NewOrderProblem('x'))).toBe('not_found');
    expect(ccxtErrorKind(new NewThrottle('x'))).toBe('rate_limited');
  });

  it('folds errors that are not ccxt errors into unavailable, and passes VenueErrors through', () => {
    const bug = new TypeError('x is undefined');
    expect(foldCcxtError(bug, 'submit').kind).toBe('unavailable');
    expect(foldCcxtError(bug, 'submit').cause).toBe(bug);
    const ve = new VenueError('rejected', 'no');
    expect(foldCcxtError(ve, 'submit')).toBe(ve);
  });

  it('redacts credentials and request signatures from messages', () => {
    const redact = redactor(['KEY123', 'SECRET456']);
    const e = foldCcxtError(new ccxtErrors.NetworkError('binance GET http://h/api/v3/account?timestamp=1&signature=abcdef0123 KEY123 SECRET456 failed'), 'fetch', redact);
    expect(e.message).toBe('fetch: unavailable (NetworkError: binance GET http://h/api/v3/account?timestamp=1&signature=<redacted> <redacted> <redacted> failed)');
  });
});
