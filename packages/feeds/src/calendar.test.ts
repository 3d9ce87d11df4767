import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA, thrown, utc } from '../test/helpers.js';
import { alwaysOpenCalendar, isNyseTradingDay, NYSE_SPECIAL_CLOSURES, nyseCalendar, nyseHolidays } from './calendar.js';
import { isFeedError } from './errors.js';
import { DAY_MS, HOUR_MS } from './timeframe.js';

describe('nyseHolidays', () => {
  // Published NYSE holiday schedules.
  it.each([
    [1997, ['1997-01-01', '1997-02-17', '1997-03-28', '1997-05-26', '1997-07-04', '1997-09-01', '1997-11-27', '1997-12-25']],
    [2021, ['2021-01-01', '2021-01-18', '2021-02-15', '2021-04-02', '2021-05-31', '2021-07-05', '2021-09-06', '2021-11-25', '2021-12-24']],
    [2022, ['2022-01-17', '2022-02-21', '2022-04-15', '2022-05-30', '2022-06-20', '2022-07-04', '2022-09-05', '2022-11-24', '2022-12-26']],
    [2025, ['2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25']],
    [2026, ['2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25']],
    [2027, ['2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24']],
  ])('%i matches the published schedule', (year, dates) => {
    expect(nyseHolidays(year).map((h) => h.date)).toEqual(dates);
  });

  it.each([
    ['1997-01-20', false, 'MLK Day is a holiday only from 1998'],
    ['1998-01-19', true, 'MLK Day from 1998'],
    ['2021-06-18', false, 'Juneteenth is a holiday only from 2022'],
    ['2022-06-20', true, 'Juneteenth 2022 (Sunday) is observed Monday'],
    ['2021-12-31', false, "New Year's Day on a Saturday is not observed on the Friday before"],
    ['2010-12-31', false, "New Year's Day on a Saturday is not observed on the Friday before"],
    ['2023-01-02', true, "New Year's Day on a Sunday is observed Monday"],
    ['2026-07-03', true, 'Independence Day on a Saturday is observed Friday'],
    ['2021-07-05', true, 'Independence Day on a Sunday is observed Monday'],
    ['2021-12-24', true, 'Christmas on a Saturday is observed Friday'],
    ['2022-12-26', true, 'Christmas on a Sunday is observed Monday'],
    ['2008-03-21', true, 'Good Friday'],
  ])('%s closed = %s (%s)', (date, closed, _why) => {
    const holidays = nyseHolidays(Number(date.slice(0, 4))).map((h) => h.date);
    expect(holidays.includes(date)).toBe(closed);
    expect(isNyseTradingDay(date)).toBe(!closed);
  });

  it('includes every special closure of the brief', () => {
    const want = ['2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14', '2004-06-11', '2007-01-02', '2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09'];
    for (const d of want) {
      expect(NYSE_SPECIAL_CLOSURES.map((c) => c.date)).toContain(d);
      expect(isNyseTradingDay(d), d).toBe(false);
    }
  });

  it('weekends are never sessions; an ordinary weekday is', () => {
    expect(isNyseTradingDay('2024-06-08')).toBe(false); // Saturday
    expect(isNyseTradingDay('2024-06-09')).toBe(false); // Sunday
    expect(isNyseTradingDay('2024-06-10')).toBe(true);
  });
});

describe('nyseCalendar', () => {
  it('reproduces every trading day of the real SPY history 1993-01-29..2025-09-25 exactly', () => {
    const rows = parse(readFileSync(join(SHARED_DATA, 'etf/SPY.csv')), { columns: true }) as { date: string }[];
    const dates = rows.map((r) => r.date);
    const first = utc(dates[0] as string);
    const last = utc(dates[dates.length - 1] as string);
    const sessions: string[] = [];
    for (let t = first; t <= last; t += DAY_MS) if (nyseCalendar.isSession(t, DAY_MS)) sessions.push(new Date(t).toISOString().slice(0, 10));
    expect(sessions.length).toBe(8221);
    expect(sessions).toEqual(dates);
  });

  it('counts sessions between two dates, skipping weekends and holidays', () => {
    // Fri 2012-10-26 → Wed 2012-10-31: Hurricane Sandy closed Mon 29 and Tue 30.
    const gap = nyseCalendar.sessionsBetween(utc('2012-10-26'), utc('2012-10-31'), DAY_MS);
    expect(gap.count).toBe(0);
    const real = nyseCalendar.sessionsBetween(utc('2024-06-07'), utc('2024-06-13'), DAY_MS);
    expect(real).toEqual({ count: 3, sample: [utc('2024-06-10'), utc('2024-06-11'), utc('2024-06-12')] });
  });

  it('finds the first / last session around a holiday', () => {
    expect(nyseCalendar.firstSessionAtOrAfter(utc('2007-01-01'), DAY_MS)).toBe(utc('2007-01-03'));
    expect(nyseCalendar.lastSessionAtOrBefore(utc('2024-12-29'), DAY_MS)).toBe(utc('2024-12-27'));
    expect(nyseCalendar.firstSessionAtOrAfter(utc('2024-12-27') + 1, DAY_MS)).toBe(utc('2024-12-30'));
  });

  it('refuses intraday timeframes (it models daily sessions only)', () => {
    const e = thrown(() => nyseCalendar.isSession(utc('2024-06-10'), HOUR_MS));
    expect(isFeedError(e, 'unsupported')).toBe(true);
    expect(e.message).toMatch(/daily sessions only/);
  });
});

describe('alwaysOpenCalendar', () => {
  it('every timeframe boundary is a session', () => {
    expect(alwaysOpenCalendar.isSession(utc('2024-06-08T13:00:00Z'), HOUR_MS)).toBe(true);
    expect(alwaysOpenCalendar.isSession(utc('2024-06-08T13:30:00Z'), HOUR_MS)).toBe(false);
  });

  it('counts missing bars between two bar opens', () => {
    const g = alwaysOpenCalendar.sessionsBetween(utc('2020-02-19T11:00:00Z'), utc('2020-02-19T17:00:00Z'), HOUR_MS, 2);
    expect(g).toEqual({ count: 5, sample: [utc('2020-02-19T12:00:00Z'), utc('2020-02-19T13:00:00Z')] });
    expect(alwaysOpenCalendar.sessionsBetween(0, HOUR_MS, HOUR_MS).count).toBe(0);
  });

  it('rounds to sessions', () => {
    expect(alwaysOpenCalendar.firstSessionAtOrAfter(utc('2024-01-01T00:30:00Z'), HOUR_MS)).toBe(utc('2024-01-01T01:00:00Z'));
    expect(alwaysOpenCalendar.lastSessionAtOrBefore(utc('2024-01-01T00:30:00Z'), HOUR_MS)).toBe(utc('2024-01-01T00:00:00Z'));
  });
});
