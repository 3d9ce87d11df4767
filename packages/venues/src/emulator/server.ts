import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { inspect } from 'node:util';
import { BinanceApiError, BinanceEngine, initialState, type EmuOrder, type EngineState, type Liquidity } from './engine.js';
import { DEFAULT_MARKETS, exchangeInfoSymbol, type EmulatorMarket } from './markets.js';

export interface BinanceEmulatorOptions {
  /** The one API key the emulator accepts (X-MBX-APIKEY). */
  readonly apiKey: string;
  /** Its HMAC-SHA256 secret. */
  readonly secret: string;
  /** 127.0.0.1 unless told. */
  readonly host?: string;
  /** 0 (default) picks an ephemeral port on the first start; later starts reuse the same port. */
  readonly port?: number;
  readonly markets?: readonly EmulatorMarket[];
  /** Opening free balances per asset, e.g. `{ USDT: 10_000, BTC: 0 }` (ignored when `statePath` already holds a state). */
  readonly balances?: Readonly<Record<string, number>>;
  readonly makerCommission?: number;
  readonly takerCommission?: number;
  /** When set, the state is loaded from this JSON file if it exists and written back (atomically) after every change. */
  readonly statePath?: string;
  /** The server clock (ms UTC); default Date.now. */
  readonly now?: () => number;
}

/** One request as the emulator saw it (for assertions on request counts). */
export interface EmulatorRequest {
  readonly method: string;
  /** e.g. `/api/v3/order`. */
  readonly path: string;
  readonly status: number;
  /** Binance error code when the answer was an error. */
  readonly code?: number;
  /** newClientOrderId / origClientOrderId of the request, when it carried one. */
  readonly clientOrderId?: string;
}

/** Selects which requests a fault applies to; unset fields match anything. */
export interface RequestMatch {
  readonly method?: string;
  readonly path?: string;
}

interface PendingFault {
  readonly match: RequestMatch;
  remaining: number;
}
interface FailFault extends PendingFault {
  readonly status: 418 | 429 | 500 | 503;
  readonly retryAfterSec: number;
}
interface DelayFault extends PendingFault {
  readonly delayMs: number;
}
interface CancelRaceFault extends PendingFault {
  readonly qty: number | undefined;
}

const PREFIX = '/api/v3';
const SIGNED = new Set(['POST /order', 'GET /order', 'DELETE /order', 'GET /openOrders', 'GET /account', 'GET /myTrades']);
const MAX_RECV_WINDOW = 60_000;

/**
 * A Binance spot REST v3 emulator on node:http, for tests and local runs: the endpoints ccxt's
 * `binance` class calls for spot trading (ping, time, exchangeInfo, order POST/GET/DELETE,
 * openOrders, account, myTrades), Binance's request signing (HMAC-SHA256 over the query string and
 * body, X-MBX-APIKEY, timestamp + recvWindow) and Binance's error JSON and HTTP statuses. Matching
 * is the small model documented in engine.ts. Faults can be injected for the next requests.
 *
 * State lives in memory and survives `stop()` / `start()` (a restart); with `statePath` it is also
 * persisted to a JSON file after every change, so a new process resumes it.
 */
export class BinanceEmulator {
  private readonly engine: BinanceEngine;
  private readonly apiKey: string;
  private readonly secret: string;
  private readonly host: string;
  private readonly now: () => number;
  private readonly statePath: string | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private boundPort: number;
  private clockOffsetMs = 0;
  private readonly log: EmulatorRequest[] = [];
  private readonly failFaults: FailFault[] = [];
  private readonly delayFaults: DelayFault[] = [];
  private readonly cancelRaces: CancelRaceFault[] = [];

  constructor(options: BinanceEmulatorOptions) {
    this.apiKey = options.apiKey;
    this.secret = options.secret;
    this.host = options.host ?? '127.0.0.1';
    this.boundPort = options.port ?? 0;
    this.now = options.now ?? Date.now;
    this.statePath = options.statePath;
    let state: EngineState;
    if (this.statePath !== undefined && existsSync(this.statePath)) {
      state = JSON.parse(readFileSync(this.statePath, 'utf8')) as EngineState;
    } else {
      state = initialState(options.balances);
    }
    this.engine = new BinanceEngine(state, {
      markets: options.markets ?? DEFAULT_MARKETS,
      ...(options.makerCommission === undefined ? {} : { makerCommission: options.makerCommission }),
      ...(options.takerCommission === undefined ? {} : { takerCommission: options.takerCommission }),
    });
  }

  // ——— lifecycle ———

