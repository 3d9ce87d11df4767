/**
 * (d, continued) No allocation per update. Bytes allocated during a run of updates are counted as
 * heap growth plus what every GC in between reclaimed (v8.GCProfiler), so young-generation garbage
 * is not missed. The smallest heap object (a boxed number) is 16 bytes, so allocating on every
 * update costs ≥ 16 MB per million updates; the budget is 1 MB (1 byte per update), far above the
 * few hundred KB of background noise (the optimising compiler installing code, the test runner).
 * The best of three runs counts. A sanity check, not a benchmark: it measures memory, never time.
 */
import { GCProfiler, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { INDICATORS, type StreamingIndicator } from '../../src/indicators/index.js';
import { CASES, entryOf } from './cases.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const WARM = 100_000;
const RUN = 1_000_000;
/** Rows of synthetic data, replayed cyclically. */
const ROWS = 250_000;

/** Bytes allocated while `fn` runs: heap growth plus everything the GCs in between reclaimed. */
function allocatedBy(fn: () => void): number {
  gc();
  const profiler = new GCProfiler();
  profiler.start();
  const before = process.memoryUsage().heapUsed;
  fn();
  const after = process.memoryUsage().heapUsed;
  const events = profiler.stop()?.statistics ?? [];
  let reclaimed = 0;
  for (const e of events) reclaimed += e.beforeGC.heapStatistics.usedHeapSize - e.afterGC.heapStatistics.usedHeapSize;
  return after - before + reclaimed;
}

/** A deterministic price-like series (xorshift random walk), one column per input. */
function columns(m: number, n: number): Float64Array[] {
  let s = 0x9e3779b9;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const close = new Float64Array(n);
  let p = 100;
  for (let t = 0; t < n; t++) {
    p = Math.max(1, p + (rnd() - 0.5));
    close[t] = p;
  }
  return Array.from({ length: m }, (_, i) => {
    if (i === 0) return close;
    // Other inputs: a high-ish, low-ish, volume-ish column around the close.
    return close.map((c) => (i === 1 ? c + rnd() : i === 2 ? c - rnd() : 1000 + 1000 * rnd()));
  });
}

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (name, c) => {
  it('does not allocate per update', () => {
    const factory = INDICATORS[name]!;
    const ind: StreamingIndicator = factory(c.cases[0]!.params);
    const m = entryOf(name).inputs.length + entryOf(name).bar.length;
    const cols = columns(m, ROWS);
    const x = new Float64Array(m);
    const out = new Float64Array(ind.outputs);
    const step = (t: number): void => {
      const row = t % ROWS;
      for (let i = 0; i < m; i++) x[i] = cols[i]![row]!;
      // Small-integer timestamps (100 ms bars, crossing UTC days; < 2^31 for every t here): a
      // non-integer or large number passed to a call that is not inlined is boxed by the caller,
      // which would be the harness allocating, not update.
      ind.update(x, t * 100, out, 0);
    };
    for (let t = 0; t < WARM; t++) step(t);
    const runs = [0, 1, 2].map((r) => allocatedBy(() => {
      for (let t = WARM + r * RUN; t < WARM + (r + 1) * RUN; t++) step(t);
    }));
    const best = Math.min(...runs);
    expect(best, `${name}: ${runs.join(' / ')} bytes allocated over ${RUN} updates`).toBeLessThan(RUN);
  });
});
