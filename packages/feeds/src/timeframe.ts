import { FeedError } from './errors.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const UNIT_MS = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS } as const;

/**
 * Length of a timeframe in ms: `1m`, `5m`, `15m`, `1h`, `4h`, `1d`, … (minutes, hours, days).
 * Bars of a timeframe open on multiples of its length since the epoch (UTC); for that to
 * hold the length must divide a day or be a whole number of days. Anything else throws
 * `FeedError('unsupported')`.
 */
export function timeframeMs(timeframe: string): number {
  const m = /^([1-9][0-9]{0,3})([mhd])$/.exec(timeframe);
  if (m === null) {
    throw new FeedError('unsupported', `timeframe "${timeframe}" is not supported: use <n>m, <n>h or <n>d (e.g. 1m, 15m, 1h, 4h, 1d)`);
  }
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms < DAY_MS ? DAY_MS % ms !== 0 : ms % DAY_MS !== 0) {
    throw new FeedError('unsupported', `timeframe "${timeframe}" does not divide a day, so its bars have no fixed UTC boundaries`);
  }
  return ms;
}

/** `2021-03-04T05:00:00Z` for intraday instants, `2021-03-04` for midnight when `dateOnly`. */
export function formatTs(ts: number, dateOnly = false): string {
  if (!Number.isFinite(ts)) return String(ts);
  const iso = new Date(ts).toISOString();
  return dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 19)}Z`;
}
