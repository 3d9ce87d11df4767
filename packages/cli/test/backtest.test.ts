import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, root, strata } from './run-bin.js';

/**
 * End-to-end tests of `strata backtest`: every case spawns the real built bin
 * (`node packages/cli/bin/strata.js`). The CLI is built here only when it has never been built.
 */

/** The shared data beside the repository (../shared/data), or STRATA_SHARED_DATA. */
const SHARED_DATA = process.env['STRATA_SHARED_DATA'] ?? join(root, '..', 'shared', 'data');
const ANSI = /\u001b\[/;


let tmp: string;
let n = 0;
/** A path under the temp root that does not exist yet. */
const freshPath = (label: string) => join(tmp, `${label}-${n++}`);
/** A fresh, empty directory under the temp root. */
const freshDir = (label: string) => {
  const d = freshPath(label);
  mkdirSync(d, { recursive: true });
  return d;
};

const BROKEN = [
  'strata: strategy/v1',
  'name: broken',
  'universe: [SPY]',
  'timeframe: 1d',
  'feeds: { bars: equities.us.daily }',
  'entry:',
  '  long: close > open && close > 1',
  '',
].join('\n');

/** A copy of examples/data/etf in a temp dir (so single files can be removed or broken). */
function copyData(label: string): string {
  const d = freshDir(label);
  cpSync(join(root, 'examples/data/etf'), join(d, 'etf'), { recursive: true });
  return d;
}

/** Asserts that nothing was written for `--out out`: no folder, no leftover temp folder beside it. */
function expectNoOutput(out: string): void {
  expect(existsSync(out), `${out} must not exist`).toBe(false);
  const base = out.slice(tmp.length + 1);
  expect(readdirSync(tmp).filter((f) => f.startsWith(`.${base}`))).toEqual([]);
}

beforeAll(() => {
  if (!existsSync(join(root, 'packages/cli/dist/main.js'))) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  }
  tmp = mkdtempSync(join(tmpdir(), 'strata-backtest-test-'));
  writeFileSync(join(tmp, 'broken.yaml'), BROKEN);
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const FILES = ['summary.json', 'equity.csv', 'trades.csv', 'orders.csv', 'fills.csv', 'plan.json', 'run.sqlite'];

/** CSV rows (without the header), split naively: none of the written values contains a comma. */
const csvRows = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));

