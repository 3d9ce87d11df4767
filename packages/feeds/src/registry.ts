/**
 * Feed registry: feed IDs (as named in a strategy's `feeds:` block) → configured sources.
 */
import { alwaysOpenCalendar, nyseCalendar } from './calendar.js';
import { FeedError } from './errors.js';
import { createFileBarFeed } from './file-feed.js';
import { createFileNewsFeed } from './news-file.js';
import { didYouMean } from './internal/suggest.js';
import type { BarFeedSource, FeedDescriptor, FeedSource, RecordFeedSource, Scheduler } from './spec.js';

const FEED_ID = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;

export class FeedRegistry {
  readonly #sources = new Map<string, FeedSource>();

  /** Adds a source under its `id` (dotted lower-case, e.g. `equities.us.daily`). */
  register(source: FeedSource): this {
    if (!FEED_ID.test(source.id)) throw new FeedError('invalid_request', `feed id "${source.id}" must be dotted lower-case words, e.g. equities.us.daily`);
    if (this.#sources.has(source.id)) throw new FeedError('duplicate_feed', `feed ${source.id} is already registered`);
    this.#sources.set(source.id, source);
    return this;
  }

  has(id: string): boolean {
    return this.#sources.has(id);
  }

  /** Registered IDs, sorted. */
  ids(): string[] {
    return [...this.#sources.keys()].sort();
  }

  /** Descriptors of every source, sorted by ID. */
  list(): FeedDescriptor[] {
    return this.ids().map((id) => (this.#sources.get(id) as FeedSource).describe());
  }

  /** The source for `id`, or `FeedError('unknown_feed')` listing the known IDs with a did-you-mean. */
  get(id: string): FeedSource {
    const source = this.#sources.get(id);
    if (source !== undefined) return source;
    const known = this.ids();
    const guess = didYouMean(id, known);
    throw new FeedError('unknown_feed', `unknown feed "${id}"${guess === undefined ? '' : `; did you mean "${guess}"?`} Known feeds: ${known.length === 0 ? '(none registered)' : known.join(', ')}`, {
      details: { known, ...(guess === undefined ? {} : { suggestion: guess }) },
    });
  }

  /** Like `get`, and the source must be a bar feed. */
  bars(id: string): BarFeedSource {
    const source = this.get(id);
    if (source.kind !== 'bars') throw new FeedError('unsupported', `feed ${id} is a ${source.kind} feed, not a bar feed`);
    return source;
  }

  /** Like `get`, and the source must be a news feed. */
  news(id: string): RecordFeedSource<'news'> {
    const source = this.get(id);
    if (source.kind !== 'news') throw new FeedError('unsupported', `feed ${id} is a ${source.kind} feed, not a news feed`);
    return source;
  }
}

export interface DefaultRegistryOptions {
  /** Root of the data directory (with `etf/` and `crypto/` inside), e.g. `examples/data`. */
  readonly dataDir: string;
  /** File format of every default feed (default `csv`). */
  readonly format?: 'csv' | 'parquet';
  /** See `FileBarFeedOptions.strict` (default true). */
  readonly strict?: boolean;
  /** Time source for `subscribe` replays (default: the system clock). */
  readonly scheduler?: Scheduler;
}

/**
 * The standard feeds over a data directory:
 * - `equities.us.daily` — `etf/SYMBOL.csv`, total-return adjusted, NYSE calendar, 1d;
 * - `crypto.binance.spot.1h` / `crypto.binance.spot.1d` — `crypto/BASEQUOTE-TF.csv`
 *   (symbols like `BTC/USDT`), 24/7 calendar;
 * - `news.local` — `news/SYMBOL.jsonl`, news/v1 items (JSON Lines).
 */
export function createDefaultRegistry(options: DefaultRegistryOptions): FeedRegistry {
  const common = {
    dataDir: options.dataDir,
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.strict === undefined ? {} : { strict: options.strict }),
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
  };
  const registry = new FeedRegistry();
  registry.register(
    createFileBarFeed({
      ...common,
      id: 'equities.us.daily',
      description: 'US equities / ETFs, daily bars stamped 00:00 UTC of the trading date, total-return adjusted (dividends reinvested via adj_close), NYSE calendar',
      layout: 'etf',
      timeframe: '1d',
      calendar: nyseCalendar,
      adjust: 'total_return',
    }),
  );
  for (const tf of ['1h', '1d'] as const) {
    registry.register(
      createFileBarFeed({
        ...common,
        id: `crypto.binance.spot.${tf}`,
        description: `Binance spot ${tf} candles (ts = candle open, UTC), 24/7 calendar; gaps are exchange outages`,
        layout: 'crypto',
        timeframe: tf,
        calendar: alwaysOpenCalendar,
      }),
    );
  }
  registry.register(
    createFileNewsFeed({
      id: 'news.local',
      dataDir: options.dataDir,
      description: 'news/v1 items from JSON Lines files news/SYMBOL.jsonl (publication time ts, UTC); scored by a local model for news_sentiment',
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    }),
  );
  return registry;
}
