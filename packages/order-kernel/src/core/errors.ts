import type { OrderKernelErrorCode } from './types.js';

/** The order kernel's own failures: a bad configuration, a snapshot it cannot resume from, a log that does not replay. */
export class OrderKernelError extends Error {
  override readonly name = 'OrderKernelError';
  constructor(
    readonly code: OrderKernelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
