import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRYPTO_HEADER, EXAMPLES_DATA, SHARED_DATA, rejected, tempDir } from '../test/helpers.js';
import type { LoadBarsOptions } from './bar-file.js';
import { alwaysOpenCalendar, nyseCalendar } from './calendar.js';
import { loadCsvBars } from './csv.js';
import { datasetHash } from './dataset-hash.js';
import { isFeedError } from './errors.js';
import { loadParquetBars } from './parquet.js';
import type { BarSeries } from './types.js';

const tmp = tempDir('strata-parquet-');
let duck: DuckDBInstance;

/** Runs SQL in a separate DuckDB (the writer is independent of the adapter's reader). */
async function sql(statement: string): Promise<void> {
  const con = await duck.connect();
  try {
    await con.run(statement);
  } finally {
    con.closeSync();
  }
}

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** CSV → Parquet with DuckDB's own CSV reader (types auto-detected: DATE / TIMESTAMPTZ / DOUBLE / BIGINT). */
async function csvToParquet(csv: string, parquet: string): Promise<string> {
  await sql(`COPY (SELECT * FROM read_csv(${q(csv)}, header = true)) TO ${q(parquet)} (FORMAT parquet)`);
  return parquet;
}

function columns(s: BarSeries) {
  return { symbol: s.symbol, timeframe: s.timeframe, length: s.length, ts: [...s.ts], open: [...s.open], high: [...s.high], low: [...s.low], close: [...s.close], volume: [...s.volume] };
}

beforeAll(async () => {
  duck = await DuckDBInstance.create(':memory:');
});
afterAll(() => duck.closeSync());

const ETF: LoadBarsOptions = { symbol: 'SPY', layout: 'etf', timeframe: '1d', calendar: nyseCalendar };
const CRYPTO: LoadBarsOptions = { symbol: 'BTC/USDT', layout: 'crypto', timeframe: '1h', calendar: alwaysOpenCalendar };

describe('Parquet adapter (DuckDB)', () => {
  it.each([
    ['SPY (etf layout, total-return adjusted)', join(EXAMPLES_DATA, 'etf/SPY.csv'), ETF],
    ['XLI (etf layout, unadjusted)', join(EXAMPLES_DATA, 'etf/XLI.csv'), { ...ETF, symbol: 'XLI', adjust: 'none' as const }],
    ['BTCUSDT-1h (crypto layout)', join(SHARED_DATA, 'crypto/BTCUSDT-1h.csv'), CRYPTO],
  ])('%s: CSV and Parquet adapters yield identical series, issues and dataset hash', async (name, csv, options) => {
    const parquet = await csvToParquet(csv, join(tmp.dir, `${name.split(' ')[0]}.parquet`));
    const a = loadCsvBars(csv, options);
    const b = await loadParquetBars(parquet, options);
    expect(columns(b.series)).toEqual(columns(a.series));
    expect(b.adjusted).toBe(a.adjusted);
    expect(datasetHash([b.series])).toBe(datasetHash([a.series]));
    // Same findings; Parquet lines are 1-based row numbers (CSV line - 1: no header line).
    expect(b.issues.map((i) => [i.code, i.line + 1, i.message.replace(/\(line \d+\)/, '')])).toEqual(a.issues.map((i) => [i.code, i.line, i.message.replace(/\(line \d+\)/, '')]));
    expect(b.series.file).toBe(parquet);
  });

  it('validates Parquet values like CSV ones: NULLs, bad OHLC, duplicates — located by row', async () => {
    const csv = tmp.write(
      'bad.csv',
      [CRYPTO_HEADER, '2024-01-01T00:00:00Z,100,101,99,100,1', '2024-01-01T01:00:00Z,100,,99,100,1', '2024-01-01T02:00:00Z,100,98,99,100,1', '2024-01-01T02:00:00Z,100,101,99,100,1', '2024-01-01T03:00:00Z,100,101,99,100,0'].join('\n'),
    );
    const parquet = await csvToParquet(csv, join(tmp.dir, 'bad.parquet'));
    const r = await loadParquetBars(parquet, CRYPTO);
    expect(r.issues.map((i) => [i.code, i.line])).toEqual([
      ['missing_value', 2],
      ['ohlc_inconsistent', 3],
      ['duplicate_ts', 4],
      ['zero_volume', 5],
    ]);
    expect(r.issues[0]?.message).toBe('high is NULL');
    expect(r.series.length).toBe(2);
  });

  it('reads VARCHAR columns with the CSV parsers (malformed text is reported)', async () => {
    const parquet = join(tmp.dir, 'text.parquet');
    await sql(
      `COPY (SELECT * FROM (VALUES ('2024-01-02','100','101','99','100','90','5'), ('2024-01-3','100','101','99','100','90','5'), ('2024-01-04','1e999','101','99','100','90','5')) t(date, open, high, low, close, adj_close, volume)) TO ${q(parquet)} (FORMAT parquet)`,
    );
    const r = await loadParquetBars(parquet, ETF);
    expect(r.issues.map((i) => [i.code, i.line])).toEqual([
      ['bad_timestamp', 2],
      ['non_numeric', 3],
      ['gap', 3],
    ]);
    expect(r.series.length).toBe(1);
  });

  it('a wrong column set is a header_mismatch naming expected vs got', async () => {
    const parquet = join(tmp.dir, 'cols.parquet');
    await sql(`COPY (SELECT DATE '2024-01-02' AS Date, 1.0 AS Open) TO ${q(parquet)} (FORMAT parquet)`);
    const r = await loadParquetBars(parquet, ETF);
    expect(r.issues.map((i) => i.code)).toEqual(['header_mismatch']);
    expect(r.issues[0]?.message).toMatch(/expected columns "date,open,high,low,close,adj_close,volume".*got "Date,Open"/);
  });

  it('a missing file is an io_error', async () => {
    const e = await rejected(loadParquetBars(join(tmp.dir, 'nope.parquet'), ETF));
    expect(isFeedError(e, 'io_error')).toBe(true);
  });
});
