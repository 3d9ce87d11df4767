import type { FeedIssue } from './types.js';

/** Every way a feed operation can fail. Closed union: callers may switch on it exhaustively. */
export const FEED_ERROR_CODES = [
  /** A feed ID that no registration matches (the message lists the known IDs). */
  'unknown_feed',
  /** A feed ID registered twice. */
  'duplicate_feed',
  /** A symbol with no data file (the message names the directory and the available symbols). */
  'unknown_symbol',
  /** The requested range is not covered by the data (the message states the available range). */
  'range_outside_data',
  /** The data failed validation on load (`issues` holds every finding, located by file and line). */
  'invalid_data',
  /** A malformed request (empty symbol list, from > to, bad speed, …). */
  'invalid_request',
  /** A record that does not match its canonical JSON Schema. */
  'invalid_record',
  /** Something this adapter / calendar / timeframe does not support. */
  'unsupported',
  /** Reading a file failed (permissions, I/O, DuckDB). `cause` keeps the original error. */
  'io_error',
  /** A local model (the sentiment ONNX model) is missing, does not match its descriptor, or failed to run. */
  'model_error',
] as const;

export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

export interface FeedErrorOptions {
  readonly issues?: readonly FeedIssue[];
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** The one error class of `@strata/feeds`. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  readonly code: FeedErrorCode;
  /** Data findings behind an `invalid_data` error (empty otherwise). */
  readonly issues: readonly FeedIssue[];
  /** Structured facts for programs (known IDs, available symbols, available range, …). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: FeedErrorCode, message: string, options: FeedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
  }
}

export function isFeedError(e: unknown, code?: FeedErrorCode): e is FeedError {
  return e instanceof FeedError && (code === undefined || e.code === code);
}
