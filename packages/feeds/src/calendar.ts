/**
 * Trading calendars: which bar-open timestamps a market is expected to produce.
 *
 * - `nyseCalendar` — NYSE (XNYS) regular sessions, daily bars only: weekdays minus the
 *   exchange holidays and special closures (see `nyseHolidays`).
 * - `alwaysOpenCalendar` — 24/7 markets (crypto): every timeframe boundary is a session.
 *
 * All instants are ms since the epoch, UTC; a daily session is identified by its date at
 * 00:00 UTC.
 */
import { FeedError } from './errors.js';
import { DAY_MS, formatTs } from './timeframe.js';

export interface MissingSessions {
  /** How many sessions lie strictly between the two instants. */
  readonly count: number;
  /** The first few of them (at most the `sample` asked for), ascending. */
  readonly sample: readonly number[];
}

export interface TradingCalendar {
  /** `XNYS`, `24/7`, … */
  readonly id: string;
  readonly description: string;
  /** True when a bar opening at `ts` with length `stepMs` is a regular session. */
  isSession(ts: number, stepMs: number): boolean;
  /** Sessions strictly between `fromTs` and `toTs` (both bar opens). */
  sessionsBetween(fromTs: number, toTs: number, stepMs: number, sample?: number): MissingSessions;
  /** The first session opening at or after `ts`. */
  firstSessionAtOrAfter(ts: number, stepMs: number): number;
  /** The last session opening at or before `ts`. */
  lastSessionAtOrBefore(ts: number, stepMs: number): number;
}

const NONE: MissingSessions = Object.freeze({ count: 0, sample: Object.freeze([]) as readonly number[] });

// ---------------------------------------------------------------------------------------
// 24/7

/** 24/7 calendar (crypto): every multiple of the timeframe since the epoch is a session. */
export const alwaysOpenCalendar: TradingCalendar = {
  id: '24/7',
  description: 'always open: every timeframe boundary (UTC) is a session',
  isSession: (ts, stepMs) => ts % stepMs === 0,
  sessionsBetween(fromTs, toTs, stepMs, sample = 5) {
    const first = Math.floor(fromTs / stepMs) * stepMs + stepMs;
    if (first >= toTs) return NONE;
    const count = Math.ceil((toTs - first) / stepMs);
    const out: number[] = [];
    for (let t = first; t < toTs && out.length < sample; t += stepMs) out.push(t);
    return { count, sample: out };
  },
  firstSessionAtOrAfter: (ts, stepMs) => Math.ceil(ts / stepMs) * stepMs,
  lastSessionAtOrBefore: (ts, stepMs) => Math.floor(ts / stepMs) * stepMs,
};

// ---------------------------------------------------------------------------------------
// NYSE

export interface Holiday {
  /** `YYYY-MM-DD`, the day the exchange is closed (after observance shifts). */
  readonly date: string;
  readonly name: string;
}

/**
 * Unscheduled full-day closures. The brief's list plus 1994-04-27 (President Nixon's
 * funeral), which the bundled SPY history confirms (no bar that day).
 */
export const NYSE_SPECIAL_CLOSURES: readonly Holiday[] = [
  { date: '1994-04-27', name: 'National Day of Mourning (President Nixon)' },
  { date: '2001-09-11', name: 'September 11 attacks' },
  { date: '2001-09-12', name: 'September 11 attacks' },
  { date: '2001-09-13', name: 'September 11 attacks' },
  { date: '2001-09-14', name: 'September 11 attacks' },
  { date: '2004-06-11', name: 'National Day of Mourning (President Reagan)' },
  { date: '2007-01-02', name: 'National Day of Mourning (President Ford)' },
  { date: '2012-10-29', name: 'Hurricane Sandy' },
  { date: '2012-10-30', name: 'Hurricane Sandy' },
  { date: '2018-12-05', name: 'National Day of Mourning (President George H. W. Bush)' },
  { date: '2025-01-09', name: 'National Day of Mourning (President Carter)' },
];

const dayOf = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / DAY_MS;
/** 0 = Sunday … 6 = Saturday (1970-01-01, day 0, was a Thursday). */
const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;
const isoOfDay = (day: number): string => formatTs(day * DAY_MS, true);

