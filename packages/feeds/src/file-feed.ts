/**
 * `createFileBarFeed`: a bar FeedSource over a data directory in the `etf` or `crypto`
 * layout, CSV or Parquet. History is pulled from the files (validated, cached per file);
 * subscribe replays that history through a Scheduler.
 */
import { existsSync, statSync } from 'node:fs';
import type { AdjustMode, FileLayout, LoadBarsOptions, LoadBarsResult } from './bar-file.js';
import type { TradingCalendar } from './calendar.js';
import { loadCsvBars } from './csv.js';
import { datasetHash } from './dataset-hash.js';
import { FeedError } from './errors.js';
import { didYouMean, listSome } from './internal/suggest.js';
import { filePath, layoutDir, listSymbols, type FileFormat } from './internal/layout.js';
import { countIssues, formatIssue } from './issues.js';
import { loadParquetBars } from './parquet.js';
import { checkSpeed, startReplay, systemScheduler, type ReplayEvent } from './replay.js';
import { barRecord, type BarRecord } from './schemas.js';
import { sliceSeries } from './series.js';
import { FEED_SPEC_VERSION, type BarFeedSource, type FeedDescriptor, type Scheduler, type SubscribeRequest, type Unsubscribe } from './spec.js';
import { formatTs, timeframeMs } from './timeframe.js';
import type { BarSeries, FeedIssue, HistoryRequest, HistoryResult } from './types.js';

export interface FileBarFeedOptions {
  readonly id: string;
  readonly description?: string;
  /** Root data directory; files live in `<dataDir>/etf/SYMBOL.csv` or `<dataDir>/crypto/STEM-TF.csv`. */
  readonly dataDir: string;
  readonly layout: FileLayout;
  /** Default `csv`. Parquet files use the same names with a `.parquet` extension. */
  readonly format?: FileFormat;
  readonly timeframe: string;
  readonly calendar: TradingCalendar;
  /** ETF price adjustment (default: `total_return` when the file has adj_close). */
  readonly adjust?: AdjustMode;
  /**
   * Default true: any error-severity finding in a requested file makes `history()` reject
   * with `FeedError('invalid_data')` carrying every issue. With false the bad rows are left
   * out and the errors come back in `HistoryResult.issues`.
   */
  readonly strict?: boolean;
  /** Time source for `subscribe` replay (default: the system clock). */
  readonly scheduler?: Scheduler;
}

/** Extra request options of file feeds. */
export interface FileHistoryRequest extends HistoryRequest {
  /**
   * Default false: a range not fully covered by a symbol's data (the first calendar
   * session at/after `from` or the last at/before `to` has no bar) is an error stating
   * the available range. True: clip to the data instead (still an error if nothing is left).
   */
  readonly allowPartial?: boolean;
}

interface CacheEntry {
  readonly mtimeMs: number;
  readonly size: number;
  readonly result: LoadBarsResult;
}

const MAX_LISTED_ISSUES = 20;

