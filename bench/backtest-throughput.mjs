// Kernel throughput and memory: a deterministic random walk through the DAG
// SMA10, SMA30, EMA20, RSI14, BBANDS(20,2), ATR14 and a fast/slow crossover rule trading with fills and fees.
//
//   node bench/backtest-throughput.mjs [--bars 1000000] [--runs 5]
//   node bench/backtest-throughput.mjs --memory --bars 10000000   (constant-memory streaming run, peak RSS)
//
// Prints figures; never asserts. Run against the built packages (npm run build).
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { compileSource } from '../packages/compiler/dist/index.js';
import { runBacktest, SeriesStream } from '../packages/kernel/dist/index.js';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const BARS = flag('bars', 1_000_000);
const RUNS = flag('runs', 5);
const MEMORY = args.includes('--memory');
const DAY = 86_400_000;
const T0 = Date.UTC(1990, 0, 1);

const ARTIFACT = `strata: strategy/v1
name: bench-crossover
universe: [SYN]
timeframe: 1d
feeds: { bars: synthetic }
signals:
  fast: sma(close, 10)
  slow: sma(close, 30)
  trend: ema(close, 20)
  strength: rsi(close, 14)
  bands: bbands(close, 20, 2)
  range: atr(14)
entry:
  long: crosses_above(fast, slow) and strength < 80 and close < bands.upper and close > trend - 3 * range
exit:
  long: crosses_below(fast, slow)
  stop_loss: { kind: atr, multiple: 3, period: 14 }
sizing: { kind: cash_fraction, value: 1 }
execution: { fee_bps: 5, slippage_bps: 2 }
`;

/** mulberry32: a small deterministic PRNG. */
function rng(seed) {
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
 * One synthetic bar from the walk state; writes into the given arrays at index i. The log price
 * mean-reverts slowly around log(100), so the series keeps crossing its averages however long it
 * runs (a plain geometric walk drifts to its floor over millions of bars and stops trading).
 */
function makeBar(r, state, o, h, l, c, v, i) {
  const open = 100 * Math.exp(state.x);
  state.x = 0.9995 * state.x + (r() - 0.5) * 0.04;
  const close = 100 * Math.exp(state.x);
  const hi = Math.max(open, close) * (1 + r() * 0.01);
  const lo = Math.min(open, close) * (1 - r() * 0.01);
  o[i] = open;
  h[i] = hi;
  l[i] = lo;
  c[i] = close;
  v[i] = 1e6 + Math.floor(r() * 1e6);
}

function generate(n) {
  const r = rng(42);
  const state = { x: 0 };
  const cols = { ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    cols.ts[i] = T0 + i * DAY;
    makeBar(r, state, cols.open, cols.high, cols.low, cols.close, cols.volume, i);
  }
  return { symbol: 'SYN', timeframe: '1d', ...cols, length: n, file: 'synthetic', line: new Int32Array(0) };
}

/** A streaming market: bars are generated as they are consumed, so memory does not grow with history. */
class SyntheticStream {
  constructor(n) {
    this.symbols = ['SYN'];
    this.o = new Float64Array(1);
    this.h = new Float64Array(1);
    this.l = new Float64Array(1);
    this.c = new Float64Array(1);
    this.v = new Float64Array(1);
    this.columns = [{ fields: [this.o, this.h, this.l, this.c, this.v] }];
    this.rows = new Int32Array([0]);
    this.total = n;
    this.i = -1;
    this.ts = Number.NaN;
    this.nextTs = T0;
    this.r = rng(42);
    this.state = { x: 0 };
  }
  next() {
    if (this.i + 1 >= this.total) return false;
    this.i++;
    this.ts = T0 + this.i * DAY;
    this.nextTs = this.i + 1 < this.total ? this.ts + DAY : Number.NaN;
    makeBar(this.r, this.state, this.o, this.h, this.l, this.c, this.v, 0);
    return true;
  }
}

const compiled = compileSource(ARTIFACT);
if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics, null, 2));
const plan = compiled.plan;
const fmt = (x) => Math.round(x).toLocaleString('en-US');
console.log(`backtest-throughput: ${fmt(BARS)} bars, ${plan.nodes.length} plan nodes, node ${process.version}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

if (MEMORY) {
  const t = performance.now();
  const r = runBacktest({ plan, stream: new SyntheticStream(BARS), initialCash: 100_000, recordCurve: false, recordLog: false, recordFills: false });
  const s = (performance.now() - t) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`  streaming (no equity curve, event log, fills or orders kept; trades kept): ${s.toFixed(2)} s, ${fmt(BARS / s)} bars/s, ${r.trades.length} trades, peak RSS ${rss.toFixed(0)} MB`);
} else {
  const times = [];
  const withLoad = [];
  let trades = 0;
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    const series = generate(BARS);
    const t1 = performance.now();
    const r = runBacktest({ plan, stream: new SeriesStream(['SYN'], new Map([['SYN', series]])), initialCash: 100_000 });
    const t2 = performance.now();
    trades = r.trades.length;
    times.push(t2 - t1);
    withLoad.push(t2 - t0);
  }
  times.sort((a, b) => a - b);
  withLoad.sort((a, b) => a - b);
  const med = (xs) => xs[Math.floor(xs.length / 2)];
  console.log(`  run only (series in memory, equity curve + event log recorded): median ${med(times).toFixed(0)} ms → ${fmt(BARS / (med(times) / 1000))} bars/s (best ${fmt(BARS / (times[0] / 1000))})`);
  console.log(`  with data generation ("loading"):                             median ${med(withLoad).toFixed(0)} ms → ${fmt(BARS / (med(withLoad) / 1000))} bars/s`);
  console.log(`  ${trades} trades; goal ≥ 5,000,000 bars/s`);
}