/** The n-th (1-based) given weekday of a month; n = -1 for the last one. */
function nthWeekday(y: number, m: number, wd: number, n: number): number {
  if (n > 0) {
    const first = dayOf(y, m, 1);
    return first + ((wd - weekday(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = dayOf(y, m + 1, 1) - 1;
  return last - ((weekday(last) - wd + 7) % 7);
}

/** Gregorian Easter Sunday (anonymous Gregorian algorithm, a.k.a. Meeus/Jones/Butcher). */
function easter(y: number): number {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(y, month, day);
}

/** Saturday → preceding Friday, Sunday → following Monday. */
function observed(day: number): number {
  const wd = weekday(day);
  return wd === 6 ? day - 1 : wd === 0 ? day + 1 : day;
}

const holidayCache = new Map<number, ReadonlyMap<number, string>>();

/** Closed days of a year as day numbers (days since the epoch) → holiday name. */
function holidayDays(y: number): ReadonlyMap<number, string> {
  const cached = holidayCache.get(y);
  if (cached !== undefined) return cached;
  const out = new Map<number, string>();
  // New Year's Day: Sunday → Monday Jan 2. On a Saturday it is NOT moved to Friday Dec 31
  // (NYSE Rule 7.2: the preceding Friday stays open when it ends an accounting period);
  // the bundled SPY history has bars on 1999-12-31, 2010-12-31 and 2021-12-31.
  const ny = dayOf(y, 1, 1);
  if (weekday(ny) !== 6) out.set(observed(ny), "New Year's Day");
  if (y >= 1998) out.set(nthWeekday(y, 1, 1, 3), 'Martin Luther King Jr. Day');
  out.set(nthWeekday(y, 2, 1, 3), "Washington's Birthday");
  out.set(easter(y) - 2, 'Good Friday');
  out.set(nthWeekday(y, 5, 1, -1), 'Memorial Day');
  if (y >= 2022) out.set(observed(dayOf(y, 6, 19)), 'Juneteenth National Independence Day');
  out.set(observed(dayOf(y, 7, 4)), 'Independence Day');
  out.set(nthWeekday(y, 9, 1, 1), 'Labor Day');
  out.set(nthWeekday(y, 11, 4, 4), 'Thanksgiving Day');
  out.set(observed(dayOf(y, 12, 25)), 'Christmas Day');
  for (const s of NYSE_SPECIAL_CLOSURES) {
    if (Number(s.date.slice(0, 4)) === y) out.set(Date.parse(s.date) / DAY_MS, s.name);
  }
  holidayCache.set(y, out);
  return out;
}

/** Gregorian year of a day number (H. Hinnant's civil_from_days, year part only). */
function yearOfDay(day: number): number {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}



/**
 * NYSE full-day closures of a calendar year that fall on weekdays, ascending: New Year's,
 * MLK (from 1998), Washington's Birthday, Good Friday, Memorial Day, Juneteenth (from 2022),
 * Independence Day, Labor Day, Thanksgiving, Christmas — Saturday holidays observed the
 * Friday before, Sunday holidays the Monday after, except New Year's Day on a Saturday
 * (not observed) — plus `NYSE_SPECIAL_CLOSURES`. Rules are those in force since 1971
 * (Uniform Monday Holiday Act); earlier years are not historically accurate. Early closes
 * (half days) are sessions.
 */
export function nyseHolidays(year: number): readonly Holiday[] {
  return [...holidayDays(year)]
    .filter(([day]) => yearOfDay(day) === year)
    .sort((a, b) => a[0] - b[0])
    .map(([day, name]) => ({ date: isoOfDay(day), name }));
}

/** Is the day (`YYYY-MM-DD` or any instant within it, ms UTC) an NYSE trading day? */
export function isNyseTradingDay(date: string | number): boolean {
  const ms = typeof date === 'number' ? date : Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(ms)) throw new FeedError('invalid_request', `not a date: "${String(date)}"`);
  return isTradingDayNumber(Math.floor(ms / DAY_MS));
}

/** Day-state cache over 1900..2199: 0 = not computed yet, 1 = session, 2 = closed. */
const CACHE_FIRST_DAY = -25_567; // 1900-01-01
const CACHE_DAYS = 109_573; // through 2199-12-31
const dayState = new Uint8Array(CACHE_DAYS);

function computeTradingDay(day: number): boolean {
  const wd = weekday(day);
  if (wd === 0 || wd === 6) return false;
  // Observed holidays never cross a year boundary (Saturday New Year's is not observed),
  // so one year's table suffices.
  return !holidayDays(yearOfDay(day)).has(day);
}

function isTradingDayNumber(day: number): boolean {
  const k = day - CACHE_FIRST_DAY;
  if (k < 0 || k >= CACHE_DAYS) return computeTradingDay(day);
  let state = dayState[k] as number;
  if (state === 0) {
    state = computeTradingDay(day) ? 1 : 2;
    dayState[k] = state;
  }
  return state === 1;
}

function requireDaily(stepMs: number): void {
  if (stepMs !== DAY_MS) {
    throw new FeedError('unsupported', `the NYSE calendar models daily sessions only (timeframe 1d); got a ${stepMs} ms timeframe`);
  }
}

/** NYSE (XNYS) regular trading days, for daily bars stamped at 00:00 UTC of the trading date. */
export const nyseCalendar: TradingCalendar = {
  id: 'XNYS',
  description: 'NYSE trading days: weekdays minus exchange holidays and special closures',
  isSession(ts, stepMs) {
    requireDaily(stepMs);
    return ts % DAY_MS === 0 && isTradingDayNumber(ts / DAY_MS);
  },
  sessionsBetween(fromTs, toTs, stepMs, sample = 5) {
    requireDaily(stepMs);
    let out: number[] | undefined;
    let count = 0;
    for (let d = Math.floor(fromTs / DAY_MS) + 1; d * DAY_MS < toTs; d++) {
      if (isTradingDayNumber(d)) {
        count++;
        out ??= [];
        if (out.length < sample) out.push(d * DAY_MS);
      }
    }
    return out === undefined ? NONE : { count, sample: out };
  },
  firstSessionAtOrAfter(ts, stepMs) {
    requireDaily(stepMs);
    let d = Math.ceil(ts / DAY_MS);
    while (!isTradingDayNumber(d)) d++;
    return d * DAY_MS;
  },
  lastSessionAtOrBefore(ts, stepMs) {
    requireDaily(stepMs);
    let d = Math.floor(ts / DAY_MS);
    while (!isTradingDayNumber(d)) d--;
    return d * DAY_MS;
  },
};
