/**
 * The data source spec (version `feed-source/v1`): what every feed adapter implements.
 *
 * - Pull: `history(req)` returns recorded data for a set of symbols and a time range.
 *   For bars it is columnar (`HistoryResult` of `BarSeries`), for other kinds a list of
 *   canonical records.
 * - Push: `subscribe(req, onRecord)` delivers records as they happen. Replay sources (the
 *   file adapters) push recorded history at real-time or accelerated pace through an
 *   injected `Scheduler`, so a test can drive time by hand and run instantly.
 *
 * Records are delivered in `(event time, symbol order of the request)` order; an event time
 * is a record's `ts`, except for bars, whose event time is their CLOSE (`ts + timeframe`):
 * a bar is knowable only once it has closed.
 */
import type { RecordByKind } from './schemas.js';
import type { FeedIssue, HistoryRequest, HistoryResult } from './types.js';

export const FEED_SPEC_VERSION = 'feed-source/v1' as const;

export const FEED_KINDS = ['bars', 'trades', 'quotes', 'book', 'funding', 'open_interest', 'news'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

/** Stops a subscription; idempotent. No record is delivered after it returns. */
export type Unsubscribe = () => void;

/**
 * Time, injected. `now()` is wall time in ms; `setTimeout` schedules a callback. The
 * default is the system clock (`systemScheduler`); tests use `createManualScheduler()`.
 */
export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SubscribeRequest extends HistoryRequest {
  /**
   * Replay pace as a multiple of real time: 1 = as it happened (a 1h bar every hour),
   * 3600 = an hour of market time per second. `'max'`: as fast as possible (in chunks, so
   * the event loop keeps turning). Default 1. Ignored by live sources.
   */
  readonly speed?: number | 'max';
  /** Called once after the last record of a finite (replay) subscription. */
  readonly onEnd?: () => void;
  /**
   * Called if `onRecord` throws; the subscription stops. Without it the error is rethrown
   * from the scheduler callback (fail loudly).
   */
  readonly onError?: (error: unknown) => void;
}

/** What a source says about itself (for registries, reports and `strata feeds`). */
export interface FeedDescriptor {
  readonly specVersion: typeof FEED_SPEC_VERSION;
  readonly id: string;
  readonly kind: FeedKind;
  readonly timeframe?: string;
  readonly description: string;
  /** Adapter name: `csv`, `parquet`, `memory`, … */
  readonly adapter: string;
  /** Adapter options worth showing (data directory, layout, adjustment, calendar, …). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
}

interface FeedSourceBase<K extends FeedKind> {
  readonly specVersion: typeof FEED_SPEC_VERSION;
  readonly id: string;
  readonly kind: K;
  describe(): FeedDescriptor;
  /** Symbols this source can serve (e.g. the files present in its data directory). */
  symbols(): Promise<readonly string[]>;
  subscribe(req: SubscribeRequest, onRecord: (record: RecordByKind[K]) => void): Promise<Unsubscribe>;
}

/** A bar feed: columnar history of one timeframe. */
export interface BarFeedSource extends FeedSourceBase<'bars'> {
  readonly timeframe: string;
  history(req: HistoryRequest): Promise<HistoryResult>;
}

export interface RecordHistoryResult<R> {
  /** Ascending by `ts`; ties in the request's symbol order. */
  readonly records: readonly R[];
  readonly issues: readonly FeedIssue[];
}

/** A feed of non-bar records (trades, quotes, book, funding, open interest, news). */
export interface RecordFeedSource<K extends Exclude<FeedKind, 'bars'> = Exclude<FeedKind, 'bars'>> extends FeedSourceBase<K> {
  /** Funding / open-interest feeds may state their sampling interval. */
  readonly timeframe?: string;
  history(req: HistoryRequest): Promise<RecordHistoryResult<RecordByKind[K]>>;
}

export type FeedSource = BarFeedSource | { [K in Exclude<FeedKind, 'bars'>]: RecordFeedSource<K> }[Exclude<FeedKind, 'bars'>];

export function isBarFeed(source: FeedSource): source is BarFeedSource {
  return source.kind === 'bars';
}