export function createFileBarFeed(options: FileBarFeedOptions): BarFeedSource & { history(req: FileHistoryRequest): Promise<HistoryResult> } {
  const format: FileFormat = options.format ?? 'csv';
  if (format !== 'csv' && format !== 'parquet') throw new FeedError('invalid_request', `format must be 'csv' or 'parquet', got ${JSON.stringify(format)}`);
  const stepMs = timeframeMs(options.timeframe);
  const strict = options.strict ?? true;
  const scheduler = options.scheduler ?? systemScheduler;
  const { calendar, timeframe, layout, dataDir } = options;
  const cache = new Map<string, CacheEntry>();
  const dateOnly = layout === 'etf';
  const fmt = (t: number): string => formatTs(t, dateOnly);

  const describe = (): FeedDescriptor => ({
    specVersion: FEED_SPEC_VERSION,
    id: options.id,
    kind: 'bars',
    timeframe,
    description: options.description ?? `${layout} ${timeframe} bars from ${format.toUpperCase()} files in ${layoutDir(dataDir, layout)}`,
    adapter: format,
    options: {
      dataDir,
      layout,
      format,
      calendar: calendar.id,
      adjust: options.adjust ?? (layout === 'etf' ? 'auto' : 'none'),
      strict,
    },
  });

  const symbols = async (): Promise<readonly string[]> => listSymbols(dataDir, layout, timeframe, format);

  async function load(symbol: string, file: string): Promise<LoadBarsResult> {
    const st = statSync(file);
    const key = `${file}\u0000${symbol}`;
    const hit = cache.get(key);
    if (hit !== undefined && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.result;
    const loadOptions: LoadBarsOptions = { symbol, layout, timeframe, calendar, ...(options.adjust === undefined ? {} : { adjust: options.adjust }) };
    const result = format === 'csv' ? loadCsvBars(file, loadOptions) : await loadParquetBars(file, loadOptions);
    cache.set(key, { mtimeMs: st.mtimeMs, size: st.size, result });
    return result;
  }

  function checkRequest(req: FileHistoryRequest): void {
    if (typeof req !== 'object' || req === null || !Array.isArray(req.symbols) || req.symbols.length === 0) {
      throw new FeedError('invalid_request', `${options.id}: request.symbols must be a non-empty array of symbols`);
    }
    const seen = new Set<string>();
    for (const s of req.symbols) {
      if (typeof s !== 'string' || s === '') throw new FeedError('invalid_request', `${options.id}: symbols must be non-empty strings, got ${JSON.stringify(s)}`);
      if (seen.has(s)) throw new FeedError('invalid_request', `${options.id}: symbol ${s} is requested twice`);
      seen.add(s);
    }
    for (const k of ['from', 'to'] as const) {
      const v = req[k];
      if (v !== undefined && !Number.isFinite(v)) throw new FeedError('invalid_request', `${options.id}: ${k} must be ms since the epoch, got ${String(v)}`);
    }
    if (req.from !== undefined && req.to !== undefined && req.from > req.to) {
      throw new FeedError('invalid_request', `${options.id}: from ${fmt(req.from)} is after to ${fmt(req.to)}`);
    }
  }

  async function history(req: FileHistoryRequest): Promise<HistoryResult> {
    checkRequest(req);
    // 1. Every symbol must have a file (one error naming all that are missing).
    const files = req.symbols.map((symbol) => ({ symbol, file: filePath(dataDir, layout, symbol, timeframe, format) }));
    const missing = files.filter((f) => !existsSync(f.file));
    if (missing.length > 0) {
      const available = listSymbols(dataDir, layout, timeframe, format);
      const dir = layoutDir(dataDir, layout);
      const parts = missing.map((m) => {
        const guess = didYouMean(m.symbol, available);
        return `${m.symbol}${guess === undefined ? '' : ` (did you mean ${guess}?)`}`;
      });
      const avail = available.length === 0 ? `no ${timeframe} ${format} files there` : `available: ${listSome(available)}`;
      throw new FeedError('unknown_symbol', `${options.id}: no data for ${parts.join(', ')} in ${dir} (expected ${missing.map((m) => m.file).join(', ')}); ${avail}`, {
        details: { dataDir: dir, missing: missing.map((m) => m.symbol), available },
      });
    }
    // 2. Load + validate.
    const loaded: { symbol: string; result: LoadBarsResult }[] = [];
    for (const f of files) loaded.push({ symbol: f.symbol, result: await load(f.symbol, f.file) });
    const allIssues = loaded.flatMap((l) => l.result.issues);
    const { errors } = countIssues(allIssues);
    if (strict && errors > 0) {
      const errs = allIssues.filter((i) => i.severity === 'error');
      const shown = errs.slice(0, MAX_LISTED_ISSUES).map((i) => `  ${formatIssue(i)}`);
      const more = errs.length > MAX_LISTED_ISSUES ? `\n  … and ${errs.length - MAX_LISTED_ISSUES} more` : '';
      throw new FeedError('invalid_data', `${options.id}: ${errors} error${errors === 1 ? '' : 's'} in the data; fix the file${new Set(errs.map((e) => e.file)).size === 1 ? '' : 's'} (or load with strict: false to drop bad rows):\n${shown.join('\n')}${more}`, {
        issues: allIssues,
      });
    }
    // 3. Range coverage, then slice.
    const series = new Map<string, BarSeries>();
    const issues: FeedIssue[] = [];
    const problems: string[] = [];
    const ranges: Record<string, { first: string; last: string } | null> = {};
    for (const { symbol, result } of loaded) {
      const s = result.series;
      const first = s.ts[0];
      const last = s.ts[s.length - 1];
      ranges[symbol] = first === undefined || last === undefined ? null : { first: fmt(first), last: fmt(last) };
      const wanted = `${req.from === undefined ? 'start' : fmt(req.from)}..${req.to === undefined ? 'end' : fmt(req.to)}`;
      if (first === undefined || last === undefined) {
        problems.push(`${symbol}: ${s.file} has no valid bars`);
        continue;
      }
      const covers = `${s.file} covers ${fmt(first)}..${fmt(last)}`;
      if (req.allowPartial !== true) {
        if (req.from !== undefined && calendar.firstSessionAtOrAfter(req.from, stepMs) < first) {
          problems.push(`${symbol}: requested ${wanted} but ${covers} (no bar for ${fmt(calendar.firstSessionAtOrAfter(req.from, stepMs))})`);
          continue;
        }
        if (req.to !== undefined && calendar.lastSessionAtOrBefore(req.to, stepMs) > last) {
          problems.push(`${symbol}: requested ${wanted} but ${covers} (no bar for ${fmt(calendar.lastSessionAtOrBefore(req.to, stepMs))})`);
          continue;
        }
      }
      const cut = sliceSeries(s, req.from, req.to);
      if (cut.length === 0) {
        problems.push(`${symbol}: no bars in ${wanted}; ${covers}`);
        continue;
      }
      series.set(symbol, cut);
      const lo = cut.line[0] as number;
      const hi = cut.line[cut.length - 1] as number;
      for (const issue of result.issues) {
        if (issue.severity === 'error' || (issue.line >= lo && issue.line <= hi)) issues.push(issue);
      }
    }
    if (problems.length > 0) {
      throw new FeedError('range_outside_data', `${options.id}: requested range is outside the available data:\n  ${problems.join('\n  ')}`, { details: { available: ranges } });
    }
    return { series, issues, datasetHash: datasetHash(series) };
  }

  async function subscribe(req: SubscribeRequest, onRecord: (record: BarRecord) => void): Promise<Unsubscribe> {
    const speed = checkSpeed(req.speed);
    const { series } = await history(req);
    const events: (ReplayEvent<BarRecord> & { readonly order: number })[] = [];
    req.symbols.forEach((symbol, order) => {
      const s = series.get(symbol) as BarSeries;
      for (let i = 0; i < s.length; i++) events.push({ at: (s.ts[i] as number) + stepMs, record: barRecord(s, i), order });
    });
    // Bars are known at their close; ties (same close) in the request's symbol order.
    events.sort((a, b) => a.at - b.at || a.order - b.order);
    return startReplay(events, { scheduler, speed, onRecord, onEnd: req.onEnd, onError: req.onError });
  }

  return { specVersion: FEED_SPEC_VERSION, id: options.id, kind: 'bars', timeframe, describe, symbols, history, subscribe };
}
