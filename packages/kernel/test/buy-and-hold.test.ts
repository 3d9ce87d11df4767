import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileSource } from '@strata/compiler';
import { createDefaultRegistry } from '@strata/feeds';
import { computeMetrics, periodsPerYearOf, runBacktest, SeriesStream } from '@strata/kernel';
import { describe, expect, it } from 'vitest';

/**
 * End to end through the real feed: a buy-and-hold of SPY (enter at the first trading close with
 * `fill: close`, never exit, no costs, a lot size of 1e-9 so the cash residual is negligible)
 * must earn exactly the total return of SPY's adjusted close over the window. The reference is
 * computed from the CSV itself, independently of the feed's adjustment code.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/buy-and-hold-spy.yaml', import.meta.url));
const FROM = '2007-01-03';
const TO = '2024-12-31';

/** adj_close of SPY on `date`, read straight from examples/data/etf/SPY.csv. */
function adjClose(date: string): number {
  const lines = readFileSync(`${root}examples/data/etf/SPY.csv`, 'utf8').split(/\r?\n/);
  const header = lines[0]!.split(',');
  const iDate = header.indexOf('date');
  const iAdj = header.indexOf('adj_close');
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (cells[iDate] === date) return Number(cells[iAdj]);
  }
  throw new Error(`SPY.csv has no row for ${date}`);
}

describe('buy-and-hold SPY through the real feed', () => {
  it(`earns adj_close(${TO}) / adj_close(${FROM}) − 1 to 1e-9 (relative)`, async () => {
    const compiled = compileSource(readFileSync(FIXTURE), { file: FIXTURE });
    expect(compiled.ok).toBe(true);
    // Warnings are expected (a constant rule W602, market-on-close fills W603, maybe "never exits"); no errors.
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(compiled.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['W602', 'W603']));
    const plan = compiled.plan!;

    const history = await createDefaultRegistry({ dataDir: `${root}examples/data` })
      .bars('equities.us.daily')
      .history({ symbols: ['SPY'] });
    expect(history.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const from = Date.UTC(2007, 0, 3);
    const to = Date.UTC(2024, 11, 31);
    const initialCash = 100_000;
    const r = runBacktest({ plan, stream: new SeriesStream(['SPY'], history.series), initialCash, from, to });

    // The window is exactly FROM..TO.
    expect(new Date(r.curve.ts[0]!).toISOString().slice(0, 10)).toBe(FROM);
    expect(new Date(r.curve.ts[r.curve.length - 1]!).toISOString().slice(0, 10)).toBe(TO);
    // One buy at the first close, nothing else; the position is still open at the end.
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]!.ts).toBe(from);
    expect(r.fills[0]!.side).toBe('buy');
    expect(r.trades).toEqual([]);
    expect(r.openPositions).toHaveLength(1);
    // The cash residual is below one lot's worth.
    expect(Math.abs(r.curve.cash[r.curve.length - 1]!)).toBeLessThan(1e-6);

    const expected = adjClose(TO) / adjClose(FROM) - 1;
    const actual = r.curve.equity[r.curve.length - 1]! / initialCash - 1;
    expect(Math.abs(actual / expected - 1)).toBeLessThan(1e-9);
    expect(Math.abs(r.finalEquity / initialCash - 1 - expected) / expected).toBeLessThan(1e-9);
    const m = computeMetrics({ curve: r.curve, trades: r.trades, fills: r.fills, periodsPerYear: periodsPerYearOf(plan) });
    expect(Math.abs(m.totalReturn / expected - 1)).toBeLessThan(1e-9);
    // Sanity: the reference is SPY's 2007–2024 total return (≈ +450 %).
    expect(expected).toBeGreaterThan(3);
    expect(expected).toBeLessThan(6);
  });
});
