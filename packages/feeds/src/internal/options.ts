import { LAYOUT_COLUMNS, type AdjustMode, type FileLayout, type LoadBarsOptions } from '../bar-file.js';
import { FeedError } from '../errors.js';
import { DAY_MS, timeframeMs } from '../timeframe.js';
import type { BuildContext } from './build.js';

export type ResolvedLoad = Omit<BuildContext, 'adjust'> & { readonly adjustWanted: AdjustMode | undefined };

/** Checks load options (throws `FeedError` for a programming mistake, not a data problem). */
export function resolveLoad(options: LoadBarsOptions, file: string): ResolvedLoad {
  if (!Object.hasOwn(LAYOUT_COLUMNS, options.layout)) {
    throw new FeedError('invalid_request', `unknown layout "${String(options.layout)}": use ${Object.keys(LAYOUT_COLUMNS).join(' or ')}`);
  }
  const stepMs = timeframeMs(options.timeframe);
  if (options.layout === 'etf' && stepMs !== DAY_MS) {
    throw new FeedError('unsupported', `the etf layout holds daily bars (one row per trading date); timeframe must be 1d, got ${options.timeframe}`);
  }
  if (options.adjust !== undefined && options.adjust !== 'none' && options.adjust !== 'total_return') {
    throw new FeedError('invalid_request', `adjust must be 'none' or 'total_return', got ${JSON.stringify(options.adjust)}`);
  }
  if (options.adjust === 'total_return' && options.layout !== 'etf') {
    throw new FeedError('unsupported', `adjust: 'total_return' needs an adj_close column, which only the etf layout has`);
  }
  return {
    file,
    symbol: options.symbol,
    timeframe: options.timeframe,
    stepMs,
    calendar: options.calendar,
    dateOnly: options.layout === 'etf',
    adjustWanted: options.adjust,
  };
}

/** `date,open,…` as the message form of a column list. */
export const columnList = (cols: readonly string[]): string => cols.join(',');

/**
 * Compares a header against the layout: `{ adj }` when it matches, else the message of a
 * `header_mismatch` issue naming expected vs got columns.
 */
export function matchHeader(layout: FileLayout, got: readonly string[], adjust: AdjustMode | undefined): { adj: boolean } | { message: string } {
  const full: readonly string[] = LAYOUT_COLUMNS[layout];
  const noAdj = full.filter((c) => c !== 'adj_close');
  const same = (want: readonly string[]): boolean => want.length === got.length && want.every((c, i) => got[i] === c);
  if (same(full)) return { adj: layout === 'etf' };
  if (layout === 'etf' && same(noAdj)) {
    if (adjust === 'total_return') {
      return { message: `wrong header: adjust 'total_return' needs columns "${columnList(full)}", got "${columnList(got)}" (no adj_close column)` };
    }
    return { adj: false };
  }
  const expected = layout === 'etf' ? `"${columnList(full)}" (adj_close optional)` : `"${columnList(full)}"`;
  let hint: string;
  const norm = got.map((c) => c.trim().toLowerCase().replace(/\s+/g, '_'));
  const missing = full.filter((c) => !got.includes(c) && !(layout === 'etf' && c === 'adj_close'));
  const extra = got.filter((c) => !full.includes(c));
  if (norm.length === full.length && full.every((c, i) => norm[i] === c)) hint = 'column names are lower-case snake_case';
  else if (missing.length === 0 && extra.length === 0) hint = 'same columns in the wrong order';
  else hint = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', extra.length > 0 ? `unexpected ${extra.join(', ')}` : ''].filter((p) => p !== '').join('; ');
  return { message: `wrong header: expected columns ${expected}, got "${columnList(got)}" (${hint})` };
}
