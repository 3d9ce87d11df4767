import Database from 'better-sqlite3';
import type { OrderLogRecord } from '../core/types.js';
import { canonicalJson } from './canonical-json.js';
import { OrderShellError } from './errors.js';

/** The layout version of the order-log file. A file written with another version is refused. */
export const ORDER_LOG_SCHEMA_VERSION = 1;
const FORMAT = 'strata.order-log';

const RECORD_KINDS: readonly OrderLogRecord['kind'][] = ['input', 'reject', 'venue', 'event', 'timer', 'conflict'];

export interface SqliteOrderLogOptions {
  /** The venue this log belongs to (e.g. `ccxt:binance`). Opening a log made for another venue is an error. */
  readonly venueId: string;
  /** Open an existing log for reading only (inspection tools); `append` then throws. */
  readonly readonly?: boolean;
}

/**
 * The append-only order log in one SQLite file (better-sqlite3). Every record is stored as
 * canonical JSON (RFC 8785) under its position `n`; positions start at 0 and have no gaps. The
 * database runs in WAL mode with `synchronous = FULL`, so once `append` returns the records are
 * on disk: a kill -9 right after it loses nothing. There is no update or delete API, and triggers
 * refuse UPDATE and DELETE at the SQL level too.
 *
 * A `meta` table records the file format, its schema version and the venue id; opening a log
 * made for another venue or another schema version is an `order_log` error.
 */
export class SqliteOrderLog {
  readonly path: string;
  readonly venueId: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[number, number, string, string]>;
  private readonly appendMany: (records: readonly OrderLogRecord[]) => void;
  private next: number;
  private closed = false;

