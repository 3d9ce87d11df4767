import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plan } from '@strata/compiler';
import {
  alwaysOpenCalendar,
  createDefaultRegistry,
  formatIssue,
  nyseCalendar,
  scoreNews,
  sentimentModel,
  sentimentSeries,
  serializeRecord,
  timeframeMs,
  type BarSeries,
  type FeedIssue,
  type FeedRegistry,
  type NewsSentimentSeries,
} from '@strata/feeds';
import { SeriesStream } from '@strata/kernel';
import type { Io } from './main.js';

/** Bad data or a bad data location: the command reports it and exits 1. */
export class MarketInputError extends Error {
  override readonly name = 'MarketInputError';
}

export interface LoadedMarket {
  readonly feedId: string;
  readonly series: ReadonlyMap<string, BarSeries>;
  readonly datasetHash: string;
  readonly issues: readonly FeedIssue[];
  /** Universe plus cash sleeve: what the kernel trades. */
  readonly tradedSymbols: readonly string[];
  /** Scored news per universe symbol, when the plan has `news_sentiment` nodes. */
  readonly news?: LoadedNews;
  /** A fresh stream over the traded symbols, with the feed's calendar. */
  stream(): SeriesStream;
}

/**
 * Loads the bars a plan needs from a data folder through the feed registry (the artifact's
 * `feeds.bars`, or `feedId`), validating them and reporting issues: errors stop the command,
 * warnings are shown (the first five).
 */
export async function loadMarket(plan: Plan, opts: { readonly data?: string; readonly feed?: string; readonly artifactDir: string }, io: Io): Promise<LoadedMarket> {
  const dataDir = resolve(opts.data ?? join(opts.artifactDir, 'data'));
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new MarketInputError(`data directory ${opts.data ?? join(opts.artifactDir, 'data')} does not exist; pass --data DIR (a folder with etf/ and/or crypto/ inside)`);
  }
  const feedId = opts.feed ?? plan.feeds.bars!;
  const registry = createDefaultRegistry({ dataDir, strict: true });
  const source = registry.bars(feedId);
  if (source.timeframe !== plan.timeframes.base) {
    throw new MarketInputError(`feed ${feedId} has ${source.timeframe} bars but the strategy's base timeframe is ${plan.timeframes.base}`);
  }
  const symbols = unique([...plan.universe, ...(plan.portfolio?.cash ? [plan.portfolio.cash] : []), ...(plan.benchmark ? [plan.benchmark] : [])]);
  const history = await source.history({ symbols });
  reportIssues(history.issues, io);
  const tradedSymbols = unique([...plan.universe, ...(plan.portfolio?.cash ? [plan.portfolio.cash] : [])]);
  const calendar = source.describe().options.calendar === nyseCalendar.id ? nyseCalendar : alwaysOpenCalendar;
  const step = timeframeMs(source.timeframe);
  const news = plan.nodes.some((n) => n.op === 'news_sentiment') ? await loadNewsSentiment(plan, registry, history.series, io) : undefined;
  const newsColumns = news ? new Map([...news.series].map(([sym, x]) => [sym, { sum: x.sum, count: x.count }])) : undefined;
  return {
    feedId,
    series: history.series,
    // The run depends on the news and the model too, so they are part of the data's identity.
    datasetHash: news ? `sha256:${createHash('sha256').update(`${history.datasetHash}\n${news.itemsHash}\n${news.modelSha256}`).digest('hex')}` : history.datasetHash,
    issues: history.issues,
    tradedSymbols,
    ...(news ? { news } : {}),
    stream: () => new SeriesStream(tradedSymbols, history.series, { nextSession: (t) => calendar.firstSessionAtOrAfter(t + step, step), ...(newsColumns ? { news: newsColumns } : {}) }),
  };
}

export interface LoadedNews {
  readonly feedId: string;
  /** Items read from the feed for the universe. */
  readonly items: number;
  /** sha256 over the items' canonical records, in feed order. */
  readonly itemsHash: string;
  readonly model: string;
  readonly modelSha256: string;
  readonly series: ReadonlyMap<string, NewsSentimentSeries>;
}

/**
 * Scores the artifact's `feeds.news` with the local sentiment model (onnxruntime, before the run:
 * the kernel never calls a model) and aligns the scores causally to each universe symbol's bars.
 */
async function loadNewsSentiment(plan: Plan, registry: FeedRegistry, series: ReadonlyMap<string, BarSeries>, io: Io): Promise<LoadedNews> {
  const feedId = plan.feeds.news;
  if (feedId === undefined) {
    throw new MarketInputError(`the strategy uses news_sentiment but declares no news feed; add it to the artifact, e.g. feeds: { bars: ${plan.feeds.bars ?? 'equities.us.daily'}, news: news.local }`);
  }
  const { records, issues } = await registry.news(feedId).history({ symbols: plan.universe });
  reportIssues(issues, io);
  const model = await sentimentModel();
  const scores = await scoreNews(records, { model });
  const scored = records.map((item, i) => ({ ...item, score: scores[i]! }));
  const hash = createHash('sha256');
  for (const r of records) hash.update(JSON.stringify(serializeRecord('news', r)) + '\n');
  const aligned = new Map<string, NewsSentimentSeries>();
  for (const sym of plan.universe) aligned.set(sym, sentimentSeries(scored, series.get(sym)!));
  return { feedId, items: records.length, itemsHash: hash.digest('hex'), model: model.descriptor.name, modelSha256: model.descriptor.modelSha256, series: aligned };
}

export function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

function reportIssues(issues: readonly FeedIssue[], io: Io): void {
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  for (const e of errors) io.err(formatIssue(e));
  if (errors.length > 0) throw new MarketInputError(`the data has ${errors.length} error${errors.length === 1 ? '' : 's'} (listed above); nothing was run`);
  if (warnings.length > 0) {
    for (const w of warnings.slice(0, 5)) io.err(formatIssue(w));
    if (warnings.length > 5) io.err(`… and ${warnings.length - 5} more data warnings`);
  }
}
