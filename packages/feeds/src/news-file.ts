/**
 * News files: JSON Lines, one `news/v1` record per line (the feeds' unstructured envelope,
 * `schemas/news.schema.json`, with its `"schema": "news/v1"` tag). `loadNews` validates every
 * line and fails with each problem located by file and line; `createFileNewsFeed` serves a folder
 * of such files (`<dataDir>/news/SYMBOL.jsonl`) as a `news` feed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedError } from './errors.js';
import { didYouMean, listSome } from './internal/suggest.js';
import { formatIssue } from './issues.js';
import { checkSpeed, startReplay, systemScheduler, type ReplayEvent } from './replay.js';
import { validateRecord, type NewsItem } from './schemas.js';
import { FEED_SPEC_VERSION, type FeedDescriptor, type RecordFeedSource, type Scheduler, type SubscribeRequest, type Unsubscribe } from './spec.js';
import type { FeedIssue, HistoryRequest } from './types.js';

const MAX_LISTED = 20;

/** Items of a JSON Lines text and every problem found, located by line (1-based). */
export function parseNews(text: string, file: string): { readonly items: NewsItem[]; readonly issues: FeedIssue[] } {
  const items: NewsItem[] = [];
  const issues: FeedIssue[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    const body = (i === 0 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, '');
    if (body.trim() === '') {
      issues.push({ severity: 'warning', code: 'blank_line', message: 'empty line (skipped)', file, line });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      issues.push({ severity: 'error', code: 'invalid_record', message: `not JSON: ${(e as Error).message}`, file, line });
      return;
    }
    const res = validateRecord(value, 'news');
    if (!res.ok) {
      issues.push({ severity: 'error', code: 'invalid_record', message: `not a valid news/v1 record: ${res.errors.join('; ')}`, file, line });
      return;
    }
    const item = res.record as NewsItem;
    const first = seen.get(item.id);
    if (first !== undefined) {
      issues.push({ severity: 'error', code: 'duplicate_id', message: `id "${item.id}" is already used on line ${first}`, file, line });
      return;
    }
    seen.set(item.id, line);
    items.push(item);
  });
  // Stable: items published at the same time keep their file order.
  items.sort((a, b) => a.ts - b.ts);
  return { items, issues };
}

/**
 * Reads a news JSON Lines file. Any invalid line makes it throw `FeedError('invalid_data')` whose
 * message lists the problems as `file:line: …` (and `issues` holds them all). Items come back
 * sorted by publication time.
 */
export function loadNews(file: string): NewsItem[] {
  return readNewsFile(file).items;
}

/** `loadNews` plus the warnings (blank lines). */
function readNewsFile(file: string): { readonly items: NewsItem[]; readonly issues: FeedIssue[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FeedError('io_error', `cannot read news file ${file}${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`, { cause: e });
  }
  const { items, issues } = parseNews(text, file);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) {
    const listed = errors.slice(0, MAX_LISTED).map(formatIssue);
    if (errors.length > MAX_LISTED) listed.push(`… and ${errors.length - MAX_LISTED} more`);
    throw new FeedError('invalid_data', `news file ${file} has ${errors.length} invalid line${errors.length === 1 ? '' : 's'}:\n  ${listed.join('\n  ')}`, { issues });
  }
  return { items, issues };
}

export interface FileNewsFeedOptions {
  readonly id: string;
  readonly description?: string;
  /** Root data directory; files live in `<dataDir>/news/SYMBOL.jsonl`. */
  readonly dataDir: string;
  /** Time source for `subscribe` replay (default: the system clock). */
  readonly scheduler?: Scheduler;
}

const SYMBOL_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** File stem of a symbol: SPY → SPY, BTC/USDT → BTCUSDT. */
function newsStem(symbol: string): string {
  const stem = symbol.replace('/', '');
  if (!SYMBOL_FILE.test(stem)) throw new FeedError('invalid_request', `invalid symbol "${symbol}"`);
  return stem;
}