describe.concurrent('strata backtest: the quick start', () => {
  it('`strata backtest examples/sector-rotation.yaml` exits 0 and prints the summary with both columns', async () => {
    const r = await strata(['backtest', 'examples/sector-rotation.yaml']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^sector-rotation {2}\d{4}-\d{2}-\d{2} → \d{4}-\d{2}-\d{2} {2}\(\d+ bars\)$/);
    expect(r.stdout).toMatch(/^artifact sha256:[0-9a-f]{64}$/m);
    expect(r.stdout).toMatch(/^dataset {2}sha256:[0-9a-f]{64}$/m);
    expect(r.stdout).toMatch(/^engine {3}\S+$/m);
    // Header: the strategy column and the benchmark column.
    const header = lines.find((l) => l.includes('SPY buy & hold'));
    expect(header).toBeDefined();
    expect(header).toMatch(/sector-rotation\s+SPY buy & hold$/);
    // Rows with a value in both columns.
    for (const label of ['Total return', 'CAGR', 'Volatility \\(ann\\.\\)', 'Max drawdown']) {
      expect(r.stdout).toMatch(new RegExp(`^${label}\\s.*-?\\d+\\.\\d\\d%.*\\s-?\\d+\\.\\d\\d%`, 'm'));
    }
    expect(r.stdout).toMatch(/^Sharpe\s+-?\d+\.\d\d\s+-?\d+\.\d\d$/m);
    expect(r.stdout).toMatch(/^Final equity\s+[\d,]+\.\d\d\s+[\d,]+\.\d\d$/m);
    // Per-symbol table.
    expect(r.stdout).toMatch(/^Symbol\s+Trades\s+Win rate\s+Net P&L\s+Avg return\s+Fees$/m);
  });

  it('--json parses and carries the artifact hash (the same as `strata compile --json`), datasetHash, engineVersion and metrics', async () => {
    const [bt, comp] = await Promise.all([strata(['backtest', 'examples/sector-rotation.yaml', '--json']), strata(['compile', 'examples/sector-rotation.yaml', '--json'])]);
    expect(bt.code).toBe(0);
    expect(comp.code).toBe(0);
    const s = JSON.parse(bt.stdout) as Record<string, any>;
    const c = JSON.parse(comp.stdout) as { results: { hash: string }[] };
    expect(s.schema).toBe('strata.backtest-result/v1');
    expect(s.artifact.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(s.artifact.hash).toBe(c.results[0]!.hash);
    expect(s.artifact.name).toBe('sector-rotation');
    expect(s.datasetHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(typeof s.engineVersion).toBe('string');
    expect(s.engineVersion.length).toBeGreaterThan(0);
    for (const k of ['totalReturn', 'cagr', 'volatility', 'sharpe', 'maxDrawdown', 'finalEquity', 'trades']) expect(s.metrics).toHaveProperty(k);
    expect(s.metrics.finalEquity).toBeGreaterThan(0);
    expect(s.benchmark.symbol).toBe('SPY');
    expect(s.benchmark.metrics).toHaveProperty('totalReturn');
    expect(s.initialCash).toBe(100_000);
    expect(s.period.bars).toBeGreaterThan(1000);
  });

  it('--from/--to bound the window; the benchmark is the buy-and-hold of SPY’s adjusted close over it', async () => {
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--from', '2007-01-03', '--to', '2024-12-31', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, any>;
    expect(s.period.from).toBe('2007-01-03');
    expect(s.period.to).toBe('2024-12-31');
    // Reference straight from the CSV: adj_close(2024-12-31) / adj_close(2007-01-03) − 1.
    const rows = readFileSync(join(root, 'examples/data/etf/SPY.csv'), 'utf8').split('\n');
    const adj = (date: string) => Number(rows.find((l) => l.startsWith(`${date},`))!.split(',')[5]);
    const expected = adj('2024-12-31') / adj('2007-01-03') - 1;
    expect(Math.abs(s.benchmark.metrics.totalReturn / expected - 1)).toBeLessThan(1e-9);
    expect(s.benchmark.metrics.initialEquity).toBe(100_000);
  });

  it('btc-breakout with --data ../shared/data exits 0 (the multi-timeframe path end to end)', async () => {
    expect(existsSync(join(SHARED_DATA, 'crypto/BTCUSDT-1h.csv'))).toBe(true);
    const r = await strata(['backtest', 'examples/btc-breakout.yaml', '--data', SHARED_DATA, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, any>;
    expect(s.artifact.name).toBe('btc-breakout');
    expect(s.benchmark.symbol).toBe('BTC/USDT');
    expect(s.period.bars).toBeGreaterThan(10_000);
    expect(s.metrics.trades).toBeGreaterThan(0);
  });
});

describe.concurrent('strata backtest --out / --report', () => {
  it('--out twice into two folders gives byte-identical files, run.sqlite included', async () => {
    const a = freshPath('run-a');
    const b = freshPath('run-b');
    const [ra, rb] = await Promise.all([strata(['backtest', 'examples/sector-rotation.yaml', '--out', a]), strata(['backtest', 'examples/sector-rotation.yaml', '--out', b])]);
    expect(ra.code).toBe(0);
    expect(rb.code).toBe(0);
    for (const f of FILES) {
      expect(existsSync(join(a, f)), f).toBe(true);
      expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), `${f} differs between the two runs`).toBe(true);
    }
    expect(readdirSync(b).sort()).toEqual(readdirSync(a).sort());
  });

  it('run.sqlite has the events/orders/fills/trades/equity/meta tables, consistent with the CSVs and summary.json', async () => {
    const out = freshPath('run-db');
    const r = await strata(['backtest', 'examples/sector-rotation.yaml', '--out', out]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, any>;
    const fills = csvRows(readFileSync(join(out, 'fills.csv'), 'utf8'));
    const orders = csvRows(readFileSync(join(out, 'orders.csv'), 'utf8'));
    const trades = csvRows(readFileSync(join(out, 'trades.csv'), 'utf8'));
    const equity = csvRows(readFileSync(join(out, 'equity.csv'), 'utf8'));
    const db = new Database(join(out, 'run.sqlite'), { readonly: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['equity', 'events', 'fills', 'meta', 'orders', 'trades']));
      const count = (t: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
      expect(count('fills')).toBe(fills.length);
      expect(count('orders')).toBe(orders.length);
      expect(count('trades')).toBe(trades.length);
      expect(count('equity')).toBe(equity.length);
      expect(fills.length).toBeGreaterThan(0);
      expect(trades.length).toBe(summary.metrics.trades);
      expect(equity.length).toBe(summary.period.bars);
      // Row by row: fills in the same order with the same values.
      const dbFills = db.prepare('SELECT ts, symbol, side, qty, price, fee, client_order_id FROM fills ORDER BY id').all() as { ts: number; symbol: string; side: string; qty: number; price: number; fee: number; client_order_id: string }[];
      dbFills.forEach((f, i) => {
        const row = fills[i]!;
        expect([new Date(f.ts).toISOString(), f.symbol, f.side, String(f.qty), String(f.price), String(f.fee), f.client_order_id]).toEqual([row[0], row[1], row[2], row[3], row[4], row[5], row[7]]);
      });
      // Orders by client order id: same status and filled quantity.
      const dbOrders = new Map((db.prepare('SELECT client_order_id, status, filled_qty FROM orders').all() as { client_order_id: string; status: string; filled_qty: number }[]).map((o) => [o.client_order_id, o]));
      for (const o of orders) {
        const d = dbOrders.get(o[0]!);
        expect(d, o[0]).toBeDefined();
        expect([d!.status, String(d!.filled_qty)]).toEqual([o[9], o[7]]);
      }
      // Trades: same net P&L, in order.
      const dbTrades = db.prepare('SELECT symbol, pnl, exit_reason FROM trades ORDER BY id').all() as { symbol: string; pnl: number; exit_reason: string }[];
      expect(dbTrades.map((t) => [t.symbol, String(t.pnl), t.exit_reason])).toEqual(trades.map((t) => [t[0], t[7], t[12]]));
      // Equity: the last mark is the final equity of the summary.
      const last = db.prepare('SELECT ts, equity FROM equity ORDER BY ts DESC LIMIT 1').get() as { ts: number; equity: number };
      expect(String(last.equity)).toBe(equity[equity.length - 1]![1]);
      expect(last.equity).toBe(summary.metrics.finalEquity);
      // The event log: one SubmitOrder per order, one OrderFilled per fill.
      const ev = (type: string) => (db.prepare('SELECT COUNT(*) AS n FROM events WHERE type = ?').get(type) as { n: number }).n;
      expect(ev('SubmitOrder')).toBe(orders.length);
      expect(ev('OrderFilled')).toBe(fills.length);
      expect(ev('Decision')).toBeGreaterThan(0);
      // meta mirrors summary.json.
      const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((m) => [m.key, JSON.parse(m.value) as unknown]));
      expect((meta.get('artifact') as { hash: string }).hash).toBe(summary.artifact.hash);
      expect(meta.get('datasetHash')).toBe(summary.datasetHash);
      expect(meta.get('engineVersion')).toBe(summary.engineVersion);
    } finally {
      db.close();
    }
  });

  it('--report writes a self-contained HTML report that names the artifact hash', async () => {
    const html = join(freshDir('report'), 'r.html');
    const r = await strata(['backtest', 'examples/sector-rotation.yaml', '--report', html, '--json']);
    expect(r.code).toBe(0);
    const hash = (JSON.parse(r.stdout) as { artifact: { hash: string } }).artifact.hash;
    const text = readFileSync(html, 'utf8');
    expect(text).toMatch(/^<!doctype html>/i);
    expect(text).toContain(hash);
    // Self-contained: no external scripts, stylesheets or images.
    expect(text).not.toMatch(/<script[^>]+\bsrc\s*=/i);
    expect(text).not.toMatch(/<link[^>]+\bhref\s*=\s*["']?(https?:)?\/\//i);
    expect(text).not.toMatch(/<img[^>]+\bsrc\s*=\s*["']?(https?:)?\/\//i);
  });

  it('an existing Strata run folder is replaced', async () => {
    const out = freshPath('rerun');
    expect((await strata(['backtest', 'examples/sma-cross.yaml', '--out', out])).code).toBe(0);
    writeFileSync(join(out, 'stale.txt'), 'left from before');
    expect((await strata(['backtest', 'examples/sma-cross.yaml', '--out', out])).code).toBe(0);
    expect(existsSync(join(out, 'stale.txt'))).toBe(false);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
  });
});

describe.concurrent('strata backtest: bad input fails clearly and writes nothing', () => {
  it('a missing artifact file: non-zero exit, the message names the file', async () => {
    const out = freshPath('out-missing');
    const r = await strata(['backtest', 'examples/nope.yaml', '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('examples/nope.yaml');
    expect(r.stderr).toMatch(/no such file/);
    expectNoOutput(out);
  });

  it('an artifact with a compile error: exit 1, the diagnostic with file:line', async () => {
    const out = freshPath('out-broken');
    const r = await strata(['backtest', join(tmp, 'broken.yaml'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E\d{3}\]/);
    expect(r.stderr).toMatch(/broken\.yaml:7:\d+/);
    expect(r.stdout).toBe('');
    expectNoOutput(out);
  });

  it('diagnostics on a pipe are not coloured (with NO_COLOR, and without it when stderr is not a terminal)', async () => {
    const [withEnv, without] = await Promise.all([strata(['backtest', join(tmp, 'broken.yaml')]), strata(['backtest', join(tmp, 'broken.yaml')], { noColorEnv: false })]);
    expect(withEnv.code).toBe(1);
    expect(withEnv.stderr).toMatch(/error\[E\d{3}\]/);
    expect(withEnv.stderr).not.toMatch(ANSI);
    expect(without.stderr).not.toMatch(ANSI);
  });

  it('--data pointing to a missing directory: non-zero exit, the message names the directory', async () => {
    const out = freshPath('out-nodata');
    const missing = join(tmp, 'no-such-data');
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--data', missing, '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toMatch(/does not exist/);
    expectNoOutput(out);
  });

  it('a universe symbol without its CSV: the message names the symbol and the directory', async () => {
    const data = copyData('data-noxle');
    rmSync(join(data, 'etf/XLE.csv'));
    const out = freshPath('out-noxle');
    const r = await strata(['backtest', 'examples/sector-rotation.yaml', '--data', data, '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\bXLE\b/);
    expect(r.stderr).toContain(join(data, 'etf'));
    expectNoOutput(out);
  });

  it('a corrupt row: the message has the file and the line', async () => {
    const data = copyData('data-corrupt');
    const file = join(data, 'etf/XLE.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    // Line 101 (1-based; the header is line 1): its open becomes a non-number.
    const cells = lines[100]!.split(',');
    cells[1] = '27.4x';
    lines[100] = cells.join(',');
    writeFileSync(file, lines.join('\n'));
    const out = freshPath('out-corrupt');
    const r = await strata(['backtest', 'examples/sector-rotation.yaml', '--data', data, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:101`);
    expect(r.stderr).toMatch(/27\.4x/);
    expectNoOutput(out);
  });

  it('a negative price: the message has the file and the line', async () => {
    const data = copyData('data-negative');
    const file = join(data, 'etf/SPY.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    const cells = lines[4999]!.split(',');
    cells[4] = `-${cells[4]}`; // close of line 5000
    lines[4999] = cells.join(',');
    writeFileSync(file, lines.join('\n'));
    const out = freshPath('out-negative');
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--data', data, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:5000`);
    expectNoOutput(out);
  });

  it('--from after the data: non-zero exit, the message gives the data range', async () => {
    const out = freshPath('out-from');
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--from', '2030-01-01', '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--from 2030-01-01/);
    expect(r.stderr).toMatch(/\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
    expectNoOutput(out);
  });

  it('--to before the data: non-zero exit', async () => {
    const out = freshPath('out-to');
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--to', '1990-01-01', '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--to 1990-01-01/);
    expectNoOutput(out);
  });

  it.each(['2020-13-01', '2020-02-30', '01/02/2020', 'yesterday'])('--from %s (malformed): exit 2', async (bad) => {
    const out = freshPath('out-badfrom');
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--from', bad, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--from ${bad}`);
    expect(r.stderr).toMatch(/YYYY-MM-DD/);
    expectNoOutput(out);
  });

  it('--param nope=1 (unknown): exit 2, the message names the param', async () => {
    const out = freshPath('out-nope');
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--param', 'nope=1', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\bnope\b/);
    expectNoOutput(out);
  });

  it('--param fast=999 (out of range): exit 2, the message names the param and its range', async () => {
    const out = freshPath('out-fast');
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--param', 'fast=999', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\bfast\b/);
    expect(r.stderr).toMatch(/999/);
    expect(r.stderr).toMatch(/\[5, 50\]/);
    expectNoOutput(out);
  });

  it('an existing file as --out is refused with a clear message (not an internal error) and left untouched', async () => {
    const file = join(freshDir('outfile'), 'results.txt');
    writeFileSync(file, 'precious');
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--out', file]);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBe(70);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });

  it('--report naming an existing directory fails clearly, and --out writes nothing (all or nothing)', async () => {
    const dir = freshDir('report-is-dir');
    const out = freshPath('out-report-dir');
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--report', dir, '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBe(70);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toContain(dir);
    expectNoOutput(out);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an existing folder that is not a Strata run folder is refused and left untouched', async () => {
    const mine = freshDir('mine');
    writeFileSync(join(mine, 'notes.txt'), 'precious');
    mkdirSync(join(mine, 'sub'));
    const r = await strata(['backtest', 'examples/sma-cross.yaml', '--out', mine]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(mine);
    expect(r.stderr).toMatch(/not a Strata run folder/);
    expect(readdirSync(mine).sort()).toEqual(['notes.txt', 'sub']);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('precious');
  });
});
