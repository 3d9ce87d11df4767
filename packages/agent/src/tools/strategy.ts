import { createHash } from 'node:crypto';
import { compileSource, type CompileResult, type Diagnostic, type Plan } from '@strata/compiler';
import { FeedError, alwaysOpenCalendar, formatIssue, nyseCalendar, scoreNews, sentimentModel, sentimentSeries, serializeRecord, timeframeMs, type BarSeries } from '@strata/feeds';
import { benchmarkCurve, computeMetrics, KERNEL_VERSION, KernelError, periodsPerYearOf, runBacktest, SeriesStream, type EquityCurve, type Metrics } from '@strata/kernel';
import { z } from 'zod';
import { ToolError, type ToolContext } from './types.js';

/** The file name diagnostics show for artifact text handed to the tools. */
export const ARTIFACT_FILE = 'strategy.yaml';
/** The compiler's own size limit (1 MiB). */
export const MAX_ARTIFACT_CHARS = 1_048_576;

export const yamlArg = z
  .string()
  .min(1, 'the artifact text is empty')
  .max(MAX_ARTIFACT_CHARS)
  .describe('The whole strategy artifact as YAML text (strata: strategy/v1), not a file path.');

export const paramOverridesArg = z
  .record(z.string().regex(/^[a-z_][a-z0-9_]{0,63}$/), z.number())
  .optional()
  .describe('Param overrides by name, e.g. {"fast": 12}: like `--param fast=12`; each must be declared and within its range.');

/** One artifact's entry of `strata compile --json` (`strata.compile-result/v1`), without the plan. */
export interface CompileFileResult {
  readonly file: string;
  readonly ok: boolean;
  readonly hash?: string;
  readonly errors: number;
  readonly warnings: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** `strata compile --json` for one artifact, plus hash, warm-up and node count at the top. */
export interface CompilePayload {
  readonly schema: 'strata.compile-result/v1';
  readonly ok: boolean;
  readonly results: readonly [CompileFileResult];
  readonly name: string | null;
  readonly hash: string | null;
  readonly warmup: Readonly<Record<string, number>> | null;
  readonly nodes: number | null;
}

export function compileArtifact(yaml: string, params?: Readonly<Record<string, number>>): { readonly payload: CompilePayload; readonly result: CompileResult } {
  const result = compileSource(yaml, { file: ARTIFACT_FILE, ...(params && Object.keys(params).length > 0 ? { params } : {}) });
  const entry: CompileFileResult = {
    file: result.file,
    ok: result.ok,
    ...(result.hash ? { hash: result.hash } : {}),
    errors: result.diagnostics.filter((d) => d.severity === 'error').length,
    warnings: result.diagnostics.filter((d) => d.severity === 'warning').length,
    diagnostics: result.diagnostics,
  };
  return {
    result,
    payload: {
      schema: 'strata.compile-result/v1',
      ok: result.ok,
      results: [entry],
      name: result.plan?.artifact.name ?? null,
      hash: result.hash ?? null,
      warmup: result.plan ? { ...result.plan.warmup } : null,
      nodes: result.plan ? result.plan.nodes.length : null,
    },
  };
}

/** A one-line account of a failed compile for the model: the first errors with position and hint. */
export function compileErrorMessage(payload: CompilePayload): string {
  const errs = payload.results[0].diagnostics.filter((d) => d.severity === 'error');
  const shown = errs.slice(0, 5).map((d) => `${d.code} at ${d.line}:${d.column}: ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`);
  return `the artifact does not compile (${errs.length} error${errs.length === 1 ? '' : 's'}): ${shown.join('; ')}${errs.length > 5 ? '; …' : ''}. Fix every diagnostic in details.results[0].diagnostics and try again.`;
}

export interface PerSymbolSummary {
  readonly symbol: string;
  readonly trades: number;
  readonly wins: number;
  readonly pnl: number;
  readonly fees: number;
}

/** JSON-safe metrics: Infinity as the string "Infinity" (like `strata backtest --json`), NaN as null. */
export type JsonMetrics = { readonly [K in keyof Metrics]: unknown };

/** The summary of a backtest (`strata.backtest-result/v1` as `strata backtest --json` prints it, minus the file path). */
export interface BacktestSummary {
  readonly schema: 'strata.backtest-result/v1';
  readonly artifact: { readonly name: string; readonly hash: string };
  readonly datasetHash: string;
  readonly engineVersion: string;
  readonly compilerVersion: string;
  readonly feed: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly initialCash: number;
  readonly period: { readonly from: string; readonly to: string; readonly bars: number };
  readonly metrics: JsonMetrics;
  readonly benchmark: { readonly symbol: string; readonly metrics: JsonMetrics } | null;
  readonly perSymbol: readonly PerSymbolSummary[];
  readonly openPositions: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly dataWarnings: number;
}

function jsonSafe<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : String(v)) : v)));
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Runs a compiled plan over the registry's local data, the way `strata backtest` does: the
 * artifact's bar feed, universe + cash sleeve traded, the feed's calendar, buy-and-hold of the
 * benchmark on the strategy's marks. Read-only; nothing leaves the process.
 */
