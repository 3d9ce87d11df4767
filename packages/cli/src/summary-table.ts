import type { Metrics } from '@strata/kernel';

type Row = readonly [label: string, strategy: string, benchmark: string];

const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(2)}%`);
const num = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? '—' : Number.isFinite(x) ? x.toFixed(d) : x > 0 ? '∞' : '−∞');
const money = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
const day = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : new Date(ms).toISOString().slice(0, 10));

/** The human summary: strategy and benchmark side by side, then the per-symbol table. */
export function formatSummary(
  summary: {
    artifact: { name: string; hash: string };
    datasetHash: string;
    engineVersion: string;
    period: { from: string; to: string; bars: number };
    benchmark: { symbol: string } | null;
    perSymbol: readonly { symbol: string; trades: number; winRate: number | null; netPnl: number; avgReturnPct: number | null; fees: number }[];
  },
  m: Metrics,
  b: Metrics | undefined,
): string {
  const dd = (x: Metrics) => `${pct(x.maxDrawdown.depth)} (${day(x.maxDrawdown.peakTs)} → ${day(x.maxDrawdown.troughTs)}, ${Math.round(x.maxDrawdown.durationDays)} days${x.maxDrawdown.recoveryTs === null ? ', not recovered' : ''})`;
  const rows: Row[] = [
    ['Total return', pct(m.totalReturn), pct(b?.totalReturn)],
    ['CAGR', pct(m.cagr), pct(b?.cagr)],
    ['Volatility (ann.)', pct(m.volatility), pct(b?.volatility)],
    ['Sharpe', num(m.sharpe), num(b?.sharpe)],
    ['Sortino', num(m.sortino), num(b?.sortino)],
    ['Calmar', num(m.calmar), num(b?.calmar)],
    ['Max drawdown', dd(m), b ? dd(b) : '—'],
    ['Exposure', pct(m.exposure), pct(b?.exposure)],
    ['Turnover (ann.)', num(m.turnover), num(b?.turnover)],
    ['Trades', String(m.trades), '—'],
    ['Win rate', pct(m.winRate), '—'],
    ['Profit factor', num(m.profitFactor), '—'],
    ['Expectancy', money(m.expectancy), '—'],
    ['Avg holding', m.avgHoldingBars === null ? '—' : `${num(m.avgHoldingBars, 1)} bars / ${num(m.avgHoldingDays, 1)} days`, '—'],
    ['Fees paid', money(m.feesPaid), '—'],
    ['Slippage paid', money(m.slippagePaid), '—'],
    ['Final equity', money(m.finalEquity), money(b?.finalEquity)],
  ];
  const head: Row = ['', summary.artifact.name, summary.benchmark ? `${summary.benchmark.symbol} buy & hold` : 'benchmark'];
  const lines = [
    `${summary.artifact.name}  ${summary.period.from} → ${summary.period.to}  (${summary.period.bars} bars)`,
    `artifact ${summary.artifact.hash}`,
    `dataset  ${summary.datasetHash}`,
    `engine   ${summary.engineVersion}`,
    '',
    ...table([head, ...rows]),
  ];
  if (summary.perSymbol.length > 0) {
    lines.push('', ...table([['Symbol', 'Trades', 'Win rate', 'Net P&L', 'Avg return', 'Fees'], ...summary.perSymbol.map((r) => [r.symbol, String(r.trades), pct(r.winRate), money(r.netPnl), pct(r.avgReturnPct), money(r.fees)])]));
  }
  return lines.join('\n');
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  const fmt = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [fmt(rows[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(fmt)];
}
