import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderEvent, SubmitOrder } from '@strata/contract';
import { OrderService } from '../src/node/index.js';
import { CcxtVenue, type BinanceEmulator } from '@strata/venues';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMU_API_KEY, EMU_SECRET, startEmulator } from './support/server-process.js';
import { waitUntil } from './support/wait.js';

/**
 * Venue faults during submit, with the real parts: OrderService → CcxtVenue (ccxt's binance class,
 * real HTTP) → the Binance emulator, which injects the faults. Whatever layer retries, a submit
 * whose outcome is unknown is looked up by clientOrderId before it is sent again, so the venue
 * never holds the order twice.
 */
const T0 = 1_767_225_600_000;
let dir: string;
let emu: BinanceEmulator;
let venue: CcxtVenue;
let service: OrderService;
let events: OrderEvent[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-faults-'));
  emu = await startEmulator();
  venue = await CcxtVenue.connect({
    exchangeId: 'binance',
    credentials: { apiKey: EMU_API_KEY, secret: EMU_SECRET },
    apiBaseUrl: emu.url,
    enableRateLimit: false,
    timeoutMs: 1_000, // well above a loaded host's normal request time; the delays below are well above it
    readRetry: { attempts: 4, budgetMs: 3_000, baseDelayMs: 5, maxDelayMs: 40, jitter: 0, seed: 1 },
    pollIntervalMs: 25,
    watchSymbols: ['BTC/USDT'],
  });
  service = await OrderService.open({
    config: { controls: {}, venue: { id: venue.id, capabilities: venue.capabilities } },
    venue,
    logPath: join(dir, 'orders.sqlite'),
    tickMs: 0,
    retry: { attempts: 3, backoffMs: 5, lookups: 4 },
  });
  events = [];
  service.onEvent((e) => events.push(e));
});
afterEach(async () => {
  await service.close();
  await venue.close();
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

const order = (id: string, over: Partial<SubmitOrder> = {}): SubmitOrder => ({
  schema: 'order/v1',
  type: 'SubmitOrder',
  clientOrderId: id,
  tsEvent: T0,
  seq: 0,
  symbol: 'BTC/USDT',
  side: 'buy',
  qty: 0.01,
  orderType: 'limit',
  limitPrice: 29_000,
  timeInForce: 'gtc',
  ...over,
});
/** The same order as a market IOC (no limit price). */
const market = (o: SubmitOrder): SubmitOrder => {
  const { limitPrice: _drop, ...rest } = o;
  return { ...rest, orderType: 'market', timeInForce: 'ioc' };
};
const typesOf = (id: string) => events.filter((e) => e.clientOrderId === id).map((e) => e.type);
const posts = (id: string) => emu.requests({ method: 'POST', path: '/api/v3/order' }).filter((r) => r.clientOrderId === id);

describe('venue faults during submit (CcxtVenue against the Binance emulator)', () => {
  it('429 on submit: the order is looked up before the retry, and lands once', async () => {
    emu.failNext(1, { status: 429, retryAfterSec: 0, match: { method: 'POST', path: '/api/v3/order' } });
    await service.handle(order('f429-1'));
    await waitUntil(() => typesOf('f429-1').includes('OrderAccepted'), () => JSON.stringify(typesOf('f429-1')));
    expect(posts('f429-1').map((r) => r.status)).toEqual([429, 200]);
    const seq = emu.requests().filter((r) => r.clientOrderId === 'f429-1').map((r) => `${r.method} ${r.status}`);
    const firstPost = seq.indexOf('POST 429');
    const retry = seq.indexOf('POST 200');
    expect(seq.slice(firstPost + 1, retry).some((s) => s.startsWith('GET'))).toBe(true); // a lookup between the two
    expect(emu.orders().filter((o) => o.clientOrderId === 'f429-1')).toHaveLength(1);
    expect(service.order('f429-1')?.state).toBe('ACCEPTED');
  });

  it('timeout on submit after the order landed: found by the lookup, never sent again', async () => {
    emu.delayNext(1, 2_500, { method: 'POST', path: '/api/v3/order' });
    await service.handle(order('fto-1'));
    await waitUntil(() => typesOf('fto-1').includes('OrderAccepted'), () => JSON.stringify(typesOf('fto-1')));
    expect(posts('fto-1')).toHaveLength(1);
    expect(emu.orders().filter((o) => o.clientOrderId === 'fto-1')).toHaveLength(1);
    expect(typesOf('fto-1')).toEqual(['OrderSubmitted', 'OrderAccepted']);
  });

  it('timeout on a market order that filled: the fill is recovered with the emulator trade id', async () => {
    emu.delayNext(1, 2_500, { method: 'POST', path: '/api/v3/order' });
    await service.handle(market(order('fto-2')));
    await waitUntil(() => typesOf('fto-2').includes('OrderFilled'), () => JSON.stringify(typesOf('fto-2')));
    await service.idle();
    expect(posts('fto-2')).toHaveLength(1);
    const fills = events.filter((e): e is Extract<OrderEvent, { type: 'OrderFilled' }> => e.type === 'OrderFilled' && e.clientOrderId === 'fto-2');
    const trades = emu.trades().map((t) => String(t.id));
    expect(fills.map((f) => f.fillId).sort()).toEqual(trades.sort());
    expect(service.order('fto-2')).toMatchObject({ state: 'FILLED', filledQty: 0.01 });
  });

  it('a venue refusal (insufficient balance) becomes OrderRejected with the VenueError kind', async () => {
    emu.setBalance('USDT', 10); // 1 BTC at 29,000 needs far more
    await service.handle(order('fnf-2', { qty: 1 }));
    await waitUntil(() => typesOf('fnf-2').includes('OrderRejected'), () => JSON.stringify(typesOf('fnf-2')));
    expect(events.find((e) => e.clientOrderId === 'fnf-2' && e.type === 'OrderRejected')).toMatchObject({ code: 'insufficient_funds' });
    expect(emu.orders().filter((o) => o.clientOrderId === 'fnf-2')).toHaveLength(0);
  });
});
