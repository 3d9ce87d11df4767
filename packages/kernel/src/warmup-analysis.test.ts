import { compileSource, type Plan } from '@strata/compiler';
import type { BarSeries } from '@strata/feeds';
import { describe, expect, it } from 'vitest';
import { KernelError } from './errors.js';
import { analyzeWarmup, WARMUP_ANALYSIS_SCHEMA, type WarmupOutputReport, type WarmupReport } from './warmup-analysis.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2020, 0, 1);

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random-walk bar series. With `integer`, every price is a whole number, so sums are exact in
 * floating point and windowed indicators agree bit for bit.
 */
function walk(symbol: string, n: number, seed: number, opts: { integer?: boolean; step?: number; t0?: number; skip?: (i: number) => boolean } = {}): BarSeries {
  const r = rng(seed);
  const step = opts.step ?? DAY;
  const ts: number[] = [];
  const o: number[] = [];
  const h: number[] = [];
  const l: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  let price = 1000;
  for (let i = 0; i < n; i++) {
    const move = opts.integer ? Math.round((r() - 0.5) * 20) : (r() - 0.5) * 0.04 * price;
    const open = price;
    price = Math.max(opts.integer ? 100 : 1, price + move);
    const up = opts.integer ? Math.round(r() * 10) : r() * 0.01 * price;
    const down = opts.integer ? Math.round(r() * 10) : r() * 0.01 * price;
    if (opts.skip?.(i)) continue;
    ts.push((opts.t0 ?? T0) + i * step);
    o.push(open);
    c.push(price);
    h.push(Math.max(open, price) + up);
    l.push(Math.min(open, price) - down);
    v.push(opts.integer ? 1000 + Math.round(r() * 1000) : 1e6 * (0.5 + r()));
  }
  const len = ts.length;
  return {
    symbol,
    timeframe: step === DAY ? '1d' : '1h',
    ts: Float64Array.from(ts),
    open: Float64Array.from(o),
    high: Float64Array.from(h),
    low: Float64Array.from(l),
    close: Float64Array.from(c),
    volume: Float64Array.from(v),
    length: len,
    file: `${symbol}.csv`,
    line: Int32Array.from({ length: len }, (_, i) => i + 2),
  };
}

