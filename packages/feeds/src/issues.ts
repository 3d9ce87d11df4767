import type { FeedIssue, FeedIssueSeverity } from './types.js';

/**
 * Every finding that validation on load can report, with its fixed severity.
 * Errors make a strict load fail; warnings are reported and the row is kept.
 */
export const FEED_ISSUE_SEVERITY = {
  /** The file has no header line, or a header and no data rows. */
  empty_file: 'error',
  /** The header is not the layout's (the message names expected vs got columns). */
  header_mismatch: 'error',
  /** A row with more or fewer fields than the header. */
  column_count: 'error',
  /** An empty field (or SQL NULL in Parquet). */
  missing_value: 'error',
  /** A field that is not a finite decimal number (`NaN`, `abc`, `1e999`, `0x10`, …). */
  non_numeric: 'error',
  /** A date / timestamp that is not a valid `YYYY-MM-DD` (daily) or ISO-8601 UTC instant. */
  bad_timestamp: 'error',
  /** A timestamp that is not on a bar boundary of the timeframe (e.g. 10:30 in a 1h file). */
  misaligned_ts: 'error',
  /** A timestamp earlier than the one before it. */
  non_monotonic: 'error',
  /** A timestamp equal to the one before it. */
  duplicate_ts: 'error',
  /** A price (open, high, low, close, adj_close) that is zero or negative. */
  non_positive_price: 'error',
  /** A negative volume. */
  negative_volume: 'error',
  /** high < low, or open / close outside [low, high]. */
  ohlc_inconsistent: 'error',
  /** Bars missing against the timeframe and trading calendar (reported on the row after the gap). */
  gap: 'warning',
  /** A bar on a day / time the calendar says is closed. */
  off_calendar: 'warning',
  /** A bar with volume 0. */
  zero_volume: 'warning',
  /** An empty line inside the file (skipped). */
  blank_line: 'warning',
  /** A JSON Lines record that is not JSON, or not a valid record of the file's schema (e.g. news/v1). */
  invalid_record: 'error',
  /** A record id seen before in the same file (news items are keyed by id). */
  duplicate_id: 'error',
} as const satisfies Record<string, FeedIssueSeverity>;

export type FeedIssueCode = keyof typeof FEED_ISSUE_SEVERITY;

export const FEED_ISSUE_CODES = Object.keys(FEED_ISSUE_SEVERITY) as readonly FeedIssueCode[];

/** `file:line: severity code: message` — the one-line form used in error messages and logs. */
export function formatIssue(issue: FeedIssue): string {
  return `${issue.file}:${issue.line}: ${issue.severity} ${issue.code}: ${issue.message}`;
}

export function countIssues(issues: readonly FeedIssue[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const i of issues) if (i.severity === 'error') errors++;
  return { errors, warnings: issues.length - errors };
}
