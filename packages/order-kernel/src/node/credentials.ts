import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { OrderShellError } from './errors.js';

/**
 * Per-venue API credentials, encrypted at rest. Only the order kernel's shell (the process that
 * talks to the venue) opens this store. The strategy side never receives credentials: it talks
 * contract order/v1 only — commands in, events out — and no message of the contract carries a
 * key, a secret or a venue session.
 *
 * File format `strata.credentials/v1` (JSON): `{ format, cipher: "aes-256-gcm", iv, tag, data }`
 * (base64). `data` is the AES-256-GCM encryption of the JSON map venue id → credentials, with the
 * format string as additional authenticated data, so the header cannot be swapped either. A wrong
 * key and any modified byte both fail the GCM tag check. Writes go to a temporary file (mode 0600)
 * that is fsynced and renamed over the old one: a crash leaves the old file or the new one.
 */
export const CREDENTIALS_KEY_ENV = 'STRATA_CREDENTIALS_KEY';
export const CREDENTIALS_FORMAT = 'strata.credentials/v1';
const CIPHER = 'aes-256-gcm';
const REDACTED = '[redacted]';
const HOW_TO_KEY = `generate one with \`openssl rand -base64 32\` and export it as ${CREDENTIALS_KEY_ENV}`;

/** A secret value that does not print: toString, toJSON and util.inspect all give `[redacted]`. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The value itself — call only where it is handed to the venue client. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
  get [Symbol.toStringTag](): string {
    return 'Secret';
  }
}

/** What a venue needs to authenticate (ccxt's apiKey / secret / password / uid). */
export interface CredentialsInput {
  readonly apiKey: string;
  readonly secret: string;
  readonly password?: string;
  readonly uid?: string;
}

export interface VenueCredentials {
  readonly apiKey: Secret;
  readonly secret: Secret;
  readonly password?: Secret;
  readonly uid?: Secret;
}

/** Reads the 32-byte key from `STRATA_CREDENTIALS_KEY` (base64). Missing or malformed → `credentials_key` error saying how to make one. */
export function credentialsKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer {
  const raw = env[CREDENTIALS_KEY_ENV];
  if (raw === undefined || raw.trim() === '') throw new OrderShellError('credentials_key', `${CREDENTIALS_KEY_ENV} is not set: the credentials store needs a 32-byte key in base64; ${HOW_TO_KEY}`);
  const text = raw.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new OrderShellError('credentials_key', `${CREDENTIALS_KEY_ENV} is not valid base64; it must hold 32 random bytes in base64 (44 characters); ${HOW_TO_KEY}`);
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new OrderShellError('credentials_key', `${CREDENTIALS_KEY_ENV} decodes to ${key.length} bytes, not 32 (AES-256 needs a 32-byte key); ${HOW_TO_KEY}`);
  return key;
}

interface FileBody {
  readonly format: string;
  readonly cipher: string;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

type Plain = Record<string, CredentialsInput>;

export interface CredentialsStoreOptions {
  /** The key; default: from STRATA_CREDENTIALS_KEY in `env`. */
  readonly key?: Buffer;
  readonly env?: NodeJS.ProcessEnv;
}

/** The encrypted per-venue credentials file. */
export class CredentialsStore {
  readonly path: string;
  readonly #key: Buffer;
  #entries: Map<string, VenueCredentials>;
  #plain: Plain;

  private constructor(path: string, key: Buffer, plain: Plain) {
    this.path = path;
    this.#key = key;
    this.#plain = plain;
    this.#entries = toEntries(plain);
  }

  /** Opens the store; a file that does not exist yet is an empty store (created on the first `set`). */
  static open(path: string, options: CredentialsStoreOptions = {}): CredentialsStore {
    const key = options.key ?? credentialsKeyFromEnv(options.env);
    if (key.length !== 32) throw new OrderShellError('credentials_key', `the credentials key must be 32 bytes, got ${key.length}; ${HOW_TO_KEY}`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new CredentialsStore(path, key, {});
      throw new OrderShellError('credentials_file', `cannot read credentials file ${path}: ${(e as Error).message}`, { cause: e });
    }
    return new CredentialsStore(path, key, decrypt(path, text, key));
  }

