import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { VenueError, type VenueFill, type VenueOrder } from '@strata/order-kernel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CcxtVenue } from '../src/ccxt/venue.js';
import type { BinanceEmulator } from '../src/emulator/server.js';
import { API_KEY, SECRET, ccxtHarness, connectVenue, startEmulator } from './helpers.js';
import { submitOrder, venueContract } from './venue-contract.js';

venueContract('CcxtVenue (binance) over the Binance spot emulator', ccxtHarness);

const POST_ORDER = { method: 'POST', path: '/api/v3/order' } as const;
const GET_ORDER = { method: 'GET', path: '/api/v3/order' } as const;
const DELETE_ORDER = { method: 'DELETE', path: '/api/v3/order' } as const;
const GET_ACCOUNT = { method: 'GET', path: '/api/v3/account' } as const;

async function venueError(p: Promise<unknown>): Promise<VenueError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof VenueError)) throw new Error(`expected a VenueError, got ${inspect(e)}`);
  return e;
}

let emu: BinanceEmulator | undefined;
let venue: CcxtVenue | undefined;
afterEach(async () => {
  await venue?.close();
  await emu?.stop();
  venue = undefined;
  emu = undefined;
});

async function setup(venueOptions: Parameters<typeof connectVenue>[1] = {}): Promise<{ emu: BinanceEmulator; venue: CcxtVenue }> {
  emu = await startEmulator();
  venue = await connectVenue(emu, venueOptions);
  emu.clearRequests();
  return { emu, venue };
}

const buy = (fields: Partial<Parameters<typeof submitOrder>[1]> = {}) => submitOrder('BTC/USDT', { side: 'buy', qty: 0.01, orderType: 'market', ...fields });