/** A plan whose entry rule uses every signal (the compiler keeps only signals the rules use); `bools` names the conditions. */
function plan(signals: Record<string, string>, extra: { universe?: readonly string[]; timeframe?: string; timeframes?: readonly string[]; bools?: readonly string[] } = {}): Plan {
  const names = Object.keys(signals);
  const use = names.map((k) => (extra.bools?.includes(k) ? k : `${k} > 0`)).join(' or ');
  const yaml = [
    'strata: strategy/v1',
    'name: warmup-fixture',
    `universe: [${(extra.universe ?? ['AAA']).join(', ')}]`,
    `timeframe: ${extra.timeframe ?? '1d'}`,
    ...(extra.timeframes ? [`timeframes: [${extra.timeframes.join(', ')}]`] : []),
    'feeds: { bars: test }',
    'signals:',
    ...names.map((k) => `  ${k}: ${signals[k]}`),
    'entry:',
    `  long: ${use}`,
    'exit:',
    '  long: close < open',
    '',
  ].join('\n');
  const r = compileSource(yaml);
  if (!r.ok || !r.plan) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message} @${d.line}:${d.column}`).join('\n'));
  return r.plan;
}

const one = (s: BarSeries) => new Map([[s.symbol, s]]);

/** The output a signal name denotes (`name` or `name.output`). */
function out(r: WarmupReport, label: string, output?: string): WarmupOutputReport {
  const o = r.outputs.find((x) => x.labels.includes(label) && (output === undefined || x.output === output));
  if (!o) throw new Error(`no output labelled ${label}`);
  return o;
}

describe('analyzeWarmup: windowed indicators converge exactly at their lookback', () => {
  it('SMA(20): not valid before 19 bars of history, then identical to the reference, bit for bit', () => {
    const s = walk('AAA', 600, 1, { integer: true });
    const r = analyzeWarmup(plan({ m: 'sma(close, 20)' }), one(s), { historyLengths: [5, 18, 19, 20, 40, 100, 400] });
    const m = out(r, 'm');
    expect(m.lookback).toBe(19);
    expect(m.warmupBars).toBe(19);
    expect(m.convergedAfter).toBe(19);
    expect(m.beyondWarmup).toBe(false);
    expect(m.unstable).toBe(false);
    const byLen = new Map(m.lengths.map((l) => [l.bars, l]));
    expect(byLen.get(5)!.atEval.status).toBe('short-nan');
    expect(byLen.get(18)!.atEval.status).toBe('short-nan');
    for (const k of [19, 20, 40, 100, 400]) {
      const l = byLen.get(k)!;
      expect(l.atEval).toMatchObject({ status: 'compared', absDiff: 0, relDiff: 0 });
      // every bar after the warm-up, not only the evaluation bar
      expect(l.maxAbsDiff).toBe(0);
      expect(l.comparedBars).toBe(k - 19 + 1);
      expect(l.invalidBars).toBe(0);
    }
    expect(r.highlights).toEqual([]);
  });

  it('SMA on real-valued prices: within rounding (well under the tolerance) from its lookback on', () => {
    const s = walk('AAA', 1500, 2);
    const m = out(analyzeWarmup(plan({ m: 'sma(close, 50)' }), one(s)), 'm');
    expect(m.convergedAfter).toBe(49);
    for (const l of m.lengths) expect(l.maxRelDiff!).toBeLessThan(1e-13);
  });

  it('a field, arithmetic on fields, and a lag: no dependence on the start beyond their own window', () => {
    const s = walk('AAA', 300, 3);
    const r = analyzeWarmup(plan({ range: 'high - low', mid: '(high + low) / 2', gap: 'open / close[3] - 1' }), one(s), { historyLengths: [1, 2, 3, 10, 50] });
    for (const label of ['range', 'mid']) {
      const o = out(r, label);
      expect(o.convergedAfter, label).toBe(0);
      for (const l of o.lengths) {
        expect(l.atEval.absDiff, label).toBe(0);
        expect(l.maxAbsDiff, label).toBe(0);
      }
    }
    const fields = r.outputs.filter((o) => o.op === 'field');
    expect(fields.length).toBeGreaterThan(0);
    for (const f of fields) expect(f.convergedAfter).toBe(0);
    // close[3] needs three bars before it: exact from then on.
    expect(out(r, 'gap').convergedAfter).toBe(3);
    expect(r.recommendation.minHistoryBars).toBe(3);
  });
});

describe('analyzeWarmup: unstable indicators', () => {
  it('EMA(10) converges geometrically: |Δ| after k bars ≤ (1 − α)^(k − 9) · (price range)', () => {
    const s = walk('AAA', 3000, 4);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < s.length; i++) {
      lo = Math.min(lo, s.close[i]!);
      hi = Math.max(hi, s.close[i]!);
    }
    const alpha = 2 / 11;
    const lengths = [9, 10, 15, 20, 30, 40, 60, 80, 100, 150, 200, 300];
    const tolerance = 1e-6;
    const r = analyzeWarmup(plan({ e: 'ema(close, 10)' }), one(s), { historyLengths: lengths, tolerance });
    const e = out(r, 'e');
    expect(e.unstable).toBe(true);
    expect(e.lookback).toBe(9);
    // Both EMAs are convex combinations of closes; after seeding (9 bars of history) their gap
    // shrinks by (1 − α) every bar.
    for (const l of e.lengths) {
      expect(l.atEval.status).toBe('compared');
      expect(l.atEval.absDiff!).toBeLessThanOrEqual((1 - alpha) ** (l.bars - 9) * (hi - lo) * (1 + 1e-9) + 1e-9);
    }
    // The same bound gives an upper limit on the convergence length; it is well beyond the lookback.
    const bound = 9 + Math.ceil(Math.log((tolerance * lo) / (hi - lo)) / Math.log(1 - alpha));
    expect(e.convergedAfter).not.toBeNull();
    expect(e.convergedAfter!).toBeGreaterThan(3 * 9);
    expect(e.convergedAfter!).toBeLessThanOrEqual(bound);
    expect(e.beyondWarmup).toBe(true);
    // The very first value after the seed is far off; by 300 bars, nothing is left.
    expect(e.lengths[0]!.atEval.relDiff!).toBeGreaterThan(1e-4);
    expect(e.lengths[e.lengths.length - 1]!.atEval.relDiff!).toBeLessThan(1e-12);
    // Geometric: each decade of tolerance costs about ln(10) / −ln(1 − α) ≈ 11.5 more bars.
    const at = (tol: number) => out(analyzeWarmup(plan({ e: 'ema(close, 10)' }), one(s), { historyLengths: [300], tolerance: tol }), 'e').convergedAfter!;
    const c3 = at(1e-3);
    const c6 = at(1e-6);
    const c9 = at(1e-9);
    const perDecade = Math.log(10) / -Math.log(1 - alpha);
    expect(c3).toBeLessThan(c6);
    expect(c6).toBeLessThan(c9);
    expect((c9 - c3) / 6).toBeGreaterThan(0.6 * perDecade);
    expect((c9 - c3) / 6).toBeLessThan(1.4 * perDecade);
  });

  it('RSI(2) forgets its start much sooner than RSI(14); both are highlighted, the longer first', () => {
    const s = walk('AAA', 4000, 5);
    const r = analyzeWarmup(plan({ fast: 'rsi(close, 2)', slow: 'rsi(close, 14)' }), one(s), { historyLengths: [14, 28, 56, 112, 224, 448, 896] });
    const fast = out(r, 'fast');
    const slow = out(r, 'slow');
    expect(fast.convergedAfter).not.toBeNull();
    expect(slow.convergedAfter).not.toBeNull();
    expect(fast.convergedAfter!).toBeLessThan(slow.convergedAfter!);
    expect(fast.convergedAfter!).toBeGreaterThan(fast.lookback);
    expect(slow.convergedAfter!).toBeGreaterThan(5 * slow.lookback);
    expect(r.highlights.map((h) => h.ref)).toEqual([slow.ref, fast.ref]);
    expect(r.highlights[0]!.ratio).toBeCloseTo(slow.convergedAfter! / 14, 12);
    expect(r.recommendation.minHistoryBars).toBe(slow.convergedAfter);
    expect(r.recommendation.limitedBy).toContain(slow.ref);
    expect(r.recommendation.text).toBe(`keep at least ${slow.convergedAfter} bars of history before trading live; the plan's declared warm-up is 14`);
  });

  it('reports every output of a multi-output node (MACD line, signal, histogram)', () => {
    const s = walk('AAA', 2000, 6);
    const r = analyzeWarmup(plan({ m: 'macd(close).hist' }), one(s));
    const macd = r.outputs.filter((o) => o.op === 'macd');
    expect(macd.map((o) => o.output)).toEqual(['macd', 'signal', 'hist']);
    expect(macd.map((o) => o.ref)).toEqual(['macd', 'signal', 'hist'].map((x) => `${macd[0]!.node}.${x}`));
    for (const o of macd) {
      expect(o.unstable).toBe(true);
      expect(o.beyondWarmup).toBe(true);
      expect(o.convergedAfter).not.toBeNull();
    }
  });

  it('a cumulative indicator (OBV) never converges: the offset of its start stays forever', () => {
    const s = walk('AAA', 800, 7);
    const r = analyzeWarmup(plan({ o: 'obv()', d: 'obv() - sma(obv(), 20)' }), one(s), { historyLengths: [10, 50, 200] });
    const obv = out(r, 'o');
    // The catalog marks it unstable: its level depends on where history starts, forever.
    expect(obv.unstable).toBe(true);
    expect(obv.convergedAfter).toBeNull();
    expect(obv.beyondWarmup).toBe(true);
    expect(r.highlights.map((h) => h.ref)).toContain(obv.ref);
    // the offset cancels in a difference with its own average
    expect(out(r, 'd').convergedAfter).toBe(19);
    expect(r.recommendation.minHistoryBars).toBeNull();
    expect(r.recommendation.limitedBy).toContain(obv.ref);
    expect(r.recommendation.text).toMatch(/^keep more than 200 bars of history before trading live/);
  });
});

