/**
 * The order-kernel shell's one error class. `code` is a closed set; the message says what went
 * wrong, where, and how to fix it. The original error, when there is one, is kept as `cause`.
 */
export const SHELL_ERROR_CODES = [
  /** The order log is not what this process expects: another venue, another schema version, a gap or a rewrite. */
  'order_log',
  /** STRATA_CREDENTIALS_KEY is missing or malformed. */
  'credentials_key',
  /** The credentials file cannot be read, has an unknown format, or fails authentication (wrong key or tampering). */
  'credentials_file',
  /** No credentials are stored for a venue that needs them. */
  'credentials_missing',
  /** The peer speaks another major version of the contract or of the transport protocol. */
  'unsupported_version',
  /** A transport frame broke the protocol (not JSON, unknown frame, bad correlation id). */
  'protocol',
  /** The connection to the order-kernel server is closed or could not be opened. */
  'connection',
  /** Reconciliation found drift between the order log and the venue; commands are refused until it is resolved. */
  'drift',
  /** The service is closed or closing. */
  'closed',
] as const;
export type ShellErrorCode = (typeof SHELL_ERROR_CODES)[number];

export class OrderShellError extends Error {
  override readonly name = 'OrderShellError';
  constructor(
    readonly code: ShellErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
