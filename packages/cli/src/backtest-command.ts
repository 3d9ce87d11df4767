import { dirname, resolve } from 'node:path';
import { compileFile, compileSource, formatDiagnostic, type CompileResult, type Plan } from '@strata/compiler';
import { FeedError, type BarSeries } from '@strata/feeds';
import {
  benchmarkCurve,
  computeMetrics,
  drawdownSeries,
  KERNEL_VERSION,
  KernelError,
  monthlyReturns,
  periodsPerYearOf,
  runBacktest,
  type BacktestResult,
  type EquityCurve,
  type Metrics,
} from '@strata/kernel';
import { perSymbolRows, renderReport, seriesFromColumns, tradeMarkers, type ReportModel } from '@strata/report';
import { ArtifactRefError, resolveArtifactRef, type ResolvedArtifact } from './artifact-ref.js';
import { parseParamOverrides, writeFileAtomic } from './io.js';
import { loadMarket, MarketInputError } from './market.js';
import type { Io } from './main.js';
import { checkOutputFile, checkRunFolder, isoDate, OutputFolderError, toCsv, writeRunFolder } from './run-folder.js';
import { formatSummary } from './summary-table.js';

export interface BacktestCommandOptions {
  readonly data?: string;
  readonly feed?: string;
  readonly from?: string;
  readonly to?: string;
  readonly param?: readonly string[];
  readonly json?: boolean;
  readonly out?: string;
  readonly report?: string;
  readonly cash?: string;
  readonly progress?: boolean;
  readonly color?: boolean;
}

class UsageError extends Error {}
class InputError extends Error {}

/** `strata backtest`: 0 on success, 1 on bad artifact / data, 2 on usage errors. */
export async function runBacktestCommand(target: string, opts: BacktestCommandOptions, io: Io): Promise<number> {
  try {
    return await backtest(target, opts, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`strata backtest: ${e.message}`);
      return 2;
    }
    if (e instanceof InputError || e instanceof MarketInputError || e instanceof FeedError || e instanceof KernelError || e instanceof OutputFolderError) {
      io.err(`strata backtest: ${e.message}`);
      if (e instanceof FeedError && e.code === 'unknown_symbol' && opts.data === undefined) {
        io.err('hint: the default data folder is data/ next to the artifact; pass --data DIR (e.g. --data ../shared/data for the crypto feeds)');
      }
      return 1;
    }
    throw e;
  }
}

function parseDate(flag: string, value: string | undefined, endOfDay: boolean): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || !Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw new UsageError(`${flag} ${value}: expected a date as YYYY-MM-DD`);
  return endOfDay ? ms + 86_400_000 - 1 : ms;
}

