import { createRequire } from 'node:module';

/** The `talib` npm package: the native TA-Lib C library (0.6.x sources) behind a thin binding. */
interface TalibModule {
  execute(args: Record<string, unknown>): { begIndex: number; nbElement: number; result: Record<string, number[]> };
  explain(name: string): { outputs: { name: string }[] };
  setUnstablePeriod(id: number, period: number): void;
  functionUnstIds: Record<string, number>;
}

const talib = createRequire(import.meta.url)('talib') as TalibModule;
// TA-Lib's default: no extra unstable period, i.e. unstable functions start right at their lookback.
talib.setUnstablePeriod(talib.functionUnstIds.TA_FUNC_UNST_ALL!, 0);

export type Columns = Readonly<Record<string, ArrayLike<number>>>;

/**
 * Calls a TA-Lib function over whole columns (startIdx 0 … endIdx n − 1) and returns its outputs in
 * TA-Lib's output order as full-length arrays, NaN before TA-Lib's begIndex.
 */
export function ta(name: string, inputs: Columns, opts: Readonly<Record<string, number>> = {}): { begIndex: number; outputs: Float64Array[] } {
  const first = Object.values(inputs)[0];
  if (!first) throw new Error(`ta(${name}): no inputs`);
  const n = first.length;
  const args: Record<string, unknown> = { name, startIdx: 0, endIdx: n - 1, ...opts };
  for (const [k, v] of Object.entries(inputs)) args[k] = Array.from(v);
  const r = talib.execute(args);
  const names = talib.explain(name).outputs.map((o) => o.name);
  const outputs = names.map((key) => {
    const vals = r.result[key];
    if (!vals) throw new Error(`ta(${name}): no output ${key}`);
    const full = new Float64Array(n).fill(Number.NaN);
    for (let i = 0; i < r.nbElement; i++) full[r.begIndex + i] = vals[i]!;
    return full;
  });
  return { begIndex: r.nbElement > 0 ? r.begIndex : n, outputs };
}

/**
 * TA-Lib evaluated window by window, on each window minus its newest value (per column), for
 * functions that are invariant to shifting their inputs (STDDEV, CORREL). TA-Lib's own
 * implementation keeps running sums of x and x² over the whole series and forms E[x²] − E[x]², so
 * on a 30-year price series its rounding error grows to ~1e-8 on windows whose spread is tiny next
 * to the price level (e.g. 2-bar windows). One fresh, centred window per output gives TA-Lib's
 * formula without that accumulated drift.
 */
export function taPerWindow(name: string, inputs: Columns, opts: Readonly<Record<string, number>>, period: number): Float64Array[] {
  const cols = Object.entries(inputs);
  const n = cols[0]![1].length;
  let outputs: Float64Array[] | undefined;
  for (let t = period - 1; t < n; t++) {
    const window: Record<string, number[]> = {};
    for (const [k, v] of cols) {
      const last = v[t]!;
      window[k] = Array.from({ length: period }, (_, i) => v[t - period + 1 + i]! - last);
    }
    const r = ta(name, window, opts);
    if (r.begIndex !== period - 1) throw new Error(`taPerWindow(${name}): lookback ${r.begIndex}, want ${period - 1}`);
    outputs ??= r.outputs.map(() => new Float64Array(n).fill(Number.NaN));
    r.outputs.forEach((o, j) => (outputs![j]![t] = o[period - 1]!));
  }
  return outputs ?? [new Float64Array(n).fill(Number.NaN)];
}
