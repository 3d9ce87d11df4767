/**
 * Real-data check: buy and hold SPY (dividend-adjusted close) from 2007-01-03 to 2024-12-31.
 * Data: examples/data/etf/SPY.csv (see examples/data/PROVENANCE.md).
 *
 * Reference values in `REFERENCE` were computed independently with Python 3's `statistics`
 * module (`fmean`, `stdev`) and plain loops over the same CSV rows, not with this code.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buyAndHoldCurve, computeMetrics, drawdownSeries, monthlyReturns } from './index.js';

const CSV = process.env['STRATA_DATA_DIR'] ? `${process.env['STRATA_DATA_DIR']}/etf/SPY.csv` : fileURLToPath(new URL('../../../../examples/data/etf/SPY.csv', import.meta.url));

const REFERENCE = {
  rows: 4530,
  totalReturn: 4.828039525399724,
  cagr: 0.10292302996182601, // (580.989136/99.688606)^(365.25/6572) - 1
  volatility: 0.19777197718429745,
  sharpe: 0.5950194921591155,
  sortino: 0.836320849246199,
  maxDrawdown: -0.5518941998098859, // 50.092175 / 111.786491 - 1
  calmar: 0.18649050850195653,
} as const;

interface Row {
  date: string;
  adj_close: string;
}

const rows = (parse(readFileSync(CSV, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[]).filter(
  (r) => r.date >= '2007-01-03' && r.date <= '2024-12-31',
);
const ts = rows.map((r) => Date.parse(`${r.date}T00:00:00Z`));
const adj = rows.map((r) => Number(r.adj_close));
const bench = buyAndHoldCurve(ts, adj, 100_000);
const m = computeMetrics({ curve: bench, trades: [], fills: [], periodsPerYear: 252 });
const day = (t: number | null) => (t === null ? null : new Date(t).toISOString().slice(0, 10));

describe('SPY buy and hold 2007-01-03 .. 2024-12-31 (real data)', () => {
  it('covers the expected rows', () => {
    expect(rows.length).toBe(REFERENCE.rows);
    expect(rows[0]?.date).toBe('2007-01-03');
    expect(rows[rows.length - 1]?.date).toBe('2024-12-31');
  });

  it('total return equals adj_close_end / adj_close_start - 1 to 1e-12', () => {
    const start = adj[0] ?? Number.NaN;
    const end = adj[adj.length - 1] ?? Number.NaN;
    expect(start).toBe(99.688606);
    expect(end).toBe(580.989136);
    expect(Math.abs(m.totalReturn - (end / start - 1))).toBeLessThan(1e-12);
  });

  it('max drawdown is the 2007-2009 bear market: about -55 %, peak 2007-10-09, trough 2009-03-09', () => {
    expect(m.maxDrawdown.depth).toBeCloseTo(-0.55, 2);
    expect(m.maxDrawdown.depth).toBeCloseTo(REFERENCE.maxDrawdown, 12);
    expect(day(m.maxDrawdown.troughTs)).toBe('2009-03-09');
    expect(day(m.maxDrawdown.peakTs)).toBe('2007-10-09');
    // Dividends included, SPY was back at its 2007 high in August 2012.
    expect(day(m.maxDrawdown.recoveryTs)).toBe('2012-08-16');
    expect(m.maxDrawdown.durationBars).toBe(1224);
    expect(m.maxDrawdown.durationDays).toBe(1773);
  });

  it('annualised statistics agree with an independent computation', () => {
    expect(m.cagr).toBeCloseTo(REFERENCE.cagr, 12);
    expect(m.volatility).toBeCloseTo(REFERENCE.volatility, 12);
    expect(m.sharpe).toBeCloseTo(REFERENCE.sharpe, 10);
    expect(m.sortino).toBeCloseTo(REFERENCE.sortino, 10);
    expect(m.calmar).toBeCloseTo(REFERENCE.calmar, 10);
    expect(m.exposure).toBe(1);
    expect(m.turnover).toBe(0);
  });

  it('drawdown series bottoms on 2009-03-09 and monthly returns cover 18 full years', () => {
    const dd = drawdownSeries(bench);
    let iMin = 0;
    for (let i = 1; i < dd.length; i++) if ((dd.drawdown[i] ?? 0) < (dd.drawdown[iMin] ?? 0)) iMin = i;
    expect(day(dd.ts[iMin] ?? null)).toBe('2009-03-09');

    const monthly = monthlyReturns(bench);
    expect(monthly.map((r) => r.year)).toEqual(Array.from({ length: 18 }, (_, i) => 2007 + i));
    expect(monthly.every((r) => r.months.every((x) => x !== null))).toBe(true);
    // October 2008: adj_close 2008-09-30 → 2008-10-31, the worst month of the period.
    const oct2008 = monthly.find((r) => r.year === 2008)?.months[9] ?? 0;
    const sep30 = adj[rows.findIndex((r) => r.date === '2008-09-30')] ?? Number.NaN;
    const oct31 = adj[rows.findIndex((r) => r.date === '2008-10-31')] ?? Number.NaN;
    expect(oct2008).toBeCloseTo(oct31 / sep30 - 1, 12);
    expect(Math.min(...monthly.flatMap((r) => r.months.map((x) => x ?? 0)))).toBe(oct2008);
  });
});