async function backtest(target: string, opts: BacktestCommandOptions, io: Io): Promise<number> {
  const overrides = parseParamOverrides(opts.param ?? []);
  if ('error' in overrides) throw new UsageError(overrides.error);
  const from = parseDate('--from', opts.from, false);
  const to = parseDate('--to', opts.to, true);
  if (from !== undefined && to !== undefined && from > to) throw new UsageError(`--from ${opts.from} is after --to ${opts.to}`);
  const initialCash = opts.cash === undefined ? 100_000 : Number(opts.cash);
  if (!(initialCash > 0) || !Number.isFinite(initialCash)) throw new UsageError(`--cash ${opts.cash}: expected a positive amount`);
  // Output targets are checked before any work, so a bad one never leaves half the outputs behind.
  if (opts.out !== undefined) checkRunFolder(opts.out);
  if (opts.report !== undefined) checkOutputFile('--report', opts.report);

  // 1. resolve (a file, the version at a git revision, or a strategy's version) and compile
  const params = Object.keys(overrides.params).length > 0 ? { params: overrides.params } : {};
  let artifact: ResolvedArtifact | undefined;
  let compiled: CompileResult;
  try {
    artifact = await resolveArtifactRef(target);
  } catch (e) {
    if (!(e instanceof ArtifactRefError)) throw e;
    // A plain path that cannot be read keeps the compiler's own diagnostic (E001: no such file, a directory, …).
    if (target.includes('@')) throw new InputError(e.message);
  }
  if (artifact === undefined) compiled = compileFile(target, params);
  else compiled = compileSource(artifact.source, { file: artifact.displayPath, baseDir: dirname(artifact.file), ...params });
  for (const d of compiled.diagnostics) io.err(formatDiagnostic(d, { color: opts.color ?? false }) + '\n');
  if (!compiled.ok || !compiled.plan) {
    const onlyOverrides = compiled.diagnostics.filter((d) => d.severity === 'error').every((d) => d.code === 'E509');
    io.err(`strata backtest: ${target} does not compile; nothing was run`);
    return onlyOverrides && compiled.diagnostics.length > 0 ? 2 : 1;
  }
  const plan = compiled.plan;

  // 2. data
  const dataBase = artifact?.dataBaseDir ?? dirname(artifact?.file ?? target);
  const market = await loadMarket(plan, { ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.feed !== undefined ? { feed: opts.feed } : {}), artifactDir: dataBase }, io);
  const { feedId } = market;
  const history = market;
  checkRange(history.series, plan, from, to);

  // 3. run
  const stream = market.stream();
  const progress = await startProgress(opts.progress ?? false, stream.total);
  let result: BacktestResult;
  try {
    result = runBacktest({
      plan,
      stream,
      initialCash,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      onProgress: progress.update,
    });
  } finally {
    progress.stop();
  }
  if (result.curve.length === 0) throw new InputError('the trading window holds no bars');

  // 4. metrics, benchmark
  const periodsPerYear = periodsPerYearOf(plan);
  const metrics = computeMetrics({ curve: result.curve, trades: result.trades, fills: result.fills, periodsPerYear });
  const bench = plan.benchmark ? benchmarkCurve(history.series.get(plan.benchmark)!, result.curve, initialCash) : undefined;
  const benchMetrics = bench ? computeMetrics({ curve: bench, trades: [], fills: [], periodsPerYear }) : undefined;
  const dsHash = history.datasetHash;
  const summary = {
    schema: 'strata.backtest-result/v1',
    artifact: {
      name: plan.artifact.name,
      file: target,
      hash: plan.artifact.hash,
      ...(artifact?.commit !== undefined ? { rev: artifact.rev, commit: artifact.commit } : {}),
      ...(artifact?.strategy !== undefined ? { repo: artifact.strategy.repo, version: artifact.strategy.version } : {}),
    },
    datasetHash: dsHash,
    engineVersion: KERNEL_VERSION,
    compilerVersion: plan.compiler.version,
    feed: feedId,
    params: plan.params,
    initialCash,
    period: { from: isoDate(result.curve.ts[0]!).slice(0, 10), to: isoDate(result.curve.ts[result.curve.length - 1]!).slice(0, 10), bars: result.curve.length },
    metrics,
    benchmark: plan.benchmark && benchMetrics ? { symbol: plan.benchmark, metrics: benchMetrics } : null,
    perSymbol: perSymbolRows(result.trades),
    openPositions: result.openPositions,
    dataWarnings: history.issues.filter((i) => i.severity === 'warning').length,
  };

  // 5. outputs (all-or-nothing): render everything first, then write
  const html = opts.report !== undefined ? renderReport(reportModel(plan, result, metrics, bench, benchMetrics, history.series, history.datasetHash, periodsPerYear)) : undefined;
  if (opts.out !== undefined) {
    const text = new Map<string, string>();
    text.set('summary.json', JSON.stringify(summary, jsonNumbers, 2) + '\n');
    text.set('plan.json', JSON.stringify(plan, null, 2) + '\n');
    text.set('artifact.yaml', artifact!.source); // it compiled, so it was resolved
    text.set('equity.csv', equityCsv(result.curve, bench));
    text.set('trades.csv', toCsv(['symbol', 'direction', 'entry_time', 'entry_price', 'exit_time', 'exit_price', 'qty', 'pnl', 'return', 'fees', 'slippage', 'bars', 'exit_reason'], result.trades.map((t) => [t.symbol, t.direction, isoDate(t.entryTs), t.entryPrice, isoDate(t.exitTs), t.exitPrice, t.qty, t.pnl, t.returnPct, t.fees, t.slippage, t.bars, t.exitReason])));
    text.set('orders.csv', toCsv(['client_order_id', 'time', 'symbol', 'side', 'type', 'qty', 'price', 'filled_qty', 'avg_fill_price', 'status', 'reason'], result.orders.map((o) => [o.clientOrderId, isoDate(o.ts), o.symbol, o.side, o.orderType, o.qty, o.price, o.filledQty, o.avgFillPrice, o.status, o.reason])));
    text.set('fills.csv', toCsv(['time', 'symbol', 'side', 'qty', 'price', 'fee', 'slippage', 'client_order_id'], result.fills.map((f) => [isoDate(f.ts), f.symbol, f.side, f.qty, f.price, f.fee, f.slippage, f.clientOrderId])));
    writeRunFolder(opts.out, { text, sqlite: (db) => writeSqlite(db, summary, result) });
  }
  if (opts.report !== undefined && html !== undefined) writeFileAtomic(resolve(opts.report), html);
  if (opts.json) io.out(JSON.stringify(summary, jsonNumbers, 2));
  else {
    io.out(formatSummary(summary, metrics, benchMetrics));
    if (opts.out !== undefined) io.out(`\nwrote ${opts.out}/ (summary.json, equity.csv, trades.csv, orders.csv, fills.csv, run.sqlite)`);
    if (opts.report !== undefined) io.out(`wrote ${opts.report}`);
  }
  return 0;
}

