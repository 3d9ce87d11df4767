import { KernelError } from '../errors.js';
import type { StreamingIndicator } from './types.js';

/**
 * Runs an indicator over whole columns in one pass: `inputs[i][t]` is input i on bar t (catalog
 * order: explicit inputs, then bar fields), `ts[t]` the bar's open time (ms, UTC; 0 when omitted).
 * Returns one Float64Array per output. This is the batch form of `update`, for analysis and tests;
 * the result is identical to feeding the bars one by one.
 */
export function runIndicator(
  indicator: StreamingIndicator,
  inputs: readonly ArrayLike<number>[],
  ts?: ArrayLike<number>,
): Float64Array[] {
  const bars = inputs[0]?.length ?? ts?.length ?? 0;
  for (const col of inputs) {
    if (col.length !== bars) throw new KernelError('data', `input columns differ in length: ${col.length} vs ${bars}`);
  }
  if (ts && ts.length !== bars) throw new KernelError('data', `ts has ${ts.length} bars, inputs have ${bars}`);
  const k = indicator.outputs;
  const m = inputs.length;
  const x = new Float64Array(m);
  const row = new Float64Array(k);
  const outs = Array.from({ length: k }, () => new Float64Array(bars));
  for (let t = 0; t < bars; t++) {
    for (let i = 0; i < m; i++) x[i] = inputs[i]![t]!;
    indicator.update(x, ts ? ts[t]! : 0, row, 0);
    for (let j = 0; j < k; j++) outs[j]![t] = row[j]!;
  }
  return outs;
}
