import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ETF_HEADER, EXAMPLES_DATA, SECTOR_ROTATION_SYMBOLS, SHARED_DATA, rejected, tempDir, thrown, utc } from '../test/helpers.js';
import { alwaysOpenCalendar, nyseCalendar } from './calendar.js';
import { isFeedError } from './errors.js';
import { createFileBarFeed } from './file-feed.js';
import { createMemoryFeed } from './memory-feed.js';
import { createDefaultRegistry, FeedRegistry } from './registry.js';

const registry = createDefaultRegistry({ dataDir: EXAMPLES_DATA });
const shared = createDefaultRegistry({ dataDir: SHARED_DATA });

describe('createDefaultRegistry', () => {
  it('registers the equities and Binance feeds with their adapters and options', () => {
    expect(registry.ids()).toEqual(['crypto.binance.spot.1d', 'crypto.binance.spot.1h', 'equities.us.daily', 'news.local']);
    const eq = registry.bars('equities.us.daily');
    expect(eq.timeframe).toBe('1d');
    expect(eq.describe()).toMatchObject({ id: 'equities.us.daily', kind: 'bars', adapter: 'csv', options: { dataDir: EXAMPLES_DATA, layout: 'etf', calendar: 'XNYS', adjust: 'total_return', strict: true } });
    expect(registry.bars('crypto.binance.spot.1h').describe().options).toMatchObject({ layout: 'crypto', calendar: '24/7' });
    expect(registry.list().map((d) => d.timeframe)).toEqual(['1d', '1h', '1d', undefined]);
    expect(registry.news('news.local').describe()).toMatchObject({ id: 'news.local', kind: 'news', adapter: 'jsonl', options: { dataDir: EXAMPLES_DATA, layout: 'news/SYMBOL.jsonl' } });
  });

  it('serves the 11 sector-rotation ETFs from examples/data, total-return adjusted, with the same dataset hash as the shared copy', async () => {
    const req = { symbols: SECTOR_ROTATION_SYMBOLS, from: utc('2007-06-01'), to: utc('2024-12-31') };
    const a = await registry.bars('equities.us.daily').history(req);
    const b = await shared.bars('equities.us.daily').history(req);
    expect([...a.series.keys()]).toEqual([...SECTOR_ROTATION_SYMBOLS]);
    expect(a.issues).toEqual([]);
    expect(a.datasetHash).toBe(b.datasetHash);
    for (const s of a.series.values()) {
      expect(s.ts[0]).toBe(utc('2007-06-01'));
      expect(s.ts[s.length - 1]).toBe(utc('2024-12-31'));
      expect(s.length).toBe(4427);
    }
    // total-return adjusted: SPY 2024-12-31 close is the adj_close 580.99…, not the raw 586.08
    const spy = a.series.get('SPY');
    expect(spy?.close[spy.length - 1]).toBeCloseTo(580.99, 1);
  });

  it('accepts BTC/USDT and BTCUSDT for the crypto layout', async () => {
    const feed = shared.bars('crypto.binance.spot.1d');
    const req = { from: utc('2024-01-01'), to: utc('2024-01-31') };
    const a = await feed.history({ ...req, symbols: ['BTC/USDT'] });
    const b = await feed.history({ ...req, symbols: ['BTCUSDT'] });
    expect(a.series.get('BTC/USDT')?.close).toEqual(b.series.get('BTCUSDT')?.close);
    expect(await feed.symbols()).toEqual(['BTC/USDT', 'ETH/USDT']);
  });

  it('returns only the warnings of the requested range (errors would always be returned)', async () => {
    const feed = shared.bars('crypto.binance.spot.1h');
    const quiet = await feed.history({ symbols: ['BTC/USDT'], from: utc('2024-01-01T00:00:00Z'), to: utc('2024-12-31T23:00:00Z') });
    expect(quiet.issues).toEqual([]);
    const outage = await feed.history({ symbols: ['BTC/USDT'], from: utc('2023-03-24T00:00:00Z'), to: utc('2023-03-25T00:00:00Z') });
    expect(outage.issues.map((i) => [i.code, i.line])).toEqual([
      ['zero_volume', 28255],
      ['gap', 28256],
    ]);
  });
});

