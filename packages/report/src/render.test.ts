import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReportError } from './errors.js';
import { perSymbolRows, seriesFromColumns, tradeMarkers } from './helpers.js';
import { date, fixed, money, pct, price, qty, ratio } from './internal/format.js';
import { escapeHtml, jsonForScript, scriptSafe } from './internal/html.js';
import type { ReportMetrics, ReportModel, ReportTrade } from './model.js';
import { renderReport } from './render.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 2);

function metrics(over: Partial<ReportMetrics> = {}): ReportMetrics {
  return {
    startTs: T0,
    endTs: T0 + 3 * DAY,
    initialEquity: 10_000,
    finalEquity: 11_234.5,
    totalReturn: 0.12345,
    cagr: 0.5,
    volatility: 0.2,
    sharpe: 1.234,
    sortino: null,
    calmar: 2,
    maxDrawdown: { depth: -0.05, peakTs: T0 + DAY, troughTs: T0 + 2 * DAY, recoveryTs: null, durationBars: 2, durationDays: 2 },
    exposure: 0.75,
    turnover: 3.5,
    trades: 2,
    winRate: 1,
    profitFactor: Infinity,
    expectancy: 617.25,
    avgHoldingBars: 1.5,
    avgHoldingDays: 1.5,
    feesPaid: 12.5,
    slippagePaid: 3.25,
    ...over,
  };
}

function trade(symbol: string, entryDay: number, exitDay: number, pnl: number, direction: 'long' | 'short' = 'long'): ReportTrade {
  return {
    symbol,
    direction,
    entryTs: T0 + entryDay * DAY,
    entryPrice: 100,
    exitTs: T0 + exitDay * DAY,
    exitPrice: 100 + pnl / 10,
    qty: 10,
    pnl,
    returnPct: pnl / 1000,
    fees: 1,
    slippage: 0.5,
    bars: exitDay - entryDay,
    exitReason: 'stop_loss',
  };
}

const times = [0, 1, 2, 3].map((d) => T0 + d * DAY);
const trades = [trade('AAA', 0, 1, 200), trade('BBB', 1, 3, 1034.5)];

function model(over: Partial<ReportModel> = {}): ReportModel {
  return {
    meta: { strategyName: 'tiny', artifactHash: 'sha256:aaaa', datasetHash: 'sha256:bbbb', engineVersion: '0.1.0', timeframe: '1d', periodsPerYear: 252 },
    metrics: metrics(),
    benchmark: {
      name: 'AAA buy & hold',
      metrics: metrics({ totalReturn: 0.05, trades: 0, winRate: null, profitFactor: null, expectancy: null, avgHoldingBars: null, avgHoldingDays: null }),
      equity: seriesFromColumns(times, [10_000, 10_100, 10_300, 10_500]),
      drawdown: seriesFromColumns(times, [0, 0, 0, 0]),
    },
    equity: seriesFromColumns(times, [10_000, 10_200, 9_690, 11_234.5]),
    drawdown: seriesFromColumns(times, [0, 0, -0.05, 0]),
    price: { symbol: 'AAA', kind: 'line', line: seriesFromColumns(times, [100, 120, 110, 130]), markers: tradeMarkers(trades, 'AAA') },
    perSymbol: perSymbolRows(trades),
    monthly: [{ year: 2024, months: [0.12345, null, null, null, null, null, null, null, null, null, null, null], total: 0.12345 }],
    trades,
    ...over,
  };
}

function embedded(html: string): unknown {
  const m = /<script type="application\/json" id="strata-report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m?.[1]) throw new Error('no embedded data');
  return JSON.parse(m[1]);
}

