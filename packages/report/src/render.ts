import { loadChartLibrary } from './internal/chart-library.js';
import { CLIENT_SCRIPT } from './internal/client-script.js';
import { DASH, date, dateTime, fixed, int, money, pct, price, qty, ratio } from './internal/format.js';
import { escapeHtml as h, jsonForScript, scriptSafe } from './internal/html.js';
import { STYLES } from './internal/styles.js';
import { validateModel } from './internal/validate.js';
import type { MonthlyRow, PerSymbolRow, RenderOptions, ReportMetrics, ReportModel, ReportTrade, TradeMarker } from './model.js';

/** Identifies the layout of the JSON embedded in `<script id="strata-report-data">`. */
export const REPORT_DATA_SCHEMA = 'strata.report-data/v1';
/** Default number of rows of the trades table. */
export const DEFAULT_MAX_TRADES = 250;

const MS_PER_DAY = 86_400_000;
const MS_PER_YEAR = 365.25 * MS_PER_DAY;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * Render a backtest report as ONE self-contained HTML document: inline CSS, the inlined
 * Lightweight Charts standalone build, the model embedded as JSON, no external requests.
 * Deterministic: the same model (and options) give the same bytes.
 *
 * @throws ReportError `INVALID_MODEL` when a series is unsorted, non-finite or in ms;
 *   `CHART_LIBRARY_MISSING` when lightweight-charts is not installed.
 */
