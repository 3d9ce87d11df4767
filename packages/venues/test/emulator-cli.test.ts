import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CcxtVenue } from '../src/ccxt/venue.js';
import { submitOrder } from './venue-contract.js';

/** The built CLI (`npm test` builds first, as for the strata CLI's end-to-end tests). */
const MAIN = fileURLToPath(new URL('../dist/emulator/main.js', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGTERM');
});

/** Starts the CLI and resolves with its base URL once it prints the listening line. */
function startCli(args: readonly string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)\/api\/v3/.exec(out);
      if (m) resolve({ child, url: m[1] as string });
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

describe('strata-binance-emulator CLI', () => {
  it('serves a venue from a shell, persists its state file and resumes it in a new process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-emu-cli-'));
    const state = join(dir, 'state.json');
    const credentials = { apiKey: 'CliKey1', secret: 'CliSecret1' };
    const args = ['--port', '0', '--state', state, '--api-key', credentials.apiKey, '--secret', credentials.secret];
    try {
      const first = await startCli([...args, '--balance', 'USDT=1000', '--price', 'BTCUSDT=30000']);
      let venue = await CcxtVenue.connect({ exchangeId: 'binance', credentials, apiBaseUrl: first.url, enableRateLimit: false });
      const cmd = submitOrder('BTC/USDT', { side: 'buy', qty: 0.01, orderType: 'market' });
      expect((await venue.submit(cmd)).status).toBe('filled');
      await venue.close();
      first.child.kill('SIGTERM');
      expect(await exited(first.child), 'SIGTERM stops it cleanly').toBe(0);
      expect(JSON.parse(readFileSync(state, 'utf8')).orders).toHaveLength(1);

      const second = await startCli(args);
      venue = await CcxtVenue.connect({ exchangeId: 'binance', credentials, apiBaseUrl: second.url, enableRateLimit: false });
      expect((await venue.fetchOrder(cmd.clientOrderId, 'BTC/USDT'))?.status).toBe('filled');
      const usdt = (await venue.fetchBalances()).find((b) => b.asset === 'USDT');
      expect(usdt).toEqual({ asset: 'USDT', total: 700, free: 700 });
      await venue.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with the usage on a bad flag', async () => {
    const child = spawn(process.execPath, [MAIN, '--balance', 'USDT:5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exited(child)).toBe(2);
    expect(err).toMatch(/--balance expects NAME=NUMBER, got "USDT:5"/);
    expect(err).toMatch(/usage: strata-binance-emulator/);
  });
});
