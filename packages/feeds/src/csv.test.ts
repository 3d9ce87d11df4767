import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRYPTO_HEADER, ETF_HEADER, EXAMPLES_DATA, SECTOR_ROTATION_SYMBOLS, SHARED_DATA, tempDir, thrown, utc } from '../test/helpers.js';
import type { LoadBarsOptions } from './bar-file.js';
import { alwaysOpenCalendar, nyseCalendar } from './calendar.js';
import { loadCsvBars, parseCsvBars } from './csv.js';
import { isFeedError } from './errors.js';
import { FEED_ISSUE_SEVERITY } from './issues.js';
import type { BarSeries } from './types.js';

const ETF: LoadBarsOptions = { symbol: 'TEST', layout: 'etf', timeframe: '1d', calendar: nyseCalendar };
const CRYPTO: LoadBarsOptions = { symbol: 'BTC/USDT', layout: 'crypto', timeframe: '1h', calendar: alwaysOpenCalendar };

const fixtures = tempDir();

/** Writes a fixture CSV into the temp dir and loads it. */
function load(name: string, lines: readonly string[], options: LoadBarsOptions = ETF) {
  const file = fixtures.write(`${name}.csv`, `${lines.join('\n')}\n`);
  return { file, ...loadCsvBars(file, options) };
}

const codes = (r: { issues: readonly { code: string; line: number }[] }) => r.issues.map((i) => [i.code, i.line]);

// A clean week: Tue 2024-01-02 (Jan 1 is a holiday) .. Mon 2024-01-08.
const row = (date: string, o = '100', h = '101', l = '99', c = '100.5', a = '90.45', v = '1000') => [date, o, h, l, c, a, v].join(',');
const CLEAN = [ETF_HEADER, row('2024-01-02'), row('2024-01-03'), row('2024-01-04'), row('2024-01-05'), row('2024-01-08')];

