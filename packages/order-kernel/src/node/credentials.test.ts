import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIALS_KEY_ENV, CredentialsStore, Secret, credentialsKeyFromEnv } from './credentials.js';
import { OrderShellError } from './errors.js';

const API_KEY = 'AKIA-test-apikey-7f3a9c';
const SECRET = 'sEcReT-value-with-+/=-chars-91b2';
let dir: string;
let file: string;
const key = randomBytes(32);
const env = { [CREDENTIALS_KEY_ENV]: key.toString('base64') };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-creds-'));
  file = join(dir, 'credentials.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof OrderShellError ? e.code : `not an OrderShellError: ${String(e)}`;
  }
  return undefined;
}

describe('CredentialsStore', () => {
  it('round-trips credentials through the encrypted file, written 0600, with nothing readable at rest', () => {
    const store = CredentialsStore.open(file, { env });
    store.set('ccxt:binance', { apiKey: API_KEY, secret: SECRET });
    store.set('ccxt:kraken', { apiKey: 'kraken-key-123', secret: 'kraken-secret-456', password: 'kraken-pass-789' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const raw = readFileSync(file, 'utf8');
    expect(JSON.parse(raw)).toMatchObject({ format: 'strata.credentials/v1', cipher: 'aes-256-gcm' });
    for (const s of [API_KEY, SECRET, 'kraken-pass-789', 'ccxt:binance']) expect(raw).not.toContain(s);
    expect(readdirSync(dir)).toEqual(['credentials.json']); // the temporary file was renamed away

    const again = CredentialsStore.open(file, { env });
    expect(again.venues()).toEqual(['ccxt:binance', 'ccxt:kraken']);
    const c = again.require('ccxt:binance');
    expect(c.apiKey.reveal()).toBe(API_KEY);
    expect(c.secret.reveal()).toBe(SECRET);
    expect(again.get('ccxt:kraken')?.password?.reveal()).toBe('kraken-pass-789');
    expect(again.delete('ccxt:kraken')).toBe(true);
    expect(CredentialsStore.open(file, { env }).venues()).toEqual(['ccxt:binance']);
  });

  it('a missing file is an empty store; a missing venue is a clear error', () => {
    const store = CredentialsStore.open(file, { env });
    expect(store.venues()).toEqual([]);
    expect(store.get('ccxt:binance')).toBeUndefined();
    expect(() => store.require('ccxt:binance')).toThrow(/no credentials for venue "ccxt:binance"/);
  });

  it('refuses the wrong key', () => {
    CredentialsStore.open(file, { env }).set('ccxt:binance', { apiKey: API_KEY, secret: SECRET });
    const other = { [CREDENTIALS_KEY_ENV]: randomBytes(32).toString('base64') };
    expect(() => CredentialsStore.open(file, { env: other })).toThrow(/failed authentication: either STRATA_CREDENTIALS_KEY is not the key it was written with, or the file was modified/);
  });

  it.each([
    ['one ciphertext byte flipped', (b: Record<string, string>) => ({ ...b, data: flip(b.data!) })],
    ['the tag changed', (b: Record<string, string>) => ({ ...b, tag: flip(b.tag!) })],
    ['the iv changed', (b: Record<string, string>) => ({ ...b, iv: flip(b.iv!) })],
  ])('detects tampering: %s', (_why, tamper) => {
    CredentialsStore.open(file, { env }).set('ccxt:binance', { apiKey: API_KEY, secret: SECRET });
    const body = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    writeFileSync(file, JSON.stringify(tamper(body)));
    expect(codeOf(() => CredentialsStore.open(file, { env }))).toBe('credentials_file');
    expect(() => CredentialsStore.open(file, { env })).toThrow(/failed authentication/);
  });

  it.each([
    ['another format version', JSON.stringify({ format: 'strata.credentials/v2' }), /format "strata.credentials\/v2"; this build reads strata.credentials\/v1 only/],
    ['not JSON', 'garbage', /is not JSON/],
    ['no format', '{}', /has no `format`/],
  ])('refuses a file with %s', (_why, text, message) => {
    writeFileSync(file, text);
    expect(() => CredentialsStore.open(file, { env })).toThrow(message);
  });

  it.each([
    ['missing', {}, /STRATA_CREDENTIALS_KEY is not set.*openssl rand -base64 32/],
    ['empty', { [CREDENTIALS_KEY_ENV]: '  ' }, /STRATA_CREDENTIALS_KEY is not set.*openssl rand -base64 32/],
    ['not base64', { [CREDENTIALS_KEY_ENV]: 'not base64!!' }, /STRATA_CREDENTIALS_KEY is not valid base64.*openssl rand -base64 32/],
    ['16 bytes', { [CREDENTIALS_KEY_ENV]: randomBytes(16).toString('base64') }, /STRATA_CREDENTIALS_KEY decodes to 16 bytes, not 32.*openssl rand -base64 32/],
  ])('a %s key is an error naming the variable and how to generate one', (_why, e, message) => {
    expect(() => credentialsKeyFromEnv(e)).toThrow(message);
    expect(codeOf(() => CredentialsStore.open(file, { env: e }))).toBe('credentials_key');
  });

  it('never prints a secret: JSON.stringify, inspect, template strings, the store itself', () => {
    const store = CredentialsStore.open(file, { env });
    store.set('ccxt:binance', { apiKey: API_KEY, secret: SECRET });
    const c = store.require('ccxt:binance');
    const dumps = [JSON.stringify(c), JSON.stringify({ nested: { c } }), inspect(c, { depth: 10, showHidden: true }), `${c.secret}`, String(c.apiKey), inspect(store, { depth: 10 }), JSON.stringify(store)];
    for (const d of dumps) {
      expect(d).not.toContain(API_KEY);
      expect(d).not.toContain(SECRET);
    }
    expect(JSON.stringify(c)).toBe('{"apiKey":"[redacted]","secret":"[redacted]"}');
    expect(inspect(new Secret('x'))).toBe('[redacted]');
  });

  it('redact scrubs stored secrets from error messages, stacks and log lines', () => {
    const store = CredentialsStore.open(file, { env });
    store.set('ccxt:binance', { apiKey: API_KEY, secret: SECRET });
    const venueError = new Error(`binance {"code":-2015,"msg":"Invalid API-key ${API_KEY}, IP, or permissions"} signature of ${SECRET}`, { cause: new Error(`inner ${SECRET}`) });
    const clean = store.redactError(venueError);
    expect(clean.message).toBe('binance {"code":-2015,"msg":"Invalid API-key [redacted], IP, or permissions"} signature of [redacted]');
    expect(clean.stack).not.toContain(SECRET);
    expect((clean.cause as Error).message).toBe('inner [redacted]');
    const record = JSON.stringify({ n: 3, kind: 'event', message: { reason: `venue said ${API_KEY}` } });
    expect(store.redact(record)).toBe('{"n":3,"kind":"event","message":{"reason":"venue said [redacted]"}}');
  });

  it('errors about the file never contain the key', () => {
    CredentialsStore.open(file, { env }).set('ccxt:binance', { apiKey: API_KEY, secret: SECRET });
    try {
      CredentialsStore.open(file, { env: { [CREDENTIALS_KEY_ENV]: randomBytes(32).toString('base64') } });
      expect.unreachable('a wrong key must throw');
    } catch (e) {
      const text = `${(e as Error).message} ${(e as Error).stack ?? ''}`;
      expect(text).not.toContain(env[CREDENTIALS_KEY_ENV]!);
      expect(text).not.toContain(SECRET);
    }
  });
});

function flip(b64: string): string {
  const b = Buffer.from(b64, 'base64');
  b[0] = b[0]! ^ 0x01;
  return b.toString('base64');
}
