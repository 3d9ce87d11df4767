/** Builders that turn a backtest's raw results into the pieces of a `ReportModel`. */

import type { PerSymbolRow, ReportTrade, TimeValue, TradeMarker } from './model.js';

/**
 * Zip a timestamp column in **ms** (the kernel's unit) and a value column into a chart
 * series (`time` in unix **seconds**, as the charting library expects).
 */
export function seriesFromColumns(tsMs: ArrayLike<number>, values: ArrayLike<number>): TimeValue[] {
  if (tsMs.length !== values.length) {
    throw new RangeError(`seriesFromColumns: ${tsMs.length} timestamps but ${values.length} values`);
  }
  const out: TimeValue[] = [];
  for (let i = 0; i < tsMs.length; i++) out.push({ time: msToSeconds(tsMs[i] ?? Number.NaN), value: values[i] ?? Number.NaN });
  return out;
}

/** Unix ms → unix seconds (floored: chart times are whole seconds). */
export function msToSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * Entry and exit markers of one symbol's trades: a long opens with a buy and closes with a
 * sell, a short the other way round. Sorted by time (entries before exits at equal times).
 */
export function tradeMarkers(trades: readonly ReportTrade[], symbol: string): TradeMarker[] {
  const out: { m: TradeMarker; order: number }[] = [];
  for (const t of trades) {
    if (t.symbol !== symbol) continue;
    const long = t.direction === 'long';
    out.push({ m: { time: msToSeconds(t.entryTs), side: long ? 'buy' : 'sell', text: long ? 'Long' : 'Short' }, order: 0 });
    out.push({ m: { time: msToSeconds(t.exitTs), side: long ? 'sell' : 'buy', text: 'Exit' }, order: 1 });
  }
  out.sort((a, b) => a.m.time - b.m.time || a.order - b.order);
  return out.map((x) => x.m);
}

/** One row per symbol (sorted by symbol): trade count, win rate, net pnl, returns, costs, holding time. */
export function perSymbolRows(trades: readonly ReportTrade[]): PerSymbolRow[] {
  const groups = new Map<string, ReportTrade[]>();
  for (const t of trades) {
    const g = groups.get(t.symbol);
    if (g) g.push(t);
    else groups.set(t.symbol, [t]);
  }
  return [...groups.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((symbol) => {
      const ts = groups.get(symbol) ?? [];
      const n = ts.length;
      let wins = 0;
      let pnl = 0;
      let ret = 0;
      let best = -Infinity;
      let worst = Infinity;
      let fees = 0;
      let slippage = 0;
      let bars = 0;
      for (const t of ts) {
        if (t.pnl > 0) wins++;
        pnl += t.pnl;
        ret += t.returnPct;
        best = Math.max(best, t.returnPct);
        worst = Math.min(worst, t.returnPct);
        fees += t.fees;
        slippage += t.slippage;
        bars += t.bars;
      }
      return {
        symbol,
        trades: n,
        winRate: n > 0 ? wins / n : null,
        netPnl: pnl,
        avgReturnPct: n > 0 ? ret / n : null,
        bestReturnPct: n > 0 ? best : null,
        worstReturnPct: n > 0 ? worst : null,
        fees,
        slippage,
        avgHoldingBars: n > 0 ? bars / n : null,
      };
    });
}
