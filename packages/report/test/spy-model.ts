/**
 * A realistic ReportModel from real data: SPY 2007-01-03 .. 2024-12-31
 * (examples/data/etf/SPY.csv, byte-identical to ../shared/data/etf/SPY.csv; see PROVENANCE.md).
 *
 * The synthetic strategy is a 200-day trend filter on the raw close: decide at the close
 * (go long when close > SMA200 · 1.01, exit when close < SMA200 · 0.99), fill at the next
 * open with 5 bps fees and 2 bps slippage, mark at the close, close any open position on
 * the last bar. The benchmark is buy and hold of the dividend-adjusted close.
 * Metrics come from the kernel's metrics module.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { EquityCurve, Fill, Trade } from '../../kernel/src/results.js';
import { buyAndHoldCurve, computeMetrics, drawdownSeries, monthlyReturns } from '../../kernel/src/metrics/index.js';
import { perSymbolRows, seriesFromColumns, tradeMarkers } from '../src/index.js';
import type { ReportModel } from '../src/index.js';

export const SPY_CSV = process.env['STRATA_DATA_DIR'] ? `${process.env['STRATA_DATA_DIR']}/etf/SPY.csv` : fileURLToPath(new URL('../../../examples/data/etf/SPY.csv', import.meta.url));

interface Row {
  date: string;
  open: string;
  high: string;
  low: string;
  close: string;
  adj_close: string;
}

/** Trend rule of the synthetic strategy: long above the 200-day average (with a ±1 % band). */
export const SMA_DAYS = 200;
const BAND = 0.01;

const FEE = 0.0005;
const SLIP = 0.0002;
const INITIAL = 100_000;

export function buildSpyModel() {
  const rows = (parse(readFileSync(SPY_CSV, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[]).filter(
    (r) => r.date >= '2007-01-03' && r.date <= '2024-12-31',
  );
  const n = rows.length;
  const ts = rows.map((r) => Date.parse(`${r.date}T00:00:00Z`));
  const close = rows.map((r) => Number(r.close));
  const adj = rows.map((r) => Number(r.adj_close));
  const openPx = rows.map((r) => Number(r.open));
  let cash = INITIAL;
  let qty = 0;
  let open: { i: number; price: number; fee: number; slip: number } | null = null;
  const equity = new Float64Array(n);
  const cashCol = new Float64Array(n);
  const exposure = new Float64Array(n);
  const fills: Fill[] = [];
  const trades: Trade[] = [];
  let sum = 0;
  let want: 'buy' | 'sell' | null = null; // decided at the previous close, filled at this open
  const buy = (i: number, ref: number) => {
    const price = ref * (1 + SLIP);
    qty = Math.floor(cash / (price * (1 + FEE)));
    const fee = qty * price * FEE;
    const slip = qty * ref * SLIP;
    cash -= qty * price + fee;
    open = { i, price, fee, slip };
    fills.push({ ts: ts[i] ?? 0, symbol: 'SPY', side: 'buy', qty, price, fee, slippage: slip, clientOrderId: `spy-${i}-buy` });
  };
  const sell = (i: number, ref: number, exitReason: Trade['exitReason']) => {
    if (open === null) return;
    const price = ref * (1 - SLIP);
    const fee = qty * price * FEE;
    const slip = qty * ref * SLIP;
    cash += qty * price - fee;
    fills.push({ ts: ts[i] ?? 0, symbol: 'SPY', side: 'sell', qty, price, fee, slippage: slip, clientOrderId: `spy-${i}-sell` });
    const pnl = qty * (price - open.price) - open.fee - fee;
    trades.push({
      symbol: 'SPY',
      direction: 'long',
      entryTs: ts[open.i] ?? 0,
      entryPrice: open.price,
      exitTs: ts[i] ?? 0,
      exitPrice: price,
      qty,
      pnl,
      returnPct: pnl / (open.price * qty),
      fees: open.fee + fee,
      slippage: open.slip + slip,
      bars: i - open.i,
      exitReason,
    });
    qty = 0;
    open = null;
  };
  for (let i = 0; i < n; i++) {
    const px = close[i] ?? Number.NaN;
    if (want === 'buy') buy(i, openPx[i] ?? Number.NaN);
    else if (want === 'sell') sell(i, openPx[i] ?? Number.NaN, 'signal');
    want = null;
    sum += px - (i >= SMA_DAYS ? (close[i - SMA_DAYS] ?? 0) : 0);
    if (i >= SMA_DAYS - 1 && i < n - 1) {
      const sma = sum / SMA_DAYS;
      if (open === null && px > sma * (1 + BAND)) want = 'buy';
      else if (open !== null && px < sma * (1 - BAND)) want = 'sell';
    }
    if (i === n - 1) sell(i, px, 'end_of_data');
    const value = qty * px;
    equity[i] = cash + value;
    cashCol[i] = cash;
    exposure[i] = value / (cash + value);
  }
  const curve: EquityCurve = { ts: Float64Array.from(ts), equity, cash: cashCol, exposure, length: n };
  const bench = buyAndHoldCurve(ts, adj, INITIAL);
  const metrics = computeMetrics({ curve, trades, fills, periodsPerYear: 252 });
  const benchMetrics = computeMetrics({ curve: bench, trades: [], fills: [], periodsPerYear: 252 });
  const dd = drawdownSeries(curve);
  const bdd = drawdownSeries(bench);

  const model: ReportModel = {
    meta: {
      strategyName: 'spy-trend-200d',
      description: 'Long SPY while the close is above its 200-day average (±1 % band), in cash otherwise; fills at the next open, 5 bps fees, 2 bps slippage. Synthetic strategy on real data, for the report test.',
      artifactHash: 'sha256:5d41402abc4b2a76b9719d911017c592ae5f3c1b8e2a7c4f0b9d3e6a1c2f4e80',
      datasetHash: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      engineVersion: '0.1.0',
      timeframe: '1d',
      symbols: ['SPY'],
      periodsPerYear: 252,
      currency: 'USD',
    },
    metrics,
    benchmark: {
      name: 'SPY buy & hold',
      metrics: benchMetrics,
      equity: seriesFromColumns(bench.ts, bench.equity),
      drawdown: seriesFromColumns(bdd.ts, bdd.drawdown),
    },
    equity: seriesFromColumns(curve.ts, curve.equity),
    drawdown: seriesFromColumns(dd.ts, dd.drawdown),
    price: {
      symbol: 'SPY',
      kind: 'candles',
      candles: rows.map((r, i) => ({ time: (ts[i] ?? 0) / 1000, open: Number(r.open), high: Number(r.high), low: Number(r.low), close: Number(r.close) })),
      markers: tradeMarkers(trades, 'SPY'),
    },
    perSymbol: perSymbolRows(trades),
    monthly: monthlyReturns(curve),
    trades,
  };
  return { model, metrics, benchMetrics, rows: n };
}
