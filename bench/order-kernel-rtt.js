// Order-kernel cross-process round trip on loopback: a SocketGateway client sends SubmitOrder over
// a Unix domain socket to a spawned `strata-order-kernel` server (OrderService + SQLite order log
// with WAL + synchronous=FULL, CcxtVenue → the Binance emulator running in this process) and waits
// for the OrderSubmitted event pushed back. Measured per order: send → event received.
// The event is emitted after the log append (an fsync) and before the venue call, so the venue's
// HTTP round trip is not in the figure; its load on the machine is.
//
//   node bench/order-kernel-rtt.js [--orders 2000] [--warmup 200] [--window 32]
//
// Prints figures; never asserts. Run against the built packages (npm run build).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CredentialsStore, SocketGateway } from '../packages/order-kernel/dist/node/index.js';
import { BinanceEmulator } from '../packages/venues/dist/index.js';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const ORDERS = flag('orders', 2000);
const WARMUP = flag('warmup', 200);
const WINDOW = flag('window', 32);
const SERVER = fileURLToPath(new URL('../packages/order-kernel/dist/node/server-main.js', import.meta.url));
const KEY = 'benchKeyDoNotUse0123456789ab';
const SECRET = 'benchSecretDoNotUse0123456789';

const dir = mkdtempSync(join(tmpdir(), 'strata-rtt-'));
const credKey = randomBytes(32).toString('base64');
const credentials = join(dir, 'credentials.json');
CredentialsStore.open(credentials, { env: { STRATA_CREDENTIALS_KEY: credKey } }).set('ccxt:binance', { apiKey: KEY, secret: SECRET });
writeFileSync(join(dir, 'controls.json'), '{}');
const socket = join(dir, 'ok.sock');

const emu = new BinanceEmulator({ apiKey: KEY, secret: SECRET, balances: { USDT: 1e9 } });
await emu.start();
emu.setPrice('BTCUSDT', 30_000);

const child = spawn(
  process.execPath,
  [SERVER, '--socket', socket, '--log', join(dir, 'orders.sqlite'), '--venue', 'ccxt:binance', '--venue-url', emu.url, '--credentials', credentials, '--controls', join(dir, 'controls.json'), '--poll-ms', '1000'],
  { env: { ...process.env, STRATA_CREDENTIALS_KEY: credKey }, stdio: ['ignore', 'pipe', 'ignore'] },
);
let out = '';
child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
while (!out.includes('listening')) {
  if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}`);
  await new Promise((r) => setTimeout(r, 20));
}

const gw = await SocketGateway.connect(socket);
const waiting = new Map();
gw.onEvent((e) => {
  if (e.type !== 'OrderSubmitted') return;
  const w = waiting.get(e.clientOrderId);
  if (w) {
    waiting.delete(e.clientOrderId);
    w(performance.now());
  }
});
let n = 0;
const T0 = Date.UTC(2026, 0, 1);
/** One submit; resolves with its round trip in ms (send → OrderSubmitted event received). */
function roundTrip() {
  const i = n++;
  const id = `rtt-${i}`;
  const done = new Promise((resolve) => waiting.set(id, resolve));
  const t = performance.now();
  gw.send({ schema: 'order/v1', type: 'SubmitOrder', clientOrderId: id, tsEvent: T0 + i, seq: i, symbol: 'BTC/USDT', side: 'buy', qty: 0.001, orderType: 'limit', limitPrice: 15_000, timeInForce: 'gtc' });
  return done.then((at) => at - t);
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
for (let i = 0; i < WARMUP; i++) await roundTrip();

// Sequential: one order in flight.
const lat = [];
const s0 = performance.now();
for (let i = 0; i < ORDERS; i++) lat.push(await roundTrip());
const seqSec = (performance.now() - s0) / 1000;
lat.sort((a, b) => a - b);

// Pipelined: WINDOW orders in flight.
const p0 = performance.now();
let sent = 0;
const pipe = [];
async function lane() {
  while (sent < ORDERS) {
    sent++;
    pipe.push(await roundTrip());
  }
}
await Promise.all(Array.from({ length: WINDOW }, lane));
const pipeSec = (performance.now() - p0) / 1000;
pipe.sort((a, b) => a - b);

const f = (x) => `${x.toFixed(3)} ms`;
console.log(`order-kernel cross-process round trip (Unix socket, SubmitOrder → OrderSubmitted), Node ${process.version}, load ${loadavg()[0].toFixed(2)}`);
console.log(`sequential, ${ORDERS} orders after ${WARMUP} warm-up: p50 ${f(pct(lat, 50))}  p99 ${f(pct(lat, 99))}  p99.9 ${f(pct(lat, 99.9))}  max ${f(lat.at(-1))}  → ${Math.round(ORDERS / seqSec)} messages/s`);
console.log(`pipelined (${WINDOW} in flight), ${ORDERS} orders: p50 ${f(pct(pipe, 50))}  p99 ${f(pct(pipe, 99))}  p99.9 ${f(pct(pipe, 99.9))}  → ${Math.round(ORDERS / pipeSec)} messages/s`);
console.log(`venue side: ${emu.orders().length} of ${n} orders placed at the emulator so far (the server sends them over HTTP in the background, paced by ccxt's rate limiter)`);

await gw.close();
// SIGTERM makes the server finish its venue backlog; a benchmark does not wait for that.
child.kill('SIGTERM');
const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
await new Promise((r) => child.once('exit', r));
clearTimeout(killer);
await emu.stop();
rmSync(dir, { recursive: true, force: true });