  /** Starts listening; resolves with the base URL (`http://127.0.0.1:PORT`). A restart binds the same port. */
  async start(): Promise<string> {
    if (this.server !== undefined) throw new Error('BinanceEmulator: already started');
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
    return this.url;
  }

  /** Stops listening and drops every open connection (in-flight requests get no answer). State is kept. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  get port(): number {
    return this.boundPort;
  }

  /** `http://HOST:PORT` — the `/api/v3` paths hang below it. */
  get url(): string {
    return `http://${this.host}:${this.boundPort}`;
  }

  // ——— market and account controls ———

  setPrice(symbol: string, price: number): void {
    this.engine.setPrice(symbol, price, this.clock());
    this.persist();
  }

  /** Liquidity per request / price move and the largest single trade (see engine.ts). */
  setLiquidity(symbol: string, liquidity: Partial<Liquidity>): void {
    this.engine.setLiquidity(symbol, liquidity);
    this.persist();
  }

  setBalance(asset: string, free: number): void {
    this.engine.setBalance(asset, free);
    this.persist();
  }

  /** Shifts the server clock (ms): a large offset makes signed requests fail with -1021. */
  setClockOffset(ms: number): void {
    this.clockOffsetMs = ms;
  }

  balances(): Readonly<Record<string, { readonly free: number; readonly locked: number }>> {
    return structuredClone(this.engine.state.balances);
  }

  orders(): readonly Readonly<EmuOrder>[] {
    return structuredClone(this.engine.state.orders);
  }

  trades(): readonly Readonly<EngineState['trades'][number]>[] {
    return structuredClone(this.engine.state.trades);
  }

  // ——— fault injection ———

  /** The next `count` matching requests are answered with `status` (429 / 418 with Retry-After, or 500 / 503) and not processed. */
  failNext(count: number, options: { status?: 418 | 429 | 500 | 503; retryAfterSec?: number; match?: RequestMatch } = {}): void {
    this.failFaults.push({ remaining: count, status: options.status ?? 429, retryAfterSec: options.retryAfterSec ?? 1, match: options.match ?? {} });
  }

  /** The next `count` matching requests are processed (an order lands) but answered only after `delayMs` — beyond a client's timeout. */
  delayNext(count: number, delayMs: number, match: RequestMatch = {}): void {
    this.delayFaults.push({ remaining: count, delayMs, match });
  }

  /** The next cancel request finds its order filled first (by `qty`, default all that is left) — the fill-wins-the-race case. */
  fillBeforeNextCancel(options: { qty?: number } = {}): void {
    this.cancelRaces.push({ remaining: 1, qty: options.qty, match: { method: 'DELETE', path: `${PREFIX}/order` } });
  }

  // ——— request log ———