describe('CcxtVenue: connecting and capabilities', () => {
  it('derives capabilities from ccxt has/features and the emulator exchangeInfo order types', async () => {
    const { venue } = await setup();
    expect(venue.id).toBe('ccxt:binance');
    expect(venue.capabilities).toEqual({ orderTypes: ['market', 'limit'], timeInForce: ['gtc', 'ioc', 'fok'], bracket: false, oco: false, amend: false, watchOrders: false });
  });

  it('loads markets with the spot exchangeInfo only (no sapi, fapi, dapi requests)', async () => {
    emu = await startEmulator();
    emu.clearRequests();
    venue = await connectVenue(emu);
    expect(emu.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v3/exchangeInfo']);
  });

  it('takes BTCUSDT and BTC/USDT alike and reports BTC/USDT; an unknown symbol is rejected before any request', async () => {
    const { emu, venue } = await setup();
    const placed = await venue.submit(submitOrder('BTCUSDT', { side: 'buy', qty: 0.01, orderType: 'limit', limitPrice: 25_000 }));
    expect(placed.symbol).toBe('BTC/USDT');
    expect((await venue.fetchOrder(placed.clientOrderId, 'BTC/USDT'))?.venueOrderId).toBe(placed.venueOrderId);
    emu.clearRequests();
    const e = await venueError(venue.submit(submitOrder('DOGEUSDT', { side: 'buy', qty: 1, orderType: 'market' })));
    expect(e.kind).toBe('rejected');
    expect(e.message).toMatch(/unknown symbol "DOGEUSDT"/);
    expect(emu.requests()).toEqual([]);
  });

  it.each([
    ['day limit', { orderType: 'limit', limitPrice: 25_000, timeInForce: 'day' }, /time in force day/],
    ['fok market', { orderType: 'market', timeInForce: 'fok' }, /time in force fok is not supported for market/],
    ['stop', { orderType: 'stop', stopPrice: 31_000 }, /order type stop is not supported/],
    ['reduceOnly', { reduceOnly: true }, /reduceOnly/],
    ['good-till-date', { orderType: 'limit', limitPrice: 25_000, timeInForce: 'gtd', expireAt: 1 }, /expireAt/],
  ] as const)('refuses a %s order as unsupported without a request', async (_name, fields, message) => {
    const { emu, venue } = await setup();
    const e = await venueError(venue.submit(buy(fields)));
    expect(e.kind).toBe('unsupported');
    expect(e.message).toMatch(message);
    expect(emu.requests(POST_ORDER)).toHaveLength(0);
  });
});

describe('CcxtVenue: fills', () => {
  it('splits a market order into several trades, each with its own id and commission', async () => {
    const { emu, venue } = await setup();
    emu.setLiquidity('BTCUSDT', { tradeSize: 0.004 });
    const placed = await venue.submit(buy());
    expect(placed).toMatchObject({ status: 'filled', filledQty: 0.01, avgPrice: 30_000 });
    const fills = await venue.fetchFills('BTC/USDT');
    expect(fills.map((f) => [f.qty, f.price, f.liquidity])).toEqual([
      [0.004, 30_000, 'taker'],
      [0.004, 30_000, 'taker'],
      [0.002, 30_000, 'taker'],
    ]);
    expect(new Set(fills.map((f) => f.fillId)).size).toBe(3);
    // 0.1 % taker commission charged in BTC on a buy, reported in USDT at the fill price
    expect(fills.map((f) => f.fee)).toEqual([0.12, 0.12, 0.06].map((x) => expect.closeTo(x, 9)));
    expect(emu.trades().map((t) => t.commissionAsset)).toEqual(['BTC', 'BTC', 'BTC']);
  });

  it('expires the unfilled rest of a market order when liquidity runs out (Binance EXPIRED)', async () => {
    const { emu, venue } = await setup();
    emu.setLiquidity('BTCUSDT', { perRequest: 0.006, tradeSize: 0.004 });
    const placed = await venue.submit(buy());
    expect(placed).toMatchObject({ status: 'expired', filledQty: 0.006 });
    expect((await venue.fetchFills('BTC/USDT')).map((f) => f.qty)).toEqual([0.004, 0.002]);
    expect(emu.balances()['USDT'], 'nothing stays reserved').toEqual({ free: 10_000 - 180, locked: 0 });
  });

  it('fills a marketable GTC limit partly, rests the rest, and fills it when the price crosses', async () => {
    const { emu, venue } = await setup();
    emu.setLiquidity('BTCUSDT', { perRequest: 0.006 });
    const cmd = buy({ orderType: 'limit', limitPrice: 30_100 });
    const placed = await venue.submit(cmd);
    expect(placed).toMatchObject({ status: 'open', filledQty: 0.006, avgPrice: 30_000, limitPrice: 30_100 });
    emu.setPrice('BTCUSDT', 30_050);
    const done = await venue.fetchOrder(cmd.clientOrderId, 'BTC/USDT');
    expect(done).toMatchObject({ status: 'filled', filledQty: 0.01 });
    expect(done?.avgPrice).toBeCloseTo((0.006 * 30_000 + 0.004 * 30_100) / 0.01, 6);
    expect((await venue.fetchFills('BTC/USDT')).map((f) => [f.qty, f.price, f.liquidity])).toEqual([
      [0.006, 30_000, 'taker'],
      [0.004, 30_100, 'maker'],
    ]);
  });

  it.each([
    ['IOC takes what is there and expires the rest', 'ioc', 'expired', 0.006],
    ['FOK expires untouched when it cannot fill entirely', 'fok', 'expired', 0],
  ] as const)('%s', async (_name, timeInForce, status, filledQty) => {
    const { emu, venue } = await setup();
    emu.setLiquidity('BTCUSDT', { perRequest: 0.006 });
    const placed = await venue.submit(buy({ orderType: 'limit', limitPrice: 30_100, timeInForce }));
    expect(placed).toMatchObject({ status, filledQty });
    expect(await venue.fetchOpenOrders('BTC/USDT')).toEqual([]);
  });

  it('reports fills with our clientOrderId even when it is too long for Binance (a deterministic digest is sent)', async () => {
    const { emu, venue } = await setup();
    const longId = `sha256-0123456789abcdef-BTC/USDT-1700000000000-42`;
    expect(longId.length).toBeGreaterThan(36);
    const placed = await venue.submit(buy({ clientOrderId: longId }));
    expect(placed.clientOrderId).toBe(longId);
    const sent = emu.orders()[0]?.clientOrderId ?? '';
    expect(sent).toMatch(/^h[A-Za-z0-9_-]{35}$/);
    expect((await venue.fetchOrder(longId, 'BTC/USDT'))?.venueOrderId).toBe(placed.venueOrderId);
    expect((await venue.fetchFills('BTC/USDT')).map((f) => f.clientOrderId)).toEqual([longId]);
  });

  it('learns the clientOrderId of trades of orders placed elsewhere by looking the order up once', async () => {
    const { emu } = await setup();
    await venue?.submit(buy({ clientOrderId: 'placed-by-another-process' }));
    const fresh = await connectVenue(emu);
    try {
      emu.clearRequests();
      const fills = await fresh.fetchFills('BTC/USDT');
      expect(fills.map((f) => f.clientOrderId)).toEqual(['placed-by-another-process']);
      expect(emu.requests(GET_ORDER)).toHaveLength(1);
      await fresh.fetchFills('BTC/USDT');
      expect(emu.requests(GET_ORDER), 'the id is remembered').toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });
});

describe('CcxtVenue: rejections', () => {
  it('folds Binance -2010 insufficient balance into insufficient_funds, sent once, nothing landed', async () => {
    const { emu, venue } = await setup();
    const e = await venueError(venue.submit(buy({ qty: 1 })));
    expect(e.kind).toBe('insufficient_funds');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/Account has insufficient balance/);
    expect(emu.requests(POST_ORDER).map((r) => r.code)).toEqual([-2010]);
    expect(emu.orders()).toEqual([]);
  });

  it('folds a -1013 filter failure (NOTIONAL) into rejected, sent once', async () => {
    const { emu, venue } = await setup();
    const e = await venueError(venue.submit(buy({ qty: 0.0001 })));
    expect(e.kind).toBe('rejected');
    expect(e.message).toMatch(/Filter failure: NOTIONAL/);
    expect(emu.requests(POST_ORDER).map((r) => r.code)).toEqual([-1013]);
  });

  it('refuses a second open order under the same clientOrderId (-2010 Duplicate order sent.)', async () => {
    const { emu, venue } = await setup();
    const cmd = buy({ orderType: 'limit', limitPrice: 25_000 });
    await venue.submit(cmd);
    const e = await venueError(venue.submit(cmd));
    expect(e.kind).toBe('rejected');
    expect(e.message).toMatch(/Duplicate order sent/);
    expect(emu.orders()).toHaveLength(1);
  });

  it('folds a timestamp outside recvWindow (-1021) into unavailable and retries the read a bounded number of times', async () => {
    const { emu, venue } = await setup();
    emu.setClockOffset(120_000);
    const e = await venueError(venue.fetchBalances());
    expect(e.kind).toBe('unavailable');
    expect(emu.requests(GET_ACCOUNT).map((r) => r.code)).toEqual([-1021, -1021, -1021, -1021]);
  });
});

describe('CcxtVenue: credentials', () => {
  it.each([
    ['a wrong secret (-1022 bad signature)', { apiKey: API_KEY, secret: 'WrongSecretValue1234567' }, -1022],
    ['an unknown API key (-2015)', { apiKey: 'UnknownKeyValue987654321', secret: SECRET }, -2015],
  ])('answers %s with auth, and no message or inspection shows the credentials', async (_name, credentials, code) => {
    emu = await startEmulator();
    venue = await connectVenue(emu, { credentials });
    const e = await venueError(venue.fetchBalances());
    expect(e.kind).toBe('auth');
    expect(emu.requests(GET_ACCOUNT).map((r) => r.code), 'auth errors are not retried').toEqual([code]);
    const surfaces = [e.message, String(e), inspect(e, { depth: 10 }), inspect(venue, { depth: 10, showHidden: true }), JSON.stringify(venue), String(venue)];
    for (const text of surfaces) {
      expect(text).not.toContain(credentials.apiKey);
      expect(text).not.toContain(credentials.secret);
    }
    expect(inspect(venue)).toBe("CcxtVenue { id: 'ccxt:binance', capabilities: { orderTypes: [ 'market', 'limit' ], timeInForce: [ 'gtc', 'ioc', 'fok' ], bracket: false, oco: false, amend: false, watchOrders: false } }");
  });

  it('keeps credentials out of submit errors too', async () => {
    const { venue } = await setup();
    const e = await venueError(venue.submit(buy({ qty: 1 })));
    for (const text of [e.message, inspect(e, { depth: 10 })]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(SECRET);
    }
  });
});

describe('CcxtVenue: cancel racing a fill', () => {
  it('returns the filled order when a fill lands just before the cancel (-2011, then a fetch decides)', async () => {
    const { emu, venue } = await setup();
    const cmd = buy({ orderType: 'limit', limitPrice: 29_000 });
    await venue.submit(cmd);
    emu.fillBeforeNextCancel();
    const done = await venue.cancel(cmd.clientOrderId, 'BTC/USDT');
    expect(done).toMatchObject({ clientOrderId: cmd.clientOrderId, status: 'filled', filledQty: 0.01, avgPrice: 29_000 });
    expect(emu.requests(DELETE_ORDER).map((r) => r.code)).toEqual([-2011]);
    expect(emu.requests(GET_ORDER)).toHaveLength(1);
    expect((await venue.fetchFills('BTC/USDT')).map((f) => [f.qty, f.liquidity])).toEqual([[0.01, 'maker']]);
  });

  it('returns canceled with the partial fill when part of the order filled first', async () => {
    const { emu, venue } = await setup();
    const cmd = buy({ orderType: 'limit', limitPrice: 29_000 });
    await venue.submit(cmd);
    emu.fillBeforeNextCancel({ qty: 0.004 });
    const done = await venue.cancel(cmd.clientOrderId, 'BTC/USDT');
    expect(done).toMatchObject({ status: 'canceled', filledQty: 0.004 });
    expect(emu.balances()['USDT'], 'the unfilled reservation is released').toEqual({ free: 10_000 - 0.004 * 29_000, locked: 0 });
  });
});

describe('CcxtVenue: rate limits (HTTP 429 with Retry-After)', () => {
  it('retries an idempotent read after 429s', async () => {
    const { emu, venue } = await setup();
    emu.failNext(2, { status: 429, match: GET_ACCOUNT });
    const balances = await venue.fetchBalances();
    expect(balances.find((b) => b.asset === 'USDT')).toEqual({ asset: 'USDT', total: 10_000, free: 10_000 });
    expect(emu.requests(GET_ACCOUNT).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('gives up a read after the attempts are spent, with rate_limited', async () => {
    const { emu, venue } = await setup();
    emu.failNext(10, { status: 418, match: GET_ACCOUNT });
    const e = await venueError(venue.fetchBalances());
    expect(e.kind).toBe('rate_limited');
    expect(e.retryable).toBe(true);
    expect(emu.requests(GET_ACCOUNT)).toHaveLength(4);
  });

  it('never resends a submit blindly: after a 429 it looks the order up, finds it absent, and sends it once more', async () => {
    const { emu, venue } = await setup();
    emu.failNext(1, { status: 429, match: POST_ORDER });
    const cmd = buy();
    const placed = await venue.submit(cmd);
    expect(placed).toMatchObject({ clientOrderId: cmd.clientOrderId, status: 'filled' });
    expect(emu.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /api/v3/order 429',
      'GET /api/v3/order 400', // -2013: proven absent
      'POST /api/v3/order 200',
    ]);
    expect(emu.orders()).toHaveLength(1);
  });

  it('throws unavailable "outcome unknown" when the lookup cannot be made either, and sends the order once only', async () => {
    const { emu, venue } = await setup();
    emu.failNext(1, { status: 429, match: POST_ORDER });
    emu.failNext(10, { status: 429, match: GET_ORDER });
    const e = await venueError(venue.submit(buy()));
    expect(e.kind).toBe('unavailable');
    expect(e.message).toMatch(/outcome unknown/);
    expect(emu.requests(POST_ORDER)).toHaveLength(1);
    expect(emu.requests(GET_ORDER)).toHaveLength(4);
  });

  it('gives up after submitAttempts sends, each proven absent', async () => {
    const { emu, venue } = await setup({ submitAttempts: 2 });
    emu.failNext(5, { status: 429, match: POST_ORDER });
    const e = await venueError(venue.submit(buy()));
    expect(e.kind).toBe('unavailable');
    expect(e.message).toMatch(/not placed after 2 attempts/);
    expect(emu.requests().map((r) => `${r.method} ${r.status}`)).toEqual(['POST 429', 'GET 400', 'POST 429', 'GET 400']);
  });
});

describe('CcxtVenue: a timeout after the order landed', () => {
  it('finds the landed order by clientOrderId and returns it: no duplicate at the venue', async () => {
    const { emu, venue } = await setup({ timeoutMs: 1_000 });
    emu.delayNext(1, 2_500, POST_ORDER);
    const cmd = buy({ orderType: 'limit', limitPrice: 25_000 });
    const placed = await venue.submit(cmd);
    expect(placed).toMatchObject({ clientOrderId: cmd.clientOrderId, status: 'open' });
    expect(emu.requests(POST_ORDER)).toHaveLength(1);
    expect(emu.requests(GET_ORDER).map((r) => r.status)).toEqual([200]);
    expect(emu.orders().map((o) => o.clientOrderId)).toEqual([cmd.clientOrderId]);
  });

  it('does the same for a market order that filled while the answer was late', async () => {
    const { emu, venue } = await setup({ timeoutMs: 1_000 });
    emu.delayNext(1, 2_500, POST_ORDER);
    const placed = await venue.submit(buy());
    expect(placed).toMatchObject({ status: 'filled', filledQty: 0.01 });
    expect(emu.orders()).toHaveLength(1);
    expect(emu.trades()).toHaveLength(1);
  });
});

describe('CcxtVenue: cancel with an unknown outcome', () => {
  it('fetches to decide after a 429 on cancel, then cancels again', async () => {
    const { emu, venue } = await setup();
    const cmd = buy({ orderType: 'limit', limitPrice: 25_000 });
    await venue.submit(cmd);
    emu.clearRequests();
    emu.failNext(1, { status: 429, match: DELETE_ORDER });
    const done = await venue.cancel(cmd.clientOrderId, 'BTC/USDT');
    expect(done.status).toBe('canceled');
    expect(emu.requests().map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 429', 'GET 200', 'DELETE 200']);
  });
});

describe('CcxtVenue: emulator restart', () => {
  it('errors unavailable while the venue is down, recovers after, and loses no fills', async () => {
    const updates: { order: VenueOrder; fill?: VenueFill }[] = [];
    const pollErrors: VenueError[] = [];
    const { emu, venue: v } = await setup({ watchSymbols: ['BTC/USDT'], onPollError: (e) => pollErrors.push(e) });
    {
      const unsubscribe = v.subscribe((u) => updates.push(u));
      const cmd = buy({ orderType: 'limit', limitPrice: 29_000 });
      await v.submit(cmd);

      await emu.stop();
      const down = await venueError(v.fetchBalances());
      expect(down.kind).toBe('unavailable');
      const lost = await venueError(v.submit(buy()));
      expect(lost.kind).toBe('unavailable');
      expect(lost.message).toMatch(/outcome unknown/);
      // the market moves while we cannot see it: the resting order fills
      emu.setPrice('BTCUSDT', 28_900);
      await v.poll();
      expect(pollErrors.length, 'polling reports the outage').toBeGreaterThan(0);
      expect(pollErrors.every((e) => e.kind === 'unavailable')).toBe(true);

      await emu.start();
      expect((await v.fetchOrder(cmd.clientOrderId, 'BTC/USDT'))?.status).toBe('filled');
      await vi.waitFor(async () => {
        await v.poll();
        expect(updates.filter((u) => u.fill?.clientOrderId === cmd.clientOrderId)).toHaveLength(1);
      });
      await v.poll();
      expect(updates.filter((u) => u.fill !== undefined)).toHaveLength(1);
      expect(updates.at(-1)?.order).toMatchObject({ clientOrderId: cmd.clientOrderId, status: 'filled' });
      unsubscribe();
    }
  });

  it('keeps the state in a JSON file: a new emulator process on the same port resumes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-emu-'));
    try {
      const statePath = join(dir, 'state.json');
      emu = await startEmulator({ statePath });
      venue = await connectVenue(emu);
      const cmd = buy({ orderType: 'limit', limitPrice: 25_000 });
      await venue.submit(cmd);
      const port = emu.port;
      await emu.stop();
      emu = await startEmulator({ statePath, port });
      expect(emu.port).toBe(port);
      expect((await venue.fetchOrder(cmd.clientOrderId, 'BTC/USDT'))?.status).toBe('open');
      expect(emu.balances()['USDT']).toEqual({ free: 10_000 - 250, locked: 250 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
