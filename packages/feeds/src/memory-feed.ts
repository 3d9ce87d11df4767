/**
 * `createMemoryFeed`: a FeedSource over canonical records held in memory (any non-bar
 * kind). Records are validated against their JSON Schema on creation; `history` filters
 * by symbol and range; `subscribe` replays them at their `ts` through a Scheduler. Useful
 * for tests, fixtures and small recorded datasets (news, funding, …).
 */
import { FeedError } from './errors.js';
import { checkSpeed, startReplay, systemScheduler, type ReplayEvent } from './replay.js';
import { RECORD_SCHEMAS, serializeRecord, validateRecord, type RecordByKind } from './schemas.js';
import { FEED_SPEC_VERSION, type FeedDescriptor, type FeedKind, type RecordFeedSource, type RecordHistoryResult, type Scheduler, type SubscribeRequest, type Unsubscribe } from './spec.js';
import type { HistoryRequest } from './types.js';

export type RecordFeedKind = Exclude<FeedKind, 'bars'>;

export interface MemoryFeedOptions<K extends RecordFeedKind> {
  readonly id: string;
  readonly kind: K;
  readonly records: readonly RecordByKind[K][];
  readonly description?: string;
  readonly timeframe?: string;
  readonly scheduler?: Scheduler;
}

/** Symbols a record is about (news items can name several, or none). */
function symbolsOf(record: RecordByKind[RecordFeedKind]): readonly string[] {
  return 'symbols' in record ? record.symbols : [record.symbol];
}

export function createMemoryFeed<K extends RecordFeedKind>(options: MemoryFeedOptions<K>): RecordFeedSource<K> {
  const { kind } = options;
  const scheduler = options.scheduler ?? systemScheduler;
  const errors: string[] = [];
  options.records.forEach((r, i) => {
    const res = validateRecord(serializeRecord(kind, r), kind);
    if (!res.ok) errors.push(`records[${i}]: ${res.errors.join('; ')}`);
  });
  if (errors.length > 0) {
    throw new FeedError('invalid_record', `${options.id}: ${errors.length} invalid ${RECORD_SCHEMAS[kind]} record(s):\n  ${errors.slice(0, 20).join('\n  ')}`, { details: { errors } });
  }
  // Stable sort: equal timestamps keep their given order.
  const records = [...options.records].sort((a, b) => a.ts - b.ts);

  const describe = (): FeedDescriptor => ({
    specVersion: FEED_SPEC_VERSION,
    id: options.id,
    kind,
    ...(options.timeframe === undefined ? {} : { timeframe: options.timeframe }),
    description: options.description ?? `${records.length} in-memory ${RECORD_SCHEMAS[kind]} records`,
    adapter: 'memory',
    options: { records: records.length },
  });

  async function history(req: HistoryRequest): Promise<RecordHistoryResult<RecordByKind[K]>> {
    if (!Array.isArray(req.symbols)) throw new FeedError('invalid_request', `${options.id}: request.symbols must be an array`);
    if (req.from !== undefined && req.to !== undefined && req.from > req.to) throw new FeedError('invalid_request', `${options.id}: from is after to`);
    const order = new Map(req.symbols.map((s, i) => [s, i]));
    const rank = (r: RecordByKind[K]): number => Math.min(...symbolsOf(r).map((s) => order.get(s) ?? Number.POSITIVE_INFINITY));
    const picked = records.filter((r) => (req.from === undefined || r.ts >= req.from) && (req.to === undefined || r.ts <= req.to) && (req.symbols.length === 0 || Number.isFinite(rank(r))));
    // Ties on ts in the request's symbol order.
    const ranked = req.symbols.length === 0 ? picked : picked.map((r) => ({ r, k: rank(r) })).sort((a, b) => a.r.ts - b.r.ts || a.k - b.k).map((x) => x.r);
    return { records: ranked, issues: [] };
  }

  async function subscribe(req: SubscribeRequest, onRecord: (record: RecordByKind[K]) => void): Promise<Unsubscribe> {
    const speed = checkSpeed(req.speed);
    const { records: picked } = await history(req);
    const events: ReplayEvent<RecordByKind[K]>[] = picked.map((record) => ({ at: record.ts, record }));
    return startReplay(events, { scheduler, speed, onRecord, onEnd: req.onEnd, onError: req.onError });
  }

  const symbols = async (): Promise<readonly string[]> => [...new Set(records.flatMap((r) => symbolsOf(r)))].sort();

  return {
    specVersion: FEED_SPEC_VERSION,
    id: options.id,
    kind,
    ...(options.timeframe === undefined ? {} : { timeframe: options.timeframe }),
    describe,
    symbols,
    history,
    subscribe,
  } as RecordFeedSource<K>;
}
