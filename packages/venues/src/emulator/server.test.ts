import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BinanceEmulator } from './server.js';

const KEY = 'EmuKey123';
const SECRET = 'EmuSecret456';
let emu: BinanceEmulator;
beforeEach(async () => {
  emu = new BinanceEmulator({ apiKey: KEY, secret: SECRET, balances: { USDT: 1_000 } });
  await emu.start();
});
afterEach(async () => {
  await emu.stop();
});

/** Signs like a Binance client does: HMAC-SHA256 hex over the query string, appended as `signature`. */
function signed(params: Record<string, string>, secret = SECRET): string {
  const query = new URLSearchParams(params).toString();
  return `${query}&signature=${createHmac('sha256', secret).update(query).digest('hex')}`;
}

async function call(method: string, path: string, query: string, headers: Record<string, string> = { 'X-MBX-APIKEY': KEY }, body?: string) {
  const res = await fetch(`${emu.url}/api/v3/${path}${query === '' ? '' : `?${query}`}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as Record<string, unknown> };
}

describe('BinanceEmulator HTTP: public endpoints', () => {
  it('answers ping, time and exchangeInfo with the listed symbols and their filters', async () => {
    expect((await call('GET', 'ping', '', {})).json).toEqual({});
    const time = (await call('GET', 'time', '', {})).json;
    expect(typeof time['serverTime']).toBe('number');
    const info = (await call('GET', 'exchangeInfo', '', {})).json as { symbols: { symbol: string; orderTypes: string[]; filters: { filterType: string }[] }[] };
    expect(info.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(info.symbols[0]?.orderTypes).toEqual(['LIMIT', 'LIMIT_MAKER', 'MARKET']);
    expect(info.symbols[0]?.filters.map((f) => f.filterType)).toContain('NOTIONAL');
  });
});

describe('BinanceEmulator HTTP: SIGNED endpoint rules', () => {
  const now = () => String(Date.now());
  it.each([
    ['no API key', () => call('GET', 'account', signed({ timestamp: now() }), {}), 401, -2014],
    ['an unknown API key', () => call('GET', 'account', signed({ timestamp: now() }), { 'X-MBX-APIKEY': 'Other1' }), 401, -2015],
    ['a signature made with another secret', () => call('GET', 'account', signed({ timestamp: now() }, 'nope')), 400, -1022],
    ['no signature', () => call('GET', 'account', `timestamp=${now()}`), 400, -1022],
    ['no timestamp', () => call('GET', 'account', signed({ recvWindow: '5000' })), 400, -1102],
    ['a timestamp older than recvWindow', () => call('GET', 'account', signed({ timestamp: String(Date.now() - 10_000), recvWindow: '5000' })), 400, -1021],
    ['a timestamp from the future', () => call('GET', 'account', signed({ timestamp: String(Date.now() + 5_000) })), 400, -1021],
    ['recvWindow above 60000', () => call('GET', 'account', signed({ timestamp: now(), recvWindow: '70000' })), 400, -1131],
  ] as const)('refuses %s with Binance’s status and code', async (_name, send, status, code) => {
    const r = await send();
    expect(r.status).toBe(status);
    expect(r.json['code']).toBe(code);
    expect(typeof r.json['msg']).toBe('string');
  });

  it('accepts a correctly signed POST whose parameters are in the body', async () => {
    emu.setPrice('BTCUSDT', 30_000);
    const body = signed({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'raw-1', timestamp: now() });
    const r = await call('POST', 'order', '', { 'X-MBX-APIKEY': KEY }, body);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ symbol: 'BTCUSDT', clientOrderId: 'raw-1', status: 'FILLED', executedQty: '0.00100000', cummulativeQuoteQty: '30.00000000' });
    expect(r.json['fills']).toEqual([{ price: '30000.00000000', qty: '0.00100000', commission: '0.00000100', commissionAsset: 'BTC', tradeId: 1 }]);
  });

  it('answers injected 429s with Binance’s -1003 body and Retry-After, then serves normally', async () => {
    emu.failNext(1, { status: 429, retryAfterSec: 3 });
    const limited = await call('GET', 'ping', '', {});
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe('3');
    expect(limited.json['code']).toBe(-1003);
    expect((await call('GET', 'ping', '', {})).status).toBe(200);
    expect(emu.requests().map((r) => r.status)).toEqual([429, 200]);
  });
});

describe('BinanceEmulator lifecycle', () => {
  it('refuses connections while stopped and keeps its state and port across a restart', async () => {
    emu.setBalance('BTC', 1.5);
    const port = emu.port;
    await emu.stop();
    expect(emu.running).toBe(false);
    await expect(fetch(`${emu.url}/api/v3/ping`)).rejects.toThrow();
    await emu.start();
    expect(emu.port).toBe(port);
    const r = await call('GET', 'account', signed({ timestamp: String(Date.now()) }));
    expect((r.json['balances'] as { asset: string; free: string }[]).find((b) => b.asset === 'BTC')?.free).toBe('1.50000000');
  });
});