export async function backtestPlan(ctx: ToolContext, plan: Plan, opts: { readonly from?: number; readonly to?: number; readonly initialCash?: number } = {}): Promise<BacktestSummary> {
  const feedId = plan.feeds.bars!;
  const initialCash = opts.initialCash ?? ctx.initialCash ?? 100_000;
  let history;
  let source;
  try {
    source = ctx.registry.bars(feedId);
    if (source.timeframe !== plan.timeframes.base) throw new ToolError('invalid_request', `feed ${feedId} has ${source.timeframe} bars but the strategy's base timeframe is ${plan.timeframes.base}; use a ${plan.timeframes.base} feed or change timeframe`);
    const symbols = unique([...plan.universe, ...(plan.portfolio?.cash ? [plan.portfolio.cash] : []), ...(plan.benchmark ? [plan.benchmark] : [])]);
    history = await source.history({ symbols });
  } catch (e) {
    if (e instanceof FeedError) {
      let available = '';
      if (e.code === 'unknown_symbol' && source) available = `; available on ${feedId}: ${(await source.symbols()).join(', ')}`;
      throw new ToolError(e.code === 'unknown_feed' ? 'unknown_feed' : e.code === 'unknown_symbol' ? 'unknown_symbol' : 'no_data', `${e.message}${available}`, undefined, { cause: e });
    }
    throw e;
  }
  const errors = history.issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new ToolError('no_data', `the data has ${errors.length} error(s): ${errors.slice(0, 3).map(formatIssue).join('; ')}`);
  let first = Number.NEGATIVE_INFINITY;
  let last = Number.POSITIVE_INFINITY;
  for (const sym of plan.universe) {
    const s = history.series.get(sym);
    if (!s || s.length === 0) throw new ToolError('no_data', `no bars for ${sym} on ${feedId}`);
    first = Math.max(first, s.ts[0]!);
    last = Math.min(last, s.ts[s.length - 1]!);
  }
  if (opts.from !== undefined && opts.from > last) throw new ToolError('no_data', `from ${day(opts.from)} is after the end of the data (${day(last)}); the universe has data from ${day(first)} to ${day(last)}`);
  if (opts.to !== undefined && opts.to < first) throw new ToolError('no_data', `to ${day(opts.to)} is before the start of the data (${day(first)}); the universe has data from ${day(first)} to ${day(last)}`);
  const traded = unique([...plan.universe, ...(plan.portfolio?.cash ? [plan.portfolio.cash] : [])]);
  const calendar = source.describe().options.calendar === nyseCalendar.id ? nyseCalendar : alwaysOpenCalendar;
  const step = timeframeMs(source.timeframe);
  const news = plan.nodes.some((n) => n.op === 'news_sentiment') ? await loadNewsColumns(ctx, plan, history.series) : undefined;
  const datasetHash = news ? `sha256:${createHash('sha256').update(`${history.datasetHash}\n${news.itemsHash}\n${news.modelSha256}`).digest('hex')}` : history.datasetHash;
  const stream = new SeriesStream(traded, history.series, { nextSession: (t) => calendar.firstSessionAtOrAfter(t + step, step), ...(news ? { news: news.columns } : {}) });
  let result;
  try {
    result = runBacktest({ plan, stream, initialCash, recordLog: false, ...(opts.from !== undefined ? { from: opts.from } : {}), ...(opts.to !== undefined ? { to: opts.to } : {}) });
  } catch (e) {
    if (e instanceof KernelError) throw new ToolError('backtest_failed', e.message, undefined, { cause: e });
    throw e;
  }
  if (result.curve.length === 0) throw new ToolError('no_data', 'the trading window holds no bars');
  const periodsPerYear = periodsPerYearOf(plan);
  const metrics = computeMetrics({ curve: result.curve, trades: result.trades, fills: result.fills, periodsPerYear });
  const bench = plan.benchmark ? benchmarkCurve(history.series.get(plan.benchmark)!, result.curve, initialCash) : undefined;
  const benchMetrics = bench ? computeMetrics({ curve: bench, trades: [], fills: [], periodsPerYear }) : undefined;
  const perSymbol = new Map<string, { trades: number; wins: number; pnl: number; fees: number }>();
  for (const t of result.trades) {
    const row = perSymbol.get(t.symbol) ?? { trades: 0, wins: 0, pnl: 0, fees: 0 };
    row.trades++;
    if (t.pnl > 0) row.wins++;
    row.pnl += t.pnl;
    row.fees += t.fees;
    perSymbol.set(t.symbol, row);
  }
  return {
    schema: 'strata.backtest-result/v1',
    artifact: { name: plan.artifact.name, hash: plan.artifact.hash },
    datasetHash,
    engineVersion: KERNEL_VERSION,
    compilerVersion: plan.compiler.version,
    feed: feedId,
    params: { ...plan.params },
    initialCash,
    period: { from: day(result.curve.ts[0]!), to: day(result.curve.ts[result.curve.length - 1]!), bars: result.curve.length },
    metrics: jsonSafe(metrics) as JsonMetrics,
    benchmark: plan.benchmark && benchMetrics ? { symbol: plan.benchmark, metrics: jsonSafe(benchMetrics) as JsonMetrics } : null,
    perSymbol: [...perSymbol.keys()].sort().map((symbol) => ({ symbol, ...perSymbol.get(symbol)! })),
    openPositions: jsonSafe(result.openPositions) as Array<Record<string, unknown>>,
    dataWarnings: history.issues.filter((i) => i.severity === 'warning').length,
  };
}