describe('registry errors', () => {
  it('an unknown feed ID lists the known IDs with a did-you-mean', () => {
    const e = thrown(() => registry.get('equities.us.dialy'));
    expect(isFeedError(e, 'unknown_feed')).toBe(true);
    expect(e.message).toBe('unknown feed "equities.us.dialy"; did you mean "equities.us.daily"? Known feeds: crypto.binance.spot.1d, crypto.binance.spot.1h, equities.us.daily, news.local');
    const far = thrown(() => registry.get('fx.spot'));
    expect(far.message).toBe('unknown feed "fx.spot" Known feeds: crypto.binance.spot.1d, crypto.binance.spot.1h, equities.us.daily, news.local');
    expect(thrown(() => registry.get('crypto.binance.spot.4h')).message).toMatch(/did you mean "crypto.binance.spot.1h"/);
  });

  it('refuses duplicate and malformed IDs', () => {
    const r = new FeedRegistry();
    const feed = createFileBarFeed({ id: 'x.bars', dataDir: EXAMPLES_DATA, layout: 'crypto', timeframe: '1h', calendar: alwaysOpenCalendar });
    r.register(feed);
    expect(isFeedError(thrown(() => r.register(feed)), 'duplicate_feed')).toBe(true);
    expect(isFeedError(thrown(() => r.register({ ...feed, id: 'Bad ID' })), 'invalid_request')).toBe(true);
  });

  it('bars() refuses a non-bar feed', () => {
    const r = new FeedRegistry().register(createMemoryFeed({ id: 'news.test', kind: 'news', records: [] }));
    expect(r.get('news.test').kind).toBe('news');
    expect(thrown(() => r.bars('news.test')).message).toBe('feed news.test is a news feed, not a bar feed');
  });

  it('a symbol absent from the data directory names the directory, the file expected and the available symbols', async () => {
    const e = await rejected(registry.bars('equities.us.daily').history({ symbols: ['SPY', 'XLRE', 'GLD'] }));
    expect(isFeedError(e, 'unknown_symbol')).toBe(true);
    const dir = join(EXAMPLES_DATA, 'etf');
    expect(e.message).toBe(
      `equities.us.daily: no data for XLRE (did you mean XLE?), GLD in ${dir} (expected ${join(dir, 'XLRE.csv')}, ${join(dir, 'GLD.csv')}); available: BIL, SPY, XLB, XLE, XLF, XLI, XLK, XLP, XLU, XLV, XLY`,
    );
    expect((e as unknown as { details: unknown }).details).toMatchObject({ missing: ['XLRE', 'GLD'], available: ['BIL', 'SPY', 'XLB', 'XLE', 'XLF', 'XLI', 'XLK', 'XLP', 'XLU', 'XLV', 'XLY'] });
    const crypto = await rejected(shared.bars('crypto.binance.spot.1h').history({ symbols: ['SOL/USDT'] }));
    expect(crypto.message).toMatch(/no data for SOL\/USDT in .*crypto .*available: BTC\/USDT, ETH\/USDT/);
  });

  it.each<[string, { from?: string; to?: string }, RegExp]>([
    ['before the first bar', { from: '2007-01-01', to: '2024-12-31' }, /BIL: requested 2007-01-01\.\.2024-12-31 but .*BIL\.csv covers 2007-05-30\.\.2025-09-25 \(no bar for 2007-01-03\)/],
    ['after the last bar', { from: '2020-01-01', to: '2025-12-31' }, /BIL: requested 2020-01-01\.\.2025-12-31 but .*covers 2007-05-30\.\.2025-09-25 \(no bar for 2025-12-31\)/],
    ['ending on a Saturday after a missing Friday', { to: '2025-09-27' }, /requested start\.\.2025-09-27 .* \(no bar for 2025-09-26\)/],
    ['entirely before the data', { from: '2000-01-01', to: '2000-12-31' }, /BIL: requested 2000-01-01\.\.2000-12-31 but .*covers 2007-05-30\.\.2025-09-25/],
  ])('a range %s is an error stating the available range', async (_name, range, message) => {
    const req = { symbols: ['BIL'], ...(range.from === undefined ? {} : { from: utc(range.from) }), ...(range.to === undefined ? {} : { to: utc(range.to) }) };
    const e = await rejected(registry.bars('equities.us.daily').history(req));
    expect(isFeedError(e, 'range_outside_data')).toBe(true);
    expect(e.message).toMatch(message);
    expect((e as unknown as { details: { available: unknown } }).details.available).toEqual({ BIL: { first: '2007-05-30', last: '2025-09-25' } });
  });

  it('a range starting on a closed day before the first bar is fine (the first session is the first bar)', async () => {
    // XLK's first bar is Tue 1998-12-22; Mon 1998-12-21 was a session, Sun 1998-12-20 → first session 12-21: error
    await expect(registry.bars('equities.us.daily').history({ symbols: ['XLK'], from: utc('1998-12-20') })).rejects.toThrow(/no bar for 1998-12-21/);
    // SPY 2007: Jan 1 holiday, Jan 2 Ford mourning day → first session 2007-01-03
    const h = await registry.bars('equities.us.daily').history({ symbols: ['SPY'], from: utc('2007-01-01'), to: utc('2007-01-05') });
    expect([...(h.series.get('SPY')?.ts ?? [])]).toEqual([utc('2007-01-03'), utc('2007-01-04'), utc('2007-01-05')]);
  });

  it('allowPartial clips to the data instead, but an empty result is still an error', async () => {
    const feed = createFileBarFeed({ id: 'p', dataDir: EXAMPLES_DATA, layout: 'etf', timeframe: '1d', calendar: nyseCalendar });
    const h = await feed.history({ symbols: ['BIL'], from: utc('2007-01-01'), to: utc('2007-06-01'), allowPartial: true });
    expect(h.series.get('BIL')?.ts[0]).toBe(utc('2007-05-30'));
    const e = await rejected(feed.history({ symbols: ['BIL'], from: utc('2000-01-01'), to: utc('2000-12-31'), allowPartial: true }));
    expect(e.message).toMatch(/BIL: no bars in 2000-01-01\.\.2000-12-31/);
  });
});

