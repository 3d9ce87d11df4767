/** The kernel's one error class, with a closed set of codes. */
export const KERNEL_ERROR_CODES = ['unsupported', 'data', 'range', 'internal'] as const;
export type KernelErrorCode = (typeof KERNEL_ERROR_CODES)[number];

export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    readonly code: KernelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
