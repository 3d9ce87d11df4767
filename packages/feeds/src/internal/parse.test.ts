import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysFromCivil, fastDecimal, parseDate, parseDecimal, parseIsoUtc, rowRegex } from './parse.js';

describe('parseDecimal', () => {
  it.each([
    ['43.96875', 43.96875],
    ['0', 0],
    ['-0', 0],
    ['+1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1003200', 1003200],
    ['0.000001', 0.000001],
    ['270.079987', 270.079987],
    ['1e3', 1000],
    ['1.5E-2', 0.015],
    ['123456789012345678', 123456789012345678],
  ])('%s parses to %s (same as Number)', (text, value) => {
    expect(parseDecimal(text)).toBe(value);
    expect(Object.is(parseDecimal(text), -0)).toBe(false);
  });

  it.each(['', ' ', ' 1', '1 ', 'NaN', 'nan', 'Infinity', '-Infinity', '1e999', '0x10', '1,5', '1.2.3', 'abc', '-', '+', '.', 'e5', '1e', '1e+', '--1', '1_000'])(
    'rejects %j (not a finite plain decimal)',
    (text) => {
      expect(parseDecimal(text)).toBeNaN();
    },
  );

  it('reads a field in place', () => {
    const row = '2020-01-01,7195.24,7196.25';
    expect(parseDecimal(row, 11, 18)).toBe(7195.24);
    expect(parseDecimal(row, 19, row.length)).toBe(7196.25);
  });

  it('agrees with Number() bit for bit on random decimals (the fast path is exact)', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,12}$/), fc.stringMatching(/^[0-9]{0,10}$/))
      .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`);
    fc.assert(
      fc.property(decimal, (s) => {
        const want = Number(s) + 0;
        expect(parseDecimal(s)).toBe(want);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with Number() on doubles printed by JS', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseDecimal(String(x))).toBe(x + 0);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parseDate', () => {
  it.each([
    ['1993-01-29', Date.UTC(1993, 0, 29)],
    ['2000-02-29', Date.UTC(2000, 1, 29)],
    ['2024-12-31', Date.UTC(2024, 11, 31)],
    ['1970-01-01', 0],
  ])('%s is 00:00 UTC of that day', (text, ms) => {
    expect(parseDate(text)).toBe(ms);
  });

  it.each(['2023-02-29', '1900-02-29', '2024-13-01', '2024-00-10', '2024-01-32', '2024-1-01', '24-01-01', '2024/01/01', '2024-01-01T00:00:00Z', '', '01-02-2024'])(
    'rejects %j',
    (text) => {
      expect(parseDate(text)).toBeNaN();
    },
  );

  it('daysFromCivil matches Date.UTC over 1900..2100', () => {
    for (let d = Date.UTC(1900, 0, 1); d <= Date.UTC(2100, 0, 1); d += 86_400_000 * 7) {
      const dt = new Date(d);
      expect(daysFromCivil(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()) * 86_400_000).toBe(d);
    }
  });
});

describe('parseIsoUtc', () => {
  it.each([
    ['2021-03-04T05:00:00Z', Date.UTC(2021, 2, 4, 5)],
    ['2021-03-04T05:06:07.089Z', Date.UTC(2021, 2, 4, 5, 6, 7, 89)],
    ['2021-03-04T05:06:07.5Z', Date.UTC(2021, 2, 4, 5, 6, 7, 500)],
    ['2021-03-04T05:06:07.123456Z', Date.UTC(2021, 2, 4, 5, 6, 7, 123)],
    ['2021-03-04T05:00:00+00:00', Date.UTC(2021, 2, 4, 5)],
  ])('%s', (text, ms) => {
    expect(parseIsoUtc(text)).toBe(ms);
  });

  it.each(['2021-03-04T05:00:00', '2021-03-04T05:00:00+01:00', '2021-03-04 05:00:00Z', '2021-03-04T24:00:00Z', '2021-03-04T05:60:00Z', '2021-02-30T05:00:00Z', '2021-03-04T05:00:00.Z', '2021-03-04', 'yesterday'])(
    'rejects %j (not an ISO-8601 UTC instant)',
    (text) => {
      expect(parseIsoUtc(text)).toBeNaN();
    },
  );
});

describe('fastDecimal / rowRegex (the CSV fast path)', () => {
  it('fastDecimal(int, frac) is bit-identical to Number("int.frac") for ≤ 9 + 6 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,9}$/), fc.option(fc.stringMatching(/^[0-9]{0,6}$/), { nil: undefined }), (int, frac) => {
        expect(fastDecimal(int, frac)).toBe(Number(frac === undefined ? int : `${int}.${frac}`));
      }),
      { numRuns: 20_000 },
    );
  });

  it('the row regex takes only plain unsigned decimals within those limits', () => {
    const re = rowRegex(false, 2);
    const take = (row: string) => {
      re.lastIndex = 0;
      return re.exec(row) !== null;
    };
    expect(take('2024-01-02,123456789.123456,0')).toBe(true);
    expect(take('2024-01-02,1.5,2\r')).toBe(true);
    for (const row of ['2024-01-02,1234567890,1', '2024-01-02,1.1234567,1', '2024-01-02,-1,1', '2024-01-02,+1,1', '2024-01-02,.5,1', '2024-01-02,1e3,1', '2024-01-02,1,1,1', '2024-01-02,1', '2024-1-02,1,1', ' 2024-01-02,1,1']) {
      expect(take(row), row).toBe(false);
    }
  });
});
