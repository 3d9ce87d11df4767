/** Timeframe arithmetic on UTC timestamps (ms). Bars are stamped with their OPEN time. */

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
/** 1970-01-01 was a Thursday; weeks start on Monday 00:00 UTC. */
const MONDAY_OFFSET = 4 * DAY;

export interface Timeframe {
  readonly n: number;
  readonly unit: 'm' | 'h' | 'd' | 'w' | 'M';
}

export function parseTf(tf: string): Timeframe {
  const m = /^([1-9][0-9]{0,3})(m|h|d|w|M)$/.exec(tf);
  if (!m) throw new Error(`not a timeframe: ${tf}`);
  return { n: Number(m[1]), unit: m[2] as Timeframe['unit'] };
}

/** Fixed duration in ms, or undefined for calendar months. */
export function fixedDuration(tf: Timeframe): number | undefined {
  switch (tf.unit) {
    case 'm':
      return tf.n * MINUTE;
    case 'h':
      return tf.n * 60 * MINUTE;
    case 'd':
      return tf.n * DAY;
    case 'w':
      return tf.n * 7 * DAY;
    case 'M':
      return undefined;
  }
}

/** Start (inclusive) of the bucket of `tf` containing `ts`. */
export function bucketStart(tf: Timeframe, ts: number): number {
  switch (tf.unit) {
    case 'w': {
      const d = 7 * tf.n * DAY;
      return Math.floor((ts - MONDAY_OFFSET) / d) * d + MONDAY_OFFSET;
    }
    case 'M': {
      const date = new Date(ts);
      const months = date.getUTCFullYear() * 12 + date.getUTCMonth();
      const start = months - (months % tf.n);
      return Date.UTC(Math.floor(start / 12), start % 12, 1);
    }
    default: {
      const d = fixedDuration(tf)!;
      return Math.floor(ts / d) * d;
    }
  }
}

/** End (exclusive) of the bucket starting at `start`. */
export function bucketEnd(tf: Timeframe, start: number): number {
  if (tf.unit === 'M') {
    const date = new Date(start);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + tf.n, 1);
  }
  return start + fixedDuration(tf)!;
}

/** Close time of a base bar opened at `ts`. */
export function barClose(tf: Timeframe, ts: number): number {
  return bucketEnd(tf, bucketStart(tf, ts));
}

/** UTC calendar keys used by rebalance schedules. */
export function periodKey(every: 'daily' | 'weekly' | 'monthly', ts: number): number {
  if (every === 'daily') return Math.floor(ts / DAY);
  if (every === 'weekly') return Math.floor((ts - MONDAY_OFFSET) / (7 * DAY));
  const d = new Date(ts);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

export const MS = { MINUTE, DAY } as const;