/** Infinity (profit factor with no losses) is not JSON: write it as the string "Infinity". */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function checkRange(series: ReadonlyMap<string, BarSeries>, plan: Plan, from: number | undefined, to: number | undefined): void {
  let first = Number.NEGATIVE_INFINITY;
  let last = Number.POSITIVE_INFINITY;
  for (const sym of plan.universe) {
    const s = series.get(sym);
    if (!s || s.length === 0) throw new InputError(`no bars for ${sym}`);
    first = Math.max(first, s.ts[0]!);
    last = Math.min(last, s.ts[s.length - 1]!);
  }
  const day = (ms: number) => isoDate(ms).slice(0, 10);
  if (from !== undefined && from > last) throw new InputError(`--from ${day(from)} is after the end of the data (${day(last)}); the universe has data from ${day(first)} to ${day(last)}`);
  if (to !== undefined && to < first) throw new InputError(`--to ${day(to)} is before the start of the data (${day(first)}); the universe has data from ${day(first)} to ${day(last)}`);
}

function equityCsv(curve: EquityCurve, bench: EquityCurve | undefined): string {
  const rows: unknown[][] = [];
  for (let i = 0; i < curve.length; i++) rows.push([isoDate(curve.ts[i]!), curve.equity[i], curve.cash[i], curve.exposure[i], bench ? bench.equity[i] : null]);
  return toCsv(['time', 'equity', 'cash', 'exposure', 'benchmark_equity'], rows);
}

