import { createConnection, type Socket } from 'node:net';
import { ORDER_SCHEMA, type Command, type OrderEvent } from '@strata/contract';
import type { ControlInput } from '../core/types.js';
import type { OrderView } from '../fsm.js';
import { OrderShellError } from './errors.js';
import {
  checkHello,
  encodeFrame,
  errorFromWire,
  errorToWire,
  FrameReader,
  GATEWAY_PROTOCOL,
  orderViewFromWire,
  sendResultFromWire,
  validateCommand,
  validateControl,
  validateEvent,
  type ClientFrame,
  type Drift,
  type OrderGateway,
  type ReconcileReport,
  type SendResult,
} from './protocol.js';

export interface SocketGatewayOptions {
  /** Give up connecting (and on the server's hello) after this long. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Reject a request the server has not answered after this long. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** A name for this client in the server's logs. */
  readonly client?: string;
  /** Protocol problems the client met (a malformed frame from the server, an invalid event); default: ignored after reporting to the server. */
  readonly onError?: (error: Error) => void;
  /** Test hook: the hello this client sends (to check that a server refuses another version). */
  readonly hello?: { readonly schema: string; readonly protocol: number };
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The cross-process OrderGateway: a client of the order-kernel server over a Unix domain socket
 * (newline-delimited JSON frames; see protocol.ts). Commands are validated before they leave and
 * every event is validated when it arrives; errors come back as the same classes the in-process
 * gateway throws (ContractError, OrderShellError).
 */
export class SocketGateway implements OrderGateway {
  /** The server's venue id, from its hello. */
  readonly venue: string;
  /** The drift the server reported in its hello (empty when it accepts commands). */
  readonly drift: readonly Drift[];
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: OrderEvent) => void>();
  private closedError: OrderShellError | undefined;
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    reader: { attach: (onLine: (line: string) => void) => void },
    hello: { venue: string; drift: readonly Drift[] },
    private readonly options: SocketGatewayOptions,
  ) {
    this.venue = hello.venue;
    this.drift = hello.drift;
    reader.attach((line) => this.onLine(line));
    this.closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.closedError ??= new OrderShellError('connection', 'the order-kernel server closed the connection');
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(this.closedError);
          this.pending.delete(id);
        }
        resolve();
      });
    });
  }

  /** Connects, exchanges hellos (a server on another major version is refused) and returns the gateway. */
  static connect(path: string, options: SocketGatewayOptions = {}): Promise<SocketGateway> {
    const timeoutMs = options.connectTimeoutMs ?? 5_000;
    return new Promise<SocketGateway>((resolve, reject) => {
      const socket = createConnection({ path });
      socket.setEncoding('utf8');
      let settled = false;
      let lineHandler: ((line: string) => void) | undefined;
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      };
      const timer = setTimeout(() => fail(new OrderShellError('connection', `no hello from the order-kernel server at ${path} within ${timeoutMs} ms`)), timeoutMs);
      const reader = new FrameReader(
        (line) => {
          if (lineHandler) return lineHandler(line);
          // The first frame must be the server's hello (or an error refusing ours).
          let frame: Record<string, unknown>;
          try {
            frame = JSON.parse(line) as Record<string, unknown>;
          } catch {
            return fail(new OrderShellError('protocol', `the server at ${path} sent a malformed first frame (not JSON)`));
          }
          if (frame.t === 'error') {
            const code = frame.code === 'unsupported_version' ? 'unsupported_version' : 'protocol';
            return fail(new OrderShellError(code, `the server at ${path} refused the connection: ${String(frame.message)}`));
          }
          if (frame.t !== 'hello') return fail(new OrderShellError('protocol', `the server at ${path} sent ${JSON.stringify(frame.t)} before its hello`));
          try {
            checkHello(frame, 'server');
          } catch (e) {
            socket.write(encodeFrame({ t: 'error', ...errorToWire(e) }));
            return fail(e as Error);
          }
          settled = true;
          clearTimeout(timer);
          const gateway = new SocketGateway(
            socket,
            { attach: (h) => (lineHandler = h) },
            { venue: String(frame.venue), drift: Array.isArray(frame.drift) ? (frame.drift as Drift[]) : [] },
            options,
          );
          resolve(gateway);
        },
        () => fail(new OrderShellError('protocol', `the server at ${path} sent a frame over the size limit`)),
      );
      socket.on('data', (chunk: string) => reader.push(chunk));
      socket.once('error', (e) => fail(new OrderShellError('connection', `cannot reach the order-kernel server at ${path}: ${e.message}`, { cause: e })));
      socket.once('close', () => fail(new OrderShellError('connection', `the order-kernel server at ${path} closed the connection during the handshake`)));
      socket.once('connect', () => {
        const hello = options.hello ?? { schema: ORDER_SCHEMA, protocol: GATEWAY_PROTOCOL };
        socket.write(encodeFrame({ t: 'hello', schema: hello.schema, protocol: hello.protocol, ...(options.client !== undefined ? { client: options.client } : {}) }));
      });
    });
  }

  async send(cmd: Command): Promise<SendResult> {
    const message = validateCommand(cmd);
    return sendResultFromWire(await this.request((id) => ({ t: 'send', id, message })));
  }

  async control(input: ControlInput): Promise<SendResult> {
    const checked = validateControl(input);
    return sendResultFromWire(await this.request((id) => ({ t: 'control', id, input: checked })));
  }

  onEvent(listener: (event: OrderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async orders(): Promise<OrderView[]> {
    const value = await this.request((id) => ({ t: 'orders', id }));
    if (!Array.isArray(value)) throw new OrderShellError('protocol', 'malformed orders result from the server');
    return value.map(orderViewFromWire);
  }

  /** Asks the server to reconcile again; commands are accepted again once it reports no drift. */
  async reconcile(): Promise<ReconcileReport> {
    return (await this.request((id) => ({ t: 'reconcile', id }))) as ReconcileReport;
  }

  /** Resolves when the connection is closed (by either side). */
  closed(): Promise<void> {
    return this.closedPromise;
  }

  async close(): Promise<void> {
    this.closedError ??= new OrderShellError('closed', 'the gateway was closed');
    this.socket.end();
    await this.closedPromise;
  }

  /** Test hook: writes raw text to the server. */
  writeRaw(text: string): void {
    this.socket.write(text);
  }

  private request(frame: (id: number) => ClientFrame): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new OrderShellError('connection', `request ${id} got no answer from the order-kernel server within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(encodeFrame(frame(id)));
    });
  }

  private protocolError(message: string): void {
    const e = new OrderShellError('protocol', message);
    if (!this.socket.destroyed) this.socket.write(encodeFrame({ t: 'error', ...errorToWire(e) }));
    this.options.onError?.(e);
  }

  private onLine(line: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return this.protocolError(`malformed frame from the server (not JSON): ${line.slice(0, 120)}`);
    }
    if (frame === null || typeof frame !== 'object') return this.protocolError('malformed frame from the server (not an object)');
    switch (frame.t) {
      case 'event': {
        let event: OrderEvent;
        try {
          event = validateEvent(frame.event);
        } catch (e) {
          return this.protocolError(`invalid event from the server: ${(e as Error).message}`);
        }
        for (const l of [...this.listeners]) l(event);
        return;
      }
      case 'result': {
        const id = frame.id;
        const p = typeof id === 'number' ? this.pending.get(id) : undefined;
        if (!p) return this.protocolError(`result for unknown request id ${JSON.stringify(id)}`);
        this.pending.delete(id as number);
        clearTimeout(p.timer);
        if (frame.ok === true) {
          try {
            p.resolve(frame.value);
          } catch (e) {
            p.reject(e as Error);
          }
        } else p.reject(errorFromWire(frame.error as Parameters<typeof errorFromWire>[0]));
        return;
      }
      case 'error': {
        const w = frame as unknown as Parameters<typeof errorFromWire>[0] & { id?: number };
        const p = typeof w.id === 'number' ? this.pending.get(w.id) : undefined;
        if (p) {
          this.pending.delete(w.id!);
          clearTimeout(p.timer);
          p.reject(errorFromWire(w));
        } else this.options.onError?.(errorFromWire(w));
        return;
      }
      default:
        return this.protocolError(`unknown frame type ${JSON.stringify(frame.t)} from the server`);
    }
  }
}
