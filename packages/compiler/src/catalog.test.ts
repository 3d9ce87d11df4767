import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BAR_FIELDS, CATALOG, DERIVED_FIELDS, catalogEntry, type CatalogEntry, type CatalogParam } from './catalog.js';
import { parseExpression } from './expr/parser.js';

const entries = [...CATALOG.values()];
const numericParams = (e: CatalogEntry) => e.params.filter((p) => p.type === 'int' || p.type === 'float');

/** Param values for a lookback call: each numeric param at its default, or at `pick` when it has none. */
function values(e: CatalogEntry, pick: (p: CatalogParam) => number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of numericParams(e)) {
    const v = pick(p);
    if (v !== undefined) out[p.name] = v;
  }
  return out;
}
const atDefaults = (e: CatalogEntry) => values(e, (p) => p.default ?? p.min);
const atMinimums = (e: CatalogEntry) => values(e, (p) => p.min);

describe('catalog: every entry', () => {
  it('has a unique name, and the registry is keyed by it', () => {
    // CATALOG is a Map built from a list: a duplicate would silently replace the first entry.
    // Count the entries in the source to catch that.
    const source = readFileSync(new URL('./catalog.ts', import.meta.url), 'utf8');
    const declared = [...source.matchAll(/\bname: '([a-z_0-9]+)', kind: '/g)].map((m) => m[1]);
    expect(declared.length).toBe(CATALOG.size);
    expect(new Set(declared).size).toBe(declared.length);
    for (const [key, e] of CATALOG) {
      expect(e.name).toBe(key);
      expect(catalogEntry(key)).toBe(e);
    }
    expect(catalogEntry('no_such_node')).toBeUndefined();
  });

  it.each(entries.map((e) => [e.name, e] as const))('%s: well-formed', (_name, e) => {
    expect(e.name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(e.description.length).toBeGreaterThan(0);
    // Outputs: at least one; names unique (they are selected with `.name`).
    expect(e.outputs.length).toBeGreaterThan(0);
    expect(new Set(e.outputs.map((o) => o.name)).size).toBe(e.outputs.length);
    if (e.outputs.length > 1) for (const o of e.outputs) expect(o.name).toMatch(/^[a-z][a-z0-9_]*$/);
    // Inputs and params share one argument namespace (`f(source=…, period=…)`).
    const args = [...e.inputs.map((i) => i.name), ...e.params.map((p) => p.name)];
    expect(new Set(args).size).toBe(args.length);
    for (const f of e.bar) expect(BAR_FIELDS).toContain(f);
    expect(Object.isFrozen(e)).toBe(true);
  });

  it.each(entries.map((e) => [e.name, e] as const))('%s: params with defaults are within range; ranges are sane', (_name, e) => {
    for (const p of e.params) {
      if (p.min !== undefined && p.max !== undefined) expect(p.min, `${e.name}.${p.name}`).toBeLessThanOrEqual(p.max);
      if (p.default !== undefined) {
        expect(Number.isFinite(p.default)).toBe(true);
        if (p.min !== undefined) expect(p.default, `${e.name}.${p.name}`).toBeGreaterThanOrEqual(p.min);
        if (p.max !== undefined) expect(p.default, `${e.name}.${p.name}`).toBeLessThanOrEqual(p.max);
        if (p.type === 'int') expect(Number.isInteger(p.default), `${e.name}.${p.name}`).toBe(true);
      }
      if (p.type === 'int') {
        expect(p.min, `${e.name}.${p.name} needs a minimum`).toBeDefined();
        expect(Number.isInteger(p.min)).toBe(true);
      }
      // Without a default or a minimum, a lookback at "default/min params" would be undefined.
      if (p.type === 'int' || p.type === 'float') expect(p.default ?? p.min, `${e.name}.${p.name}`).toBeDefined();
    }
  });

  it.each(entries.map((e) => [e.name, e] as const))('%s: lookback at default and minimum params is a non-negative integer', (_name, e) => {
    for (const v of [atDefaults(e), atMinimums(e)]) {
      const lb = e.lookback(v);
      expect(Number.isInteger(lb), `${e.name}(${JSON.stringify(v)}) = ${lb}`).toBe(true);
      expect(lb, `${e.name}(${JSON.stringify(v)})`).toBeGreaterThanOrEqual(0);
    }
  });
});

/**
 * TA-Lib's lookback convention (bars consumed before the first valid output), with the unstable
 * period at its default 0. Each row was checked against TA-Lib 0.4 (`begIndex` of TA_<name> via
 * the node `talib` binding) and is kept here as a literal so the test needs no native module.
 */
const TALIB_LOOKBACKS: ReadonlyArray<[node: string, reference: string, params: Record<string, number>, lookback: number]> = [
  ['sma', 'SMA', { period: 10 }, 9],
  ['sma', 'SMA', { period: 2 }, 1],
  ['ema', 'EMA', { period: 10 }, 9],
  ['ema', 'EMA', { period: 2 }, 1],
  ['rsi', 'RSI', { period: 14 }, 14],
  ['rsi', 'RSI', { period: 2 }, 2],
  ['atr', 'ATR', { period: 14 }, 14],
  ['atr', 'ATR', { period: 1 }, 1],
  ['macd', 'MACD', { fast: 12, slow: 26, signal: 9 }, 33],
  ['macd', 'MACD', { fast: 5, slow: 35, signal: 5 }, 38],
  ['bbands', 'BBANDS', { period: 20, k: 2 }, 19],
  ['bbands', 'BBANDS', { period: 5, k: 2 }, 4],
  ['adx', 'ADX', { period: 14 }, 27],
  ['adx', 'ADX', { period: 2 }, 3],
  ['stoch', 'STOCH', { k_period: 14, k_smooth: 3, d_period: 3 }, 17],
  ['stoch', 'STOCH', { k_period: 5, k_smooth: 3, d_period: 3 }, 8],
  ['stoch', 'STOCH', { k_period: 1, k_smooth: 1, d_period: 1 }, 0],
  // The other entries that name a TA-Lib reference.
  ['wma', 'WMA', { period: 10 }, 9],
  ['dema', 'DEMA', { period: 10 }, 18],
  ['tema', 'TEMA', { period: 10 }, 27],
  ['kama', 'KAMA', { period: 10 }, 10],
  ['natr', 'NATR', { period: 14 }, 14],
  ['plus_di', 'PLUS_DI', { period: 14 }, 14],
  ['minus_di', 'MINUS_DI', { period: 14 }, 14],
  ['stochrsi', 'STOCHRSI', { period: 14, k_period: 14, d_period: 3 }, 29],
  ['stochrsi', 'STOCHRSI', { period: 14, k_period: 5, d_period: 3 }, 20],
  ['cci', 'CCI', { period: 20 }, 19],
  ['roc', 'ROC', { period: 10 }, 10],
  ['mom', 'MOM', { period: 10 }, 10],
  ['willr', 'WILLR', { period: 14 }, 13],
  ['obv', 'OBV', {}, 0],
  ['mfi', 'MFI', { period: 14 }, 14],
  ['sar', 'SAR', { step: 0.02, max_step: 0.2 }, 1],
  ['rolling_min', 'MIN', { period: 10 }, 9],
  ['rolling_max', 'MAX', { period: 10 }, 9],
  ['rolling_sum', 'SUM', { period: 10 }, 9],
  ['stdev', 'STDDEV', { period: 20 }, 19],
  ['linreg_slope', 'LINEARREG_SLOPE', { period: 14 }, 13],
  ['correl', 'CORREL', { period: 30 }, 29],
];

describe('catalog: TA-Lib lookback convention', () => {
  it.each(TALIB_LOOKBACKS)('%s (TA-Lib %s) %j → %i', (node, reference, params, lookback) => {
    const e = catalogEntry(node);
    expect(e, node).toBeDefined();
    expect(e!.reference).toBe(reference);
    expect(e!.lookback(params)).toBe(lookback);
  });

  it('covers every entry that names a TA-Lib reference', () => {
    const covered = new Set(TALIB_LOOKBACKS.map(([node]) => node));
    const referenced = entries.filter((e) => e.reference !== undefined).map((e) => e.name);
    expect(referenced.filter((n) => !covered.has(n))).toEqual([]);
  });

  it('marks the infinite-memory indicators unstable and the windowed ones stable', () => {
    for (const n of ['ema', 'dema', 'tema', 'kama', 'rsi', 'macd', 'atr', 'natr', 'adx', 'plus_di', 'minus_di', 'stochrsi', 'sar']) expect(catalogEntry(n)!.unstable, n).toBe(true);
    for (const n of ['sma', 'wma', 'bbands', 'stoch', 'cci', 'roc', 'mom', 'willr', 'rolling_min', 'rolling_max', 'rolling_sum', 'stdev', 'correl']) expect(catalogEntry(n)!.unstable ?? false, n).toBe(false);
  });
});

describe('catalog: derived fields', () => {
  it.each(Object.entries(DERIVED_FIELDS))('%s = %s parses and reads only bar fields', (name, text) => {
    const r = parseExpression(text);
    expect(r.ok).toBe(true);
    const idents = [...text.matchAll(/[a-z_]+/g)].map((m) => m[0]);
    for (const id of idents) expect(BAR_FIELDS as readonly string[]).toContain(id);
    expect(CATALOG.has(name)).toBe(false);
    expect(BAR_FIELDS as readonly string[]).not.toContain(name);
  });
});
