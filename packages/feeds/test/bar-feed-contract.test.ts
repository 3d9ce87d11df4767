import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { alwaysOpenCalendar, nyseCalendar } from '../src/calendar.js';
import { createFileBarFeed } from '../src/file-feed.js';
import { createDefaultRegistry } from '../src/registry.js';
import { describeBarFeedContract } from './bar-feed-contract.js';
import { EXAMPLES_DATA, SHARED_DATA, tempDir, utc } from './helpers.js';

describeBarFeedContract('equities.us.daily (CSV, examples/data)', (scheduler) => ({
  feed: createDefaultRegistry({ dataDir: EXAMPLES_DATA, scheduler }).bars('equities.us.daily'),
  symbols: ['XLK', 'BIL'],
  from: utc('2024-12-20'),
  to: utc('2024-12-31'),
}));

describeBarFeedContract('crypto.binance.spot.1h (CSV, shared data, across the 2023-03-24 outage)', (scheduler) => ({
  feed: createDefaultRegistry({ dataDir: SHARED_DATA, scheduler }).bars('crypto.binance.spot.1h'),
  symbols: ['BTC/USDT', 'ETH/USDT'],
  from: utc('2023-03-24T10:00:00Z'),
  to: utc('2023-03-24T16:00:00Z'),
}));

const tmp = tempDir('strata-contract-');
let parquetDir: Promise<string> | undefined;

/** examples/data/etf/{SPY,XLE}.csv and shared crypto 1d files → Parquet, written once with DuckDB. */
function parquetData(): Promise<string> {
  parquetDir ??= (async () => {
    const duck = await DuckDBInstance.create(':memory:');
    const con = await duck.connect();
    const copies: [string, string][] = [
      [join(EXAMPLES_DATA, 'etf/SPY.csv'), 'etf/SPY.parquet'],
      [join(EXAMPLES_DATA, 'etf/XLE.csv'), 'etf/XLE.parquet'],
      [join(SHARED_DATA, 'crypto/BTCUSDT-1d.csv'), 'crypto/BTCUSDT-1d.parquet'],
      [join(SHARED_DATA, 'crypto/ETHUSDT-1d.csv'), 'crypto/ETHUSDT-1d.parquet'],
    ];
    for (const [src, dst] of copies) {
      const out = tmp.write(dst, '');
      await con.run(`COPY (SELECT * FROM read_csv('${src}', header = true)) TO '${out}' (FORMAT parquet)`);
    }
    con.closeSync();
    duck.closeSync();
    return tmp.dir;
  })();
  return parquetDir;
}

describeBarFeedContract('equities.us.daily (Parquet via DuckDB)', async (scheduler) => ({
  feed: createDefaultRegistry({ dataDir: await parquetData(), format: 'parquet', scheduler }).bars('equities.us.daily'),
  symbols: ['SPY', 'XLE'],
  from: utc('2020-03-02'),
  to: utc('2020-03-13'),
}));

describeBarFeedContract('createFileBarFeed crypto 1d (Parquet, unstrict)', async (scheduler) => ({
  feed: createFileBarFeed({ id: 'test.crypto.1d', dataDir: await parquetData(), layout: 'crypto', format: 'parquet', timeframe: '1d', calendar: alwaysOpenCalendar, strict: false, scheduler }),
  symbols: ['ETH/USDT', 'BTC/USDT'],
  from: utc('2018-02-05'),
  to: utc('2018-02-12'),
}));

describeBarFeedContract('createFileBarFeed etf unadjusted (CSV)', (scheduler) => ({
  feed: createFileBarFeed({ id: 'test.etf.raw', dataDir: EXAMPLES_DATA, layout: 'etf', timeframe: '1d', calendar: nyseCalendar, adjust: 'none', scheduler }),
  symbols: ['SPY', 'XLF'],
  from: utc('2008-09-15'),
  to: utc('2008-09-30'),
}));
