import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreTradeControls } from '../../src/index.js';
import { CredentialsStore } from '../../src/node/index.js';
import { BinanceEmulator } from '@strata/venues';

export const SERVER_MAIN = fileURLToPath(new URL('../../dist/node/server-main.js', import.meta.url));
export const EMU_API_KEY = 'okTestKeyDoNotUse7f3a9c1b2d4e';
export const EMU_SECRET = 'okTestSecretDoNotUse9b2e7d4c1a';

/** A Binance emulator in this process (so it survives the server being killed), with funds and prices. */
export async function startEmulator(): Promise<BinanceEmulator> {
  const emu = new BinanceEmulator({ apiKey: EMU_API_KEY, secret: EMU_SECRET, balances: { USDT: 1_000_000, BTC: 10 } });
  await emu.start();
  emu.setPrice('BTCUSDT', 30_000);
  return emu;
}

/** Everything a server process needs on disk: a folder, an encrypted credentials file, a controls file. */
export interface ServerFiles {
  readonly dir: string;
  readonly socket: string;
  readonly log: string;
  readonly credentials: string;
  readonly controls: string;
  readonly key: string;
  cleanup(): void;
}

export function serverFiles(controls: PreTradeControls): ServerFiles {
  const dir = mkdtempSync(join(tmpdir(), 'strata-ok-'));
  const key = randomBytes(32).toString('base64');
  const credentials = join(dir, 'credentials.json');
  CredentialsStore.open(credentials, { env: { STRATA_CREDENTIALS_KEY: key } }).set('ccxt:binance', { apiKey: EMU_API_KEY, secret: EMU_SECRET });
  const controlsPath = join(dir, 'controls.json');
  writeFileSync(controlsPath, JSON.stringify(controls));
  return { dir, socket: join(dir, 'ok.sock'), log: join(dir, 'orders.sqlite'), credentials, controls: controlsPath, key, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

/** Spawns `node dist/node/server-main.js` and waits for its "listening" line. */
export async function startServer(files: ServerFiles, emuUrl: string, extra: readonly string[] = []): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [SERVER_MAIN, '--socket', files.socket, '--log', files.log, '--venue', 'ccxt:binance', '--venue-url', emuUrl, '--credentials', files.credentials, '--controls', files.controls, '--poll-ms', '20', ...extra],
    { env: { ...process.env, STRATA_CREDENTIALS_KEY: files.key }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const deadline = Date.now() + 20_000;
  while (!out.includes('order-kernel listening on')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited early (${child.exitCode ?? child.signalCode}): ${err}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${out} ${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** SIGTERM and wait; returns the exit code. */
export async function stopServer(p: ServerProcess): Promise<number | string> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  return p.exited;
}