describe('CSV validation on load: one fixture per rule, asserting code + line', () => {
  it('a clean file has no findings', () => {
    const r = load('clean', CLEAN);
    expect(r.issues).toEqual([]);
    expect(r.series.length).toBe(5);
    expect([...r.series.line]).toEqual([2, 3, 4, 5, 6]);
    expect(r.series.ts[0]).toBe(utc('2024-01-02'));
  });

  it.each<[string, string[], [string, number][], number, RegExp?]>([
    ['non-monotonic timestamps', [ETF_HEADER, row('2024-01-02'), row('2024-01-03'), row('2024-01-04'), row('2024-01-03'), row('2024-01-05')], [['non_monotonic', 5]], 4, /2024-01-03 is earlier than 2024-01-04 on line 4/],
    ['duplicate timestamps', [ETF_HEADER, row('2024-01-02'), row('2024-01-03'), row('2024-01-03'), row('2024-01-04')], [['duplicate_ts', 4]], 3, /repeats line 3/],
    ['a gap against the NYSE calendar', [ETF_HEADER, row('2024-01-02'), row('2024-01-05'), row('2024-01-08')], [['gap', 3]], 3, /2 missing trading days \(XNYS calendar\) between 2024-01-02 \(line 2\) and 2024-01-05: 2024-01-03, 2024-01-04/],
    ['a bar on a Saturday', [ETF_HEADER, row('2024-01-05'), row('2024-01-06'), row('2024-01-08')], [['off_calendar', 3]], 3, /2024-01-06 is not a session of the XNYS calendar/],
    ['a bar on a holiday (Good Friday 2024-03-29)', [ETF_HEADER, row('2024-03-28'), row('2024-03-29'), row('2024-04-01')], [['off_calendar', 3]], 3],
    ['NaN price', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', 'NaN'), row('2024-01-04')], [['non_numeric', 3]], 2, /open "NaN" is not a finite decimal number/],
    ['empty price', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', '100', '101', '99', ''), row('2024-01-04')], [['missing_value', 3]], 2, /close is empty/],
    ['non-numeric price', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', '100', '1O1'), row('2024-01-04')], [['non_numeric', 3]], 2, /high "1O1"/],
    ['zero price', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', '100', '101', '0', '100'), row('2024-01-04')], [['non_positive_price', 3]], 2, /low is 0; prices must be > 0/],
    ['negative price', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', '-1', '-1', '-1', '-1'), row('2024-01-04')], [['non_positive_price', 3], ['non_positive_price', 3], ['non_positive_price', 3], ['non_positive_price', 3]], 2],
    ['non-positive adj_close', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', '100', '101', '99', '100', '0'), row('2024-01-04')], [['non_positive_price', 3]], 2, /adj_close is 0/],
    ['high < low', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', '100', '99', '101', '100'), row('2024-01-04')], [['ohlc_inconsistent', 3]], 2, /high 99 is below low 101/],
    ['open above high', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', '102', '101', '99', '100'), row('2024-01-04')], [['ohlc_inconsistent', 3]], 2, /open 102 is outside \[low 99, high 101\]/],
    ['close below low', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', '100', '101', '99', '98.5'), row('2024-01-04')], [['ohlc_inconsistent', 3]], 2, /close 98.5 is outside/],
    ['zero volume (kept)', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', '100', '101', '99', '100', '90', '0'), row('2024-01-04')], [['zero_volume', 3]], 3, /volume is 0/],
    ['negative volume', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', '100', '101', '99', '100', '90', '-5'), row('2024-01-04')], [['negative_volume', 3]], 2],
    ['malformed date (month 13)', [ETF_HEADER, row('2024-01-02'), row('2024-13-03'), row('2024-01-04')], [['bad_timestamp', 3], ['gap', 4]], 2, /malformed date "2024-13-03": expected YYYY-MM-DD/],
    ['malformed date (US format)', [ETF_HEADER, row('2024-01-02'), row('01/03/2024'), row('2024-01-04')], [['bad_timestamp', 3], ['gap', 4]], 2],
    ['empty date', [ETF_HEADER, row('2024-01-02'), row(''), row('2024-01-04')], [['missing_value', 3], ['gap', 4]], 2, /date is empty/],
    ['too few fields', [ETF_HEADER, row('2024-01-02'), '2024-01-03,100,101,99,100.5,1000', row('2024-01-04')], [['column_count', 3]], 2, /expected 7 fields .* got 6/],
    ['too many fields', [ETF_HEADER, row('2024-01-02'), `${row('2024-01-03')},x`, row('2024-01-04')], [['column_count', 3]], 2, /got 8/],
    ['a blank line (skipped)', [ETF_HEADER, row('2024-01-02'), '', row('2024-01-03')], [['blank_line', 3]], 2],
  ])('%s', (name, lines, expected, kept, message) => {
    const r = load(name.replace(/\W+/g, '-'), lines);
    expect(codes(r)).toEqual(expected);
    for (const issue of r.issues) {
      expect(issue.severity).toBe(FEED_ISSUE_SEVERITY[issue.code]);
      expect(issue.file).toBe(r.file);
      expect(issue.symbol).toBe('TEST');
    }
    if (message !== undefined) expect(r.issues[0]?.message).toMatch(message);
    expect(r.series.length, 'rows with errors are left out, warnings keep the row').toBe(kept);
  });

  it('a row whose timestamp cannot be read leaves a hole the next row reports as a gap; value errors do not', () => {
    const bad = load('hole-ts', [ETF_HEADER, row('2024-01-02'), row('2024-01-3'), row('2024-01-04')]);
    expect(codes(bad)).toEqual([
      ['bad_timestamp', 3],
      ['gap', 4],
    ]);
    const value = load('hole-value', [ETF_HEADER, row('2024-01-02'), row('2024-01-03', 'x'), row('2024-01-04')]);
    expect(codes(value)).toEqual([['non_numeric', 3]]);
  });

  it('names the column of a value finding', () => {
    const r = load('column', [ETF_HEADER, row('2024-01-02', '100', '101', '99', 'x')]);
    expect(r.issues[0]).toMatchObject({ code: 'non_numeric', column: 'close', line: 2 });
  });

  it.each<[string, string, RegExp]>([
    ['capitalised Yahoo header', 'Date,Open,High,Low,Close,Adj Close,Volume', /expected columns "date,open,high,low,close,adj_close,volume" \(adj_close optional\), got "Date,Open,High,Low,Close,Adj Close,Volume" \(column names are lower-case snake_case\)/],
    ['missing column', 'date,open,high,low,close,adj_close', /got "date,open,high,low,close,adj_close" \(missing volume\)/],
    ['wrong order', 'date,open,low,high,close,adj_close,volume', /same columns in the wrong order/],
    ['crypto header in an ETF file', CRYPTO_HEADER, /missing date; unexpected ts/],
  ])('wrong header: %s → header_mismatch naming expected vs got', (name, header, message) => {
    const r = load(`header-${name.replace(/\W+/g, '-')}`, [header, row('2024-01-02')]);
    expect(codes(r)).toEqual([['header_mismatch', 1]]);
    expect(r.issues[0]?.message).toMatch(message);
    expect(r.series.length).toBe(0);
  });

  it('an empty file and a header-only file are errors', () => {
    const empty = loadCsvBars(fixtures.write('empty.csv', ''), ETF);
    expect(codes(empty)).toEqual([['empty_file', 1]]);
    const headerOnly = load('header-only', [ETF_HEADER]);
    expect(codes(headerOnly)).toEqual([['empty_file', 1]]);
    expect(headerOnly.issues[0]?.message).toMatch(/no data rows/);
    const blanks = load('blanks-only', [ETF_HEADER, '', '']);
    expect(codes(blanks), 'line ends at the end of a file are not rows').toEqual([['empty_file', 1]]);
    const midBlanks = load('blanks-between', [ETF_HEADER, '', '', row('2024-01-02'), '']);
    expect(codes(midBlanks)).toEqual([
      ['blank_line', 2],
      ['blank_line', 3],
    ]);
  });

  it('reports every finding of a file, in line order', () => {
    const r = load('many', [ETF_HEADER, row('2024-01-02'), row('2024-01-02'), row('2024-01-03', 'x'), row('2024-01-08', '100', '101', '99', '100', '90', '0'), row('bad')]);
    expect(codes(r)).toEqual([
      ['duplicate_ts', 3],
      ['non_numeric', 4],
      ['gap', 5],
      ['zero_volume', 5],
      ['bad_timestamp', 6],
    ]);
  });

  it('accepts CRLF line endings, a BOM and no final newline', () => {
    const file = fixtures.write('crlf.csv', `\uFEFF${ETF_HEADER}\r\n${row('2024-01-02')}\r\n${row('2024-01-03')}`);
    const r = loadCsvBars(file, ETF);
    expect(r.issues).toEqual([]);
    expect(r.series.length).toBe(2);
    expect(r.series.volume[1]).toBe(1000);
  });

  it('accepts simply quoted fields', () => {
    const r = load('quoted', ['"date","open","high","low","close","adj_close","volume"', '"2024-01-02","100","101","99","100.5","90","1000"']);
    expect(r.issues).toEqual([]);
    expect(r.series.close[0]).toBe(90);
  });
});

describe('fast path vs exact path', () => {
  // Quoting any field sends every row of a file through the exact per-field parsers; the
  // unquoted text takes the regex fast path. Both must give identical series and findings.
  const num = fc.oneof(
    fc.double({ min: 0.01, max: 1e6, noNaN: true }).map(String),
    fc.stringMatching(/^[+]?[0-9]{1,6}(\.[0-9]{0,6})?$/),
    fc.stringMatching(/^\.[0-9]{1,4}$/),
    fc.stringMatching(/^[1-9]\.[0-9]{1,3}[eE][+-]?[0-9]$/),
    fc.constantFrom('0', '-0', '-1', '1e999', 'NaN', '', 'x', ' 1'),
  );
  const day = fc.integer({ min: Date.UTC(1990, 0, 1) / 86_400_000, max: Date.UTC(2030, 0, 1) / 86_400_000 });

  it('agree on random ETF rows', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(day, num, num, num, num, num, num), { minLength: 1, maxLength: 30 }), (rows) => {
        const lines = rows.map(([d, ...v]) => [new Date(d * 86_400_000).toISOString().slice(0, 10), ...v]);
        const plain = [ETF_HEADER, ...lines.map((f) => f.join(','))].join('\n');
        const quoted = [ETF_HEADER, ...lines.map((f) => [`"${f[0]}"`, ...f.slice(1)].join(','))].join('\n');
        const a = parseCsvBars(plain, 'f.csv', ETF);
        const b = parseCsvBars(quoted, 'f.csv', ETF);
        expect(b.issues.map((i) => [i.code, i.line, i.message])).toEqual(a.issues.map((i) => [i.code, i.line, i.message]));
        expect([...b.series.ts, ...b.series.open, ...b.series.close, ...b.series.volume, ...b.series.line]).toEqual([...a.series.ts, ...a.series.open, ...a.series.close, ...a.series.volume, ...a.series.line]);
      }),
      { numRuns: 300 },
    );
  });

  it('agree on random crypto timestamps (fractions, +00:00, invalid ones)', () => {
    const ts = fc.oneof(
      fc.integer({ min: 0, max: 4e12 }).map((ms) => new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z')),
      fc.integer({ min: 0, max: 4e12 }).map((ms) => new Date(ms).toISOString()),
      fc.integer({ min: 0, max: 4e12 }).map((ms) => new Date(ms).toISOString().replace('Z', '+00:00')),
      fc.constantFrom('2021-02-29T00:00:00Z', '2021-03-04T24:00:00Z', '2021-03-04T05:00:00', '2021-03-04T05:00:00.1234567Z'),
    );
    fc.assert(
      fc.property(fc.array(ts, { minLength: 1, maxLength: 20 }), (stamps) => {
        const lines = stamps.map((t) => [t, '100', '101', '99', '100', '1']);
        const plain = [CRYPTO_HEADER, ...lines.map((f) => f.join(','))].join('\n');
        const quoted = [CRYPTO_HEADER, ...lines.map((f) => [`"${f[0]}"`, ...f.slice(1)].join(','))].join('\n');
        const a = parseCsvBars(plain, 'f.csv', CRYPTO);
        const b = parseCsvBars(quoted, 'f.csv', CRYPTO);
        expect(b.issues.map((i) => [i.code, i.line])).toEqual(a.issues.map((i) => [i.code, i.line]));
        expect([...b.series.ts]).toEqual([...a.series.ts]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('crypto layout', () => {
  const crow = (ts: string, o = '100', h = '101', l = '99', c = '100.5', v = '2.5') => [ts, o, h, l, c, v].join(',');

  it('parses ISO-8601 UTC candle open times', () => {
    const r = load('crypto-ok', [CRYPTO_HEADER, crow('2024-01-01T00:00:00Z'), crow('2024-01-01T01:00:00Z')], CRYPTO);
    expect(r.issues).toEqual([]);
    expect([...r.series.ts]).toEqual([utc('2024-01-01T00:00:00Z'), utc('2024-01-01T01:00:00Z')]);
    expect(r.series.symbol).toBe('BTC/USDT');
    expect(r.series.timeframe).toBe('1h');
  });

  it.each<[string, string[], [string, number][]]>([
    ['gap on a 24/7 calendar', [CRYPTO_HEADER, crow('2024-01-01T00:00:00Z'), crow('2024-01-01T03:00:00Z')], [['gap', 3]]],
    ['misaligned timestamp', [CRYPTO_HEADER, crow('2024-01-01T00:00:00Z'), crow('2024-01-01T00:30:00Z'), crow('2024-01-01T01:00:00Z')], [['misaligned_ts', 3]]],
    ['timestamp without zone', [CRYPTO_HEADER, crow('2024-01-01T00:00:00Z'), crow('2024-01-01T01:00:00')], [['bad_timestamp', 3]]],
    ['non-UTC offset', [CRYPTO_HEADER, crow('2024-01-01T00:00:00Z'), crow('2024-01-01T02:00:00+01:00')], [['bad_timestamp', 3]]],
    ['ETF header in a crypto file', [ETF_HEADER, row('2024-01-02')], [['header_mismatch', 1]]],
  ])('%s', (name, lines, expected) => {
    const r = load(`crypto-${name.replace(/\W+/g, '-')}`, lines, CRYPTO);
    expect(codes(r)).toEqual(expected);
  });

  it('gap warning says how many bars are missing and which', () => {
    const r = load('crypto-gap-msg', [CRYPTO_HEADER, crow('2020-02-19T11:00:00Z'), crow('2020-02-19T17:00:00Z')], CRYPTO);
    expect(r.issues[0]?.message).toBe(
      '5 missing 1h bars (24/7 calendar) between 2020-02-19T11:00:00Z (line 2) and 2020-02-19T17:00:00Z: 2020-02-19T12:00:00Z, 2020-02-19T13:00:00Z, 2020-02-19T14:00:00Z, 2020-02-19T15:00:00Z, 2020-02-19T16:00:00Z',
    );
  });
});

describe('total-return adjustment', () => {
  it('default for files with adj_close: O/H/L × adj/close, close = adj_close, volume unchanged', () => {
    const r = load('adj', [ETF_HEADER, '2024-01-02,100,110,90,105,94.5,1234']);
    expect(r.adjusted).toBe(true);
    const f = 94.5 / 105;
    expect(r.series.open[0]).toBe(100 * f);
    expect(r.series.high[0]).toBe(110 * f);
    expect(r.series.low[0]).toBe(90 * f);
    expect(r.series.close[0]).toBe(94.5);
    expect(r.series.volume[0]).toBe(1234);
  });

  it("adjust: 'none' keeps the file's prices", () => {
    const r = load('adj-none', [ETF_HEADER, '2024-01-02,100,110,90,105,94.5,1234'], { ...ETF, adjust: 'none' });
    expect(r.adjusted).toBe(false);
    expect([r.series.open[0], r.series.high[0], r.series.low[0], r.series.close[0]]).toEqual([100, 110, 90, 105]);
  });

  it('an ETF file without adj_close loads unadjusted by default, and is an error when total_return is required', () => {
    const lines = ['date,open,high,low,close,volume', '2024-01-02,100,110,90,105,1234'];
    const auto = load('no-adj', lines);
    expect(auto.issues).toEqual([]);
    expect(auto.adjusted).toBe(false);
    expect(auto.series.close[0]).toBe(105);
    const required = load('no-adj-required', lines, { ...ETF, adjust: 'total_return' });
    expect(codes(required)).toEqual([['header_mismatch', 1]]);
    expect(required.issues[0]?.message).toMatch(/adjust 'total_return' needs columns "date,open,high,low,close,adj_close,volume"/);
  });

  it('keeps low <= open, close <= high when close equals high (the verbatim adj_close may sit an ulp outside the scaled range)', () => {
    const r = load('adj-edge', [ETF_HEADER, '2024-01-02,0.3,0.3,0.1,0.3,0.7,1', '2024-01-03,0.7,0.9,0.7,0.7,0.1,1']);
    expect(r.issues).toEqual([]);
    for (let i = 0; i < r.series.length; i++) {
      expect(r.series.low[i]).toBeLessThanOrEqual(r.series.close[i] as number);
      expect(r.series.close[i]).toBeLessThanOrEqual(r.series.high[i] as number);
      expect(r.series.low[i]).toBeLessThanOrEqual(r.series.open[i] as number);
      expect(r.series.open[i]).toBeLessThanOrEqual(r.series.high[i] as number);
    }
  });

  it('total_return needs the etf layout', () => {
    const e = thrown(() => parseCsvBars(`${CRYPTO_HEADER}\n`, 'x.csv', { ...CRYPTO, adjust: 'total_return' }));
    expect(isFeedError(e, 'unsupported')).toBe(true);
  });

  it('buy-and-hold total return of real SPY from the series equals the adj_close ratio exactly (2007-01-03 .. 2024-12-31)', () => {
    const file = join(EXAMPLES_DATA, 'etf/SPY.csv');
    const rows = parse(readFileSync(file), { columns: true }) as Record<string, string>[];
    const a = rows.find((x) => x['date'] === '2007-01-03');
    const b = rows.find((x) => x['date'] === '2024-12-31');
    const expected = Number(b?.['adj_close']) / Number(a?.['adj_close']) - 1;
    const { series } = loadCsvBars(file, { ...ETF, symbol: 'SPY' });
    const i = series.ts.indexOf(utc('2007-01-03'));
    const j = series.ts.indexOf(utc('2024-12-31'));
    expect(i).toBeGreaterThan(0);
    expect((series.close[j] as number) / (series.close[i] as number) - 1).toBe(expected);
    // and the dividends are really in it: more than the price-only return
    const priceOnly = Number(b?.['close']) / Number(a?.['close']) - 1;
    expect(expected).toBeGreaterThan(priceOnly + 0.5);
  });
});

describe('real data', () => {
  const loadEtf = (dir: string, symbol: string): { series: BarSeries; issues: readonly { code: string; line: number; message: string }[] } =>
    loadCsvBars(join(dir, 'etf', `${symbol}.csv`), { ...ETF, symbol });

  it('the 11 bundled ETF files load with zero errors; the only warning is the XLI zero-volume day 1999-01-26', () => {
    const all = SECTOR_ROTATION_SYMBOLS.flatMap((s) => loadEtf(EXAMPLES_DATA, s).issues.map((i) => ({ symbol: s, ...i })));
    expect(all.map((i) => [i.symbol, i.code, i.line])).toEqual([['XLI', 'zero_volume', 24]]);
    expect(all[0]?.message).toMatch(/1999-01-26/);
  });

  it.each(['AGG', 'EFA', 'GLD'])('shared %s loads with no findings', (symbol) => {
    expect(loadEtf(join(SHARED_DATA), symbol).issues).toEqual([]);
  });

  it('keeps every row and the price invariants after adjustment', () => {
    for (const s of SECTOR_ROTATION_SYMBOLS) {
      const { series } = loadEtf(EXAMPLES_DATA, s);
      expect(series.length).toBe(s === 'SPY' ? 8221 : s === 'BIL' ? 4612 : 6731);
      for (let i = 0; i < series.length; i++) {
        const [o, h, l, c] = [series.open[i], series.high[i], series.low[i], series.close[i]] as number[];
        if (!(l! > 0 && l! <= o! && o! <= h! && l! <= c! && c! <= h!)) throw new Error(`${s} row ${i}: ${o} ${h} ${l} ${c}`);
      }
    }
  });

  it('BTCUSDT-1h reports exactly the 15 known Binance outage gaps (32 missing hours) and the 2 zero-volume placeholder bars as warnings', () => {
    const r = loadCsvBars(join(SHARED_DATA, 'crypto/BTCUSDT-1h.csv'), CRYPTO);
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const gaps = r.issues.filter((i) => i.code === 'gap');
    const before = gaps.map((g) => /between (\S+) \(line \d+\) and (\S+):/.exec(g.message)?.slice(1, 3).join(' -> '));
    expect(before).toEqual([
      '2020-02-09T01:00:00Z -> 2020-02-09T03:00:00Z',
      '2020-02-19T11:00:00Z -> 2020-02-19T17:00:00Z',
      '2020-03-04T09:00:00Z -> 2020-03-04T11:00:00Z',
      '2020-04-25T01:00:00Z -> 2020-04-25T04:00:00Z',
      '2020-06-28T01:00:00Z -> 2020-06-28T05:00:00Z',
      '2020-11-30T05:00:00Z -> 2020-11-30T07:00:00Z',
      '2020-12-21T13:00:00Z -> 2020-12-21T18:00:00Z',
      '2020-12-25T01:00:00Z -> 2020-12-25T03:00:00Z',
      '2021-02-11T03:00:00Z -> 2021-02-11T05:00:00Z',
      '2021-03-06T01:00:00Z -> 2021-03-06T03:00:00Z',
      '2021-04-20T01:00:00Z -> 2021-04-20T04:00:00Z',
      '2021-04-25T04:00:00Z -> 2021-04-25T08:00:00Z',
      '2021-08-13T01:00:00Z -> 2021-08-13T06:00:00Z',
      '2021-09-29T06:00:00Z -> 2021-09-29T09:00:00Z',
      '2023-03-24T12:00:00Z -> 2023-03-24T14:00:00Z',
    ]);
    const missing = gaps.reduce((n, g) => n + Number(/^(\d+) missing/.exec(g.message)?.[1]), 0);
    expect(missing).toBe(32);
    expect(gaps.map((g) => g.line)).toEqual([940, 1189, 1518, 2757, 4291, 8012, 8523, 8603, 9756, 10305, 11384, 11505, 14139, 15268, 28256]);
    expect(r.issues.filter((i) => i.code !== 'gap').map((i) => [i.code, i.line])).toEqual([
      ['zero_volume', 9755],
      ['zero_volume', 28255],
    ]);
    expect(r.series.length).toBe(50368);
  });

  it.each(['BTCUSDT-1d', 'ETHUSDT-1d'])('%s (daily, 24/7) has no findings', (stem) => {
    const r = loadCsvBars(join(SHARED_DATA, `crypto/${stem}.csv`), { ...CRYPTO, timeframe: '1d' });
    expect(r.issues).toEqual([]);
    expect(r.series.length).toBe(2967);
  });

  it('every field of every real file parses to exactly what csv-parse + Number() give (independent parser cross-check)', () => {
    const files = [
      ...SECTOR_ROTATION_SYMBOLS.map((s) => ({ file: join(EXAMPLES_DATA, 'etf', `${s}.csv`), options: { ...ETF, symbol: s, adjust: 'none' as const } })),
      { file: join(SHARED_DATA, 'crypto/ETHUSDT-1h.csv'), options: CRYPTO },
    ];
    for (const { file, options } of files) {
      const rows = parse(readFileSync(file), { columns: true }) as Record<string, string>[];
      const { series } = loadCsvBars(file, options);
      expect(series.length).toBe(rows.length);
      const tsCol = options.layout === 'etf' ? 'date' : 'ts';
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as Record<string, string>;
        const got = [series.ts[i], series.open[i], series.high[i], series.low[i], series.close[i], series.volume[i]];
        const want = [Date.parse(r[tsCol] as string), Number(r['open']), Number(r['high']), Number(r['low']), Number(r['close']), Number(r['volume'])];
        if (got.some((g, k) => g !== want[k])) throw new Error(`${file} row ${i + 2}: got ${got.join(',')} want ${want.join(',')}`);
      }
    }
  });
});