describe('validation through the feed', () => {
  const tmp = tempDir('strata-registry-');
  tmp.write('etf/GOOD.csv', [ETF_HEADER, '2024-01-02,100,101,99,100,90,10', '2024-01-03,100,101,99,100,90,10'].join('\n'));
  const badFile = tmp.write('etf/BAD.csv', [ETF_HEADER, '2024-01-02,100,101,99,100,90,10', '2024-01-03,100,99,101,100,90,10', '2024-01-03,100,101,99,100,90,10', '2024-01-05,100,101,99,100,90,0'].join('\n'));

  it('strict (default): any error rejects with invalid_data listing every error as file:line', async () => {
    const feeds = createDefaultRegistry({ dataDir: tmp.dir });
    const e = await rejected(feeds.bars('equities.us.daily').history({ symbols: ['GOOD', 'BAD'] }));
    expect(isFeedError(e, 'invalid_data')).toBe(true);
    expect(e.message).toBe(
      `equities.us.daily: 2 errors in the data; fix the file (or load with strict: false to drop bad rows):\n  ${badFile}:3: error ohlc_inconsistent: high 99 is below low 101\n  ${badFile}:4: error duplicate_ts: timestamp 2024-01-03 repeats line 3; each bar must appear once`,
    );
    expect((e as unknown as { issues: { code: string }[] }).issues.map((i) => i.code)).toEqual(['ohlc_inconsistent', 'duplicate_ts', 'gap', 'zero_volume']);
  });

  it('strict: false drops bad rows and returns the errors with the warnings', async () => {
    const feeds = createDefaultRegistry({ dataDir: tmp.dir, strict: false });
    const h = await feeds.bars('equities.us.daily').history({ symbols: ['BAD'] });
    expect(h.issues.map((i) => [i.severity, i.code, i.line])).toEqual([
      ['error', 'ohlc_inconsistent', 3],
      ['error', 'duplicate_ts', 4],
      ['warning', 'gap', 5],
      ['warning', 'zero_volume', 5],
    ]);
    expect([...(h.series.get('BAD')?.line ?? [])]).toEqual([2, 5]);
  });

  it('reloads a file that changed on disk (cache keyed by mtime and size)', async () => {
    const feeds = createDefaultRegistry({ dataDir: tmp.dir });
    const feed = feeds.bars('equities.us.daily');
    const a = await feed.history({ symbols: ['GOOD'] });
    expect(await feed.history({ symbols: ['GOOD'] })).toMatchObject({ datasetHash: a.datasetHash });
    const file = tmp.write('etf/GOOD.csv', [ETF_HEADER, '2024-01-02,100,101,99,100,90,10', '2024-01-03,100,101,99,100,90,11'].join('\n'));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const b = await feed.history({ symbols: ['GOOD'] });
    expect(b.datasetHash).not.toBe(a.datasetHash);
    expect(b.series.get('GOOD')?.volume[1]).toBe(11);
  });
});