  /** Venue ids with stored credentials, sorted. */
  venues(): string[] {
    return [...this.#entries.keys()].sort();
  }

  get(venueId: string): VenueCredentials | undefined {
    return this.#entries.get(venueId);
  }

  /** Like `get`, but a venue without credentials is a `credentials_missing` error. */
  require(venueId: string): VenueCredentials {
    const c = this.#entries.get(venueId);
    if (!c) {
      throw new OrderShellError(
        'credentials_missing',
        `no credentials for venue ${JSON.stringify(venueId)} in ${this.path}${this.#entries.size > 0 ? ` (stored: ${this.venues().join(', ')})` : ''}; store them with CredentialsStore.set`,
      );
    }
    return c;
  }

  /** Stores (or replaces) a venue's credentials and rewrites the file atomically. */
  set(venueId: string, credentials: CredentialsInput): void {
    if (venueId === '') throw new OrderShellError('credentials_file', 'a venue id must not be empty');
    if (!credentials.apiKey || !credentials.secret) throw new OrderShellError('credentials_file', `credentials for ${venueId} need a non-empty apiKey and secret`);
    const clean: CredentialsInput = {
      apiKey: credentials.apiKey,
      secret: credentials.secret,
      ...(credentials.password !== undefined ? { password: credentials.password } : {}),
      ...(credentials.uid !== undefined ? { uid: credentials.uid } : {}),
    };
    this.write({ ...this.#plain, [venueId]: clean });
  }

  /** Removes a venue's credentials; returns whether there were any. */
  delete(venueId: string): boolean {
    if (!(venueId in this.#plain)) return false;
    const { [venueId]: _gone, ...rest } = this.#plain;
    this.write(rest);
    return true;
  }

  /** Replaces every stored secret value occurring in `text` with `[redacted]` (for error messages, logs and dumps). */
  redact(text: string): string {
    return redactValues(text, this.secretValues());
  }

  /** Same as `redact` for an Error: message and stack, cause chain included. Returns a new Error. */
  redactError(error: unknown): Error {
    const e = error instanceof Error ? error : new Error(String(error));
    const out = new Error(this.redact(e.message), e.cause !== undefined ? { cause: this.redactError(e.cause) } : undefined);
    out.name = e.name;
    if (e.stack !== undefined) out.stack = this.redact(e.stack);
    return out;
  }

  toJSON(): unknown {
    return { path: this.path, venues: this.venues() };
  }

  [inspect.custom](): string {
    return `CredentialsStore { path: ${JSON.stringify(this.path)}, venues: [${this.venues().join(', ')}] }`;
  }

  private secretValues(): string[] {
    const out: string[] = [];
    for (const c of Object.values(this.#plain)) for (const v of [c.apiKey, c.secret, c.password, c.uid]) if (v !== undefined && v.length >= 4) out.push(v);
    return out;
  }

  private write(plain: Plain): void {
    const iv = randomBytes(12);
    const cipher = createCipheriv(CIPHER, this.#key, iv);
    cipher.setAAD(Buffer.from(CREDENTIALS_FORMAT, 'utf8'));
    const data = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    const body: FileBody = { format: CREDENTIALS_FORMAT, cipher: CIPHER, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    writeAtomic(this.path, `${JSON.stringify(body, null, 2)}\n`);
    this.#plain = plain;
    this.#entries = toEntries(plain);
  }
}

/** Replaces each of `values` in `text` with `[redacted]` (longest first, so a value containing another is scrubbed whole). */
export function redactValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of [...values].sort((a, b) => b.length - a.length)) if (v.length > 0) out = out.split(v).join(REDACTED);
  return out;
}

function toEntries(plain: Plain): Map<string, VenueCredentials> {
  const m = new Map<string, VenueCredentials>();
  for (const [venue, c] of Object.entries(plain)) {
    m.set(
      venue,
      Object.freeze({
        apiKey: new Secret(c.apiKey),
        secret: new Secret(c.secret),
        ...(c.password !== undefined ? { password: new Secret(c.password) } : {}),
        ...(c.uid !== undefined ? { uid: new Secret(c.uid) } : {}),
      }),
    );
  }
  return m;
}

function decrypt(path: string, text: string, key: Buffer): Plain {
  let body: Partial<FileBody>;
  try {
    body = JSON.parse(text) as Partial<FileBody>;
  } catch (e) {
    throw new OrderShellError('credentials_file', `credentials file ${path} is not JSON (damaged or not a credentials file)`, { cause: e });
  }
  if (body === null || typeof body !== 'object' || typeof body.format !== 'string') throw new OrderShellError('credentials_file', `credentials file ${path} has no \`format\`; expected ${CREDENTIALS_FORMAT}`);
  if (body.format !== CREDENTIALS_FORMAT) {
    throw new OrderShellError('credentials_file', `credentials file ${path} has format ${JSON.stringify(body.format)}; this build reads ${CREDENTIALS_FORMAT} only`);
  }
  if (body.cipher !== CIPHER || typeof body.iv !== 'string' || typeof body.tag !== 'string' || typeof body.data !== 'string') {
    throw new OrderShellError('credentials_file', `credentials file ${path} is incomplete: needs cipher "${CIPHER}", iv, tag and data`);
  }
  const iv = Buffer.from(body.iv, 'base64');
  const tag = Buffer.from(body.tag, 'base64');
  if (iv.length !== 12 || tag.length !== 16) throw new OrderShellError('credentials_file', `credentials file ${path} has a malformed iv or tag (tampered or damaged)`);
  let plain: string;
  try {
    const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(CREDENTIALS_FORMAT, 'utf8'));
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(Buffer.from(body.data, 'base64')), decipher.final()]).toString('utf8');
  } catch (e) {
    throw new OrderShellError(
      'credentials_file',
      `credentials file ${path} failed authentication: either ${CREDENTIALS_KEY_ENV} is not the key it was written with, or the file was modified`,
      { cause: e },
    );
  }
  const parsed = JSON.parse(plain) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new OrderShellError('credentials_file', `credentials file ${path} decrypts to something that is not a venue map`);
  return parsed as Plain;
}

function writeAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new OrderShellError('credentials_file', `cannot write credentials file ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const dfd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Directory fsync is best effort (not every file system allows opening a directory).
  }
}