describe('renderReport', () => {
  it('is deterministic: same model, same bytes (also for a deep copy)', () => {
    const a = renderReport(model());
    const copy = JSON.parse(JSON.stringify(model(), (_k, v: unknown) => (v === Infinity ? 'Infinity' : v)), (_k, v: unknown) => (v === 'Infinity' ? Infinity : v)) as ReportModel;
    expect(renderReport(model())).toBe(a);
    expect(renderReport(copy)).toBe(a);
  });

  it('is self-contained: inline scripts and styles only, nothing fetched', () => {
    const html = renderReport(model());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    // The inlined library keeps its licence header.
    expect(html).toContain('TradingView Lightweight Charts™');
    expect(html).toContain('Licensed under Apache License 2.0');
  });

  it('embeds the model as JSON that parses back (Infinity becomes null, markers sorted)', () => {
    const data = embedded(renderReport(model())) as { schema: string; intraday: boolean; model: { metrics: ReportMetrics; price: { markers: { time: number }[] } } };
    expect(data.schema).toBe('strata.report-data/v1');
    expect(data.intraday).toBe(false);
    expect(data.model.metrics.totalReturn).toBe(0.12345);
    expect(data.model.metrics.profitFactor).toBeNull();
    const mt = data.model.price.markers.map((m) => m.time);
    expect(mt).toEqual([...mt].sort((a, b) => a - b));
  });

  it('escapes hostile text in HTML and in the embedded JSON', () => {
    const evil = '</script><script>alert(1)</script><!-- & "quotes"';
    const html = renderReport(model({ meta: { ...model().meta, strategyName: evil, description: evil } }));
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp; &quot;quotes&quot;');
    expect((embedded(html) as { model: { meta: { strategyName: string } } }).model.meta.strategyName).toBe(evil);
  });

  it('formats the summary: % and ratios with 2 decimals, ∞ and — for infinite and missing values, dates as YYYY-MM-DD', () => {
    const html = renderReport(model());
    const row = (key: string) => new RegExp(`<tr data-metric="${key}"><td>[^<]*</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>`).exec(html)?.slice(1);
    expect(row('totalReturn')).toEqual(['12.35%', '5.00%']);
    expect(row('sharpe')).toEqual(['1.23', '1.23']);
    expect(row('sortino')).toEqual(['—', '—']);
    expect(row('profitFactor')).toEqual(['∞', '—']);
    expect(row('maxDrawdownTrough')).toEqual(['2024-01-04', '2024-01-04']);
    expect(row('maxDrawdownRecovery')).toEqual(['not recovered', 'not recovered']);
    expect(row('finalEquity')).toEqual(['11,234.50', '11,234.50']);
    expect(row('turnover')).toEqual(['3.50×', '3.50×']);
    expect(html).toContain('2024-01-02 → 2024-01-05');
  });

  it('draws a heatmap cell per month with data, red for negative and green for positive', () => {
    const monthly = [{ year: 2024, months: [0.02, -0.03, null, 0, null, null, null, null, null, null, null, null], total: -0.0106 }];
    const html = renderReport(model({ monthly }));
    const cells = [...html.matchAll(/<td class="hm" data-month="([^"]+)" data-value="[^"]+" style="background:#([0-9a-f]{6})/g)].map((m) => [m[1], m[2]]);
    expect(cells.map((c) => c[0])).toEqual(['2024-01', '2024-02', '2024-04']);
    const rgb = (hex: string | undefined) => [0, 2, 4].map((i) => parseInt((hex ?? '').slice(i, i + 2), 16));
    const [jr = 0, jg = 0] = rgb(cells[0]?.[1]);
    const [fr = 0, fg = 0] = rgb(cells[1]?.[1]);
    expect(jg).toBeGreaterThan(jr); // January +2 %: green
    expect(fr).toBeGreaterThan(fg); // February -3 %: red
    expect(html).toContain('data-year="2024"');
  });

  it('truncates the trades table with a note', () => {
    expect(renderReport(model(), { maxTrades: 1 })).toContain('Showing the first 1 of 2 trades');
    expect(renderReport(model())).not.toContain('trades-truncated');
  });

  it('leaves out the benchmark column and the price section when they are null', () => {
    const html = renderReport(model({ benchmark: null, price: null }));
    expect(html).not.toContain('td class="benchmark"');
    expect(html).not.toContain('id="chart-price"');
    expect(html).toContain('id="chart-equity"');
  });

  it('marks intraday data so the time axis shows hours', () => {
    const ts = [0, 1, 2].map((h) => T0 + h * 3_600_000);
    const html = renderReport(model({ equity: seriesFromColumns(ts, [1, 2, 3]), drawdown: seriesFromColumns(ts, [0, 0, 0]), benchmark: null, price: null }));
    expect((embedded(html) as { intraday: boolean }).intraday).toBe(true);
  });

  it.each([
    ['times in ms', { equity: [{ time: T0, value: 1 }] }, /looks like milliseconds/],
    ['unsorted times', { drawdown: [{ time: 2, value: 0 }, { time: 1, value: 0 }] }, /strictly ascending/],
    ['duplicate times', { equity: [{ time: 1, value: 1 }, { time: 1, value: 2 }] }, /strictly ascending/],
    ['a NaN value', { equity: [{ time: 1, value: Number.NaN }] }, /equity\[0\]\.value is NaN/],
    ['a monthly row without 12 months', { monthly: [{ year: 2024, months: [0.1], total: 0.1 }] }, /12 are required/],
  ] as const)('rejects %s with ReportError INVALID_MODEL', (_name, over, message) => {
    const run = () => renderReport(model(over as Partial<ReportModel>));
    expect(run).toThrow(ReportError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (e) {
      expect((e as ReportError).code).toBe('INVALID_MODEL');
    }
  });
});

describe('formatting', () => {
  it.each([
    [pct(0.12345), '12.35%'],
    [pct(12.345), '1,234.50%'],
    [pct(-0.00001), '0.00%'],
    [pct(-0.551894), '-55.19%'],
    [pct(null), '—'],
    [ratio(Infinity), '∞'],
    [ratio(-1.005), '-1.00'],
    [money(-1234567.891), '-1,234,567.89'],
    [price(0.00012345), '0.000123'],
    [price(586.080017), '586.08'],
    [qty(1.25), '1.25'],
    [qty(1500), '1,500'],
    [fixed(999.999, 2), '1,000.00'],
    [date(Date.UTC(2009, 2, 9, 23, 59)), '2009-03-09'],
    [date(null), '—'],
  ])('%s = %s', (actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe('escaping', () => {
  it('jsonForScript round-trips any value and never emits <, > or &', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const s = jsonForScript(v);
        expect(s).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(s)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('scriptSafe breaks </script and <!-- without changing what a JS string means', () => {
    const js = 'var s = "</script><!--";';
    const safe = scriptSafe(js);
    expect(safe).not.toMatch(/<\/script|<!--/i);
    expect(new Function(`${safe}; return s;`)()).toBe('</script><!--');
  });

  it('escapeHtml escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('helpers', () => {
  it('seriesFromColumns converts ms to unix seconds', () => {
    expect(seriesFromColumns([1_700_000_000_000, 1_700_000_000_000 + 86_400_000], [1, 2])).toEqual([
      { time: 1_700_000_000, value: 1 },
      { time: 1_700_086_400, value: 2 },
    ]);
    expect(() => seriesFromColumns([1], [])).toThrow(/1 timestamps but 0 values/);
  });

  it('tradeMarkers: longs open with a buy, shorts with a sell; sorted; other symbols left out', () => {
    const ms = tradeMarkers([trade('X', 2, 3, 1, 'short'), trade('X', 0, 2, 1), trade('Y', 0, 1, 1)], 'X');
    const day = (d: number) => (T0 + d * DAY) / 1000;
    expect(ms).toEqual([
      { time: day(0), side: 'buy', text: 'Long' },
      { time: day(2), side: 'sell', text: 'Short' },
      { time: day(2), side: 'sell', text: 'Exit' },
      { time: day(3), side: 'buy', text: 'Exit' },
    ]);
  });

  it('perSymbolRows aggregates per symbol, sorted by symbol', () => {
    const rows = perSymbolRows([trade('B', 0, 2, -100), trade('A', 0, 1, 50), trade('B', 2, 3, 300)]);
    expect(rows.map((r) => r.symbol)).toEqual(['A', 'B']);
    expect(rows[1]?.avgReturnPct).toBeCloseTo(0.1, 15); // (-0.1 + 0.3) / 2
    expect(rows[1]).toEqual({
      symbol: 'B',
      trades: 2,
      winRate: 0.5,
      netPnl: 200,
      avgReturnPct: rows[1]?.avgReturnPct,
      bestReturnPct: 0.3,
      worstReturnPct: -0.1,
      fees: 2,
      slippage: 1,
      avgHoldingBars: 1.5,
    });
  });
});
