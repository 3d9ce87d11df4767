import { z } from 'zod';
import { executableNode, IDENTIFIER, toIdentifier } from './format.js';
import { checkRange, dayArg, dayMs, symbolArg } from './market-data.js';
import { ToolError, type AgentTool, type Executable, type ExecutableNode } from './types.js';

/** The news feed artifacts name for the local news (`feeds: { news: news.local }`). */
export const DEFAULT_NEWS_FEED = 'news.local';

const schema = z.strictObject({
  symbol: symbolArg,
  from: dayArg('First day of the news window').optional(),
  to: dayArg('Last day of the news window').optional(),
  limit: z.number().int().min(1).max(200).default(20).describe('Most recent items to score and return (1–200, default 20).'),
  window: z.number().int().min(1).max(10_000).default(5).describe('Window in bars of the `news_sentiment` node the result freezes into: the mean score of the items of the last `window` bars (default 5).'),
  signal: z.string().regex(IDENTIFIER, 'an identifier: lower case letters, digits, _').optional().describe('Signal name for the frozen node (default "news_<symbol>").'),
});

export interface ScoredHeadline {
  readonly id: string;
  readonly time: string;
  readonly source: string;
  readonly headline: string;
  /** Sentiment in [-1, 1] from the local model. */
  readonly score: number;
}

export interface NewsSentimentResult extends Executable {
  readonly symbol: string;
  readonly window: { readonly from: string | null; readonly to: string | null };
  readonly items: readonly ScoredHeadline[];
  readonly aggregate: {
    readonly count: number;
    /** Mean score; null without items. */
    readonly mean: number | null;
    readonly positive: number;
    readonly negative: number;
    readonly neutral: number;
  };
  /**
   * The same signal as a run-time node: `news_sentiment` over the artifact's news feed, scored by
   * the same local model when the backtest loads the feed. The artifact must declare
   * `feeds: { news: news.local }`.
   */
  readonly node: ExecutableNode;
  readonly feeds: { readonly news: string };
}

/** |score| below this counts as neutral in the aggregate. */
export const NEUTRAL_BAND = 0.1;

export const fetchNewsSentiment: AgentTool<typeof schema, NewsSentimentResult> = {
  name: 'fetch_news_sentiment',
  description:
    'Score recent local news headlines about a symbol with the local sentiment model (no LLM, no network): each headline in [-1, 1] plus the mean and the counts of positive / negative / neutral items. Use it to judge the news backdrop; the scores are research, not a tradable signal.',
  schema,
  async run(args, ctx) {
    checkRange(args.from, args.to);
    if (!ctx.news) throw new ToolError('unavailable', 'no local news source is configured for this session; news sentiment cannot be scored (continue without it)');
    if (!ctx.sentiment) throw new ToolError('unavailable', 'no local sentiment model is configured for this session; news sentiment cannot be scored (continue without it)');
    const from = dayMs(args.from, false);
    const to = dayMs(args.to, true);
    const all = await ctx.news.news({ symbol: args.symbol, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
    // Newest first, ties by id, so the selection is deterministic.
    const picked = [...all].sort((a, b) => b.ts - a.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, args.limit);
    const scores = picked.length === 0 ? [] : await ctx.sentiment.score(picked.map((n) => (n.body ? `${n.headline}. ${n.body}` : n.headline)));
    if (scores.length !== picked.length) throw new ToolError('internal', `the sentiment model returned ${scores.length} scores for ${picked.length} texts`);
    const items = picked.map((n, i) => ({ id: n.id, time: new Date(n.ts).toISOString(), source: n.source, headline: n.headline, score: scores[i]! }));
    const mean = items.length === 0 ? null : items.reduce((s, x) => s + x.score, 0) / items.length;
    const node = executableNode({ signal: args.signal ?? toIdentifier(`news_${args.symbol}`, 'news_sentiment'), node: 'news_sentiment', inputs: [], params: [['window', args.window]], outputs: [] });
    return {
      node,
      feeds: { news: DEFAULT_NEWS_FEED },
      toExecutableNode: () => node,
      symbol: args.symbol,
      window: { from: args.from ?? null, to: args.to ?? null },
      items,
      aggregate: {
        count: items.length,
        mean,
        positive: items.filter((x) => x.score >= NEUTRAL_BAND).length,
        negative: items.filter((x) => x.score <= -NEUTRAL_BAND).length,
        neutral: items.filter((x) => Math.abs(x.score) < NEUTRAL_BAND).length,
      },
    };
  },
};
