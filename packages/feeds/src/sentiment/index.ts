// The unstructured signal pipeline: news → local model score → causal per-bar series.
export { BUILD_HINT, DEFAULT_SENTIMENT_MODEL, MODEL_DESCRIPTOR_SCHEMA, SentimentModel, scoreNews, sentimentModel } from './model.js';
export type { ScoreNewsOptions, SentimentModelDescriptor } from './model.js';
export { sentimentSeries } from './align.js';
export type { NewsSentimentSeries, ScoredNewsItem, SentimentSeriesOptions } from './align.js';
export { NEGATION_SCOPE, NEGATORS, TOKENIZER_ID, countFeatures, tokenize, vocabularyIndex } from './tokenizer.js';