/**
 * Scores the artifact's `feeds.news` with the local sentiment model and aligns the scores causally
 * to each universe symbol's bars — what `strata backtest` does for `news_sentiment` nodes (same
 * model, same alignment, same dataset identity: bars + news items + model digest).
 */
async function loadNewsColumns(ctx: ToolContext, plan: Plan, series: ReadonlyMap<string, BarSeries>) {
  const feedId = plan.feeds.news;
  if (feedId === undefined) throw new ToolError('invalid_request', `the strategy uses news_sentiment but declares no news feed; add it, e.g. feeds: { bars: ${plan.feeds.bars ?? 'equities.us.daily'}, news: news.local }`);
  let records;
  try {
    const h = await ctx.registry.news(feedId).history({ symbols: plan.universe });
    const errors = h.issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) throw new ToolError('no_data', `the news has ${errors.length} error(s): ${errors.slice(0, 3).map(formatIssue).join('; ')}`);
    records = h.records;
  } catch (e) {
    if (e instanceof FeedError) throw new ToolError(e.code === 'unknown_feed' ? 'unknown_feed' : 'no_data', e.message, undefined, { cause: e });
    throw e;
  }
  const model = await sentimentModel();
  const scores = await scoreNews(records, { model });
  const scored = records.map((item, i) => ({ ...item, score: scores[i]! }));
  const hash = createHash('sha256');
  for (const r of records) hash.update(JSON.stringify(serializeRecord('news', r)) + '\n');
  const columns = new Map<string, { sum: Float64Array; count: Float64Array }>();
  for (const sym of plan.universe) {
    const x = sentimentSeries(scored, series.get(sym)!);
    columns.set(sym, { sum: x.sum, count: x.count });
  }
  return { columns, itemsHash: hash.digest('hex'), modelSha256: model.descriptor.modelSha256 };
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

