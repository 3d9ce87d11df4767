/**
 * Numerical care over long runs. O(1) window updates add and drop values from running sums; these
 * tests check that rounding error neither accumulates (10M bars) nor survives a change of scale,
 * and that second moments do not cancel against the price level.
 */
import { describe, expect, it } from 'vitest';
import { INDICATORS, type StreamingIndicator } from '../../src/indicators/index.js';

/** Deterministic xorshift32 in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('10M bars at a price level of 1e6 moving in steps of 2⁻¹⁰', () => {
  // Prices 1e6 + k/1024 with k an integer random walk in [−5000, 5000]: every price is exact in
  // binary, so exact references follow from integer sums. The spread (~1e-2) is 1e-8 of the level:
  // E[x²] − E[x]² in double precision would lose every significant digit here.
  it('keeps stdev, zscore, correl and linreg_slope exact to 1e-9 relative', () => {
    const BARS = 10_000_000;
    const N = 20;
    const M = 30;
    const L = 14;
    const LEVEL = 1e6;
    const next = rng(42);
    const stdev = INDICATORS.stdev!({ period: N });
    const zscore = INDICATORS.zscore!({ period: N });
    const correl = INDICATORS.correl!({ period: M });
    const slope = INDICATORS.linreg_slope!({ period: L });
    const ks = new Int32Array(BARS);
    const js = new Int32Array(BARS);
    let k = 0;
    let j = 0;
    const x1 = new Float64Array(1);
    const x2 = new Float64Array(2);
    const out = new Float64Array(4);
    for (let t = 0; t < BARS; t++) {
      k = Math.max(-5000, Math.min(5000, k + Math.floor(next() * 21) - 10));
      j = Math.max(-5000, Math.min(5000, j + Math.floor(next() * 21) - 10 + (k > 0 ? 1 : -1)));
      ks[t] = k;
      js[t] = j;
      x1[0] = LEVEL + k / 1024;
      stdev.update(x1, 0, out, 0);
      zscore.update(x1, 0, out, 1);
      slope.update(x1, 0, out, 3);
      x2[0] = x1[0];
      x2[1] = 2e5 + j / 512;
      correl.update(x2, 0, out, 2);
    }
    const end = BARS - 1;
    // Exact references from integer sums (all far below 2^53).
    let s = 0;
    let ss = 0;
    for (let t = end - N + 1; t <= end; t++) {
      s += ks[t]!;
      ss += ks[t]! * ks[t]!;
    }
    const varNum = N * ss - s * s; // n² · var · 1024²
    const sd = Math.sqrt(varNum) / N / 1024;
    const z = (N * ks[end]! - s) / Math.sqrt(varNum);
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let t = end - M + 1; t <= end; t++) {
      const a = ks[t]!;
      const b = js[t]! * 2; // in units of 1/1024
      sx += a;
      sy += b;
      sxx += a * a;
      syy += b * b;
      sxy += a * b;
    }
    const r = (M * sxy - sx * sy) / Math.sqrt((M * sxx - sx * sx) * (M * syy - sy * sy));
    let si = 0;
    let sk = 0;
    let sik = 0;
    let sii = 0;
    for (let i = 0; i < L; i++) {
      const v = ks[end - L + 1 + i]!;
      si += i;
      sk += v;
      sik += i * v;
      sii += i * i;
    }
    const b = (L * sik - si * sk) / (L * sii - si * si) / 1024;
    expect(rel(out[0]!, sd), `stdev ${out[0]} vs ${sd}`).toBeLessThan(1e-9);
    expect(rel(out[1]!, z), `zscore ${out[1]} vs ${z}`).toBeLessThan(1e-9);
    expect(rel(out[2]!, r), `correl ${out[2]} vs ${r}`).toBeLessThan(1e-9);
    expect(rel(out[3]!, b), `linreg_slope ${out[3]} vs ${b}`).toBeLessThan(1e-9);
  });
});

describe('a change of scale: 5,000 bars near 1e9, then 300 bars near 1', () => {
  // A running sum keeps the absolute rounding error of the large era (~1e-7) unless it is re-summed;
  // every window statistic must be exact again one window after the change.
  const next = rng(7);
  const BIG = 5000;
  const SMALL = 300;
  const high: number[] = [];
  const low: number[] = [];
  const close: number[] = [];
  const volume: number[] = [];
  const other: number[] = [];
  for (let t = 0; t < BIG + SMALL; t++) {
    const level = t < BIG ? 1e9 : 1;
    const c = level * (1 + 0.01 * next());
    close.push(c);
    high.push(c * (1 + 0.01 * next()));
    low.push(c * (1 - 0.01 * next()));
    volume.push(t < BIG ? 1e9 * next() : next());
    other.push(level * (1 + 0.01 * next()));
  }
  const n = 20;
  const last = (a: number[], k = n): number[] => a.slice(a.length - k);
  const mean = (a: number[]): number => a.reduce((p, q) => p + q, 0) / a.length;
  const sd = (a: number[]): number => {
    const m = mean(a);
    return Math.sqrt(a.reduce((p, q) => p + (q - m) ** 2, 0) / a.length);
  };

  function finalOutput(ind: StreamingIndicator, cols: number[][]): number[] {
    const x = new Float64Array(cols.length);
    const out = new Float64Array(ind.outputs);
    for (let t = 0; t < cols[0]!.length; t++) {
      cols.forEach((c, i) => (x[i] = c[t]!));
      ind.update(x, 0, out, 0);
    }
    return [...out];
  }

  const w = last(close);
  const cases: [string, Record<string, number>, number[][], number][] = [
    ['sma', { period: n }, [close], mean(w)],
    ['rolling_sum', { period: n }, [close], w.reduce((p, q) => p + q, 0)],
    ['wma', { period: n }, [close], w.reduce((p, q, i) => p + q * (i + 1), 0) / ((n * (n + 1)) / 2)],
    ['stdev', { period: n }, [close], sd(w)],
    ['zscore', { period: n }, [close], (w[n - 1]! - mean(w)) / sd(w)],
    [
      'correl',
      { period: n },
      [close, other],
      (() => {
        const o = last(other);
        const mx = mean(w);
        const my = mean(o);
        let sxy = 0;
        let sxx = 0;
        let syy = 0;
        for (let i = 0; i < n; i++) {
          sxy += (w[i]! - mx) * (o[i]! - my);
          sxx += (w[i]! - mx) ** 2;
          syy += (o[i]! - my) ** 2;
        }
        return sxy / Math.sqrt(sxx * syy);
      })(),
    ],
    [
      'linreg_slope',
      { period: n },
      [close],
      (() => {
        const mi = (n - 1) / 2;
        const my = mean(w);
        let num = 0;
        let den = 0;
        for (let i = 0; i < n; i++) {
          num += (i - mi) * (w[i]! - my);
          den += (i - mi) ** 2;
        }
        return num / den;
      })(),
    ],
    [
      'mfi',
      { period: 14 },
      [high, low, close, volume],
      (() => {
        let pos = 0;
        let neg = 0;
        const k = close.length;
        for (let t = k - 14; t < k; t++) {
          const tp = (high[t]! + low[t]! + close[t]!) / 3;
          const prev = (high[t - 1]! + low[t - 1]! + close[t - 1]!) / 3;
          if (tp > prev) pos += tp * volume[t]!;
          else if (tp < prev) neg += tp * volume[t]!;
        }
        return (100 * pos) / (pos + neg);
      })(),
    ],
  ];

  it.each(cases)('%s is exact again after one window', (name, params, cols, want) => {
    const got = finalOutput(INDICATORS[name]!(params), cols)[0]!;
    expect(rel(got, want), `${name}: ${got} vs ${want}`).toBeLessThan(1e-12);
  });
});
