import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DATA, tempDir } from '../test/helpers.js';
import { nyseCalendar } from './calendar.js';
import { loadCsvBars } from './csv.js';
import { datasetHash } from './dataset-hash.js';
import type { BarSeries } from './types.js';

function series(symbol: string, rows: number[][], extra: Partial<BarSeries> = {}): BarSeries {
  const col = (k: number) => Float64Array.from(rows.map((r) => r[k] as number));
  return { symbol, timeframe: '1d', ts: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5), length: rows.length, file: `/x/${symbol}.csv`, line: Int32Array.from(rows.map((_, i) => i + 2)), ...extra };
}

const A = [
  [0, 10, 11, 9, 10.5, 100],
  [86_400_000, 10.5, 12, 10, 11, 200],
];
const B = [[0, 20, 21, 19, 20, 5]];

describe('datasetHash', () => {
  it('is sha256 hex with a prefix, and pinned for a fixed input (the canonical form is a contract)', () => {
    const h = datasetHash([series('AAA', A)]);
    expect(h).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(h).toBe(datasetHash([series('AAA', A)]));
    // Independent rendering of the documented canonical form.
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const f64s = (xs: number[]) => Buffer.concat(xs.map((x) => {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(x);
      return b;
    }));
    const bytes = Buffer.concat([
      Buffer.from('strata.bars.v1\n'),
      u32(1),
      u32(3), Buffer.from('AAA'),
      u32(2), Buffer.from('1d'),
      u32(2),
      ...[0, 1, 2, 3, 4, 5].map((k) => f64s(A.map((r) => r[k] as number))),
    ]);
    expect(h).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
  });

  it('ignores file paths, line numbers and the order series are given in', () => {
    const one = datasetHash([series('AAA', A), series('BBB', B)]);
    const other = datasetHash(new Map([
      ['b', series('BBB', B, { file: '/elsewhere/b.parquet' })],
      ['a', series('AAA', A, { line: Int32Array.from([7, 9]) })],
    ]));
    expect(other).toBe(one);
  });

  it.each([
    ['a price changes by one ulp', () => [series('AAA', [A[0] as number[], [86_400_000, 10.5, 12, 10, 11.000000000000002, 200]])]],
    ['a volume changes', () => [series('AAA', [A[0] as number[], [86_400_000, 10.5, 12, 10, 11, 201]])]],
    ['a timestamp changes', () => [series('AAA', [A[0] as number[], [2 * 86_400_000, 10.5, 12, 10, 11, 200]])]],
    ['a row is dropped', () => [series('AAA', [A[0] as number[]])]],
    ['the symbol changes', () => [series('AAB', A)]],
    ['the timeframe changes', () => [series('AAA', A, { timeframe: '1h' })]],
    ['a series is added', () => [series('AAA', A), series('BBB', B)]],
  ])('changes when %s', (_what, make) => {
    expect(datasetHash(make())).not.toBe(datasetHash([series('AAA', A)]));
  });

  it('does not confuse symbol / column boundaries (length-prefixed)', () => {
    expect(datasetHash([series('AB', B), series('C', B)])).not.toBe(datasetHash([series('A', B), series('BC', B)]));
  });

  it('treats -0 as 0 and hashes subarray views by their own rows only', () => {
    const zero = series('Z', [[0, 1, 1, 1, 1, 0]]);
    const negZero = series('Z', [[0, 1, 1, 1, 1, -0]]);
    expect(datasetHash([negZero])).toBe(datasetHash([zero]));
    const long = series('AAA', [...A, [2 * 86_400_000, 1, 1, 1, 1, 1]]);
    const view: BarSeries = { ...long, length: 2, ts: long.ts.subarray(0, 2), open: long.open.subarray(0, 2), high: long.high.subarray(0, 2), low: long.low.subarray(0, 2), close: long.close.subarray(0, 2), volume: long.volume.subarray(0, 2) };
    expect(datasetHash([view])).toBe(datasetHash([series('AAA', A)]));
  });

  const tmp = tempDir();
  it('is stable for real data wherever the file lives, and changes when one value in the file changes', () => {
    const src = join(EXAMPLES_DATA, 'etf/XLK.csv');
    const copy = join(tmp.dir, 'XLK.csv');
    copyFileSync(src, copy);
    const opts = { symbol: 'XLK', layout: 'etf', timeframe: '1d', calendar: nyseCalendar } as const;
    const h1 = datasetHash([loadCsvBars(src, opts).series]);
    expect(datasetHash([loadCsvBars(copy, opts).series])).toBe(h1);
    const original = readFileSync(src, 'utf8');
    // Same numbers written differently (trailing zero on every close of 2010-06-01): same hash.
    const reformatted = original.replace(/\n(2010-06-01,[^,]+,[^,]+,[^,]+,)([^,]+),/, (_m, pre: string, close: string) => `\n${pre}${close.includes('.') ? `${close}0` : `${close}.0`},`);
    expect(reformatted).not.toBe(original);
    writeFileSync(copy, reformatted);
    expect(datasetHash([loadCsvBars(copy, opts).series])).toBe(h1);
    // One volume + 1: different hash.
    const edited = original.replace(/(\n2010-06-01,[^,]+,[^,]+,[^,]+,[^,]+,[^,]+,)(\d+)/, (_m, pre: string, vol: string) => `${pre}${Number(vol) + 1}`);
    expect(edited).not.toBe(original);
    writeFileSync(copy, edited);
    expect(datasetHash([loadCsvBars(copy, opts).series])).not.toBe(h1);
  });
});
