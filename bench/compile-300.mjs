// Warm compile time of a large artifact: 300 chained signals (moving averages, oscillators,
// Bollinger outputs, ATR, arithmetic, comparisons, lags and crosses), all reachable from the rules.
//
//   node bench/compile-300.mjs [--iterations 200] [--warmup 50] [--print]
//
// Runs against the built compiler (packages/compiler/dist); build first (`npm run build`).
// Prints figures; never asserts. Goal: median warm compile < 10 ms.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const dist = fileURLToPath(new URL('../packages/compiler/dist/index.js', import.meta.url));
if (!existsSync(dist)) {
  console.error('compile-300: packages/compiler/dist is missing; run `npm run build` first');
  process.exit(1);
}

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const ITERATIONS = opt('iterations', 200);
const WARMUP = opt('warmup', 50);
const SIGNALS = opt('signals', 300);

/** mulberry32: a tiny seeded PRNG, so the artifact is the same on every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds the artifact text. Every signal is consumed by a later signal or by the rules. */
export function generateArtifact(count = SIGNALS, seed = 300) {
  const rand = prng(seed);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const nums = []; // numeric signals, in definition order
  const bools = [];
  const unused = new Set();
  const FIELDS = ['close', 'open', 'high', 'low', 'hl2', 'hlc3'];
  const take = (pool, fallback) => {
    // Prefer the oldest unused signal of the right type (keeps the DAG wide and everything live).
    for (const s of pool) {
      if (unused.has(s)) {
        unused.delete(s);
        return s;
      }
    }
    if (pool.length > 0 && rand() < 0.8) return pick(pool);
    return fallback();
  };
  const num = () => take(nums, () => pick(FIELDS));
  /** Two different numeric inputs (a node of a signal with itself would be degenerate). */
  const num2 = () => {
    const a = num();
    let b = num();
    for (let tries = 0; b === a && tries < 10; tries++) b = num();
    return [a, b === a ? (a === 'close' ? 'open' : 'close') : b];
  };
  const bool = () => take(bools, () => `${pick(FIELDS)} > ${pick(FIELDS)}[1]`);
  const lines = [];
  let period = 2;
  const nextPeriod = () => (period = period >= 250 ? 2 : period + int(1, 7));

  for (let i = 0; i < count; i++) {
    const name = `s${String(i).padStart(3, '0')}`;
    const kind = i % 10; // a fixed mix: 6 numeric kinds, 4 boolean kinds per 10 signals
    let expr;
    let type = 'num';
    switch (kind) {
      case 0:
        expr = `sma(${num()}, ${nextPeriod()})`;
        break;
      case 1:
        expr = `ema(${num()}, ${i % 20 === 1 ? '$ema_len' : nextPeriod()})`;
        break;
      case 2:
        expr = rand() < 0.5 ? `rsi(${num()}, ${int(2, 30)})` : `atr(${nextPeriod()}) * ${(1 + rand()).toFixed(2)}`;
        break;
      case 3:
        expr = `bbands(${num()}, ${nextPeriod()}, k=${(1 + rand() * 2).toFixed(1)}).${pick(['upper', 'middle', 'lower'])}`;
        break;
      case 4: {
        const [a, b] = num2();
        expr = pick([`(${a} + ${b}) / 2`, `${a} - ${b}`, `${a} * 1.5 + ${b}`, `max(${a}, ${b}) - min(${a}, ${b})`]);
        break;
      }
      case 5:
        expr = `${num()}[${int(1, 5)}]`;
        break;
      case 6: {
        type = 'bool';
        const [a, b] = num2();
        expr = `${a} > ${b}`;
        break;
      }
      case 7: {
        type = 'bool';
        const [a, b] = num2();
        expr = `${pick(['crosses_above', 'crosses_below'])}(${a}, ${b})`;
        break;
      }
      case 8:
        type = 'bool';
        expr = `${num()}[1] < ${num()} * $band`;
        break;
      default:
        type = 'bool';
        expr = rand() < 0.5 ? `${bool()} and ${bool()}` : `not ${bool()} or ${bool()}`;
    }
    lines.push(`  ${name}: ${expr}`);
    (type === 'num' ? nums : bools).push(name);
    unused.add(name);
  }

  // The rules use every signal nothing else used.
  const terms = [];
  const left = [...unused];
  const leftNums = left.filter((s) => nums.includes(s));
  const leftBools = left.filter((s) => bools.includes(s));
  for (let i = 0; i < leftNums.length; i += 2) terms.push(`${leftNums[i]} > ${leftNums[i + 1] ?? 'close'}`);
  terms.push(...leftBools);
  const half = Math.ceil(terms.length / 2);
  const entry = terms.slice(0, half).join(' and ') || 'close > open';
  const exit = terms.slice(half).join(' or ') || 'close < open';

  return [
    'strata: strategy/v1',
    'name: bench-300',
    `description: Generated benchmark artifact with ${count} chained signals.`,
    'universe: [SPY]',
    'timeframe: 1d',
    'feeds: { bars: equities.us.daily }',
    'params:',
    '  ema_len: { default: 21, min: 2, max: 200, type: int }',
    '  band: { default: 1.02, min: 0.5, max: 2 }',
    'signals:',
    ...lines,
    'entry:',
    `  long: ${entry}`,
    'exit:',
    `  long: ${exit}`,
    '  stop_loss: { kind: atr, multiple: 2, period: 14 }',
    'sizing: { kind: risk_per_trade, value: 0.01 }',
    'execution: { order_type: market, fill: next_open, fee_bps: 1, slippage_bps: 2 }',
    '',
  ].join('\n');
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (x) => `${x.toFixed(2)} ms`;

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('compile-300.mjs')) {
  const text = generateArtifact();
  if (args.includes('--print')) {
    process.stdout.write(text);
    process.exit(0);
  }
  const t0 = performance.now();
  const { compileSource } = await import(dist);
  const tImport = performance.now() - t0;

  const t1 = performance.now();
  const first = compileSource(text, { file: 'bench-300.yaml' });
  const tFirst = performance.now() - t1;
  const errors = first.diagnostics.filter((d) => d.severity === 'error');
  const warnings = first.diagnostics.filter((d) => d.severity === 'warning');
  if (!first.ok) {
    console.error(`compile-300: the generated artifact does not compile (${errors.length} errors):`);
    for (const d of errors.slice(0, 5)) console.error(`  ${d.code} ${d.line}:${d.column} ${d.message}`);
    process.exit(1);
  }

  for (let i = 0; i < WARMUP; i++) compileSource(text, { file: 'bench-300.yaml' });
  const times = [];
  const cpu = []; // process CPU time (user + system, all threads): steadier than wall time on a busy machine
  for (let i = 0; i < ITERATIONS; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    compileSource(text, { file: 'bench-300.yaml' });
    times.push(performance.now() - s);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const median = quantile(times, 0.5);

  const plan = first.plan;
  console.log('compile-300: warm compile of a generated 300-signal artifact');
  console.log(`  artifact        ${Buffer.byteLength(text)} bytes, ${SIGNALS} signals, ${text.split('\n').length - 1} lines`);
  console.log(`  plan            ${plan.nodes.length} nodes, ${Object.keys(plan.signals).length} signals kept, warm-up ${JSON.stringify(plan.warmup)}`);
  console.log(`  diagnostics     ${errors.length} errors, ${warnings.length} warnings${warnings.length ? ` (${[...new Set(warnings.map((w) => w.code))].join(', ')})` : ''}`);
  console.log(`  import          ${ms(tImport)}   (@strata/compiler dist, incl. yaml/ajv)`);
  console.log(`  first compile   ${ms(tFirst)}   (cold JIT, incl. the one-off strategy/v1 schema compile)`);
  console.log(`  warm, n=${ITERATIONS} after ${WARMUP} warm-up:`);
  console.log(`    median        ${ms(median)}   ${median < 10 ? '(goal < 10 ms: met)' : '(goal < 10 ms: NOT met)'}`);
  console.log(`    p95           ${ms(quantile(times, 0.95))}`);
  console.log(`    mean          ${ms(mean)}`);
  console.log(`    min / max     ${ms(times[0])} / ${ms(times[times.length - 1])}`);
  console.log(`    CPU time      median ${ms(quantile(cpu, 0.5))}, p95 ${ms(quantile(cpu, 0.95))}`);
  const [l1, l5] = (await import('node:os')).loadavg();
  console.log(`  load average    ${l1.toFixed(2)} (1 min), ${l5.toFixed(2)} (5 min) on ${(await import('node:os')).cpus().length} CPUs: figures are noisy when it exceeds the CPU count`);
}
