import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractError, type Command, type OrderEvent, type SubmitOrder } from '@strata/contract';
import { GatewayServer, OrderShellError, SocketGateway, type Drift, type GatewayBackend, type SendResult } from '../src/node/index.js';
import type { ControlInput, OrderView } from '../src/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';

/**
 * The wire protocol on its own, against a scripted backend (the full stack — service, kernel,
 * venue — is exercised by the gateway contract suite). What is checked here is the framing.
 */
class ScriptedBackend implements GatewayBackend {
  readonly venueId = 'scripted';
  readonly received: (Command | ControlInput)[] = [];
  private readonly listeners = new Set<(e: OrderEvent) => void>();
  driftList: Drift[] = [];
  drift(): readonly Drift[] {
    return this.driftList;
  }
  async reconcile() {
    return { ok: true, drift: [], checked: 0, applied: [], unsent: [] };
  }
  async send(cmd: Command): Promise<SendResult> {
    this.received.push(cmd);
    const ev: OrderEvent = { schema: 'order/v1', type: 'OrderSubmitted', clientOrderId: cmd.clientOrderId, tsEvent: cmd.tsEvent, seq: 0, symbol: 'BTC/USDT' };
    for (const l of this.listeners) l(ev);
    return { events: [ev] };
  }
  async control(input: ControlInput): Promise<SendResult> {
    this.received.push(input);
    return { events: [] };
  }
  onEvent(listener: (e: OrderEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async orders(): Promise<OrderView[]> {
    return [{ clientOrderId: 'a', state: 'SUBMITTED', symbol: 'BTC/USDT', side: 'buy', qty: 1, filledQty: 0, avgPrice: Number.NaN, fillIds: [], lateFills: 0 }];
  }
  async close() {}
  push(e: unknown): void {
    for (const l of this.listeners) l(e as OrderEvent);
  }
}

const submit: SubmitOrder = { schema: 'order/v1', type: 'SubmitOrder', clientOrderId: 'c-1', tsEvent: 1_000, seq: 1, symbol: 'BTC/USDT', side: 'buy', qty: 1, orderType: 'market', timeInForce: 'ioc' };
const hello = { t: 'hello', schema: 'order/v1', protocol: 1 };

let dir: string;
let sock: string;
let backend: ScriptedBackend;
let server: GatewayServer;
const serverErrors: string[] = [];
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-gw-'));
  sock = join(dir, 'gw.sock');
  backend = new ScriptedBackend();
  serverErrors.length = 0;
  server = new GatewayServer(backend, { onError: (m) => serverErrors.push(m) });
  await server.listen(sock);
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('gateway wire protocol', () => {
  it('exchanges hellos, correlates results by id, pushes events before the result', async () => {
    const gw = await SocketGateway.connect(sock);
    expect(gw.venue).toBe('scripted');
    expect(gw.drift).toEqual([]);
    const seen: OrderEvent[] = [];
    gw.onEvent((e) => seen.push(e));
    const [a, b] = await Promise.all([gw.send(submit), gw.send({ ...submit, clientOrderId: 'c-2' })]);
    expect(a.events[0]?.clientOrderId).toBe('c-1');
    expect(b.events[0]?.clientOrderId).toBe('c-2');
    expect(seen.map((e) => e.clientOrderId)).toEqual(['c-1', 'c-2']);
    const orders = await gw.orders();
    expect(orders[0]?.avgPrice).toBeNaN(); // NaN crosses the wire as null and comes back as NaN
    await gw.close();
  });

  it('answers a malformed frame with an error frame and keeps the connection', async () => {
    const c = await RawClient.connect(sock);
    c.frame(hello);
    await c.next((f) => f.t === 'hello');
    c.write('{"t":"send", this is not json\n');
    expect(await c.next((f) => f.t === 'error')).toMatchObject({ code: 'malformed_json', source: 'contract' });
    c.frame({ t: 'send', id: 7, message: submit });
    expect(await c.next((f) => f.t === 'result' && f.id === 7)).toMatchObject({ ok: true });
    c.end();
  });

  it.each([
    ['a frame without an id', { t: 'send', message: submit }, /needs a positive integer `id`/],
    ['an unknown frame type', { t: 'launch', id: 3 }, /unknown frame type "launch"/],
    ['an array', [1, 2], /must be a JSON object/],
  ])('refuses %s with an error frame', async (_why, frame, message) => {
    const c = await RawClient.connect(sock);
    c.frame(hello);
    await c.next((f) => f.t === 'hello');
    c.frame(frame);
    const e = await c.next((f) => f.t === 'error');
    expect(String(e.message)).toMatch(message);
    expect(c.closed).toBe(false);
    c.end();
  });

  it('validates every contract message on receive: an invalid command gets a ContractError result, the backend never sees it', async () => {
    const c = await RawClient.connect(sock);
    c.frame(hello);
    await c.next((f) => f.t === 'hello');
    c.frame({ t: 'send', id: 1, message: { ...submit, qty: -1 } });
    c.frame({ t: 'send', id: 2, message: { ...submit, schema: 'order/v2' } });
    c.frame({ t: 'send', id: 3, message: { schema: 'order/v1', type: 'OrderSubmitted', clientOrderId: 'x', tsEvent: 1, seq: 0, symbol: 'BTC/USDT' } });
    c.frame({ t: 'control', id: 4, input: { type: 'Clock', tsEvent: -5 } });
    const r1 = await c.next((f) => f.id === 1);
    const r2 = await c.next((f) => f.id === 2);
    const r3 = await c.next((f) => f.id === 3);
    const r4 = await c.next((f) => f.id === 4);
    expect(r1).toMatchObject({ ok: false, error: { code: 'invalid_message', source: 'contract' } });
    expect(String((r1.error as { message: string }).message)).toMatch(/\/qty must be > 0/);
    expect(r2).toMatchObject({ ok: false, error: { code: 'unsupported_version' } });
    expect(r3).toMatchObject({ ok: false, error: { code: 'invalid_message', message: expect.stringMatching(/send takes a command/) } });
    expect(r4).toMatchObject({ ok: false, error: { code: 'invalid_message', message: expect.stringMatching(/invalid Clock/) } });
    expect(backend.received).toEqual([]);
    c.end();
  });

  it('refuses requests before the hello', async () => {
    const c = await RawClient.connect(sock);
    c.frame({ t: 'orders', id: 1 });
    expect(await c.next((f) => f.t === 'error')).toMatchObject({ code: 'protocol', message: expect.stringMatching(/first frame must be a hello/) });
    c.end();
  });

  it('server refuses a client on another major version, with a clear error, and closes', async () => {
    const c = await RawClient.connect(sock);
    c.frame({ t: 'hello', schema: 'order/v2', protocol: 1 });
    expect(await c.next((f) => f.t === 'error')).toMatchObject({ code: 'unsupported_version', message: expect.stringMatching(/client speaks order\/v2; this end speaks order\/v1 only/) });
    await c.waitClosed();
    const e = await SocketGateway.connect(sock, { hello: { schema: 'order/v3', protocol: 1 } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OrderShellError);
    expect((e as OrderShellError).code).toBe('unsupported_version');
    expect((e as Error).message).toMatch(/refused the connection: the client speaks order\/v3/);
  });

  it('client refuses a server on another major version and tells it why', async () => {
    const path = join(dir, 'v2.sock');
    const got: string[] = [];
    const fake = createServer((s) => {
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        got.push(d);
        if (got.length === 1) s.write(`${JSON.stringify({ t: 'hello', schema: 'order/v2', protocol: 1, venue: 'x', drift: [] })}\n`);
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => fake.listen(path, r));
    const e = await SocketGateway.connect(path).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OrderShellError);
    expect((e as OrderShellError).code).toBe('unsupported_version');
    expect((e as Error).message).toMatch(/the server speaks order\/v2; this end speaks order\/v1 only/);
    await until(() => /"t":"error".*"code":"unsupported_version"/.test(got.join('')));
    expect(got.join('')).toMatch(/"t":"error".*"code":"unsupported_version"/);
    await new Promise<void>((r) => fake.close(() => r()));
  });

  it('client validates pushed events: an invalid one is dropped and reported, valid ones still arrive', async () => {
    const errors: Error[] = [];
    const gw = await SocketGateway.connect(sock, { onError: (e) => errors.push(e) });
    const seen: OrderEvent[] = [];
    gw.onEvent((e) => seen.push(e));
    backend.push({ schema: 'order/v1', type: 'OrderFilled', clientOrderId: 'c-1', tsEvent: 1, seq: 1 }); // missing fields
    await gw.send(submit);
    expect(seen.map((e) => e.type)).toEqual(['OrderSubmitted']);
    expect(errors[0]?.message).toMatch(/invalid event from the server: .*invalid OrderFilled/);
    await until(() => serverErrors.some((m) => /client reported: protocol invalid event/.test(m)));
    expect(serverErrors.some((m) => /client reported: protocol invalid event/.test(m))).toBe(true);
    await gw.close();
  });

  it('client validates before sending and throws the same ContractError as in process', async () => {
    const gw = await SocketGateway.connect(sock);
    const e = await gw.send({ ...submit, orderType: 'limit' } as Command).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ContractError);
    expect((e as Error).message).toMatch(/a limit order needs `limitPrice`/);
    expect(backend.received).toEqual([]);
    await gw.close();
  });

  it('reports drift in the hello', async () => {
    backend.driftList = [{ kind: 'unknown_venue_order', clientOrderId: 'x', symbol: 'BTC/USDT', expected: null, actual: { qty: 1 }, message: 'm' }];
    const gw = await SocketGateway.connect(sock);
    expect(gw.drift).toHaveLength(1);
    await gw.close();
  });

  it('rejects pending requests when the server goes away, and refuses a second server on a live socket', async () => {
    const other = new GatewayServer(backend);
    await expect(other.listen(sock)).rejects.toThrow(/already listening/);
    const gw = await SocketGateway.connect(sock);
    await server.close();
    await gw.closed();
    await expect(gw.orders()).rejects.toMatchObject({ code: 'connection' });
  });
});

/** Waits (up to 5 s) for something that travels over the socket, however loaded the host is. */
async function until(ok: () => boolean): Promise<void> {
  for (let waited = 0; !ok() && waited < 5_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
}
