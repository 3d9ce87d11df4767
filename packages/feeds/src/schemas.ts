/**
 * Canonical market-data records: TypeScript types, the JSON Schemas they serialize to
 * (draft-07, shipped in packages/feeds/schemas/*.schema.json), and validation at the
 * boundary with ajv.
 *
 * In memory a record is a plain object without a tag; serialized (`serializeRecord`) it
 * carries `schema: '<name>/v1'`, which `parseRecord` / `validateRecord` dispatch on.
 * Timestamps are integers: ms since the Unix epoch, UTC.
 */
import type { ErrorObject } from 'ajv';
import { FeedError } from './errors.js';
import { readSchemaFile, validatorFor } from './internal/ajv.js';
import type { BarSeries } from './types.js';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** OHLCV bar; `ts` is the bar OPEN time. */
export interface BarRecord {
  readonly symbol: string;
  readonly timeframe: string;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** One executed trade (tick). */
export interface TradeRecord {
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
  readonly size: number;
  /** Aggressor side, when the venue reports it. */
  readonly side?: 'buy' | 'sell';
  readonly tradeId?: string;
}

/** Level-1 quote (best bid / offer). */
export interface QuoteRecord {
  readonly symbol: string;
  readonly ts: number;
  readonly bidPrice: number;
  readonly bidSize: number;
  readonly askPrice: number;
  readonly askSize: number;
}

/** `[price, size]`. */
export type BookLevel = readonly [price: number, size: number];

/** Level-2 order book snapshot; each side best level first. */
export interface BookRecord {
  readonly symbol: string;
  readonly ts: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly sequence?: number;
}

/** Perpetual-swap funding rate for one interval (0.0001 = 0.01%; positive: longs pay shorts). */
export interface FundingRecord {
  readonly symbol: string;
  readonly ts: number;
  readonly rate: number;
  readonly intervalMs?: number;
  readonly markPrice?: number;
  readonly indexPrice?: number;
  readonly nextFundingTs?: number;
}

/** Open interest of a derivative at a point in time. */
export interface OpenInterestRecord {
  readonly symbol: string;
  readonly ts: number;
  readonly openInterest: number;
  readonly openInterestValue?: number;
}

/** Typed envelope for unstructured items (news, filings, posts). */
export interface NewsItem {
  readonly id: string;
  readonly ts: number;
  readonly source: string;
  readonly symbols: readonly string[];
  readonly headline: string;
  readonly body?: string;
  readonly url?: string;
  /** BCP 47 tag, e.g. `en`, `en-US`. */
  readonly lang?: string;
  readonly meta?: { readonly [key: string]: JsonValue };
}

/** The record type carried by each feed kind. */
export interface RecordByKind {
  readonly bars: BarRecord;
  readonly trades: TradeRecord;
  readonly quotes: QuoteRecord;
  readonly book: BookRecord;
  readonly funding: FundingRecord;
  readonly open_interest: OpenInterestRecord;
  readonly news: NewsItem;
}

/** Schema name and version of each kind's serialized record. */
export const RECORD_SCHEMAS = {
  bars: 'bar/v1',
  trades: 'trade/v1',
  quotes: 'quote/v1',
  book: 'book/v1',
  funding: 'funding/v1',
  open_interest: 'open_interest/v1',
  news: 'news/v1',
} as const satisfies Record<keyof RecordByKind, string>;

export type RecordKind = keyof typeof RECORD_SCHEMAS;
export type RecordSchemaName = (typeof RECORD_SCHEMAS)[RecordKind];

/** A serialized record: the record plus its schema tag. */
export type SerializedRecord<K extends RecordKind = RecordKind> = { readonly [P in K]: RecordByKind[P] & { readonly schema: (typeof RECORD_SCHEMAS)[P] } }[K];

export const SCHEMA_ID_BASE = 'https://strata.dev/schemas/feeds/';

const SCHEMA_FILES: Record<RecordKind, string> = {
  bars: 'bar.schema.json',
  trades: 'trade.schema.json',
  quotes: 'quote.schema.json',
  book: 'book.schema.json',
  funding: 'funding.schema.json',
  open_interest: 'open-interest.schema.json',
  news: 'news.schema.json',
};

const KIND_BY_SCHEMA = new Map<string, RecordKind>(Object.entries(RECORD_SCHEMAS).map(([k, s]) => [s, k as RecordKind]));

/** `$id` of a kind's JSON Schema, e.g. `https://strata.dev/schemas/feeds/bar/v1`. */
export function recordSchemaId(kind: RecordKind): string {
  return SCHEMA_ID_BASE + RECORD_SCHEMAS[kind];
}

/** The published JSON Schema document of a kind (a fresh copy). */
export function recordJsonSchema(kind: RecordKind): Record<string, unknown> {
  return readSchemaFile(SCHEMA_FILES[kind]);
}

/** Adds the schema tag (and drops undefined optional fields, which JSON cannot carry). */
export function serializeRecord<K extends RecordKind>(kind: K, record: RecordByKind[K]): SerializedRecord<K> {
  const out: Record<string, unknown> = { schema: RECORD_SCHEMAS[kind] };
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out as unknown as SerializedRecord<K>;
}

export type RecordValidation =
  | { readonly ok: true; readonly kind: RecordKind; readonly record: RecordByKind[RecordKind] }
  | { readonly ok: false; readonly errors: readonly string[] };

function ajvMessages(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const at = e.instancePath === '' ? '(record)' : e.instancePath;
    const extra = e.keyword === 'additionalProperties' ? ` "${String((e.params as { additionalProperty?: unknown }).additionalProperty)}"` : '';
    return `${at}: ${e.message ?? e.keyword}${extra}`;
  });
}

