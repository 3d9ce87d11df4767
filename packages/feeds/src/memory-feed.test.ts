import { describe, expect, it } from 'vitest';
import { thrown } from '../test/helpers.js';
import { isFeedError } from './errors.js';
import { createMemoryFeed } from './memory-feed.js';
import { createManualScheduler } from './replay.js';
import type { FundingRecord, NewsItem } from './schemas.js';
import { FEED_KINDS, FEED_SPEC_VERSION, isBarFeed } from './spec.js';

const H = 3_600_000;
const news: NewsItem[] = [
  { id: 'n3', ts: 3 * H, source: 'wire', symbols: ['AAPL', 'MSFT'], headline: 'Both' },
  { id: 'n1', ts: 1 * H, source: 'wire', symbols: ['AAPL'], headline: 'Apple' },
  { id: 'n2', ts: 2 * H, source: 'wire', symbols: ['MSFT'], headline: 'Microsoft', lang: 'en' },
  { id: 'n0', ts: 2 * H, source: 'wire', symbols: [], headline: 'Macro' },
];

describe('createMemoryFeed', () => {
  it('is a versioned record FeedSource of its kind', async () => {
    const feed = createMemoryFeed({ id: 'news.test', kind: 'news', records: news });
    expect(feed.specVersion).toBe(FEED_SPEC_VERSION);
    expect(feed.kind).toBe('news');
    expect(isBarFeed(feed)).toBe(false);
    expect(feed.describe()).toMatchObject({ id: 'news.test', kind: 'news', adapter: 'memory' });
    expect(await feed.symbols()).toEqual(['AAPL', 'MSFT']);
    expect(FEED_KINDS).toContain(feed.kind);
  });

  it('history filters by symbol (an item about several symbols matches any) and inclusive range, ascending by ts', async () => {
    const feed = createMemoryFeed({ id: 'news.test', kind: 'news', records: news });
    const msft = await feed.history({ symbols: ['MSFT'] });
    expect(msft.records.map((r) => r.id)).toEqual(['n2', 'n3']);
    const ranged = await feed.history({ symbols: ['AAPL', 'MSFT'], from: 2 * H, to: 3 * H });
    expect(ranged.records.map((r) => r.id)).toEqual(['n2', 'n3']);
    const all = await feed.history({ symbols: [] });
    expect(all.records.map((r) => r.id)).toEqual(['n1', 'n2', 'n0', 'n3']);
  });

  it('subscribe replays records at their ts through the scheduler', async () => {
    const scheduler = createManualScheduler();
    const funding: FundingRecord[] = [0, 8, 16].map((h) => ({ symbol: 'BTC/USDT:USDT', ts: h * H, rate: 0.0001 * (h + 1), intervalMs: 8 * H }));
    const feed = createMemoryFeed({ id: 'funding.test', kind: 'funding', records: funding, timeframe: '8h', scheduler });
    const got: [number, number][] = [];
    let ended = false;
    await feed.subscribe({ symbols: ['BTC/USDT:USDT'], speed: 8 * 3600, onEnd: () => (ended = true) }, (r) => got.push([r.ts, scheduler.now()]));
    scheduler.advance(1000);
    expect(got).toEqual([[0, 0], [8 * H, 1000]]);
    scheduler.runAll();
    expect(got.at(-1)).toEqual([16 * H, 2000]);
    expect(ended).toBe(true);
  });

  it('validates every record against its schema on creation', () => {
    const e = thrown(() => createMemoryFeed({ id: 'news.bad', kind: 'news', records: [{ ...news[0], url: 'nope' } as NewsItem, { ...news[1], headline: '' } as NewsItem] }));
    expect(isFeedError(e, 'invalid_record')).toBe(true);
    expect(e.message).toMatch(/2 invalid news\/v1 record\(s\):\n {2}records\[0\]: \/url: must match format "uri"\n {2}records\[1\]: \/headline/);
  });
});