  constructor(path: string, options: SqliteOrderLogOptions) {
    this.path = path;
    this.venueId = options.venueId;
    const readonly = options.readonly === true;
    try {
      this.db = new Database(path, { readonly, fileMustExist: readonly });
    } catch (e) {
      throw new OrderShellError('order_log', `cannot open order log ${path}: ${(e as Error).message}`, { cause: e });
    }
    try {
      if (!readonly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = FULL');
        this.initialise();
      }
      this.checkMeta();
      this.insert = this.db.prepare('INSERT INTO records (n, ts_event, kind, body) VALUES (?, ?, ?, ?)');
      const row = this.db.prepare('SELECT COALESCE(MAX(n) + 1, 0) AS next, COUNT(*) AS count FROM records').get() as { next: number; count: number };
      if (row.next !== row.count) throw new OrderShellError('order_log', `order log ${path} has a gap: ${row.count} records but the highest position is ${row.next - 1}`);
      this.next = row.next;
      this.appendMany = this.db.transaction((records: readonly OrderLogRecord[]) => {
        for (const r of records) this.insert.run(r.n, r.tsEvent, r.kind, canonicalJson(r));
      });
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  /** Number of records, which is also the `n` the next record must carry. */
  get length(): number {
    return this.next;
  }

  /**
   * Appends records in one transaction, durably. Their `n` must continue the log without a gap
   * (the first one equals `length`, each next one is one more); anything else — a gap, a rewrite of
   * an existing position — is an `order_log` error naming the record, and nothing is written.
   */
  append(records: readonly OrderLogRecord[]): void {
    this.assertOpen();
    if (records.length === 0) return;
    let expected = this.next;
    for (const r of records) {
      if (!Number.isInteger(r.n) || r.n !== expected) {
        const what = Number.isInteger(r.n) && r.n < expected ? `would rewrite position ${r.n}` : `would leave a gap`;
        throw new OrderShellError(
          'order_log',
          `order log ${this.path}: record n=${String(r.n)} (${r.kind} ${describeMessage(r)}) ${what}; the next position is ${expected}. The log is append-only and gap-free`,
        );
      }
      if (!RECORD_KINDS.includes(r.kind)) throw new OrderShellError('order_log', `order log ${this.path}: record n=${r.n} has unknown kind ${JSON.stringify(r.kind)}`);
      expected++;
    }
    try {
      this.appendMany(records);
    } catch (e) {
      throw new OrderShellError('order_log', `order log ${this.path}: appending records n=${records[0]!.n}..${expected - 1} failed: ${(e as Error).message}`, { cause: e });
    }
    this.next = expected;
  }

  /** Every record, in order. Checks that positions are gap-free and that each row is the record it claims to be. */
  readAll(): OrderLogRecord[] {
    return this.readFrom(0);
  }

  /** The records from position `from` on, in order. */
  readFrom(from: number): OrderLogRecord[] {
    this.assertOpen();
    const rows = this.db.prepare('SELECT n, kind, body FROM records WHERE n >= ? ORDER BY n').all(from) as { n: number; kind: string; body: string }[];
    const out: OrderLogRecord[] = [];
    let expected = from;
    for (const row of rows) {
      if (row.n !== expected) throw new OrderShellError('order_log', `order log ${this.path}: record n=${expected} is missing (found n=${row.n} next)`);
      let record: OrderLogRecord;
      try {
        record = JSON.parse(row.body) as OrderLogRecord;
      } catch (e) {
        throw new OrderShellError('order_log', `order log ${this.path}: record n=${row.n} is not valid JSON`, { cause: e });
      }
      if (record.n !== row.n || record.kind !== row.kind) {
        throw new OrderShellError('order_log', `order log ${this.path}: record at position ${row.n} claims n=${String(record.n)} kind=${String(record.kind)} (row says kind=${row.kind})`);
      }
      out.push(record);
      expected++;
    }
    return out;
  }

  /** The metadata the file was created with. */
  meta(): { readonly format: string; readonly schemaVersion: number; readonly venueId: string; readonly createdAt: string } {
    const m = this.readMeta();
    return { format: m.get('format') ?? '', schemaVersion: Number(m.get('schema_version')), venueId: m.get('venue_id') ?? '', createdAt: m.get('created_at') ?? '' };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new OrderShellError('closed', `order log ${this.path} is closed`);
  }

  private initialise(): void {
    const hasMeta = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
    if (hasMeta) return;
    const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    if (tables.length > 0) {
      throw new OrderShellError('order_log', `${this.path} is an SQLite database but not a Strata order log (tables: ${tables.map((t) => t.name).join(', ')}); pass a new file or an existing order log`);
    }
    this.db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE records (
        n INTEGER PRIMARY KEY CHECK (n >= 0),
        ts_event INTEGER NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL
      ) STRICT;
      CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'the order log is append-only: UPDATE refused'); END;
      CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'the order log is append-only: DELETE refused'); END;
      CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta BEGIN SELECT RAISE(ABORT, 'the order log meta is immutable'); END;
      CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta BEGIN SELECT RAISE(ABORT, 'the order log meta is immutable'); END;
    `);
    const put = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    this.db.transaction(() => {
      put.run('format', FORMAT);
      put.run('schema_version', String(ORDER_LOG_SCHEMA_VERSION));
      put.run('venue_id', this.venueId);
      put.run('created_at', new Date().toISOString());
    })();
  }

  private readMeta(): Map<string, string> {
    try {
      const rows = this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
      return new Map(rows.map((r) => [r.key, r.value]));
    } catch (e) {
      throw new OrderShellError('order_log', `${this.path} is not a Strata order log (no meta table)`, { cause: e });
    }
  }

  private checkMeta(): void {
    const m = this.readMeta();
    if (m.get('format') !== FORMAT) throw new OrderShellError('order_log', `${this.path} is not a Strata order log (format ${JSON.stringify(m.get('format') ?? null)})`);
    const version = m.get('schema_version');
    if (version !== String(ORDER_LOG_SCHEMA_VERSION)) {
      throw new OrderShellError(
        'order_log',
        `order log ${this.path} was written with schema version ${String(version)}; this build reads version ${ORDER_LOG_SCHEMA_VERSION} only. Use the Strata release that wrote it, or start a new log`,
      );
    }
    const venue = m.get('venue_id');
    if (venue !== this.venueId) {
      throw new OrderShellError(
        'order_log',
        `order log ${this.path} belongs to venue ${JSON.stringify(venue)}, not ${JSON.stringify(this.venueId)}: one log per venue; pass the log made for ${JSON.stringify(this.venueId)} or a new file`,
      );
    }
  }
}

function describeMessage(r: OrderLogRecord): string {
  const m = r.message as { type?: unknown; clientOrderId?: unknown };
  return typeof m?.clientOrderId === 'string' ? `${String(m.type)} ${m.clientOrderId}` : String(m?.type);
}