describe('analyzeWarmup: bool outputs', () => {
  it('reports agreement at the evaluation bar and the share of bars that disagree', () => {
    const s = walk('AAA', 2000, 8);
    const r = analyzeWarmup(plan({ up: 'ema(close, 5) > ema(close, 50)', hot: 'rsi(close, 14) > 55' }, { bools: ['up', 'hot'] }), one(s), { historyLengths: [49, 60, 100, 400, 800] });
    for (const label of ['up', 'hot']) {
      const o = out(r, label);
      expect(o.type).toBe('bool');
      for (const l of o.lengths) {
        expect(l.disagreement).toBeGreaterThanOrEqual(0);
        expect(l.disagreement).toBeLessThanOrEqual(1);
        if (l.atEval.status === 'compared') expect([0, 1]).toContain(l.atEval.absDiff);
      }
      expect(o.convergedAfter).not.toBeNull();
      // Shortly after the warm-up the runs do disagree on some bars…
      expect(Math.max(...o.lengths.map((l) => l.disagreement!))).toBeGreaterThan(0);
      expect(o.beyondWarmup).toBe(true);
      // …and only before the convergence length: a run has one bar per history length.
      for (const l of o.lengths) expect(Math.round(l.disagreement! * l.comparedBars)).toBeLessThanOrEqual(o.convergedAfter! - o.warmupBars);
    }
  });
});