export function renderReport(model: ReportModel, options: RenderOptions = {}): string {
  validateModel(model);
  const lib = loadChartLibrary();
  const maxTrades = Math.max(0, Math.floor(options.maxTrades ?? DEFAULT_MAX_TRADES));
  const logScale = options.logScale ?? false;

  const price = model.price === null ? null : { ...model.price, markers: sortMarkers(model.price.markers) };
  const payload = {
    schema: REPORT_DATA_SCHEMA,
    intraday: isIntraday(model),
    logScale,
    model: { ...model, price },
  };

  const { meta, metrics } = model;
  const bench = model.benchmark;
  const title = `${meta.strategyName} — backtest report`;

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="Strata engine ${h(meta.engineVersion)}">`,
    `<title>${h(title)}</title>`,
    `<style>${STYLES}</style>`,
    '</head>',
    '<body>',
    renderHeader(model),
    '<main class="wrap">',
    renderKpis(metrics, bench?.metrics ?? null),
    renderEquitySection(model, logScale),
    renderSummary(metrics, bench === null ? null : { name: bench.name, metrics: bench.metrics }),
    price === null ? '' : renderPriceSection(price.symbol, price.kind, price.kind === 'candles' ? price.candles.length : price.line.length, price.markers, model.trades),
    renderMonthly(model.monthly),
    renderPerSymbol(model.perSymbol, meta.currency),
    renderTrades(model.trades, maxTrades, meta.currency),
    '</main>',
    renderFooter(model, lib.version),
    `<script type="application/json" id="strata-report-data">${jsonForScript(payload)}</script>`,
    `<script>${scriptSafe(lib.source)}</script>`,
    `<script>${scriptSafe(CLIENT_SCRIPT)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------

function sortMarkers(markers: readonly TradeMarker[]): TradeMarker[] {
  return markers
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.time - b.m.time || a.i - b.i)
    .map((x) => x.m);
}

function isIntraday(model: ReportModel): boolean {
  const off = (t: number) => t % 86_400 !== 0;
  if (model.equity.some((p) => off(p.time))) return true;
  const p = model.price;
  if (p === null) return false;
  return p.kind === 'candles' ? p.candles.some((c) => off(c.time)) : p.line.some((x) => off(x.time));
}

function signClass(x: number | null | undefined): string {
  if (x === null || x === undefined || x === 0 || Number.isNaN(x)) return '';
  return x > 0 ? 'pos' : 'neg';
}

function cls(...names: string[]): string {
  const list = names.filter((n) => n !== '');
  return list.length === 0 ? '' : ` class="${list.join(' ')}"`;
}

function years(m: ReportMetrics): number {
  return (m.endTs - m.startTs) / MS_PER_YEAR;
}

function currencySuffix(currency: string | undefined): string {
  return currency === undefined ? '' : ` (${h(currency)})`;
}

function renderHeader(model: ReportModel): string {
  const { meta, metrics } = model;
  const item = (label: string, value: string, extra = '') => `<div${extra}><dt>${h(label)}</dt><dd>${value}</dd></div>`;
  const hashItem = (label: string, value: string) => `<div><dt>${h(label)}</dt><dd class="hash">${h(value)}</dd></div>`;
  const period = `${date(metrics.startTs)} → ${date(metrics.endTs)} <span class="muted">(${fixed(years(metrics), 2)} years)</span>`;
  const bars = `${int(model.equity.length)} bars`;
  const items = [
    item('Period', period),
    item('Timeframe', h(meta.timeframe === undefined ? bars : `${meta.timeframe} · ${bars}`)),
    meta.symbols === undefined ? '' : item('Universe', h(meta.symbols.join(', '))),
    item('Benchmark', h(model.benchmark?.name ?? 'none')),
    item('Engine version', h(meta.engineVersion)),
    item('Initial equity', h(money(metrics.initialEquity) + (meta.currency === undefined ? '' : ` ${meta.currency}`))),
  ];
  const hashes = [hashItem('Artifact hash', meta.artifactHash), hashItem('Dataset hash', meta.datasetHash)];
  return [
    '<header class="top"><div class="wrap">',
    '<div class="eyebrow">Strata · backtest report</div>',
    `<h1>${h(meta.strategyName)}</h1>`,
    meta.description === undefined ? '' : `<p class="desc">${h(meta.description)}</p>`,
    `<dl class="meta">${items.join('')}</dl>`,
    `<dl class="meta hashes">${hashes.join('')}</dl>`,
    '</div></header>',
  ].join('\n');
}

function renderKpis(m: ReportMetrics, b: ReportMetrics | null): string {
  const card = (key: string, label: string, value: string, valueClass: string, sub: string) =>
    `<div class="kpi" data-kpi="${key}"><div class="label">${h(label)}</div><div${cls('value', valueClass)}>${value}</div><div class="bench">${sub}</div></div>`;
  const vs = (text: string) => (b === null ? '&nbsp;' : `Benchmark ${text}`);
  return [
    '<div class="kpis">',
    card('totalReturn', 'Total return', pct(m.totalReturn), signClass(m.totalReturn), vs(pct(b?.totalReturn))),
    card('cagr', 'CAGR', pct(m.cagr), signClass(m.cagr), vs(pct(b?.cagr))),
    card('sharpe', 'Sharpe', ratio(m.sharpe), '', vs(ratio(b?.sharpe))),
    card('sortino', 'Sortino', ratio(m.sortino), '', vs(ratio(b?.sortino))),
    card('maxDrawdown', 'Max drawdown', pct(m.maxDrawdown.depth), signClass(m.maxDrawdown.depth), vs(pct(b?.maxDrawdown.depth))),
    card('volatility', 'Volatility', pct(m.volatility), '', vs(pct(b?.volatility))),
    card('trades', 'Trades', int(m.trades), '', `Win rate ${pct(m.winRate)}`),
    '</div>',
  ].join('\n');
}

function renderEquitySection(model: ReportModel, logScale: boolean): string {
  const legend = [
    `<span><span class="sw" style="background:#2563eb"></span>Strategy <b id="legend-strategy-value"></b></span>`,
    model.benchmark === null
      ? ''
      : `<span><span class="sw" style="background:#94a3b8"></span>${h(model.benchmark.name)} <b id="legend-benchmark-value"></b></span>`,
  ].join('');
  return [
    '<section class="card" id="equity">',
    `<h2>Equity <span class="legend">${legend}</span><span class="spacer"></span>`,
    `<label class="toggle"><input type="checkbox" id="log-scale"${logScale ? ' checked' : ''}> Log scale</label></h2>`,
    '<div id="chart-equity" class="chart equity"></div>',
    '<div class="chart-title">Drawdown from the running peak</div>',
    '<div id="chart-drawdown" class="chart drawdown"></div>',
    '</section>',
  ].join('\n');
}

interface Row {
  readonly key: string;
  readonly label: string;
  readonly fmt: (m: ReportMetrics) => string;
  readonly tone?: (m: ReportMetrics) => string;
}

function holding(m: ReportMetrics): string {
  if (m.avgHoldingBars === null) return DASH;
  return `${fixed(m.avgHoldingBars, 1)} bars / ${fixed(m.avgHoldingDays ?? Number.NaN, 1)} d`;
}

const LEFT: readonly (Row | string)[] = [
  'Returns',
  { key: 'totalReturn', label: 'Total return', fmt: (m) => pct(m.totalReturn), tone: (m) => signClass(m.totalReturn) },
  { key: 'cagr', label: 'CAGR', fmt: (m) => pct(m.cagr), tone: (m) => signClass(m.cagr) },
  { key: 'initialEquity', label: 'Initial equity', fmt: (m) => money(m.initialEquity) },
  { key: 'finalEquity', label: 'Final equity', fmt: (m) => money(m.finalEquity) },
  'Risk',
  { key: 'volatility', label: 'Volatility (ann.)', fmt: (m) => pct(m.volatility) },
  { key: 'sharpe', label: 'Sharpe ratio', fmt: (m) => ratio(m.sharpe) },
  { key: 'sortino', label: 'Sortino ratio', fmt: (m) => ratio(m.sortino) },
  { key: 'calmar', label: 'Calmar ratio', fmt: (m) => ratio(m.calmar) },
  'Drawdown',
  { key: 'maxDrawdown', label: 'Max drawdown', fmt: (m) => pct(m.maxDrawdown.depth), tone: (m) => signClass(m.maxDrawdown.depth) },
  { key: 'maxDrawdownPeak', label: 'Peak', fmt: (m) => (m.maxDrawdown.depth === 0 ? DASH : date(m.maxDrawdown.peakTs)) },
  { key: 'maxDrawdownTrough', label: 'Trough', fmt: (m) => (m.maxDrawdown.depth === 0 ? DASH : date(m.maxDrawdown.troughTs)) },
  {
    key: 'maxDrawdownRecovery',
    label: 'Recovery',
    fmt: (m) => (m.maxDrawdown.depth === 0 ? DASH : m.maxDrawdown.recoveryTs === null ? 'not recovered' : date(m.maxDrawdown.recoveryTs)),
  },
  {
    key: 'maxDrawdownDuration',
    label: 'Duration',
    fmt: (m) => (m.maxDrawdown.depth === 0 ? DASH : `${int(m.maxDrawdown.durationBars)} bars / ${int(m.maxDrawdown.durationDays)} d`),
  },
];

const RIGHT: readonly (Row | string)[] = [
  'Activity',
  { key: 'exposure', label: 'Exposure (mean)', fmt: (m) => pct(m.exposure) },
  { key: 'turnover', label: 'Turnover (ann.)', fmt: (m) => (m.turnover === null ? DASH : `${ratio(m.turnover)}×`) },
  { key: 'trades', label: 'Trades', fmt: (m) => int(m.trades) },
  { key: 'winRate', label: 'Win rate', fmt: (m) => pct(m.winRate) },
  { key: 'profitFactor', label: 'Profit factor', fmt: (m) => ratio(m.profitFactor) },
  { key: 'expectancy', label: 'Expectancy / trade', fmt: (m) => money(m.expectancy), tone: (m) => signClass(m.expectancy) },
  { key: 'avgHolding', label: 'Avg holding', fmt: holding },
  'Costs',
  { key: 'feesPaid', label: 'Fees paid', fmt: (m) => money(m.feesPaid) },
  { key: 'slippagePaid', label: 'Slippage paid', fmt: (m) => money(m.slippagePaid) },
  'Period',
  { key: 'startTs', label: 'Start', fmt: (m) => date(m.startTs) },
  { key: 'endTs', label: 'End', fmt: (m) => date(m.endTs) },
];

function summaryTable(rows: readonly (Row | string)[], m: ReportMetrics, bench: { name: string; metrics: ReportMetrics } | null): string {
  const cols = bench === null ? 2 : 3;
  const head = `<thead><tr><th>Metric</th><th>Strategy</th>${bench === null ? '' : `<th>${h(bench.name)}</th>`}</tr></thead>`;
  const body = rows.map((r) => {
    if (typeof r === 'string') return `<tr class="group"><td colspan="${cols}">${h(r)}</td></tr>`;
    const s = `<td${cls('strategy', r.tone?.(m) ?? '')}>${r.fmt(m)}</td>`;
    const b = bench === null ? '' : `<td${cls('benchmark', r.tone?.(bench.metrics) ?? '')}>${r.fmt(bench.metrics)}</td>`;
    return `<tr data-metric="${r.key}"><td>${h(r.label)}</td>${s}${b}</tr>`;
  });
  return `<table class="summary">${head}<tbody>${body.join('')}</tbody></table>`;
}

function renderSummary(m: ReportMetrics, bench: { name: string; metrics: ReportMetrics } | null): string {
  return [
    '<section class="card" id="summary">',
    '<h2>Summary <span class="sub">strategy vs benchmark</span></h2>',
    '<div class="grid2 flush">',
    `<div>${summaryTable(LEFT, m, bench)}</div>`,
    `<div>${summaryTable(RIGHT, m, bench)}</div>`,
    '</div>',
    '</section>',
  ].join('\n');
}

function renderPriceSection(symbol: string, kind: 'candles' | 'line', bars: number, markers: readonly TradeMarker[], trades: readonly ReportTrade[]): string {
  const n = trades.filter((t) => t.symbol === symbol).length;
  const sub = `${kind === 'candles' ? 'OHLC candles' : 'close'} · ${int(bars)} bars · ${int(n)} trade${n === 1 ? '' : 's'} · ▲ buy ▼ sell`;
  return [
    '<section class="card" id="price">',
    `<h2>${h(symbol)} <span class="sub">${h(sub)}</span></h2>`,
    `<div id="chart-price" class="chart price" data-markers="${markers.length}"></div>`,
    '</section>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------
// Monthly heatmap

/** The q-quantile of |values| (nearest rank), at least `floor`. */
function scaleCap(values: readonly number[], q: number, floor: number): number {
  const abs = values.map(Math.abs).sort((a, b) => a - b);
  if (abs.length === 0) return floor;
  const v = abs[Math.min(abs.length - 1, Math.max(0, Math.ceil(q * abs.length) - 1))] ?? floor;
  return Math.max(floor, v);
}

function hex(n: number): string {
  return Math.round(Math.min(255, Math.max(0, n))).toString(16).padStart(2, '0');
}

/** Red (negative) … white … green (positive); intensity ∝ |v| / cap, saturated beyond the cap. */
function heat(v: number, cap: number): { bg: string; fg: string } {
  if (v === 0) return { bg: '#f8fafc', fg: '#0f172a' };
  const t = Math.min(1, Math.abs(v) / cap);
  const base = v > 0 ? [22, 163, 74] : [220, 38, 38];
  const k = 0.1 + 0.8 * t;
  const [r, g, b] = base.map((c) => 255 + (c - 255) * k) as [number, number, number];
  return { bg: `#${hex(r)}${hex(g)}${hex(b)}`, fg: k > 0.6 ? '#ffffff' : '#0f172a' };
}

function renderMonthly(rows: readonly MonthlyRow[]): string {
  if (rows.length === 0) {
    return '<section class="card" id="monthly"><h2>Monthly returns</h2><div class="empty">No bars.</div></section>';
  }
  const monthValues = rows.flatMap((r) => r.months.filter((x): x is number => x !== null));
  const monthCap = scaleCap(monthValues, 0.9, 0.005);
  const yearCap = scaleCap(rows.map((r) => r.total), 0.9, 0.01);
  const head = `<thead><tr><th>Year</th>${MONTHS.map((m) => `<th>${m}</th>`).join('')}<th class="year-col">Year</th></tr></thead>`;
  const body = rows.map((r) => {
    const cells = r.months.map((v, i) => {
      if (v === null) return '<td class="hm-none">·</td>';
      const c = heat(v, monthCap);
      const key = `${r.year}-${String(i + 1).padStart(2, '0')}`;
      return `<td class="hm" data-month="${key}" data-value="${v}" style="background:${c.bg};color:${c.fg}">${pct(v)}</td>`;
    });
    const y = heat(r.total, yearCap);
    const total = `<td class="hm-year" data-year="${r.year}" data-value="${r.total}" style="background:${y.bg};color:${y.fg}">${pct(r.total)}</td>`;
    return `<tr><td>${r.year}</td>${cells.join('')}${total}</tr>`;
  });
  return [
    '<section class="card" id="monthly">',
    '<h2>Monthly returns <span class="sub">compounded within each UTC calendar month · yearly total on the right</span></h2>',
    `<div class="scroll"><table class="heatmap">${head}<tbody>${body.join('')}</tbody></table></div>`,
    '</section>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------
// Tables

function renderPerSymbol(rows: readonly PerSymbolRow[], currency: string | undefined): string {
  if (rows.length === 0) {
    return '<section class="card" id="per-symbol"><h2>Per symbol</h2><div class="empty">No trades.</div></section>';
  }
  const head =
    '<thead><tr><th>Symbol</th><th>Trades</th><th>Win rate</th>' +
    `<th>Net P&amp;L${currencySuffix(currency)}</th><th>Avg return</th><th>Best</th><th>Worst</th>` +
    '<th>Fees</th><th>Slippage</th><th>Avg bars</th></tr></thead>';
  const body = rows.map(
    (r) =>
      `<tr data-symbol="${h(r.symbol)}"><td class="sym">${h(r.symbol)}</td><td>${int(r.trades)}</td><td>${pct(r.winRate)}</td>` +
      `<td${cls(signClass(r.netPnl))}>${money(r.netPnl)}</td><td${cls(signClass(r.avgReturnPct))}>${pct(r.avgReturnPct)}</td>` +
      `<td${cls(signClass(r.bestReturnPct))}>${pct(r.bestReturnPct)}</td><td${cls(signClass(r.worstReturnPct))}>${pct(r.worstReturnPct)}</td>` +
      `<td>${money(r.fees)}</td><td>${money(r.slippage)}</td><td>${r.avgHoldingBars === null ? DASH : fixed(r.avgHoldingBars, 1)}</td></tr>`,
  );
  return [
    '<section class="card" id="per-symbol">',
    '<h2>Per symbol</h2>',
    `<div class="scroll"><table class="per-symbol">${head}<tbody>${body.join('')}</tbody></table></div>`,
    '</section>',
  ].join('\n');
}

function renderTrades(trades: readonly ReportTrade[], maxTrades: number, currency: string | undefined): string {
  if (trades.length === 0) {
    return '<section class="card" id="trades"><h2>Trades</h2><div class="empty">No trades.</div></section>';
  }
  const shown = trades.slice(0, maxTrades);
  const head =
    '<thead><tr><th>#</th><th class="left">Symbol</th><th class="left">Side</th><th>Entry</th><th>Entry price</th><th>Exit</th><th>Exit price</th>' +
    `<th>Qty</th><th>P&amp;L${currencySuffix(currency)}</th><th>Return</th><th>Bars</th><th class="reason">Exit reason</th></tr></thead>`;
  const body = shown.map(
    (t, i) =>
      `<tr><td>${i + 1}</td><td class="sym left">${h(t.symbol)}</td><td class="left">${t.direction === 'long' ? 'Long' : 'Short'}</td>` +
      `<td>${dateTime(t.entryTs)}</td><td>${price(t.entryPrice)}</td><td>${dateTime(t.exitTs)}</td><td>${price(t.exitPrice)}</td>` +
      `<td>${qty(t.qty)}</td><td${cls(signClass(t.pnl))}>${money(t.pnl)}</td><td${cls(signClass(t.returnPct))}>${pct(t.returnPct)}</td>` +
      `<td>${int(t.bars)}</td><td class="reason">${h(t.exitReason.replace(/_/g, ' '))}</td></tr>`,
  );
  const note =
    shown.length < trades.length
      ? `<p class="note" id="trades-truncated">Showing the first ${int(shown.length)} of ${int(trades.length)} trades; all trades are in the JSON embedded in this file (<code>#strata-report-data</code>).</p>`
      : `<p class="note">${int(trades.length)} trade${trades.length === 1 ? '' : 's'}.</p>`;
  return [
    '<section class="card" id="trades">',
    `<h2>Trades <span class="sub">${int(trades.length)} round trips</span></h2>`,
    `<div class="scroll"><table class="trades">${head}<tbody>${body.join('')}</tbody></table></div>`,
    note,
    '</section>',
  ].join('\n');
}

function renderFooter(model: ReportModel, chartsVersion: string): string {
  const p = model.meta.periodsPerYear;
  return [
    '<footer class="wrap">',
    '<div>Definitions: simple per-bar returns; volatility, Sharpe and Sortino annualised with ' +
      (p === undefined ? 'the run\'s periods per year' : `${int(p)} periods per year`) +
      ', risk-free rate 0; Sortino uses the downside deviation over all periods (target 0); CAGR and turnover use calendar time (365.25-day years); ' +
      'drawdowns are measured from the running peak of equity marked at bar close. The report data are embedded as JSON in <code>#strata-report-data</code>.</div>',
    `<div>Generated by Strata engine ${h(model.meta.engineVersion)}. Charts: TradingView Lightweight Charts™ v${h(chartsVersion)}, Copyright © TradingView, Inc., ` +
      'Apache License 2.0 — <a href="https://www.tradingview.com/">https://www.tradingview.com/</a>.</div>',
    '</footer>',
  ].join('\n');
}
