import type { OrderFilled, SubmitOrder } from '@strata/contract';
import { SocketGateway, SqliteOrderLog } from '../src/node/index.js';
import type { BinanceEmulator } from '@strata/venues';
import { afterEach, describe, expect, it } from 'vitest';
import { serverFiles, startEmulator, startServer, stopServer, type ServerFiles, type ServerProcess } from './support/server-process.js';
import { waitUntil, waitUntilAsync } from './support/wait.js';

/**
 * kill -9 of the order-kernel server in the middle of a stream of submits and fills. The Binance
 * emulator runs in this process, so it survives the crash and keeps trading (resting orders fill
 * while the server is down). After a restart from the SQLite log the client resends every command:
 * no order may exist twice at the venue, and every emulator trade must be in the log exactly once.
 */
const T0 = 1_767_225_600_000;
const N = 24;
const KILL_AT = 13;

const command = (i: number): SubmitOrder => ({
  schema: 'order/v1',
  type: 'SubmitOrder',
  clientOrderId: `k9-${String(i).padStart(3, '0')}`,
  tsEvent: T0 + i,
  seq: i,
  symbol: 'BTC/USDT',
  side: 'buy',
  qty: 0.01,
  ...(i % 2 === 0 ? { orderType: 'market' as const, timeInForce: 'ioc' as const } : { orderType: 'limit' as const, limitPrice: 29_900, timeInForce: 'gtc' as const }),
});

let emu: BinanceEmulator | undefined;
let files: ServerFiles | undefined;
let servers: ServerProcess[] = [];
afterEach(async () => {
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  servers = [];
  await emu?.stop();
  files?.cleanup();
  emu = undefined;
  files = undefined;
});

describe('kill -9 of the order-kernel server', () => {
  it('restarts from the log: no duplicate orders at the venue, no lost or doubled fills', { timeout: 120_000 }, async () => {
    emu = await startEmulator();
    files = serverFiles({ maxQty: 1 });
    const s1 = await startServer(files, emu.url);
    servers.push(s1);
    const gw1 = await SocketGateway.connect(files.socket);
    await gw1.control({ type: 'MarketUpdate', tsEvent: T0, symbol: 'BTC/USDT', last: 30_000 });
    const seen1: string[] = [];
    gw1.onEvent((e) => {
      if (e.type === 'OrderAccepted' || e.type === 'OrderRejected') seen1.push(e.clientOrderId);
    });
    for (let i = 0; i < KILL_AT; i++) {
      await gw1.send(command(i));
      // Most of the stream is acknowledged by the venue; the last few are still on their way at the kill.
      if (i < KILL_AT - 3) await waitUntil(() => seen1.includes(command(i).clientOrderId), () => `venue answer for ${command(i).clientOrderId}`);
      if (i === 6) {
        // Resting limits fill while the server is up.
        emu.setPrice('BTCUSDT', 29_850);
        emu.setPrice('BTCUSDT', 30_000);
      }
    }
    const tradesBeforeKill = emu.trades().length;
    // One more in flight, then SIGKILL without waiting for anything.
    const inflight = gw1.send(command(KILL_AT)).catch((e: unknown) => e);
    s1.child.kill('SIGKILL');
    expect(await s1.exited).toBe('SIGKILL');
    await inflight;
    // While the server is down the market moves: resting orders fill, nobody is listening.
    emu.setPrice('BTCUSDT', 29_850);
    emu.setPrice('BTCUSDT', 30_000);
    const tradesWhileDown = emu.trades().length;

    const s2 = await startServer(files, emu.url);
    servers.push(s2);
    expect(s2.stdout()).toMatch(/no drift/);
    const gw2 = await SocketGateway.connect(files.socket);
    expect(gw2.drift).toEqual([]);
    await gw2.control({ type: 'MarketUpdate', tsEvent: T0 + N, symbol: 'BTC/USDT', last: 30_000 });
    // The client does not know what got through: it resends everything, from the start.
    const results = [];
    for (let i = 0; i < N; i++) results.push(await gw2.send(command(i)));
    const duplicates = results.filter((r) => r.duplicate !== undefined).length;
    expect(duplicates).toBeGreaterThanOrEqual(KILL_AT);
    expect(results.every((r) => r.conflict === undefined)).toBe(true);
    // Fill the remaining resting orders and let everything settle.
    emu.setPrice('BTCUSDT', 29_850);
    await waitUntil(
      () => emu!.orders().every((o) => o.status === 'FILLED' || o.status === 'EXPIRED' || o.status === 'CANCELED'),
      () => JSON.stringify(emu!.orders().map((o) => [o.clientOrderId, o.status])),
      30_000,
    );
    const DONE = ['FILLED', 'REJECTED', 'CANCELED', 'EXPIRED'];
    let orders = await gw2.orders();
    await waitUntilAsync(
      async () => {
        orders = await gw2.orders();
        return orders.length === N && orders.every((o) => DONE.includes(o.state));
      },
      () => JSON.stringify(orders.map((o) => [o.clientOrderId, o.state])),
      30_000,
    );
    await gw2.close();
    expect(await stopServer(s2)).toBe(0);

    // ——— the venue: every clientOrderId at most once, all of them ours ———
    const venueIds = emu.orders().map((o) => o.clientOrderId);
    expect(new Set(venueIds).size).toBe(venueIds.length);
    expect(venueIds.every((id) => /^k9-\d{3}$/.test(id))).toBe(true);
    expect(orders).toHaveLength(N);
    // Every order reached the venue exactly once: one cut off between the log and the venue is sent when the client repeats it.
    expect(venueIds.length, JSON.stringify({ states: orders.map((o) => [o.clientOrderId, o.state]), err: s2.stderr() })).toBe(N);

    // ——— the log: every emulator trade exactly once ———
    const log = new SqliteOrderLog(files.log, { venueId: 'ccxt:binance', readonly: true });
    const records = log.readAll();
    log.close();
    const fillIds = records.filter((r) => r.kind === 'input' && r.message.type === 'OrderFilled').map((r) => (r.message as OrderFilled).fillId);
    const tradeIds = emu.trades().map((t) => String(t.id));
    expect(tradesWhileDown).toBeGreaterThan(tradesBeforeKill); // fills happened that only reconciliation could find
    expect([...fillIds].sort()).toEqual([...tradeIds].sort());
    expect(new Set(fillIds).size).toBe(fillIds.length);

    // ——— the kernel's view agrees with the venue, order by order ———
    for (const vo of emu.orders()) {
      const mine = orders.find((o) => o.clientOrderId === vo.clientOrderId);
      expect(mine?.state, vo.clientOrderId).toBe('FILLED');
      expect(mine?.filledQty, vo.clientOrderId).toBeCloseTo(vo.executedQty, 12);
    }
    expect(records.some((r) => r.message.type === 'OrderRejected')).toBe(false);
  });
});