/** Cross-field rules JSON Schema draft-07 cannot state. */
function semanticErrors(kind: RecordKind, r: Record<string, unknown>): string[] {
  const errs: string[] = [];
  if (kind === 'bars') {
    const { open, high, low, close } = r as unknown as BarRecord;
    if (high < low) errs.push(`/high: ${high} is below low ${low}`);
    else {
      if (open < low || open > high) errs.push(`/open: ${open} is outside [low ${low}, high ${high}]`);
      if (close < low || close > high) errs.push(`/close: ${close} is outside [low ${low}, high ${high}]`);
    }
  } else if (kind === 'quotes') {
    const q = r as unknown as QuoteRecord;
    if (q.bidPrice > q.askPrice) errs.push(`/bidPrice: crossed quote, bid ${q.bidPrice} > ask ${q.askPrice}`);
  } else if (kind === 'book') {
    const b = r as unknown as BookRecord;
    for (let i = 1; i < b.bids.length; i++) {
      if ((b.bids[i] as BookLevel)[0] >= (b.bids[i - 1] as BookLevel)[0]) errs.push(`/bids/${i}: bid prices must strictly descend (best first)`);
    }
    for (let i = 1; i < b.asks.length; i++) {
      if ((b.asks[i] as BookLevel)[0] <= (b.asks[i - 1] as BookLevel)[0]) errs.push(`/asks/${i}: ask prices must strictly ascend (best first)`);
    }
    const bid = b.bids[0];
    const ask = b.asks[0];
    if (bid !== undefined && ask !== undefined && bid[0] >= ask[0]) errs.push(`/bids/0: crossed book, best bid ${bid[0]} >= best ask ${ask[0]}`);
  }
  return errs;
}

/**
 * Validates a serialized record (dispatching on its `schema` tag, or checking it against
 * `expected`) with the JSON Schema plus cross-field rules. Returns every error.
 */
export function validateRecord(value: unknown, expected?: RecordKind): RecordValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, errors: ['(record): must be an object'] };
  const tag = (value as { schema?: unknown }).schema;
  const kind = typeof tag === 'string' ? KIND_BY_SCHEMA.get(tag) : undefined;
  if (kind === undefined) {
    const known = [...KIND_BY_SCHEMA.keys()].join(', ');
    return { ok: false, errors: [`/schema: ${tag === undefined ? 'missing' : `unknown schema ${JSON.stringify(tag)}`}; expected one of ${known}`] };
  }
  if (expected !== undefined && kind !== expected) {
    return { ok: false, errors: [`/schema: expected ${RECORD_SCHEMAS[expected]}, got ${String(tag)}`] };
  }
  const validate = validatorFor(SCHEMA_FILES[kind]);
  if (!validate(value)) return { ok: false, errors: ajvMessages(validate.errors) };
  const sem = semanticErrors(kind, value as Record<string, unknown>);
  if (sem.length > 0) return { ok: false, errors: sem };
  const { schema: _schema, ...record } = value as Record<string, unknown>;
  return { ok: true, kind, record: record as unknown as RecordByKind[RecordKind] };
}

/** Like `validateRecord` but returns the untagged record or throws `FeedError('invalid_record')`. */
export function parseRecord<K extends RecordKind>(value: unknown, kind: K): RecordByKind[K];
export function parseRecord(value: unknown): { kind: RecordKind; record: RecordByKind[RecordKind] };
export function parseRecord(value: unknown, kind?: RecordKind): unknown {
  const res = validateRecord(value, kind);
  if (!res.ok) {
    throw new FeedError('invalid_record', `invalid ${kind === undefined ? 'record' : RECORD_SCHEMAS[kind]}: ${res.errors.join('; ')}`, { details: { errors: res.errors } });
  }
  return kind === undefined ? { kind: res.kind, record: res.record } : res.record;
}

/** The i-th bar of a series as a canonical BarRecord. */
export function barRecord(series: BarSeries, i: number): BarRecord {
  return {
    symbol: series.symbol,
    timeframe: series.timeframe,
    ts: series.ts[i] as number,
    open: series.open[i] as number,
    high: series.high[i] as number,
    low: series.low[i] as number,
    close: series.close[i] as number,
    volume: series.volume[i] as number,
  };
}
