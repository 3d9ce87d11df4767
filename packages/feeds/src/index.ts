// @strata/feeds — public API. Everything else (src/internal/) is private.

export type { Bar, BarSeries, FeedIssue, FeedIssueSeverity, HistoryRequest, HistoryResult } from './types.js';
export { FEED_ISSUE_CODES, FEED_ISSUE_SEVERITY, countIssues, formatIssue } from './issues.js';
export type { FeedIssueCode } from './issues.js';
export { FEED_ERROR_CODES, FeedError, isFeedError } from './errors.js';
export type { FeedErrorCode, FeedErrorOptions } from './errors.js';

export { FEED_KINDS, FEED_SPEC_VERSION, isBarFeed } from './spec.js';
export type { BarFeedSource, FeedDescriptor, FeedKind, FeedSource, RecordFeedSource, RecordHistoryResult, Scheduler, SubscribeRequest, Unsubscribe } from './spec.js';

export { RECORD_SCHEMAS, SCHEMA_ID_BASE, barRecord, parseRecord, recordJsonSchema, recordSchemaId, serializeRecord, validateRecord } from './schemas.js';
export type {
  BarRecord,
  BookLevel,
  BookRecord,
  FundingRecord,
  JsonValue,
  NewsItem,
  OpenInterestRecord,
  QuoteRecord,
  RecordByKind,
  RecordKind,
  RecordSchemaName,
  RecordValidation,
  SerializedRecord,
  TradeRecord,
} from './schemas.js';

export { NYSE_SPECIAL_CLOSURES, alwaysOpenCalendar, isNyseTradingDay, nyseCalendar, nyseHolidays } from './calendar.js';
export type { Holiday, MissingSessions, TradingCalendar } from './calendar.js';
export { DAY_MS, HOUR_MS, MINUTE_MS, formatTs, timeframeMs } from './timeframe.js';

export { LAYOUT_COLUMNS } from './bar-file.js';
export type { AdjustMode, FileLayout, LoadBarsOptions, LoadBarsResult } from './bar-file.js';
export { loadCsvBars, parseCsvBars } from './csv.js';
export { loadParquetBars } from './parquet.js';
export { barAt, lowerBound, seriesRange, sliceSeries, upperBound } from './series.js';
export { datasetHash } from './dataset-hash.js';

export { createManualScheduler, startReplay, systemScheduler } from './replay.js';
export type { ManualScheduler, ReplayEvent, ReplayOptions } from './replay.js';
export { createFileBarFeed } from './file-feed.js';
export type { FileBarFeedOptions, FileHistoryRequest } from './file-feed.js';
export { createMemoryFeed } from './memory-feed.js';
export type { MemoryFeedOptions, RecordFeedKind } from './memory-feed.js';
export { FeedRegistry, createDefaultRegistry } from './registry.js';
export { createFileNewsFeed, loadNews, parseNews } from './news-file.js';
export type { FileNewsFeedOptions } from './news-file.js';
export * from './sentiment/index.js';
export type { DefaultRegistryOptions } from './registry.js';
