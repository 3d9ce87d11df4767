import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_MAIN } from './support/server-process.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-ok-main-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string | undefined> = {}) => {
  const { STRATA_CREDENTIALS_KEY: _k, ...base } = process.env;
  return spawnSync(process.execPath, [SERVER_MAIN, ...args], { env: { ...base, ...env }, encoding: 'utf8', timeout: 20_000 });
};

describe('strata-order-kernel (server-main) start-up errors', () => {
  it('refuses to start without STRATA_CREDENTIALS_KEY, naming it and how to make one', () => {
    const r = run(['--socket', join(dir, 's.sock'), '--log', join(dir, 'o.sqlite'), '--venue', 'ccxt:binance', '--credentials', join(dir, 'c.json')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/STRATA_CREDENTIALS_KEY is not set.*openssl rand -base64 32/);
  });

  it('refuses a venue it cannot drive and missing required flags, with usage', () => {
    const bad = run(['--socket', join(dir, 's.sock'), '--log', join(dir, 'o.sqlite'), '--venue', 'nasdaq']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unsupported --venue "nasdaq".*ccxt:<exchange id>/);
    const missing = run(['--socket', join(dir, 's.sock')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--socket, --log and --venue are required/);
  });

  it('refuses to start when the venue has no stored credentials', () => {
    const r = run(['--socket', join(dir, 's.sock'), '--log', join(dir, 'o.sqlite'), '--venue', 'ccxt:binance', '--credentials', join(dir, 'c.json')], {
      STRATA_CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no credentials for venue "ccxt:binance"/);
  });
});
