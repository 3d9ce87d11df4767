import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SubmitOrder } from '@strata/contract';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderLogRecord } from '../core/types.js';
import { OrderShellError } from './errors.js';
import { ORDER_LOG_SCHEMA_VERSION, SqliteOrderLog } from './order-log.js';

const submit = (id: string, seq: number): SubmitOrder => ({
  schema: 'order/v1',
  type: 'SubmitOrder',
  clientOrderId: id,
  tsEvent: 1_700_000_000_000 + seq,
  seq,
  symbol: 'BTC/USDT',
  side: 'buy',
  qty: 0.5,
  orderType: 'limit',
  limitPrice: 30_000,
  timeInForce: 'gtc',
});
const rec = (n: number, kind: OrderLogRecord['kind'] = 'input'): OrderLogRecord => ({ n, tsEvent: 1_700_000_000_000 + n, kind, message: submit(`o-${n}`, n) });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-order-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteOrderLog', () => {
  it('round-trips records in order across a reopen, stored as canonical JSON', () => {
    const path = join(dir, 'orders.sqlite');
    const log = new SqliteOrderLog(path, { venueId: 'sim' });
    log.append([rec(0), rec(1, 'venue')]);
    log.append([rec(2, 'event')]);
    expect(log.length).toBe(3);
    log.close();
    const again = new SqliteOrderLog(path, { venueId: 'sim' });
    expect(again.readAll()).toEqual([rec(0), rec(1, 'venue'), rec(2, 'event')]);
    expect(again.readFrom(2)).toEqual([rec(2, 'event')]);
    expect(again.length).toBe(3);
    expect(again.meta()).toMatchObject({ format: 'strata.order-log', schemaVersion: ORDER_LOG_SCHEMA_VERSION, venueId: 'sim' });
    again.close();
    const db = new Database(path, { readonly: true });
    const body = (db.prepare('SELECT body FROM records WHERE n = 0').get() as { body: string }).body;
    db.close();
    // RFC 8785: keys sorted, no whitespace.
    expect(body.startsWith('{"kind":"input","message":{"clientOrderId":"o-0","limitPrice":30000,')).toBe(true);
  });

  it('runs in WAL mode with synchronous=FULL so an append is durable when it returns', () => {
    const path = join(dir, 'orders.sqlite');
    const log = new SqliteOrderLog(path, { venueId: 'sim' });
    const db = (log as unknown as { db: Database.Database }).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
    log.close();
  });

  it.each([
    ['a gap', [rec(0), rec(2)], /record n=2 .* would leave a gap; the next position is 1/],
    ['a first record not at 0', [rec(1)], /record n=1 .* would leave a gap; the next position is 0/],
    ['a non-integer position', [{ ...rec(0), n: 0.5 }], /record n=0.5/],
  ])('refuses %s, naming the record, and writes nothing of the batch', (_why, batch, message) => {
    const log = new SqliteOrderLog(join(dir, 'orders.sqlite'), { venueId: 'sim' });
    expect(() => log.append(batch)).toThrow(message);
    expect(log.readAll()).toEqual([]);
    expect(log.length).toBe(0);
    log.close();
  });

  it('refuses a rewrite of an existing position', () => {
    const log = new SqliteOrderLog(join(dir, 'orders.sqlite'), { venueId: 'sim' });
    log.append([rec(0), rec(1)]);
    const e = (() => {
      try {
        log.append([rec(1, 'event')]);
      } catch (err) {
        return err as OrderShellError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(OrderShellError);
    expect(e?.code).toBe('order_log');
    expect(e?.message).toMatch(/record n=1 \(event SubmitOrder o-1\) would rewrite position 1; the next position is 2/);
    expect(log.readAll()).toEqual([rec(0), rec(1)]);
    log.close();
  });

  it('rolls back the whole batch when the database refuses one row', () => {
    const path = join(dir, 'orders.sqlite');
    const log = new SqliteOrderLog(path, { venueId: 'sim' });
    log.append([rec(0)]);
    // Another writer sneaks position 2 in: our batch 1..2 must fail as a whole.
    const db = new Database(path);
    db.prepare('INSERT INTO records (n, ts_event, kind, body) VALUES (2, 0, ?, ?)').run('input', JSON.stringify(rec(2)));
    db.close();
    expect(() => log.append([rec(1), rec(2)])).toThrow(/appending records n=1..2 failed/);
    log.close();
    const raw = new Database(path, { readonly: true });
    expect((raw.prepare('SELECT n FROM records ORDER BY n').all() as { n: number }[]).map((r) => r.n)).toEqual([0, 2]);
    raw.close();
  });

  it('refuses UPDATE and DELETE at the SQL level (append-only even for other writers)', () => {
    const path = join(dir, 'orders.sqlite');
    const log = new SqliteOrderLog(path, { venueId: 'sim' });
    log.append([rec(0)]);
    log.close();
    const db = new Database(path);
    expect(() => db.prepare("UPDATE records SET kind = 'event' WHERE n = 0").run()).toThrow(/append-only: UPDATE refused/);
    expect(() => db.prepare('DELETE FROM records').run()).toThrow(/append-only: DELETE refused/);
    expect(() => db.prepare("UPDATE meta SET value = 'other' WHERE key = 'venue_id'").run()).toThrow(/immutable/);
    db.close();
    expect(Object.getOwnPropertyNames(SqliteOrderLog.prototype).filter((k) => /update|delete|remove|truncate|rewrite/i.test(k))).toEqual([]);
  });

  it('refuses a log made for another venue', () => {
    const path = join(dir, 'orders.sqlite');
    new SqliteOrderLog(path, { venueId: 'ccxt:binance' }).close();
    expect(() => new SqliteOrderLog(path, { venueId: 'sim' })).toThrow(/belongs to venue "ccxt:binance", not "sim"/);
  });

  it('refuses a log written with another schema version', () => {
    const path = join(dir, 'orders.sqlite');
    new SqliteOrderLog(path, { venueId: 'sim' }).close();
    const db = new Database(path);
    db.exec('DROP TRIGGER meta_no_update');
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    expect(() => new SqliteOrderLog(path, { venueId: 'sim' })).toThrow(/schema version 99; this build reads version 1 only/);
  });

  it('refuses an SQLite file that is not an order log', () => {
    const path = join(dir, 'other.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => new SqliteOrderLog(path, { venueId: 'sim' })).toThrow(/not a Strata order log \(tables: t\)/);
  });

  it('detects a hole left in the file by another writer when reopening', () => {
    const path = join(dir, 'orders.sqlite');
    const log = new SqliteOrderLog(path, { venueId: 'sim' });
    log.append([rec(0)]);
    log.close();
    const db = new Database(path);
    db.prepare('INSERT INTO records (n, ts_event, kind, body) VALUES (5, 0, ?, ?)').run('input', JSON.stringify(rec(5)));
    db.close();
    expect(() => new SqliteOrderLog(path, { venueId: 'sim' })).toThrow(/has a gap: 2 records but the highest position is 5/);
  });

  it('opens read-only for inspection and refuses appends there', () => {
    const path = join(dir, 'orders.sqlite');
    const log = new SqliteOrderLog(path, { venueId: 'sim' });
    log.append([rec(0)]);
    log.close();
    const ro = new SqliteOrderLog(path, { venueId: 'sim', readonly: true });
    expect(ro.readAll()).toEqual([rec(0)]);
    expect(() => ro.append([rec(1)])).toThrow(/failed/);
    ro.close();
    expect(() => new SqliteOrderLog(join(dir, 'missing.sqlite'), { venueId: 'sim', readonly: true })).toThrow(/cannot open order log/);
  });
});
