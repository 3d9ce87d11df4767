// The order kernel's hot path: in-process submit → accept → fill cycles through OrderKernel.step,
// with validation on (every input goes through @strata/contract's compiled validators) and the
// pre-trade controls on (price collar vs mid, max qty, max notional, duplicate suppression, global
// and per-symbol throttles, amend-loop guard). A MarketUpdate every 10 cycles keeps the reference
// price moving. Inputs are generated before timing; the timed loop is only `kernel.step`.
//
//   node bench/order-kernel-step.js [--cycles 200000] [--runs 7]
//
// Prints messages/s (median over runs; a fresh kernel per run) and the p50 / p99 / p99.9 / max
// latency of one step, measured in a separate pass with process.hrtime per step. Never asserts.
// Run against the built packages (npm run build).
import { loadavg } from 'node:os';
import { OrderKernel } from '../packages/order-kernel/dist/index.js';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const CYCLES = flag('cycles', 200_000);
const RUNS = flag('runs', 7);
const T0 = Date.UTC(2026, 0, 5, 14, 30);
const SYMBOLS = ['SPY', 'QQQ', 'IWM', 'TLT'];

const RETAIN = flag('retain', 100_000);
const config = {
  retainTerminalOrders: RETAIN,
  venue: {
    id: 'sim',
    capabilities: { orderTypes: ['market', 'limit', 'stop', 'stop_limit'], timeInForce: ['gtc', 'day', 'ioc', 'fok', 'gtd'], bracket: false, oco: false, amend: true, watchOrders: true },
  },
  controls: {
    priceCollarBps: 200,
    maxQty: 10_000,
    maxNotional: 5_000_000,
    duplicateWindowMs: 20,
    throttle: { global: { limit: 5_000, windowMs: 1_000 }, perSymbol: { limit: 2_000, windowMs: 1_000 }, cancels: { limit: 1_000, windowMs: 1_000 } },
    amendLoop: { maxAmends: 10, windowMs: 1_000 },
  },
};

/** The input stream: one cycle per logical millisecond (so the throttles and windows are exercised, not tripped). */
function generate(cycles) {
  const inputs = [];
  let seq = 0;
  for (let i = 0; i < cycles; i++) {
    const ts = T0 + i;
    const symbol = SYMBOLS[i % SYMBOLS.length];
    const mid = 100 + (i % 97) * 0.01;
    if (i % 10 === 0) for (const s of SYMBOLS) inputs.push({ type: 'MarketUpdate', tsEvent: ts, symbol: s, bid: mid - 0.01, ask: mid + 0.01 });
    const id = `bench-${symbol}-${i}`;
    const qty = 100 + (i % 7);
    const limitPrice = Math.round((mid + (i % 50) * 0.001) * 1000) / 1000;
    const side = i % 2 === 0 ? 'buy' : 'sell';
    // Plain object literals, as a producer builds them (or JSON.parse returns them). Objects made
    // with spread (`{ ...base, … }`) get slow dictionary-like shapes and cost ~10× more to validate.
    inputs.push({ schema: 'order/v1', type: 'SubmitOrder', clientOrderId: id, tsEvent: ts, seq: seq++, symbol, side, qty, orderType: 'limit', limitPrice, timeInForce: 'gtc' });
    inputs.push({ schema: 'order/v1', type: 'OrderAccepted', clientOrderId: id, tsEvent: ts, seq: seq++, venueOrderId: `v${i}` });
    inputs.push({ schema: 'order/v1', type: 'OrderFilled', clientOrderId: id, tsEvent: ts, seq: seq++, fillId: `f${i}`, symbol, side, qty, price: limitPrice, fee: 0.01, liquidity: 'maker', cumQty: qty, leavesQty: 0 });
  }
  return inputs;
}

function throughput(inputs) {
  const k = new OrderKernel(config);
  let outputs = 0;
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  for (let i = 0; i < inputs.length; i++) outputs += k.step(inputs[i]).length;
  const ns = Number(process.hrtime.bigint() - t);
  const used = process.cpuUsage(cpu);
  return { ns, cpuNs: (used.user + used.system) * 1000, outputs, kernel: k };
}

function latency(inputs) {
  const k = new OrderKernel(config);
  const lat = new Float64Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const t = process.hrtime.bigint();
    k.step(inputs[i]);
    lat[i] = Number(process.hrtime.bigint() - t);
  }
  return lat.sort();
}

const inputs = generate(CYCLES);
const q = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
console.log(`retainTerminalOrders ${RETAIN.toLocaleString('en-US')}`);
console.log(`order kernel step: ${CYCLES.toLocaleString('en-US')} submit → accept → fill cycles + market updates = ${inputs.length.toLocaleString('en-US')} messages per run; node ${process.version}; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

// Warm-up (JIT), then the measured runs.
throughput(inputs.slice(0, Math.min(inputs.length, 60_000)));
const rates = [];
const cpuRates = [];
let last;
for (let r = 0; r < RUNS; r++) {
  last = throughput(inputs);
  rates.push(inputs.length / (last.ns / 1e9));
  cpuRates.push(inputs.length / (last.cpuNs / 1e9));
}
rates.sort((a, b) => a - b);
cpuRates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)];
const rejected = last.kernel.orders().filter((o) => o.state !== 'FILLED').length;
console.log(`throughput: median ${(median / 1e6).toFixed(2)} M messages/s (min ${(rates[0] / 1e6).toFixed(2)}, max ${(rates[rates.length - 1] / 1e6).toFixed(2)}) over ${RUNS} runs; ${(last.outputs / inputs.length).toFixed(2)} outputs per message; orders not FILLED in the last run: ${rejected}`);
console.log(`  per CPU second (process user + system time, includes GC helper threads): median ${(cpuRates[Math.floor(cpuRates.length / 2)] / 1e6).toFixed(2)} M messages/s`);

const lat = [];
for (let r = 0; r < 3; r++) lat.push(latency(inputs));
const pick = (p) => lat.map((l) => q(l, p)).sort((a, b) => a - b)[1];
console.log(`step latency (median of 3 passes, ns, includes ~hrtime overhead): p50 ${pick(0.5).toFixed(0)}  p99 ${pick(0.99).toFixed(0)}  p99.9 ${pick(0.999).toFixed(0)}  max ${lat.map((l) => l[l.length - 1]).sort((a, b) => a - b)[1].toFixed(0)}`);
console.log('goal: ≥ 2,000,000 messages/s and p99 step latency < 5 µs');
