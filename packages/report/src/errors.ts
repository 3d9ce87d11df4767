/** Why a report could not be rendered. */
export const ReportErrorCode = {
  /** The model breaks an invariant (unsorted or non-finite series, times in ms instead of seconds, …). */
  InvalidModel: 'INVALID_MODEL',
  /** The charting library's standalone build could not be found or read. */
  ChartLibraryMissing: 'CHART_LIBRARY_MISSING',
} as const;
export type ReportErrorCode = (typeof ReportErrorCode)[keyof typeof ReportErrorCode];

/** The one error class of `@strata/report`. */
export class ReportError extends Error {
  override readonly name = 'ReportError';
  readonly code: ReportErrorCode;

  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
