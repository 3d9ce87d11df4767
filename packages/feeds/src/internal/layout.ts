/** Where the file layouts keep each symbol, and which symbols a data directory has. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FileLayout } from '../bar-file.js';
import { FeedError } from '../errors.js';

export type FileFormat = 'csv' | 'parquet';

/** Quote assets recognised when turning a file stem like BTCUSDT back into BTC/USDT. */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USD', 'EUR', 'BTC', 'ETH', 'BNB'] as const;

const ETF_SYMBOL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const PAIR_SYMBOL = /^[A-Za-z0-9]{1,20}(\/[A-Za-z0-9]{1,20})?$/;

export function layoutDir(dataDir: string, layout: FileLayout): string {
  return join(dataDir, layout);
}

/** File stem of a symbol: SPY → SPY; BTC/USDT (or BTCUSDT) → BTCUSDT. */
export function fileStem(layout: FileLayout, symbol: string): string {
  if (layout === 'etf') {
    if (!ETF_SYMBOL.test(symbol)) throw new FeedError('invalid_request', `invalid symbol "${symbol}": letters, digits, '.', '_' and '-' only`);
    return symbol;
  }
  if (!PAIR_SYMBOL.test(symbol)) throw new FeedError('invalid_request', `invalid symbol "${symbol}": expected a pair like BTC/USDT`);
  return symbol.replace('/', '').toUpperCase();
}

export function filePath(dataDir: string, layout: FileLayout, symbol: string, timeframe: string, format: FileFormat): string {
  const stem = fileStem(layout, symbol);
  const name = layout === 'etf' ? `${stem}.${format}` : `${stem}-${timeframe}.${format}`;
  return join(layoutDir(dataDir, layout), name);
}

/** BTCUSDT → BTC/USDT when the stem ends in a known quote asset. */
export function pairOfStem(stem: string): string {
  for (const q of QUOTES) if (stem.length > q.length && stem.endsWith(q)) return `${stem.slice(0, -q.length)}/${q}`;
  return stem;
}

/** Symbols with a file in the directory (sorted); empty if the directory does not exist. */
export function listSymbols(dataDir: string, layout: FileLayout, timeframe: string, format: FileFormat): string[] {
  let names: string[];
  try {
    names = readdirSync(layoutDir(dataDir, layout));
  } catch {
    return [];
  }
  const out: string[] = [];
  const suffix = layout === 'etf' ? `.${format}` : `-${timeframe}.${format}`;
  for (const name of names) {
    if (!name.endsWith(suffix)) continue;
    const stem = name.slice(0, -suffix.length);
    if (layout === 'etf' ? ETF_SYMBOL.test(stem) : /^[A-Z0-9]+$/.test(stem)) out.push(layout === 'etf' ? stem : pairOfStem(stem));
  }
  return out.sort();
}
