import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plan } from '@strata/compiler';
import { alwaysOpenCalendar, createDefaultRegistry, formatIssue, nyseCalendar, timeframeMs, type BarSeries, type FeedIssue } from '@strata/feeds';
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
  return {
    feedId,
    series: history.series,
    datasetHash: history.datasetHash,
    issues: history.issues,
    tradedSymbols,
    stream: () => new SeriesStream(tradedSymbols, history.series, { nextSession: (t) => calendar.firstSessionAtOrAfter(t + step, step) }),
  };
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
