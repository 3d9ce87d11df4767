import { existsSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { ContractError, ORDER_SCHEMA, type OrderEvent } from '@strata/contract';
import { OrderShellError } from './errors.js';
import {
  checkHello,
  encodeFrame,
  errorToWire,
  FrameReader,
  GATEWAY_PROTOCOL,
  orderViewToWire,
  sendResultToWire,
  validateCommand,
  validateControl,
  type GatewayBackend,
  type ServerFrame,
} from './protocol.js';

export interface GatewayServerOptions {
  /** Protocol problems and client-reported errors (one line each); default: ignored. */
  readonly onError?: (message: string) => void;
}

/**
 * Serves one GatewayBackend (the in-process gateway over an OrderService) on a Unix domain socket.
 * Each connection must open with a hello on the same contract major version; after that it may
 * send requests and receives every upstream event as an `event` frame, in kernel order, before
 * the `result` of the command that caused it. A malformed frame gets an `error` frame — the
 * connection and the server keep going.
 */
export class GatewayServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly live = new Set<Socket>();
  private readonly unsubscribe: () => void;
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private accepting = false;

  constructor(
    private readonly backend: GatewayBackend,
    private readonly options: GatewayServerOptions = {},
  ) {
    this.unsubscribe = backend.onEvent((event) => this.broadcast(event));
  }

  /** Listens on `path`. A stale socket file (nobody listening) is removed; a live one is an error. */
  async listen(path: string): Promise<void> {
    if (existsSync(path)) {
      if (await isListening(path)) throw new OrderShellError('connection', `another order-kernel server is already listening on ${path}`);
      rmSync(path, { force: true });
    }
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.accepting = true;
  }

  /** Stops accepting connections and requests, waits for requests in flight, then closes every connection. */
  async close(): Promise<void> {
    this.accepting = false;
    const closed = this.server ? new Promise<void>((resolve) => this.server!.close(() => resolve())) : Promise.resolve();
    if (this.inflight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.unsubscribe();
    for (const s of this.sockets) s.end();
    const deadline = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, 1_000);
    await closed;
    clearTimeout(deadline);
  }

  private accept(socket: Socket): void {
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    socket.on('error', () => {
      // A client that vanished (EPIPE, ECONNRESET) is just a closed connection.
    });
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.live.delete(socket);
    });
    const reader = new FrameReader(
      (line) => this.onLine(socket, line),
      () => this.reply(socket, { t: 'error', code: 'protocol', message: 'frame over the size limit (1 MiB) dropped', source: 'shell' }),
    );
    socket.on('data', (chunk: string) => reader.push(chunk));
  }

  private reply(socket: Socket, frame: ServerFrame): void {
    if (!socket.destroyed && socket.writable) socket.write(encodeFrame(frame));
  }

  private broadcast(event: OrderEvent): void {
    const text = encodeFrame({ t: 'event', event });
    for (const s of this.live) if (s.writable) s.write(text);
  }

  private onLine(socket: Socket, line: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      this.options.onError?.(`malformed frame: ${line.slice(0, 120)}`);
      return this.reply(socket, { t: 'error', code: 'malformed_json', message: `not JSON: ${(e as Error).message}`, source: 'contract' });
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
      return this.reply(socket, { t: 'error', code: 'protocol', message: 'a frame must be a JSON object with a `t` field', source: 'shell' });
    }
    if (!this.live.has(socket)) {
      if (frame.t !== 'hello') return this.reply(socket, { t: 'error', code: 'protocol', message: `the first frame must be a hello, got ${JSON.stringify(frame.t)}`, source: 'shell' });
      try {
        checkHello(frame, 'client');
      } catch (e) {
        this.reply(socket, { t: 'error', ...errorToWire(e) });
        socket.end();
        return;
      }
      this.live.add(socket);
      return this.reply(socket, { t: 'hello', schema: ORDER_SCHEMA, protocol: GATEWAY_PROTOCOL, venue: this.backend.venueId, drift: this.backend.drift() });
    }
    if (frame.t === 'error') {
      this.options.onError?.(`client reported: ${String(frame.code)} ${String(frame.message)}`);
      return;
    }
    const id = frame.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
      return this.reply(socket, { t: 'error', code: 'protocol', message: `request ${JSON.stringify(frame.t)} needs a positive integer \`id\``, source: 'shell' });
    }
    if (!this.accepting) return this.reply(socket, { t: 'result', id, ok: false, error: errorToWire(new OrderShellError('closed', 'the order-kernel server is shutting down')) });
    let work: (() => Promise<unknown>) | undefined;
    switch (frame.t) {
      case 'send':
        work = async () => sendResultToWire(await this.backend.send(validateCommand(frame.message)));
        break;
      case 'control':
        work = async () => sendResultToWire(await this.backend.control(validateControl(frame.input)));
        break;
      case 'orders':
        work = async () => (await this.backend.orders()).map(orderViewToWire);
        break;
      case 'reconcile':
        work = () => this.backend.reconcile();
        break;
      default:
        return this.reply(socket, { t: 'error', id, code: 'protocol', message: `unknown frame type ${JSON.stringify(frame.t)}; known: send, control, orders, reconcile`, source: 'shell' });
    }
    this.inflight++;
    work()
      .then(
        (value) => this.reply(socket, { t: 'result', id, ok: true, value }),
        (e: unknown) => {
          if (!(e instanceof ContractError) && !(e instanceof OrderShellError)) this.options.onError?.(`request ${id} failed: ${(e as Error)?.stack ?? String(e)}`);
          this.reply(socket, { t: 'result', id, ok: false, error: errorToWire(e) });
        },
      )
      .finally(() => {
        this.inflight--;
        if (this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
  }
}

function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