  /** Every request answered so far (faulted ones included), oldest first. */
  requests(match: RequestMatch = {}): readonly EmulatorRequest[] {
    return this.log.filter((r) => matches(match, r.method, r.path));
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  [inspect.custom](): string {
    return `BinanceEmulator { url: '${this.url}', running: ${this.running} }`;
  }

  // ——— HTTP ———

  private clock(): number {
    return this.now() + this.clockOffsetMs;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const qIndex = rawUrl.indexOf('?');
    const path = qIndex < 0 ? rawUrl : rawUrl.slice(0, qIndex);
    const rawQuery = qIndex < 0 ? '' : rawUrl.slice(qIndex + 1);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const params: Record<string, string> = {};
    for (const raw of [rawQuery, rawBody]) for (const [k, v] of new URLSearchParams(raw)) params[k] = v;
    const clientOrderId = params['newClientOrderId'] ?? params['origClientOrderId'];
    const record = (status: number, code?: number) =>
      this.log.push({ method, path, status, ...(code === undefined ? {} : { code }), ...(clientOrderId === undefined ? {} : { clientOrderId }) });

    const fail = takeFault(this.failFaults, method, path);
    if (fail !== undefined) {
      const ip = req.socket.remoteAddress ?? '127.0.0.1';
      const body =
        fail.status === 429
          ? { code: -1003, msg: `Too many requests; current limit of IP(${ip}) is 6000 requests per minute. Please use the websocket for live updates to avoid bans.` }
          : fail.status === 418
            ? { code: -1003, msg: `Way too many requests; IP(${ip}) banned until ${this.clock() + fail.retryAfterSec * 1000}. Please use the websocket for live updates to avoid bans.` }
            : { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' };
      const headers: Record<string, string> = fail.status === 429 || fail.status === 418 ? { 'Retry-After': String(fail.retryAfterSec) } : {};
      record(fail.status, body.code);
      send(res, fail.status, JSON.stringify(body), headers);
      return;
    }

    let status = 200;
    let body: string;
    try {
      body = JSON.stringify(this.route(method, path, params, rawQuery, rawBody, req));
    } catch (e) {
      if (!(e instanceof BinanceApiError)) throw e;
      status = e.status;
      body = e.body();
    }
    record(status, status === 200 ? undefined : (JSON.parse(body) as { code: number }).code);
    const delay = takeFault(this.delayFaults, method, path);
    if (delay !== undefined) await new Promise((r) => setTimeout(r, delay.delayMs));
    send(res, status, body, { 'X-MBX-USED-WEIGHT-1M': String(this.log.length) });
  }

  private route(method: string, path: string, params: Record<string, string>, rawQuery: string, rawBody: string, req: IncomingMessage): unknown {
    if (!path.startsWith(`${PREFIX}/`)) throw new BinanceApiError(404, -1000, 'Not found.');
    const endpoint = `${method} ${path.slice(PREFIX.length)}`;
    if (SIGNED.has(endpoint)) this.authenticate(params, rawQuery, rawBody, req);
    const now = this.clock();
    let result: unknown;
    switch (endpoint) {
      case 'GET /ping':
        return {};
      case 'GET /time':
        return { serverTime: now };
      case 'GET /exchangeInfo':
        return {
          timezone: 'UTC',
          serverTime: now,
          rateLimits: [
            { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
            { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
            { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
            { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
          ],
          exchangeFilters: [],
          symbols: this.engine.listMarkets().map(exchangeInfoSymbol),
        };
      case 'POST /order':
        result = this.engine.newOrder(params, now);
        break;
      case 'GET /order':
        return this.engine.getOrder(params);
      case 'DELETE /order': {
        const race = takeFault(this.cancelRaces, method, path);
        if (race !== undefined) {
          const o = this.engine.findOrder(params);
          if (o !== undefined) this.engine.fillResting(o.orderId, race.qty, now);
        }
        result = this.engine.cancelOrder(params, now);
        break;
      }
      case 'GET /openOrders':
        return this.engine.openOrders(params);
      case 'GET /account':
        return this.engine.account(params, now);
      case 'GET /myTrades':
        return this.engine.myTrades(params);
      default:
        throw new BinanceApiError(404, -1000, 'Not found.');
    }
    this.persist();
    return result;
  }

  /** Binance SIGNED endpoint rules: API key, HMAC-SHA256 of `totalParams` (query string + body, without `signature`), timestamp within recvWindow. */
  private authenticate(params: Record<string, string>, rawQuery: string, rawBody: string, req: IncomingMessage): void {
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || key === '' || !/^[A-Za-z0-9]{1,128}$/.test(key)) throw new BinanceApiError(401, -2014, 'API-key format invalid.');
    if (key !== this.apiKey) throw new BinanceApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    const signature = params['signature'];
    const unsigned = (raw: string) =>
      raw
        .split('&')
        .filter((p) => p !== '' && !p.startsWith('signature='))
        .join('&');
    const totalParams = unsigned(rawQuery) + unsigned(rawBody);
    const expected = createHmac('sha256', this.secret).update(totalParams).digest('hex');
    if (signature === undefined || signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
      throw new BinanceApiError(400, -1022, 'Signature for this request is not valid.');
    }
    const ts = Number(params['timestamp']);
    if (params['timestamp'] === undefined || !Number.isInteger(ts)) throw new BinanceApiError(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    const recvWindow = params['recvWindow'] === undefined ? 5000 : Number(params['recvWindow']);
    if (!(recvWindow > 0) || recvWindow > MAX_RECV_WINDOW) throw new BinanceApiError(400, -1131, 'recvWindow must be less than 60000');
    const now = this.clock();
    if (ts > now + 1000) throw new BinanceApiError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    if (now - ts > recvWindow) throw new BinanceApiError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  }

  private persist(): void {
    if (this.statePath === undefined) return;
    const tmp = `${this.statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.engine.state));
    renameSync(tmp, this.statePath);
  }
}

function matches(m: RequestMatch, method: string, path: string): boolean {
  return (m.method === undefined || m.method === method) && (m.path === undefined || m.path === path);
}

function takeFault<F extends PendingFault>(faults: F[], method: string, path: string): F | undefined {
  const i = faults.findIndex((f) => matches(f.match, method, path));
  if (i < 0) return undefined;
  const f = faults[i] as F;
  f.remaining -= 1;
  if (f.remaining <= 0) faults.splice(i, 1);
  return f;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
  res.end(body);
}
