/**
 * The agent's side of local news sentiment. The pipeline itself lives in `@strata/feeds` (so that
 * `strata backtest` scores news without the agent); this module re-exports it and adapts it to
 * the tools' ports (`SentimentScorer`, `NewsSource`). See docs/sentiment.md.
 */
import { sentimentModel, type FeedRegistry } from '@strata/feeds';
import type { NewsHeadline, NewsSource, SentimentScorer } from '../tools/types.js';

export { DEFAULT_SENTIMENT_MODEL, SentimentModel, loadNews, scoreNews, sentimentSeries, type NewsSentimentSeries, type ScoredNewsItem } from '@strata/feeds';

/**
 * A `SentimentScorer` backed by a local ONNX model (default: the bundled `sentiment-v1`), scores in
 * [−1, 1]. The model is loaded on the first call, so creating the scorer is free.
 */
export function onnxSentimentScorer(descriptorFile?: string): SentimentScorer {
  return {
    async score(texts: readonly string[]): Promise<number[]> {
      const model = await sentimentModel(descriptorFile);
      return model.scoreTexts(texts);
    },
  };
}

/** A `NewsSource` over a registry news feed (default `news.local`: `<dataDir>/news/SYMBOL.jsonl`). */
export function registryNewsSource(registry: FeedRegistry, feedId = 'news.local'): NewsSource {
  return {
    async news(req): Promise<readonly NewsHeadline[]> {
      const { records } = await registry.news(feedId).history({ symbols: [req.symbol], ...(req.from === undefined ? {} : { from: req.from }), ...(req.to === undefined ? {} : { to: req.to }) });
      return records.map((r) => ({ id: r.id, ts: r.ts, source: r.source, symbols: r.symbols, headline: r.headline, ...(r.body === undefined ? {} : { body: r.body }) }));
    },
  };
}
