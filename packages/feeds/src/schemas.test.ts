import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { PACKAGE_DIR, thrown } from '../test/helpers.js';
import { isFeedError } from './errors.js';
import { FEED_KINDS } from './spec.js';
import {
  RECORD_SCHEMAS,
  parseRecord,
  recordJsonSchema,
  recordSchemaId,
  serializeRecord,
  validateRecord,
  type RecordByKind,
  type RecordKind,
} from './schemas.js';

const T = Date.UTC(2024, 0, 2, 15, 30);

const VALID: { [K in RecordKind]: RecordByKind[K] } = {
  bars: { symbol: 'SPY', timeframe: '1d', ts: Date.UTC(2024, 0, 2), open: 472.16, high: 473.67, low: 470.49, close: 472.65, volume: 123_623_700 },
  trades: { symbol: 'BTC/USDT', ts: T, price: 42_000.5, size: 0.015, side: 'buy', tradeId: '3301247551' },
  quotes: { symbol: 'BTC/USDT', ts: T, bidPrice: 42_000.5, bidSize: 1.2, askPrice: 42_000.51, askSize: 0.3 },
  book: { symbol: 'BTC/USDT', ts: T, bids: [[42_000.5, 1.2], [42_000, 3]], asks: [[42_000.51, 0.3], [42_001, 2]], sequence: 991 },
  funding: { symbol: 'BTC/USDT:USDT', ts: T, rate: 0.0001, intervalMs: 28_800_000, markPrice: 42_010 },
  open_interest: { symbol: 'BTC/USDT:USDT', ts: T, openInterest: 81_234.5, openInterestValue: 3.4e9 },
  news: {
    id: 'reuters-2024-01-02-abc',
    ts: T,
    source: 'reuters',
    symbols: ['AAPL'],
    headline: 'Apple shares fall after analyst downgrade',
    body: 'Full text…',
    url: 'https://example.com/news/abc',
    lang: 'en-US',
    meta: { sentiment: -0.4, tags: ['downgrade'] },
  },
};

