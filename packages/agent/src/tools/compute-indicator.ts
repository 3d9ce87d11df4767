import { CATALOG } from '@strata/compiler';
import type { BarSeries } from '@strata/feeds';
import { INDICATORS, KernelError, type IndicatorParams, type StreamingIndicator } from '@strata/kernel';
import { z } from 'zod';
import { checkParams, paramValueArg, requireEntry } from './catalog-check.js';
import { finiteOrNull } from './format.js';
import { barTime, checkRange, dayArg, dayMs, feedArg, loadBars, resolveFeed, symbolArg, windowIndices } from './market-data.js';
import { ToolError, type AgentTool } from './types.js';

/** Every node the kernel has a streaming implementation of, sorted. */
export const INDICATOR_NAMES: readonly string[] = Object.keys(INDICATORS).sort();

export const SERIES_FIELDS = ['open', 'high', 'low', 'close', 'volume', 'hl2', 'hlc3', 'ohlc4'] as const;
export type SeriesField = (typeof SERIES_FIELDS)[number];

/** A bar field or a derived field, computed with the same arithmetic the compiler expands it to. */
export function seriesField(s: BarSeries, field: SeriesField): Float64Array {
  switch (field) {
    case 'open':
    case 'high':
    case 'low':
    case 'close':
    case 'volume':
      return s[field];
    case 'hl2':
      return s.high.map((h, i) => (h + s.low[i]!) / 2);
    case 'hlc3':
      return s.high.map((h, i) => (h + s.low[i]! + s.close[i]!) / 3);
    case 'ohlc4':
      return s.open.map((o, i) => (o + s.high[i]! + s.low[i]! + s.close[i]!) / 4);
  }
}

const schema = z.strictObject({
  symbol: symbolArg,
  feed: feedArg.optional(),
  indicator: z.string().min(1).max(64).describe(`Catalog node with a streaming implementation: ${INDICATOR_NAMES.join(', ')}.`),
  inputs: z
    .array(z.enum(SERIES_FIELDS))
    .max(3)
    .optional()
    .describe('Series for the node\'s explicit inputs, in catalog order (e.g. ["close"] for sma, ["close", "open"] for crosses_above). Default: "close" for each. Nodes such as atr read high/low/close themselves and take none.'),
  params: z.record(z.string(), paramValueArg).default({}).describe('Node params by name, e.g. {"period": 14}; omitted params take their catalog default.'),
  from: dayArg('First day of the values returned (the indicator is always computed over the whole history, exactly as the kernel does)').optional(),
  to: dayArg('Last day of the values returned').optional(),
  last: z.number().int().min(1).max(500).default(10).describe('How many values (the tail of the range) to return (1–500, default 10).'),
});

export interface ComputeIndicatorResult {
  readonly symbol: string;
  readonly feed: string;
  readonly indicator: string;
  readonly inputs: readonly string[];
  /** Params as used, defaults filled, in catalog order. */
  readonly params: Readonly<Record<string, number | string | readonly number[]>>;
  readonly lookback: number;
  readonly unstable: boolean;
  readonly outputs: readonly string[];
  /** The tail: one row per bar, `values[output]` (null while warming up). Bool outputs are 1 / 0. */
  readonly values: ReadonlyArray<{ readonly time: string; readonly values: Readonly<Record<string, number | null>> }>;
}

export const computeIndicator: AgentTool<typeof schema, ComputeIndicatorResult> = {
  name: 'compute_indicator',
  description:
    'Compute a catalog indicator with the kernel\'s own streaming code over a symbol\'s full history (so the values are exactly what a backtest sees) and return the last values of a range. Use it to check levels and thresholds before writing rules.',
  schema,
  async run(args, ctx) {
    checkRange(args.from, args.to);
    const entry = requireEntry(args.indicator, 'indicator', new Set(INDICATOR_NAMES));
    const inputs = args.inputs ?? entry.inputs.map(() => 'close' as const);
    if (inputs.length !== entry.inputs.length) {
      throw new ToolError('invalid_arguments', `inputs: \`${entry.name}\` takes ${entry.inputs.length} series input(s) (${entry.inputs.map((i) => i.name).join(', ') || 'none'}), got ${inputs.length}`);
    }
    const given = checkParams(entry, args.params, { allowRefs: false });
    const params: Record<string, number | string | readonly number[]> = {};
    for (const p of entry.params) {
      const v = given.find(([k]) => k === p.name)?.[1] ?? p.default;
      if (v !== undefined) params[p.name] = v;
    }
    const feed = resolveFeed(ctx, args.symbol, args.feed);
    const { series, timeframe } = await loadBars(ctx, args.symbol, feed);
    const [a, b] = windowIndices(series, dayMs(args.from, false), dayMs(args.to, true));
    const columns = [...inputs.map((f) => seriesField(series, f)), ...entry.bar.map((f) => series[f])];
    let outs: Float64Array[];
    try {
      outs = runStreaming(INDICATORS[entry.name]!(params as IndicatorParams), columns, series.ts);
    } catch (e) {
      if (e instanceof KernelError) throw new ToolError('invalid_arguments', e.message, undefined, { cause: e });
      throw e;
    }
    const numericParams: Record<string, number> = {};
    for (const [k, v] of Object.entries(params)) if (typeof v === 'number') numericParams[k] = v;
    const outputs = entry.outputs.map((o) => o.name);
    const values = [];
    for (let i = Math.max(a, b - args.last); i < b; i++) {
      const row: Record<string, number | null> = {};
      outputs.forEach((name, j) => (row[name] = finiteOrNull(outs[j]![i]!)));
      values.push({ time: barTime(series.ts[i]!, timeframe), values: row });
    }
    return {
      symbol: args.symbol,
      feed,
      indicator: entry.name,
      inputs,
      params,
      lookback: entry.lookback(numericParams),
      unstable: entry.unstable === true,
      outputs,
      values,
    };
  },
};

/**
 * Feeds whole columns through a streaming indicator bar by bar, exactly as the kernel's signal
 * engine does: `inputs[i][t]` is input i on bar t (explicit inputs, then bar fields). One array per output.
 */
export function runStreaming(indicator: StreamingIndicator, inputs: readonly ArrayLike<number>[], ts: ArrayLike<number>): Float64Array[] {
  const bars = ts.length;
  const x = new Float64Array(inputs.length);
  const row = new Float64Array(indicator.outputs);
  const outs = Array.from({ length: indicator.outputs }, () => new Float64Array(bars));
  for (let t = 0; t < bars; t++) {
    for (let i = 0; i < inputs.length; i++) x[i] = inputs[i]![t]!;
    indicator.update(x, ts[t]!, row, 0);
    for (let j = 0; j < indicator.outputs; j++) outs[j]![t] = row[j]!;
  }
  return outs;
}

/** Catalog entries the kernel can compute (the tool's domain). */
export function isComputable(name: string): boolean {
  return CATALOG.has(name) && name in INDICATORS;
}