function writeSqlite(db: import('better-sqlite3').Database, summary: Record<string, unknown>, r: BacktestResult): void {
  db.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE events (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL, client_order_id TEXT, symbol TEXT, body TEXT NOT NULL);
    CREATE TABLE orders (client_order_id TEXT PRIMARY KEY, ts INTEGER, symbol TEXT, side TEXT, type TEXT, qty REAL, price REAL, filled_qty REAL, avg_fill_price REAL, status TEXT, reason TEXT);
    CREATE TABLE fills (id INTEGER PRIMARY KEY, ts INTEGER, symbol TEXT, side TEXT, qty REAL, price REAL, fee REAL, slippage REAL, client_order_id TEXT);
    CREATE TABLE trades (id INTEGER PRIMARY KEY, symbol TEXT, direction TEXT, entry_ts INTEGER, entry_price REAL, exit_ts INTEGER, exit_price REAL, qty REAL, pnl REAL, return REAL, fees REAL, slippage REAL, bars INTEGER, exit_reason TEXT);
    CREATE TABLE equity (ts INTEGER PRIMARY KEY, equity REAL, cash REAL, exposure REAL);
  `);
  db.transaction(() => {
    const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    for (const [k, v] of Object.entries(summary)) meta.run(k, JSON.stringify(v, jsonNumbers));
    const ev = db.prepare('INSERT INTO events (seq, ts, type, client_order_id, symbol, body) VALUES (?, ?, ?, ?, ?, ?)');
    for (const e of r.log) {
      const rec = e as { clientOrderId?: string; symbol?: string };
      ev.run(e.seq, e.ts, e.type, rec.clientOrderId ?? null, rec.symbol ?? null, JSON.stringify(e));
    }
    const or = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const o of r.orders) or.run(o.clientOrderId, o.ts, o.symbol, o.side, o.orderType, o.qty, o.price, o.filledQty, o.avgFillPrice, o.status, o.reason);
    const fi = db.prepare('INSERT INTO fills (ts, symbol, side, qty, price, fee, slippage, client_order_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (const f of r.fills) fi.run(f.ts, f.symbol, f.side, f.qty, f.price, f.fee, f.slippage, f.clientOrderId);
    const tr = db.prepare('INSERT INTO trades (symbol, direction, entry_ts, entry_price, exit_ts, exit_price, qty, pnl, return, fees, slippage, bars, exit_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const t of r.trades) tr.run(t.symbol, t.direction, t.entryTs, t.entryPrice, t.exitTs, t.exitPrice, t.qty, t.pnl, t.returnPct, t.fees, t.slippage, t.bars, t.exitReason);
    const eq = db.prepare('INSERT INTO equity VALUES (?, ?, ?, ?)');
    for (let i = 0; i < r.curve.length; i++) eq.run(r.curve.ts[i], r.curve.equity[i], r.curve.cash[i], r.curve.exposure[i]);
  })();
}

function reportModel(
  plan: Plan,
  r: BacktestResult,
  metrics: Metrics,
  bench: EquityCurve | undefined,
  benchMetrics: Metrics | undefined,
  series: ReadonlyMap<string, BarSeries>,
  dsHash: string,
  periodsPerYear: number,
): ReportModel {
  const dd = drawdownSeries(r.curve);
  // The price chart shows the most traded symbol (ties: universe order).
  const counts = new Map<string, number>();
  for (const t of r.trades) counts.set(t.symbol, (counts.get(t.symbol) ?? 0) + 1);
  const chartSymbol = [...plan.universe].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))[0]!;
  const s = series.get(chartSymbol)!;
  const start = r.curve.ts[0]!;
  const end = r.curve.ts[r.curve.length - 1]!;
  const candles = [];
  for (let i = 0; i < s.length; i++) {
    const t = s.ts[i]!;
    if (t < start || t > end) continue;
    candles.push({ time: Math.floor(t / 1000), open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]! });
  }
  const benchDd = bench ? drawdownSeries(bench) : undefined;
  return {
    meta: {
      strategyName: plan.artifact.name,
      artifactHash: plan.artifact.hash,
      datasetHash: dsHash,
      engineVersion: KERNEL_VERSION,
      timeframe: plan.timeframes.base,
      symbols: plan.universe,
      periodsPerYear,
    },
    metrics,
    benchmark:
      bench && benchMetrics && benchDd
        ? { name: `${plan.benchmark} buy & hold`, metrics: benchMetrics, equity: seriesFromColumns(bench.ts, bench.equity), drawdown: seriesFromColumns(benchDd.ts, benchDd.drawdown) }
        : null,
    equity: seriesFromColumns(r.curve.ts, r.curve.equity),
    drawdown: seriesFromColumns(dd.ts, dd.drawdown),
    price: { symbol: chartSymbol, kind: 'candles', candles, markers: tradeMarkers(r.trades, chartSymbol) },
    perSymbol: perSymbolRows(r.trades),
    monthly: monthlyReturns(r.curve),
    trades: r.trades,
  };
}

interface Progress {
  update: (done: number, total: number) => void;
  stop: () => void;
}

/** A progress bar on stderr for runs that last more than a second (TTY only, or forced with --progress). */
async function startProgress(force: boolean, total: number): Promise<Progress> {
  const tty = process.stderr.isTTY === true;
  if ((!tty && !force) || !(total > 0)) return { update: () => undefined, stop: () => undefined };
  const { SingleBar, Presets } = await import('cli-progress');
  const started = Date.now();
  let bar: InstanceType<typeof SingleBar> | undefined;
  return {
    update: (done) => {
      if (!bar) {
        if (Date.now() - started < 1000) return;
        bar = new SingleBar({ format: 'backtest [{bar}] {percentage}% | {value}/{total} bars | ETA {eta}s', stream: process.stderr, hideCursor: true, noTTYOutput: force }, Presets.shades_classic);
        bar.start(total, done);
      }
      bar.update(done);
    },
    stop: () => {
      if (!bar) return;
      bar.update(total);
      bar.stop();
    },
  };
}