/**
 * A `news` feed over `<dataDir>/news/SYMBOL.jsonl` (`BTC/USDT` → `BTCUSDT.jsonl`). `history`
 * reads the files of the requested symbols, keeps the items that name one of them and fall in
 * the range (by publication time), drops repeats of the same id across files (a differing
 * repeat is an error) and returns them by time, ties in the request's symbol order.
 */
export function createFileNewsFeed(options: FileNewsFeedOptions): RecordFeedSource<'news'> {
  const dir = join(options.dataDir, 'news');
  const scheduler = options.scheduler ?? systemScheduler;

  const describe = (): FeedDescriptor => ({
    specVersion: FEED_SPEC_VERSION,
    id: options.id,
    kind: 'news',
    description: options.description ?? `news/v1 items from JSON Lines files in ${dir}`,
    adapter: 'jsonl',
    options: { dataDir: options.dataDir, layout: 'news/SYMBOL.jsonl' },
  });

  const symbols = async (): Promise<readonly string[]> => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names.filter((n) => n.endsWith('.jsonl') && SYMBOL_FILE.test(n.slice(0, -6))).map((n) => n.slice(0, -6)).sort();
  };

  async function history(req: HistoryRequest): Promise<{ records: NewsItem[]; issues: FeedIssue[] }> {
    if (!Array.isArray(req.symbols) || req.symbols.length === 0) throw new FeedError('invalid_request', `${options.id}: request.symbols must be a non-empty array`);
    if (req.from !== undefined && req.to !== undefined && req.from > req.to) throw new FeedError('invalid_request', `${options.id}: from is after to`);
    const available = await symbols();
    const missing = req.symbols.filter((s) => !available.includes(newsStem(s)));
    if (missing.length > 0) {
      const named = missing.map((s) => {
        const guess = didYouMean(newsStem(s), available);
        return `${s}${guess === undefined ? '' : ` (did you mean ${guess}?)`}`;
      });
      throw new FeedError('unknown_symbol', `${options.id}: no news for ${named.join(', ')} in ${dir} (expected ${missing.map((s) => `${newsStem(s)}.jsonl`).join(', ')}); ${available.length === 0 ? 'no .jsonl files there' : `available: ${listSome(available)}`}`, {
        details: { dataDir: dir, missing, available },
      });
    }
    const order = new Map(req.symbols.map((s, i) => [s, i]));
    const byId = new Map<string, { item: NewsItem; json: string; where: string }>();
    const issues: FeedIssue[] = [];
    for (const s of req.symbols) {
      const file = join(dir, `${newsStem(s)}.jsonl`);
      const { items, issues: found } = readNewsFile(file);
      issues.push(...found);
      for (const item of items) {
        const json = JSON.stringify(item);
        const prev = byId.get(item.id);
        if (prev === undefined) byId.set(item.id, { item, json, where: file });
        else if (prev.json !== json) throw new FeedError('invalid_data', `${options.id}: news id "${item.id}" differs between ${prev.where} and ${file}`);
      }
    }
    const rank = (it: NewsItem): number => Math.min(...it.symbols.map((s) => order.get(s) ?? Number.POSITIVE_INFINITY));
    const records = [...byId.values()]
      .map((x) => ({ item: x.item, k: rank(x.item) }))
      .filter((x) => Number.isFinite(x.k) && (req.from === undefined || x.item.ts >= req.from) && (req.to === undefined || x.item.ts <= req.to))
      .sort((a, b) => a.item.ts - b.item.ts || a.k - b.k)
      .map((x) => x.item);
    return { records, issues };
  }

  async function subscribe(req: SubscribeRequest, onRecord: (record: NewsItem) => void): Promise<Unsubscribe> {
    const speed = checkSpeed(req.speed);
    const { records } = await history(req);
    const events: ReplayEvent<NewsItem>[] = records.map((record) => ({ at: record.ts, record }));
    return startReplay(events, { scheduler, speed, onRecord, onEnd: req.onEnd, onError: req.onError });
  }

  return { specVersion: FEED_SPEC_VERSION, id: options.id, kind: 'news', describe, symbols, history, subscribe };
}