describe('record schemas', () => {
  it('has one schema per feed kind, named <kind>/v1 with an https://strata.dev $id', () => {
    expect(Object.keys(RECORD_SCHEMAS).sort()).toEqual([...FEED_KINDS].sort());
    expect(recordSchemaId('bars')).toBe('https://strata.dev/schemas/feeds/bar/v1');
    expect(recordSchemaId('open_interest')).toBe('https://strata.dev/schemas/feeds/open_interest/v1');
    for (const kind of FEED_KINDS) {
      const schema = recordJsonSchema(kind);
      expect(schema['$id']).toBe(recordSchemaId(kind));
      expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
      expect((schema['properties'] as Record<string, { const?: string }>)['schema']?.const).toBe(RECORD_SCHEMAS[kind]);
    }
  });

  it('the shipped *.schema.json files are exactly the seven record schemas and compile in strict mode', () => {
    const dir = join(PACKAGE_DIR, 'schemas');
    const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json'));
    expect(files).toHaveLength(7);
    const ajv = new Ajv({ strict: true, validateFormats: false });
    for (const f of files) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), 'utf8')) as object);
    expect(FEED_KINDS.every((k) => ajv.getSchema(recordSchemaId(k)) !== undefined)).toBe(true);
  });

  it.each(FEED_KINDS)('%s: a valid record serializes with its schema tag and round-trips through JSON', (kind) => {
    const wire = serializeRecord(kind, VALID[kind] as never);
    expect(wire.schema).toBe(RECORD_SCHEMAS[kind]);
    const back = JSON.parse(JSON.stringify(wire)) as unknown;
    const res = validateRecord(back);
    expect(res).toEqual({ ok: true, kind, record: VALID[kind] });
    expect(parseRecord(back, kind)).toEqual(VALID[kind]);
  });

  it('drops undefined optional fields when serializing', () => {
    const wire = serializeRecord('trades', { symbol: 'X', ts: 1, price: 1, size: 1, side: undefined } as unknown as RecordByKind['trades']);
    expect(Object.keys(wire)).toEqual(['schema', 'symbol', 'ts', 'price', 'size']);
  });

  it.each<[string, unknown, RegExp]>([
    ['no schema tag', { symbol: 'SPY' }, /\/schema: missing; expected one of bar\/v1/],
    ['unknown schema', { schema: 'bar/v2' }, /unknown schema "bar\/v2"/],
    ['not an object', [1, 2], /must be an object/],
    ['bar: missing close', { ...serializeRecord('bars', VALID.bars), close: undefined }, /must have required property 'close'/],
    ['bar: zero price', serializeRecord('bars', { ...VALID.bars, low: 0 }), /\/low: must be > 0/],
    ['bar: negative volume', serializeRecord('bars', { ...VALID.bars, volume: -1 }), /\/volume: must be >= 0/],
    ['bar: ts not an integer', serializeRecord('bars', { ...VALID.bars, ts: 1.5 }), /\/ts: must be integer/],
    ['bar: ts as ISO string', { ...serializeRecord('bars', VALID.bars), ts: '2024-01-02' }, /\/ts: must be integer/],
    ['bar: bad timeframe', serializeRecord('bars', { ...VALID.bars, timeframe: 'daily' }), /\/timeframe: must match pattern/],
    ['bar: unknown field', { ...serializeRecord('bars', VALID.bars), vwap: 1 }, /must NOT have additional properties "vwap"/],
    ['bar: high below low', serializeRecord('bars', { ...VALID.bars, high: 470, low: 471 }), /\/high: 470 is below low 471/],
    ['bar: close above high', serializeRecord('bars', { ...VALID.bars, close: 480 }), /\/close: 480 is outside/],
    ['trade: side', serializeRecord('trades', { ...VALID.trades, side: 'long' as never }), /\/side: must be equal to one of the allowed values/],
    ['trade: zero size', serializeRecord('trades', { ...VALID.trades, size: 0 }), /\/size: must be > 0/],
    ['quote: crossed', serializeRecord('quotes', { ...VALID.quotes, bidPrice: 42_001 }), /crossed quote/],
    ['book: level is not a pair', { ...serializeRecord('book', VALID.book), bids: [[1, 2, 3]] }, /\/bids\/0: must NOT have more than 2 items/],
    ['book: bids ascending', serializeRecord('book', { ...VALID.book, bids: [[41_000, 1], [42_000, 1]] }), /\/bids\/1: bid prices must strictly descend/],
    ['book: crossed', serializeRecord('book', { ...VALID.book, bids: [[42_002, 1]] }), /crossed book/],
    ['funding: rate missing', { schema: 'funding/v1', symbol: 'X', ts: 1 }, /must have required property 'rate'/],
    ['open interest: negative', serializeRecord('open_interest', { ...VALID.open_interest, openInterest: -1 }), /\/openInterest: must be >= 0/],
    ['news: bad url', serializeRecord('news', { ...VALID.news, url: 'not a url' }), /\/url: must match format "uri"/],
    ['news: duplicate symbols', serializeRecord('news', { ...VALID.news, symbols: ['AAPL', 'AAPL'] }), /\/symbols: must NOT have duplicate items/],
    ['news: empty headline', serializeRecord('news', { ...VALID.news, headline: '' }), /\/headline: must NOT have fewer than 1 characters/],
  ])('rejects %s', (_name, value, message) => {
    const res = validateRecord(JSON.parse(JSON.stringify(value)) as unknown);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors.join('\n')).toMatch(message);
  });

  it('reports all errors at once', () => {
    const res = validateRecord({ schema: 'bar/v1', symbol: '', ts: -1 });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors.length).toBeGreaterThanOrEqual(7);
  });

  it('parseRecord throws FeedError(invalid_record) and checks the expected kind', () => {
    const e = thrown(() => parseRecord(serializeRecord('trades', VALID.trades), 'bars'));
    expect(isFeedError(e, 'invalid_record')).toBe(true);
    expect(e.message).toMatch(/expected bar\/v1, got trade\/v1/);
    expect(parseRecord(serializeRecord('news', VALID.news))).toEqual({ kind: 'news', record: VALID.news });
  });
});