describe('analyzeWarmup: symbols, timeframes, options', () => {
  it('per symbol, then the worst case over the symbols', () => {
    const a = walk('AAA', 1500, 9);
    const b = walk('BBB', 1500, 10, { skip: (i) => i % 17 === 5 }); // a few missing bars
    const p = plan({ r: 'rsi(close, 14)', m: 'sma(close, 30)' }, { universe: ['AAA', 'BBB'] });
    const r = analyzeWarmup(p, new Map([['AAA', a], ['BBB', b]]), { historyLengths: [30, 100, 300, 600] });
    expect(r.symbols).toEqual(['AAA', 'BBB']);
    expect(r.perSymbol.map((x) => x.symbol)).toEqual(['AAA', 'BBB']);
    const i = r.outputs.findIndex((o) => o.labels.includes('r'));
    const per = r.perSymbol.map((x) => x.outputs[i]!);
    expect(per.every((x) => x.scale! > 0)).toBe(true);
    expect(r.outputs[i]!.convergedAfter).toBe(Math.max(...per.map((x) => x.convergedAfter!)));
    for (let li = 0; li < r.historyLengths.length; li++) {
      expect(r.outputs[i]!.lengths[li]!.maxRelDiff).toBe(Math.max(...per.map((x) => x.lengths[li]!.maxRelDiff!)));
      expect(r.outputs[i]!.lengths[li]!.comparedBars).toBe(per.reduce((acc, x) => acc + x.lengths[li]!.comparedBars, 0));
    }
    // History is counted in the symbol's own bars: a windowed indicator still converges at its lookback.
    const m = r.perSymbol.map((x) => x.outputs[r.outputs.findIndex((o) => o.labels.includes('m'))]!);
    expect(m.map((x) => x.convergedAfter)).toEqual([29, 29]);
    expect(r.perSymbol[1]!.referenceBars).toBeLessThan(r.perSymbol[0]!.referenceBars);
  });

  it('evaluates at --at (the last bar at or before it), skips lengths that reach the first bar, and is deterministic', () => {
    const s = walk('AAA', 400, 11);
    const p = plan({ e: 'ema(close, 20)' });
    const at = T0 + 250 * DAY + 5 * HOUR;
    const r = analyzeWarmup(p, one(s), { at, historyLengths: [300, 19, 100, 19, 250] });
    expect(r.schema).toBe(WARMUP_ANALYSIS_SCHEMA);
    expect(r.evaluation).toEqual({ ts: T0 + 250 * DAY, time: new Date(T0 + 250 * DAY).toISOString() });
    expect(r.referenceBars).toBe(250);
    expect(r.historyLengths).toEqual([19, 100]);
    expect(r.skippedLengths).toEqual([250, 300]);
    const again = analyzeWarmup(p, one(s), { at, historyLengths: [300, 19, 100, 19, 250] });
    expect(JSON.stringify(again)).toBe(JSON.stringify(r));
    // the default lengths: 1, 2, 3, 5, 10 × the declared warm-up
    expect(analyzeWarmup(p, one(s)).historyLengths).toEqual([19, 38, 57, 95, 190]);
  });

  it('rejects bad options and data with KernelErrors', () => {
    const s = walk('AAA', 100, 12);
    const p = plan({ m: 'sma(close, 10)' });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof KernelError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => analyzeWarmup(p, one(s), { historyLengths: [0] }))).toBe('range');
    expect(code(() => analyzeWarmup(p, one(s), { historyLengths: [2.5] }))).toBe('range');
    expect(code(() => analyzeWarmup(p, one(s), { tolerance: -1 }))).toBe('range');
    expect(code(() => analyzeWarmup(p, one(s), { at: T0 - DAY }))).toBe('range');
    expect(code(() => analyzeWarmup(p, one(s), { historyLengths: [500] }))).toBe('data');
    expect(code(() => analyzeWarmup(p, new Map()))).toBe('data');
  });

  it('a coarser timeframe: its warm-up is converted to base bars at the measured bars per bucket', () => {
    const s = walk('AAA', 24 * 200, 13, { step: HOUR });
    const p = plan({ e: 'close > sma(close@1d, 10)', h: 'ema(close, 24)' }, { timeframe: '1h', timeframes: ['1d'], bools: ['e'] });
    const r = analyzeWarmup(p, one(s), { historyLengths: [24 * 11, 24 * 30, 24 * 60] });
    expect(r.barsPerBucket).toEqual({ '1h': 1, '1d': 24 });
    const daily = r.outputs.find((o) => o.op === 'sma' && o.tf === '1d')!;
    expect(daily.warmupBars).toBe(9 * 24);
    // A daily SMA is exact once its window of whole days is inside the short run.
    expect(daily.convergedAfter).not.toBeNull();
    expect(daily.convergedAfter!).toBeLessThanOrEqual(11 * 24);
    expect(r.declaredWarmup.bars).toBeGreaterThanOrEqual(9 * 24);
  });
});
